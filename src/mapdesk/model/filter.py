"""A layer filter: category checklists, numeric ranges, date range, time of day, weekdays and a
free expression. One filter applies alike to the map, the table, the analyses and the exports.

Masks are computed over column caches (integer codes for categories, int64 nanoseconds for
times), so a filter over a million incidents costs milliseconds, not a pass over Python objects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mapdesk.errors import MapdeskError


class FilterError(MapdeskError):
    """The filter cannot be applied (a bad expression, an unknown field)."""


@dataclass
class Filter:
    categories: dict[str, list[Any]] = field(default_factory=dict)  # field -> allowed values
    ranges: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    date_from: str | None = None  # ISO date/time, inclusive
    date_to: str | None = None  # ISO date; a bare date includes that whole day
    hour_from: int | None = None  # time of day window [hour_from, hour_to), wraps past midnight
    hour_to: int | None = None
    weekdays: list[int] | None = None  # 0 = Monday
    expression: str = ""
    time_field: str | None = None  # None: the layer's canonical time column

    def is_empty(self) -> bool:
        return not (self.categories or self.ranges or self.date_from or self.date_to
                    or self.hour_from is not None or self.weekdays is not None or self.expression.strip())

    def needs_time(self) -> bool:
        return bool(self.date_from or self.date_to or self.hour_from is not None or self.weekdays is not None)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["categories"] = {k: [_plain(v) for v in vs] for k, vs in self.categories.items()}
        d["ranges"] = {k: list(v) for k, v in self.ranges.items()}
        return d

    @classmethod
    def from_dict(cls, d: dict | None) -> Filter:
        d = dict(d or {})
        d["ranges"] = {k: tuple(v) for k, v in d.get("ranges", {}).items()}
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})

    def describe(self) -> str:
        """A short human description, for legends and export footers."""
        parts = []
        for f, vs in self.categories.items():
            parts.append(f"{f} in ({', '.join(map(str, vs))})")
        for f, (lo, hi) in self.ranges.items():
            parts.append(f"{'' if lo is None else lo} ≤ {f} ≤ {'' if hi is None else hi}")
        if self.date_from or self.date_to:
            parts.append(f"date {self.date_from or '…'} – {self.date_to or '…'}")
        if self.hour_from is not None and self.hour_to is not None:
            parts.append(f"{self.hour_from:02d}:00–{self.hour_to:02d}:00")
        if self.weekdays is not None:
            names = "Mon Tue Wed Thu Fri Sat Sun".split()
            parts.append("days " + ",".join(names[d] for d in sorted(self.weekdays)))
        if self.expression.strip():
            parts.append(self.expression.strip())
        return "; ".join(parts)


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


class ColumnCache:
    """Per-frame caches of factorised categories and int64 times, reused by every mask."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self._codes: dict[str, tuple[np.ndarray, pd.Index]] = {}
        self._times: dict[str, np.ndarray] = {}
        self._numbers: dict[str, np.ndarray] = {}
        self._parts: dict[tuple[str, str], np.ndarray] = {}

    def codes(self, col: str) -> tuple[np.ndarray, pd.Index]:
        if col not in self._codes:
            s = self.frame[col]
            if isinstance(s.dtype, pd.CategoricalDtype):
                self._codes[col] = (s.cat.codes.to_numpy(), pd.Index(s.cat.categories.astype(str)))
            else:
                codes, uniques = pd.factorize(s.astype("string"), use_na_sentinel=True)
                self._codes[col] = (codes, pd.Index(uniques.astype(str)))
        return self._codes[col]

    def set_times(self, name: str, times: pd.Series) -> None:
        """Register a derived time column (e.g. instant time, else window start)."""
        self._times[name] = times.astype("datetime64[ns]").to_numpy().view("i8")
        self._parts = {k: v for k, v in self._parts.items() if k[0] != name}

    def has_times(self, name: str) -> bool:
        return name in self._times

    def times_ns(self, col: str) -> np.ndarray:
        if col not in self._times:
            s = self.frame[col]
            if not pd.api.types.is_datetime64_any_dtype(s):
                s = pd.to_datetime(s, errors="coerce")
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_localize(None)
            self._times[col] = s.astype("datetime64[ns]").to_numpy().view("i8")
        return self._times[col]

    def hours(self, col: str) -> np.ndarray:
        """Hour of day (0-23, int8) of a time column; NaT rows get an arbitrary hour."""
        key = (col, "hour")
        if key not in self._parts:
            self._parts[key] = ((self.times_ns(col) % _NS_DAY) // _NS_HOUR).astype(np.int8)
        return self._parts[key]

    def weekdays(self, col: str) -> np.ndarray:
        """Weekday (0 = Monday, int8) of a time column; NaT rows get an arbitrary day."""
        key = (col, "weekday")
        if key not in self._parts:
            # 1970-01-01 was a Thursday (weekday 3)
            self._parts[key] = (((self.times_ns(col) // _NS_DAY) + 3) % 7).astype(np.int8)
        return self._parts[key]

    def valid_times(self, col: str) -> np.ndarray:
        """True where a time column has a value (not NaT)."""
        key = (col, "valid")
        if key not in self._parts:
            self._parts[key] = self.times_ns(col) != _NAT
        return self._parts[key]

    def numbers(self, col: str) -> np.ndarray:
        if col not in self._numbers:
            self._numbers[col] = pd.to_numeric(self.frame[col], errors="coerce").to_numpy(float)
        return self._numbers[col]


_NAT = np.iinfo(np.int64).min
_NS_HOUR = 3_600_000_000_000
_NS_DAY = 24 * _NS_HOUR


def filter_mask(flt: Filter, frame: pd.DataFrame, cache: ColumnCache | None = None,
                time_col: str | None = None) -> np.ndarray:
    """Boolean mask of the rows of ``frame`` that pass ``flt``.

    ``time_col`` is the column used for date, hour and weekday conditions when the filter names
    none. Raises :class:`FilterError` for unknown fields or a bad expression.
    """
    n = len(frame)
    cache = cache or ColumnCache(frame)
    mask = np.ones(n, dtype=bool)
    for col, allowed in flt.categories.items():
        if col not in frame.columns:
            raise FilterError(f"filter names a field that is not in the layer: {col}")
        codes, uniques = cache.codes(col)
        wanted = np.zeros(len(uniques) + 1, dtype=bool)  # last slot: missing values (code -1)
        allowed_s = {str(a) for a in allowed}
        wanted[:-1] = uniques.isin(allowed_s)
        wanted[-1] = "" in allowed_s or "<NA>" in allowed_s
        mask &= wanted[codes]
    for col, (lo, hi) in flt.ranges.items():
        if col not in frame.columns:
            raise FilterError(f"filter names a field that is not in the layer: {col}")
        v = cache.numbers(col)
        if lo is not None:
            mask &= v >= lo
        if hi is not None:
            mask &= v <= hi
    if flt.needs_time():
        col = flt.time_field or time_col
        if not col or (col not in frame.columns and not cache.has_times(col)):
            raise FilterError("this layer has no time field to filter by date or time of day "
                              "(set the time field in the layer's field mapping)")
        t = cache.times_ns(col)
        # hour, weekday and validity are cached per column: a weekday or time-of-day change
        # over a million incidents is then a table lookup, not integer divisions
        mask &= cache.valid_times(col)
        if flt.date_from:
            mask &= t >= pd.Timestamp(flt.date_from).value
        if flt.date_to:
            end = pd.Timestamp(flt.date_to)
            if len(flt.date_to) <= 10:  # a bare date includes the whole day
                end = end + pd.Timedelta(days=1)
                mask &= t < end.value
            else:
                mask &= t <= end.value
        if flt.hour_from is not None and flt.hour_to is not None:
            a, b = int(flt.hour_from), int(flt.hour_to)
            hours = np.arange(24)
            ok = ((hours >= a) & (hours < b)) if a <= b else ((hours >= a) | (hours < b))
            mask &= ok[cache.hours(col)]
        if flt.weekdays is not None:
            allowed = np.zeros(7, dtype=bool)
            allowed[list(flt.weekdays)] = True
            mask &= allowed[cache.weekdays(col)]
    if flt.expression.strip():
        try:
            res = frame.drop(columns="geometry", errors="ignore").eval(flt.expression.strip())
        except Exception as exc:
            raise FilterError(f"cannot evaluate filter expression {flt.expression!r}: {exc}") from exc
        arr = np.asarray(res)
        if arr.dtype != bool or arr.shape != (n,):
            raise FilterError(f"filter expression {flt.expression!r} does not give true/false per row")
        mask &= arr
    return mask
