"""Select the incidents an analysis runs on: a pandas query, types, a period.

Every filter returns the selected frame and a human-readable description that results
carry in ``params["filter"]`` so legends and exports can state what was counted.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from mapdesk.domain.incidents import event_time, normalize_type
from mapdesk.errors import AnalysisError

TIME_COLUMNS = ("time", "time_start", "time_end")


def prepare_incidents(frame: pd.DataFrame) -> pd.DataFrame:
    """Coerce canonical incident columns: times to datetimes (unparseable → NaT, tz dropped
    to local wall time), ``type`` to type codes. Returns a new frame."""
    out = frame.copy()
    for col in TIME_COLUMNS:
        if col in out.columns and not pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = pd.to_datetime(out[col], errors="coerce", format="mixed")
        if col in out.columns and getattr(out[col].dt, "tz", None) is not None:
            out[col] = out[col].dt.tz_localize(None)
    if "type" in out.columns:
        out["type"] = normalize_type(out["type"])
    return out


def _as_timestamp(value: str | dt.date | pd.Timestamp | None, what: str) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise AnalysisError(f"{what} {value!r} is not a date (use YYYY-MM-DD)") from exc
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts


def period_bounds(start, end) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """[start, end) as timestamps; an ``end`` given as a bare date includes that whole day."""
    s = _as_timestamp(start, "start date")
    e = _as_timestamp(end, "end date")
    if e is not None and e == e.normalize() and not (isinstance(end, str) and ":" in end):
        e = e + pd.Timedelta(days=1)
    if s is not None and e is not None and e <= s:
        raise AnalysisError(f"the period ends ({end}) before it starts ({start})")
    return s, e


def select_incidents(frame: pd.DataFrame, *, where: str | None = None,
                     types: list[str] | tuple[str, ...] | None = None,
                     start=None, end=None) -> tuple[pd.DataFrame, str]:
    """Filter incidents; returns (selected rows, description of the filter).

    Parameters
    ----------
    where
        A :meth:`pandas.DataFrame.query` expression on the frame's columns,
        e.g. ``"status == 'reported'"``.
    types
        Type codes or labels (English or Chinese), matched after :func:`normalize_type`.
    start, end
        Period on the event time (``time``, else the middle of the window); ``end`` as a
        date includes that day. Incidents without any time are dropped when a period is set.
    """
    parts: list[str] = []
    out = frame
    if where:
        try:
            mask = out.eval(where)
        except Exception as exc:  # pandas raises many kinds for a bad expression
            cols = ", ".join(map(str, [c for c in out.columns if c != "geometry"][:20]))
            raise AnalysisError(f"bad --where expression {where!r}: {exc}. Columns: {cols}") from exc
        if not (isinstance(mask, pd.Series) and pd.api.types.is_bool_dtype(mask)):
            raise AnalysisError(f"--where expression {where!r} must give true/false per row")
        out = out[mask.fillna(False).astype(bool)]
        parts.append(where)
    if types:
        if "type" not in out.columns:
            raise AnalysisError("a type filter was given but the layer has no incident type column")
        wanted = set(normalize_type(pd.Series(list(types), dtype="string")).tolist())
        # types outside the known codes (a city's own "ROBBERY - STREET") match whatever the case
        have = out["type"].astype("string").str.strip().str.casefold()
        out = out[have.isin({w.strip().casefold() for w in wanted}).fillna(False).astype(bool)]
        parts.append("type in " + ", ".join(sorted(wanted)))
    s, e = period_bounds(start, end)
    if s is not None or e is not None:
        t = event_time(out)
        mask = t.notna()
        if s is not None:
            mask &= t >= s
        if e is not None:
            mask &= t < e
        out = out[mask.fillna(False).astype(bool)]
        parts.append(f"{s.date() if s is not None else '…'} to "
                     f"{(e - pd.Timedelta(days=1)).date() if e is not None else '…'}")
    return out, "; ".join(parts) if parts else "all incidents"
