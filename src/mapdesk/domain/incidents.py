"""Incident rules: the type vocabulary (English code, English and Chinese labels), statuses,
and the time of an incident, which is either an instant (``time``) or a window
(``time_start`` .. ``time_end``, e.g. a parked e-bike found missing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# code -> (English label, Chinese label, aliases seen in real files)
INCIDENT_TYPES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "ebike_theft": ("E-bike theft", "电动车被盗", ("电动车被盗", "电动车盗窃", "盗窃电动车", "e-bike theft", "ebike theft", "bicycle theft")),
    "other_theft": ("Other theft", "其他盗窃", ("盗窃", "其他盗窃", "扒窃", "入室盗窃", "theft", "larceny", "burglary", "auto theft", "larceny from auto")),
    "fraud": ("Fraud", "诈骗", ("诈骗", "电信诈骗", "电信网络诈骗", "fraud")),
    "dispute": ("Dispute", "纠纷", ("纠纷", "邻里纠纷", "家庭纠纷", "矛盾纠纷", "dispute")),
    "dog": ("Dog-related", "涉犬警情", ("涉犬", "涉犬警情", "犬只", "dog")),
    "help_request": ("Help request", "求助", ("求助", "群众求助", "help", "help request", "assistance")),
    "other": ("Other", "其他", ("其他", "other")),
}

STATUSES: dict[str, tuple[str, str]] = {
    "reported": ("Reported", "已报案"),
    "cleared": ("Cleared", "已破案"),
}


def type_label(code: str, lang: str = "en") -> str:
    entry = INCIDENT_TYPES.get(code)
    if entry is None:
        return str(code)
    return entry[1] if lang.startswith("zh") else entry[0]


def normalize_type(values: pd.Series) -> pd.Series:
    """Map free-text incident types (Chinese or English) to type codes; unknown values are kept."""
    lookup: dict[str, str] = {}
    for code, (en, zh, aliases) in INCIDENT_TYPES.items():
        for a in (code, en, zh, *aliases):
            lookup[a.strip().lower()] = code
    # normalise each distinct value once (a million rows have a handful of types)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    norm = np.array([lookup.get(str(u).strip().lower(), str(u)) for u in uniques] + [None],
                    dtype=object)
    return pd.Series(norm[codes], index=values.index, dtype=object)  # code -1 -> None


def event_time(frame: pd.DataFrame) -> pd.Series:
    """One timestamp per incident for counting by day: ``time`` where known, else the
    middle of the window, else the window start. NaT where nothing is known."""
    n = len(frame)
    t = frame["time"] if "time" in frame else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if "time_start" in frame:
        start = frame["time_start"]
        end = frame["time_end"] if "time_end" in frame else start
        mid = start + (end.fillna(start) - start) / 2
        t = t.fillna(mid) if n else t
    return t


def window(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(start, end) per incident; an instant has start == end. NaT where unknown."""
    if "time_start" in frame:
        start = frame["time_start"].copy()
        end = frame["time_end"].copy() if "time_end" in frame else start.copy()
        if "time" in frame:
            start = start.fillna(frame["time"])
            end = end.fillna(frame["time"])
        end = end.fillna(start)
        bad = end < start
        if bool(np.any(bad)):
            end = end.where(~bad, start)
        return start, end
    t = frame["time"] if "time" in frame else pd.Series(pd.NaT, index=frame.index)
    return t, t
