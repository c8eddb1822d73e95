"""Parsing date/time columns of real files into ``datetime64``.

Handles ISO text, US ``1/1/14`` dates, Chinese ``2024年3月5日 08:30``, and epoch numbers
(seconds or milliseconds, as JSON exports write them). Values that cannot be parsed
become NaT and are counted; their rows are kept.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

_ZH = [(re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?"), r"\1-\2-\3 "),
       (re.compile(r"(\d{1,2})\s*[时點点]\s*(\d{1,2})\s*分(\s*(\d{1,2})\s*秒)?"), r"\1:\2:\4"),
       (re.compile(r"(\d{1,2})\s*[时點点]"), r"\1:00"),
       (re.compile(r":(\s|$)"), r"\1")]
_ZH_AMPM = re.compile(r"(上午|下午|晚上|凌晨|中午)")


def _normalize_zh(s: pd.Series) -> pd.Series:
    for rx, rep in _ZH:
        s = s.str.replace(rx, rep, regex=True)
    return s.str.strip()


def parse_datetimes(values: pd.Series) -> tuple[pd.Series, int]:
    """Return ``(parsed, n_unparsed)``; ``parsed`` has dtype datetime64 and the same index.

    ``n_unparsed`` counts non-empty values that became NaT.
    """
    if values.dtype.kind == "M":
        return values, 0
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert(None), 0
    if values.dtype.kind in "iuf":
        return _from_epoch(values)
    s = values.astype("string").str.strip()
    s = s.mask(s == "")
    present = s.notna()
    if s.str.contains("年|月|时", regex=True).fillna(False).any():
        s = _normalize_zh(s)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = pd.to_datetime(s, errors="coerce", format="ISO8601")
        failed = out.isna() & present
        if failed.any():
            # Non-ISO text: numbers as text (epoch), then pandas' per-value parser.
            num = pd.to_numeric(s[failed], errors="coerce")
            if num.notna().mean() > 0.9:
                epoch, _ = _from_epoch(num)
                out = out.copy()
                out[failed] = epoch
            else:
                out = out.copy()
                out[failed] = pd.to_datetime(s[failed], errors="coerce", format="mixed")
    out = out.astype("datetime64[ms]") if out.dtype.kind == "M" else out
    return out, int((out.isna() & present).sum())


def _from_epoch(values: pd.Series) -> tuple[pd.Series, int]:
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    present = v.notna()
    med = float(np.nanmedian(np.abs(v))) if present.any() else 0.0
    if med > 1e14:
        unit = "us"
    elif med > 1e11:
        unit = "ms"
    elif med > 1e8:
        unit = "s"
    else:
        # Small numbers are not epochs (Excel serials or garbage): refuse rather than guess.
        out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ms]")
        return out, int(present.sum())
    out = pd.to_datetime(v, unit=unit, errors="coerce").astype("datetime64[ms]")
    return out, int((out.isna() & present).sum())
