"""When incidents happen: hour of day × day of week (aoristic), daily and weekly counts,
and the morning briefing's "yesterday vs the previous 28 days".

Aoristic weighting: an incident known only by a window (a parked e-bike found missing)
has weight 1 spread over the hours its window covers, in proportion to the time it
spends in each hour slot of the week. An instant counts 1 in its hour. Windows longer
than ``max_window_days`` (7 by default) say nothing about the hour: they are spread
evenly over all 168 hours of the week and counted in ``params["n_long_windows"]``.
Times are local wall-clock time (time zones are dropped).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from mapdesk.analysis.progress import CancelledFn, ProgressFn, Steps
from mapdesk.domain.incidents import event_time, type_label, window
from mapdesk.errors import AnalysisError

WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
HOURS_PER_WEEK = 168
_MONDAY = pd.Timestamp("1970-01-05")  # a Monday, 00:00
_CHUNK = 20_000


def weekday_labels(lang: str = "en") -> tuple[str, ...]:
    return WEEKDAYS_ZH if lang.startswith("zh") else WEEKDAYS_EN


def _hours_since_monday(ts: pd.Series) -> np.ndarray:
    t = pd.to_datetime(ts)
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_localize(None)
    return ((t - _MONDAY) / pd.Timedelta(hours=1)).to_numpy(dtype=float, na_value=np.nan)


def _slot_cumulative(t: np.ndarray) -> np.ndarray:
    """G[i, k] = hours spent in hour-of-week slot k between the epoch Monday and t[i]."""
    weeks = np.floor(t / HOURS_PER_WEEK)
    rem = t - weeks * HOURS_PER_WEEK
    k = np.arange(HOURS_PER_WEEK, dtype=float)
    return weeks[:, None] + np.clip(rem[:, None] - k[None, :], 0.0, 1.0)


def aoristic_week_weights(start_h: np.ndarray, end_h: np.ndarray, max_window_h: float,
                          steps: Steps | None = None) -> tuple[np.ndarray, dict[str, int]]:
    """Sum of aoristic weights per hour-of-week slot (168 values, Monday 00:00 first).

    ``start_h``/``end_h`` are hours since a Monday midnight; rows with NaN are ignored.
    """
    ok = np.isfinite(start_h) & np.isfinite(end_h)
    s = start_h[ok]
    e = np.maximum(end_h[ok], s)
    dur = e - s
    total = np.zeros(HOURS_PER_WEEK)
    inst = dur <= 0
    slots = np.floor(s[inst]).astype(np.int64) % HOURS_PER_WEEK
    total += np.bincount(slots, minlength=HOURS_PER_WEEK)
    long_ = dur > max_window_h
    total += long_.sum() / HOURS_PER_WEEK
    win = ~inst & ~long_
    ws, we, wd = s[win], e[win], dur[win]
    for a in range(0, ws.size, _CHUNK):
        b = a + _CHUNK
        share = (_slot_cumulative(we[a:b]) - _slot_cumulative(ws[a:b])) / wd[a:b, None]
        total += share.sum(axis=0)
        if steps is not None:
            steps(b / max(ws.size, 1))
    return total, {"n_instants": int(inst.sum()), "n_windows": int(win.sum()),
                   "n_long_windows": int(long_.sum())}


def hour_weekday_table(frame: pd.DataFrame, *, max_window_days: float = 7.0,
                       filter_text: str | None = None, progress: ProgressFn | None = None,
                       cancelled: CancelledFn | None = None) -> pd.DataFrame:
    """Aoristic incident counts by day of week (rows, Monday first) × hour (columns 0..23).

    Parameters
    ----------
    frame
        Incidents with canonical ``time`` and/or ``time_start``/``time_end`` columns.
    max_window_days
        Windows longer than this are spread evenly over the week (and reported).

    Returns
    -------
    DataFrame
        Index ``weekday`` 0..6 (Monday = 0), columns ``0..23``, float weights summing to
        the number of incidents with a time. ``attrs["params"]``: method, n_incidents,
        n_used, n_missing_time, n_instants, n_windows, n_long_windows, max_window_days,
        filter, first, last.
    """
    steps = Steps(progress, cancelled)
    n = len(frame)
    if n == 0:
        raise AnalysisError("no incidents to analyse (none left after filtering?)")
    if not any(c in frame.columns for c in ("time", "time_start")):
        raise AnalysisError("the layer has no time column (time, or time_start/time_end): "
                            "map one in the field mapping (command line: --field time=COLUMN)")
    start, end = window(frame)
    sh = _hours_since_monday(start)
    eh = _hours_since_monday(end)
    missing = ~np.isfinite(sh)
    n_missing = int(missing.sum())
    if n_missing == n:
        raise AnalysisError(f"none of the {n} incidents has a usable time "
                            "(all timestamps are missing or unreadable)")
    eh = np.where(np.isfinite(eh), eh, sh)
    steps(0.05)
    totals, counts = aoristic_week_weights(sh, eh, max_window_days * 24.0, steps.sub(0.05, 0.95))
    table = pd.DataFrame(totals.reshape(7, 24), index=pd.RangeIndex(7, name="weekday"),
                         columns=pd.RangeIndex(24, name="hour"))
    valid = start[~missing]
    table.attrs["params"] = {
        "method": "aoristic hour × weekday",
        "n_incidents": n,
        "n_used": n - n_missing,
        "n_missing_time": n_missing,
        **counts,
        "max_window_days": max_window_days,
        "filter": filter_text or "all incidents",
        "first": valid.min(),
        "last": valid.max(),
    }
    steps(1.0)
    return table


def table_with_labels(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The hour × weekday table with weekday names as index (for CSV export)."""
    out = table.copy()
    out.index = pd.Index(weekday_labels(lang), name="weekday")
    out.columns = [f"{h:02d}" for h in table.columns]
    out.attrs = dict(table.attrs)
    return out


