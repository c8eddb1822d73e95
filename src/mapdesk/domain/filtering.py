"""Vectorised row filters for incident layers (date range and type), fast on millions of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd


def _bound(value, end: bool) -> np.datetime64 | None:
    """A bound as datetime64[ns]; a whole date (no time part) as ``date_to`` includes that day."""
    if value is None:
        return None
    whole_day = (isinstance(value, dt.date) and not isinstance(value, dt.datetime)) or (
        isinstance(value, str) and len(value.strip()) <= 10)
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    if end and whole_day:
        ts = ts + pd.Timedelta(days=1)
    return np.datetime64(ts.to_datetime64(), "ns")


def _as_ns(values) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind != "M":
        arr = pd.to_datetime(pd.Series(values), errors="coerce").to_numpy()
    return arr.astype("datetime64[ns]", copy=False)


def filter_mask(frame: pd.DataFrame, date_from=None, date_to=None, types: Iterable[str] | None = None,
                time_col: str = "time", type_col: str = "type") -> np.ndarray:
    """Boolean mask of the rows inside a date range and among ``types``.

    Parameters
    ----------
    frame : incidents with a datetime64 ``time_col`` — or, without it, a time window in
        ``time_start``/``time_end`` (a window counts when it overlaps the range).
    date_from : inclusive start (date, datetime, Timestamp or ISO text); None = open.
    date_to : end; a datetime is exclusive, a whole date (``date`` or ``"2024-03-31"``)
        includes that day. None = open.
    types : values of ``type_col`` to keep; None keeps every type. A Categorical column is
        compared by its codes (the fast path for a million rows).

    Rows with an unknown time (NaT) fail any date bound.

    Examples
    --------
    >>> mask = filter_mask(incidents, "2024-01-01", "2024-03-31", types=["ebike_theft"])  # doctest: +SKIP
    >>> incidents[mask]                                                                     # doctest: +SKIP
    """
    n = len(frame)
    mask = np.ones(n, dtype=bool)
    lo, hi = _bound(date_from, False), _bound(date_to, True)
    if lo is not None or hi is not None:
        if time_col in frame.columns:
            start = end = _as_ns(frame[time_col])
        elif "time_start" in frame.columns:
            start = _as_ns(frame["time_start"])
            end = _as_ns(frame["time_end"]) if "time_end" in frame.columns else start
            end = np.where(np.isnat(end), start, end)
        else:
            raise KeyError(f"no time column {time_col!r} (nor time_start/time_end) to filter by date")
        # NaT compares False, so unknown times drop out of a bounded range.
        if lo is not None:
            mask &= end >= lo
        if hi is not None:
            mask &= start < hi
    if types is not None:
        col = frame[type_col]
        wanted = list(types)
        if isinstance(col.dtype, pd.CategoricalDtype):
            cats = col.cat.categories
            codes = [cats.get_loc(t) for t in wanted if t in cats]
            c = col.cat.codes.to_numpy()
            if len(codes) == 1:
                mask &= c == codes[0]
            else:
                lut = np.zeros(len(cats) + 1, dtype=bool)  # +1: code -1 (NaN) maps to the last slot
                lut[codes] = True
                mask &= lut[c]
        else:
            mask &= col.isin(wanted).to_numpy(dtype=bool, na_value=False)
    return mask
