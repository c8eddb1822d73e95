"""The five-yearly census (每五年普查一次): who is overdue, who is due this year, the work list.

A tree whose last survey is more than five years before the as-of date is overdue; a tree
whose five years run out within the as-of date's calendar year (and not yet) is due this year.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np
import pandas as pd

from mapdesk.domain.trees.values import is_missing, parse_date

CENSUS_INTERVAL_YEARS = 5
CENSUS_STATES: dict[str, tuple[str, str]] = {
    "overdue": ("Overdue", "逾期未普查"),
    "due_this_year": ("Due this year", "本年度应普查"),
    "never_surveyed": ("Never surveyed", "从未普查"),
    "ok": ("Up to date", "正常"),
}
# Work-list order: the most urgent first.
_PRIORITY = {"overdue": 0, "never_surveyed": 1, "due_this_year": 2, "ok": 3}


def census_label(state: str, lang: str = "en") -> str:
    en, zh = CENSUS_STATES.get(state, (state, state))
    return zh if lang.startswith("zh") else en


def as_of_date(as_of: Any) -> pd.Timestamp:
    """The reference date: ``as_of`` parsed (messy spellings too), today when None.

    Raises
    ------
    ValueError
        When ``as_of`` is not a date.
    """
    if as_of is None:
        return pd.Timestamp(_dt.date.today())
    ts, ok = parse_date(as_of)
    if not ok or ts is None:
        raise ValueError(f"as-of date {as_of!r} not understood")
    return ts


def census_state(frame: pd.DataFrame, as_of: Any = None) -> pd.DataFrame:
    """Add each tree's census state.

    Parameters
    ----------
    frame
        Trees with a canonical ``last_survey`` column (dates, or text such as "2019年5月";
        a month or a year alone counts from its first day). A missing column means no tree
        was ever surveyed.
    as_of
        The reference date (date, Timestamp or text); today when ``None``.

    Returns
    -------
    A copy with ``last_survey_date`` (datetime64, NaT when missing or unreadable),
    ``next_survey_due`` (last survey + 5 years), ``census_state`` ("overdue",
    "due_this_year", "ok", "never_surveyed"), ``years_since_survey`` (float) and
    ``census_issue`` ("" or what was wrong with the date: unreadable, in the future).
    """
    ref = as_of_date(as_of)
    raw = frame["last_survey"].astype(object).tolist() if "last_survey" in frame.columns else [None] * len(frame)
    dates: list[Any] = []
    issues: list[str] = []
    for v in raw:
        ts, ok = parse_date(v)
        if not ok:
            issues.append(f"last survey '{v}' not understood")
        elif ts is not None and ts > ref:
            issues.append(f"last survey {ts.date()} is after the as-of date {ref.date()}")
        else:
            issues.append("")
        dates.append(ts if ts is not None else pd.NaT)
    last = pd.to_datetime(pd.Series(dates, index=frame.index, dtype=object), errors="coerce").astype("datetime64[ns]")
    due = last + pd.DateOffset(years=CENSUS_INTERVAL_YEARS)
    state = np.where(last.isna(), "never_surveyed",
                     np.where(due < ref, "overdue",
                              np.where(due.dt.year == ref.year, "due_this_year", "ok")))
    out = frame.copy()
    out["last_survey_date"] = last
    out["next_survey_due"] = due
    out["census_state"] = pd.array(state, dtype="string")
    out["years_since_survey"] = ((ref - last).dt.days / 365.2425).round(1)
    out["census_issue"] = pd.array(issues, dtype="string")
    return out


def _ensure(frame: pd.DataFrame, as_of: Any) -> pd.DataFrame:
    if "census_state" not in frame.columns:
        frame = census_state(frame, as_of)
    if "grade_computed" not in frame.columns:
        from mapdesk.domain.trees.grading import grade_trees

        frame = grade_trees(frame)
    return frame


def census_summary(frame: pd.DataFrame, as_of: Any = None) -> dict[str, pd.DataFrame]:
    """Counts of census states overall and by grade, species and community.

    Returns ``{"by_state": ..., "by_grade": ..., "by_species": ..., "by_community": ...}``;
    each ``by_*`` table has one row per group value ("(none)" for missing), one column per
    census state (in the order overdue, due_this_year, never_surveyed, ok) and ``total``.
    Grades are the computed ones (``grade_trees`` is run when needed).
    """
    frame = _ensure(frame, as_of)
    states = list(_PRIORITY)
    st = frame["census_state"].astype(str)
    by_state = pd.DataFrame({"census_state": states,
                             "trees": [int((st == s).sum()) for s in states]})
    out = {"by_state": by_state}
    groups = {
        "by_grade": frame["grade_computed"].astype("Int64").astype(object).map(
            lambda g: "(none)" if is_missing(g) else str(int(g))),
        "by_species": frame["species"].astype(object) if "species" in frame else None,
        "by_community": frame["community"].astype(object) if "community" in frame else None,
    }
    for key, col in groups.items():
        if col is None:
            col = pd.Series(["(none)"] * len(frame), index=frame.index)
        col = col.map(lambda v: "(none)" if is_missing(v) else str(v).strip())
        table = pd.crosstab(col, st).reindex(columns=states, fill_value=0)
        table["total"] = table.sum(axis=1)
        table.index.name = key[3:]
        table.columns.name = None
        out[key] = table.sort_values("total", ascending=False, kind="stable").reset_index()
    return out


def census_counts(frame: pd.DataFrame, as_of: Any = None) -> dict[str, int]:
    """{state: trees} for ``--json``."""
    frame = _ensure(frame, as_of)
    st = frame["census_state"].astype(str)
    return {s: int((st == s).sum()) for s in _PRIORITY}


WORKLIST_COLUMNS = ("community", "tree_id", "species", "grade", "census_state", "last_survey_date",
                    "next_survey_due", "years_since_survey", "adopted_by", "lon", "lat")


def census_worklist(frame: pd.DataFrame, as_of: Any = None, *, include_due: bool = True) -> pd.DataFrame:
    """Trees to visit, grouped by community: overdue first, then never surveyed, then due
    this year; inside each, highest grade (1) first, then tree id.

    Returns a DataFrame with columns ``WORKLIST_COLUMNS`` plus ``census_state_zh``: ``lon`` /
    ``lat`` are WGS 84 coordinates for field work (NaN without geometry), ``grade`` is the
    computed grade.
    """
    frame = _ensure(frame, as_of)
    wanted = {"overdue", "never_surveyed"} | ({"due_this_year"} if include_due else set())
    sel = frame.loc[frame["census_state"].astype(str).isin(wanted)]
    n = len(sel)

    def col(name: str) -> pd.Series:
        if name in sel.columns:
            return sel[name]
        return pd.Series([pd.NA] * n, index=sel.index, dtype=object)

    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    if n and "geometry" in sel.columns and getattr(sel, "crs", None) is not None:
        geom = sel.geometry
        okg = ~(geom.isna() | geom.is_empty)
        if okg.any():
            pts = geom[okg].to_crs(4326)
            pts = pts.where(pts.geom_type == "Point", pts.representative_point())
            lon[okg.to_numpy()] = pts.x.to_numpy()
            lat[okg.to_numpy()] = pts.y.to_numpy()
    community = col("community").astype(object).map(lambda v: "(none)" if is_missing(v) else str(v).strip())
    out = pd.DataFrame({
        "community": community.astype("string"),
        "tree_id": col("tree_id").astype("string"),
        "species": col("species").astype("string"),
        "grade": sel["grade_computed"].astype("Int64"),
        "census_state": sel["census_state"].astype("string"),
        "last_survey_date": sel["last_survey_date"],
        "next_survey_due": sel["next_survey_due"],
        "years_since_survey": sel["years_since_survey"],
        "adopted_by": col("adopted_by").astype("string"),
        "lon": np.round(lon, 6),
        "lat": np.round(lat, 6),
    }, index=sel.index)
    out["census_state_zh"] = out["census_state"].map(lambda s: census_label(str(s), "zh")).astype("string")
    out["_prio"] = out["census_state"].map(_PRIORITY).astype(int)
    out["_grade"] = out["grade"].fillna(9).astype(int)
    out["_nocomm"] = out["community"] == "(none)"  # trees without a community go last
    out = out.sort_values(["_nocomm", "community", "_prio", "_grade", "tree_id"], kind="stable")
    return out.drop(columns=["_prio", "_grade", "_nocomm"]).reset_index(drop=True)