def _event_dates(frame: pd.DataFrame) -> tuple[pd.Series, int]:
    t = event_time(frame)
    if t is None or len(t) == 0:
        return pd.Series([], dtype="datetime64[ns]"), 0
    t = pd.to_datetime(t)
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_localize(None)
    return t, int(t.isna().sum())


def daily_counts(frame: pd.DataFrame, start: dt.date | str | None = None,
                 end: dt.date | str | None = None) -> pd.DataFrame:
    """Incidents per calendar day (event time: ``time``, else the window's middle).

    Every day from ``start`` (default the first incident) to ``end`` (default the last)
    is present, with 0 where nothing happened. Columns: ``date``, ``count``.
    ``attrs["params"]`` has n_incidents, n_missing_time, start, end.
    """
    t, n_missing = _event_dates(frame)
    days = t.dropna().dt.normalize()
    if days.empty and (start is None or end is None):
        raise AnalysisError("no incident has a usable time to count by day")
    s = pd.Timestamp(start).normalize() if start is not None else days.min()
    e = pd.Timestamp(end).normalize() if end is not None else days.max()
    idx = pd.date_range(s, e, freq="D")
    counts = days.value_counts().reindex(idx, fill_value=0)
    out = pd.DataFrame({"date": idx.date, "count": counts.to_numpy(dtype=np.int64)})
    out.attrs["params"] = {"n_incidents": len(frame), "n_missing_time": n_missing,
                           "start": s.date(), "end": e.date()}
    return out


def weekly_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Incidents per week (weeks start on Monday). Columns ``week_start``, ``count``."""
    daily = daily_counts(frame)
    d = pd.to_datetime(pd.Series(daily["date"]))
    week = (d - pd.to_timedelta(d.dt.weekday, unit="D")).dt.date
    out = daily.groupby(week.to_numpy())["count"].sum().rename_axis("week_start").reset_index()
    out.attrs["params"] = dict(daily.attrs["params"])
    return out


def briefing_compare(frame: pd.DataFrame, date: dt.date | str, *, baseline_days: int = 28,
                     by: tuple[str, ...] = ("type", "community"),
                     lang: str = "en") -> pd.DataFrame:
    """The day ``date`` (usually yesterday) against the daily mean of the previous
    ``baseline_days`` days, overall, per type and per community beat.

    Returns
    -------
    DataFrame
        Columns: ``group`` ("all", "type", "community"), ``key`` (code or beat name),
        ``label``, ``count`` (on ``date``), ``baseline_mean`` (per day), ``diff``
        (count − mean) and ``ratio`` (count / mean, NaN when the mean is 0); sorted
        by group then by count. ``attrs["params"]`` gives the date, the baseline period
        and n_missing_time.
    """
    try:
        day = pd.Timestamp(date).normalize()
    except (ValueError, TypeError) as exc:
        raise AnalysisError(f"{date!r} is not a date (use YYYY-MM-DD)") from exc
    if baseline_days < 1:
        raise AnalysisError("the baseline must be at least one day")
    t, n_missing = _event_dates(frame)
    d = t.dt.normalize()
    base_start = day - pd.Timedelta(days=baseline_days)
    on_day = (d == day).to_numpy(dtype=bool, na_value=False)
    in_base = ((d >= base_start) & (d < day)).to_numpy(dtype=bool, na_value=False)
    rows: list[dict[str, Any]] = []

    def add(group: str, key: str, label: str, mask: np.ndarray | None) -> None:
        c = int(on_day.sum() if mask is None else (on_day & mask).sum())
        b = float((in_base.sum() if mask is None else (in_base & mask).sum()) / baseline_days)
        rows.append({"group": group, "key": key, "label": label, "count": c,
                     "baseline_mean": b, "diff": c - b, "ratio": c / b if b > 0 else np.nan})

    add("all", "all", "全部" if lang.startswith("zh") else "All incidents", None)
    for col in by:
        if col not in frame.columns:
            continue
        vals = frame[col].astype("string").fillna("(none)")
        keys = sorted(set(vals[on_day | in_base].tolist()))
        arr = vals.to_numpy(dtype=object)
        for k in keys:
            label = type_label(k, lang) if col == "type" else k
            add(col, k, label, arr == k)
    out = pd.DataFrame(rows, columns=["group", "key", "label", "count", "baseline_mean", "diff", "ratio"])
    order = {"all": 0, **{c: i + 1 for i, c in enumerate(by)}}
    out = out.sort_values(["group", "count", "key"], key=lambda s: s.map(order) if s.name == "group" else s,
                          ascending=[True, False, True]).reset_index(drop=True)
    out.attrs["params"] = {"date": day.date(), "baseline_start": base_start.date(),
                           "baseline_end": (day - pd.Timedelta(days=1)).date(),
                           "baseline_days": baseline_days, "n_missing_time": n_missing,
                           "n_incidents": len(frame)}
    return out
