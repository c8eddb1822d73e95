"""Readable, translated summaries of analysis results for the analysis dock.

:class:`ResultText` turns a result (Gi* cells, counts, a density grid, a coverage report, a
placement, an impact study, a briefing table) into short HTML: a sentence with the numbers
an analyst reads first, and small tables. Numbers use thousands separators and percentages.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QObject

from mapdesk.model.result_styles import result_params


def _n(v: Any) -> str:
    """An integer with thousands separators."""
    try:
        return f"{int(round(float(v))):,}"
    except (TypeError, ValueError):
        return str(v)


def _m(v: Any) -> str:
    """A distance in metres, rounded sensibly."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{f:,.0f} m" if f >= 10 else f"{f:.1f} m"


def _pct(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "–"
    return "–" if not math.isfinite(f) else f"{100 * f:.1f} %"


def _e(s: Any) -> str:
    return html.escape(str(s))


def table_html(headers: list[str], rows: list[list[Any]], align_right_from: int = 1) -> str:
    """A compact HTML table (numbers right-aligned from column ``align_right_from``)."""
    th = "".join(f"<th align='{'left' if i < align_right_from else 'right'}'>{_e(h)}</th>"
                 for i, h in enumerate(headers))
    body = []
    for r in rows:
        body.append("<tr>" + "".join(
            f"<td align='{'left' if i < align_right_from else 'right'}'>{_e(c)}</td>"
            for i, c in enumerate(r)) + "</tr>")
    return ("<table cellspacing='0' cellpadding='2' style='margin-top:4px'>"
            f"<tr style='background:#eee'>{th}</tr>{''.join(body)}</table>")


class ResultText(QObject):
    """Formats analysis results in the UI language (``lang`` "en" or "zh")."""

    def __init__(self, lang: str = "en") -> None:
        super().__init__()
        self.lang = lang

    # ---- dispatch ------------------------------------------------------------------------------
    def describe(self, result: Any, name: str = "") -> str:
        """HTML for ``result`` (empty when the result has nothing to say beyond its layer)."""
        head = f"<b>{_e(name)}</b><br>" if name else ""
        body = ""
        cls = type(result).__name__
        try:
            if cls == "PeriodComparison":
                body = self.comparison(result)
            elif cls == "CoverageReport":
                body = self.coverage(result)
            elif cls == "PlacementResult":
                body = self.placement(result)
            elif cls == "ImpactResult":
                body = self.impact(result)
            elif hasattr(result, "values") and hasattr(result, "bounds") and hasattr(result, "cell_m"):
                body = self.density(result)
            elif isinstance(result, pd.DataFrame) and "gi_class" in result.columns:
                body = self.gistar(result)
            elif isinstance(result, pd.DataFrame) and "count" in result.columns:
                body = self.counts(result)
            elif isinstance(result, pd.DataFrame) and {"feature_index", "tree_id"} <= set(result.columns):
                body = self.conflicts(result)
            elif isinstance(result, pd.DataFrame) and "tree_id" in result.columns:
                body = _e(self.tr("{0} protection zone(s) for {1} trees").format(
                    _n(len(result)), _n(result["tree_id"].nunique())))
        except (KeyError, AttributeError, TypeError, ValueError):
            body = ""
        return head + body

    # ---- hotspots ------------------------------------------------------------------------------
    def gistar(self, cells: pd.DataFrame) -> str:
        p = result_params(cells)
        cls = cells["gi_class"].astype(str)
        n_hot = int(cls.str.startswith("Hot").sum())
        n_hot99 = int((cls == "Hot 99%").sum())
        n_cold = int(cls.str.startswith("Cold").sum())
        text = self.tr("Gi*: {0} hot cells ({1} at 99 %), {2} cold").format(_n(n_hot), _n(n_hot99), _n(n_cold))
        if p.get("distance_m"):
            src = str(p.get("distance_source", ""))
            if "autocorrelation" in src:
                how = self.tr("chosen by incremental spatial autocorrelation")
            elif src.startswith("user"):
                how = self.tr("set by you")
            else:
                how = self.tr("automatic")
            text += self.tr("; distance band {0} ({1})").format(_m(p["distance_m"]), how)
        elif p.get("knn"):
            text += self.tr("; {0} nearest neighbours").format(p["knn"])
        if p.get("n_points") is not None:
            text += self.tr("; {0} incidents").format(_n(p["n_points"]))
        if p.get("cell_m"):
            text += self.tr(", cell {0}").format(_m(p["cell_m"]))
        rows = []
        for key, label in (("Hot 99%", self.tr("Hot spot, 99 % confidence")),
                           ("Hot 95%", self.tr("Hot spot, 95 % confidence")),
                           ("Hot 90%", self.tr("Hot spot, 90 % confidence")),
                           ("Cold 90%", self.tr("Cold spot, 90 % confidence")),
                           ("Cold 95%", self.tr("Cold spot, 95 % confidence")),
                           ("Cold 99%", self.tr("Cold spot, 99 % confidence"))):
            c = int((cls == key).sum())
            if c:
                rows.append([label, _n(c)])
        out = _e(text) + "."
        if rows:
            out += table_html([self.tr("Class"), self.tr("Cells")], rows)
        return out

    def counts(self, cells: pd.DataFrame) -> str:
        p = result_params(cells)
        c = pd.to_numeric(cells["count"], errors="coerce").fillna(0)
        shape = self.tr("hexagons") if p.get("method") == "hex" else self.tr("squares")
        text = self.tr("{0} incidents in {1} {2} of {3}; the busiest cell holds {4}, {5} cells have any").format(
            _n(p.get("n_points", c.sum())), _n(len(cells)), shape, _m(p.get("cell_m", 0)),
            _n(c.max() if len(c) else 0), _n(int((c > 0).sum())))
        return _e(text) + "."

    def density(self, grid: Any) -> str:
        p = dict(getattr(grid, "params", None) or {})
        vals = np.asarray(grid.values, dtype=float)
        fin = vals[np.isfinite(vals)]
        peak = float(fin.max()) if fin.size else 0.0
        src = str(p.get("bandwidth_source", ""))
        how = self.tr("automatic") if src and not src.startswith("user") else self.tr("set by you")
        text = self.tr("Kernel density of {0} incidents: bandwidth {1} ({2}), cell {3}; peak {4} incidents per km²").format(
            _n(p.get("n_points", 0)), _m(p.get("bandwidth_m", 0)), how, _m(p.get("cell_m", grid.cell_m)),
            _n(peak))
        return _e(text) + "."

    def comparison(self, comp: Any) -> str:
        """Two periods on the same grid: incidents in each and the largest change."""
        p = dict(getattr(comp, "params", None) or {})
        text = self.tr("Period A {0}: {1} incidents; period B {2}: {3} incidents; the three layers share "
                       "one grid and colour scale (B − A: red more, blue fewer)").format(
            p.get("period_a", "A"), _n(p.get("n_a", 0)), p.get("period_b", "B"), _n(p.get("n_b", 0)))
        return _e(text) + "."

    # ---- trees ---------------------------------------------------------------------------------
    def grading(self, summary: dict) -> str:
        """The grading summary of :func:`mapdesk.domain.trees.grading_summary`."""
        g = {str(k): int(v) for k, v in (summary.get("by_grade") or {}).items()}
        text = self.tr("{0} trees graded: grade 1 {1}, grade 2 {2}, grade 3 {3}, grade 4 {4}, "
                       "not graded {5}; {6} recorded grade(s) differ; {7} tree(s) with data issues").format(
            _n(summary.get("trees", 0)), _n(g.get("1", 0)), _n(g.get("2", 0)), _n(g.get("3", 0)),
            _n(g.get("4", 0)), _n(g.get("none", 0)), _n(summary.get("mismatches", 0)),
            _n(summary.get("trees_with_issues", 0)))
        rows = [[self.tr("Grade {0}").format(k), _n(g.get(k, 0))] for k in ("1", "2", "3", "4")]
        rows.append([self.tr("Not graded"), _n(g.get("none", 0))])
        out = _e(text) + "." + table_html([self.tr("Grade"), self.tr("Trees")], rows)
        issues = summary.get("issues") or {}
        if issues:
            out += _e(self.tr("Data issues: {0}").format(
                ", ".join(f"{k} {_n(v)}" for k, v in issues.items())))
        return out

    def census(self, frame: pd.DataFrame, as_of: Any = None) -> str:
        """Census states of :func:`mapdesk.domain.trees.census_state` as a sentence."""
        st = frame["census_state"].astype(str)
        day = pd.Timestamp(as_of or pd.Timestamp.today()).date().isoformat()
        return _e(self.tr("As of {0}: overdue {1}, never surveyed {2}, due this year {3}, up to date {4} "
                          "({5} trees)").format(day, _n((st == "overdue").sum()), _n((st == "never_surveyed").sum()),
                                                _n((st == "due_this_year").sum()), _n((st == "ok").sum()),
                                                _n(len(frame))))

    def conflicts(self, found: pd.DataFrame) -> str:
        """Planned works touching tree protection zones, with the count by grade."""
        n_feat = int(found["feature_index"].nunique()) if len(found) else 0
        n_trees = int(found["tree_id"].nunique()) if len(found) else 0
        text = self.tr("{0} conflict(s): {1} feature(s) of {2} touch the protection zones of {3} tree(s)").format(
            _n(len(found)), _n(n_feat), self.tr("the planned works"), _n(n_trees))
        out = _e(text) + "."
        if len(found) and "grade" in found.columns:
            g = pd.to_numeric(found["grade"], errors="coerce")
            rows = [[self.tr("Grade {0}").format(k), _n(int((g == k).sum()))] for k in (1, 2, 3, 4)]
            out += table_html([self.tr("Grade"), self.tr("Conflicts")], rows)
        return out

    # ---- cameras -------------------------------------------------------------------------------
    def coverage(self, rep: Any) -> str:
        text = self.tr("Existing cameras cover {0} of {1} incidents ({2}).").format(
            _n(rep.n_covered), _n(rep.n_incidents), _pct(rep.share_covered))
        out = _e(text)
        label_col = "label_zh" if self.lang == "zh" else "label_en"
        if len(rep.by_type):
            rows = [[r.get(label_col, r.get("type")), _n(r["incidents"]), _n(r["covered"]), _pct(r["share_covered"])]
                    for r in rep.by_type.to_dict(orient="records")]
            out += table_html([self.tr("Type"), self.tr("Incidents"), self.tr("Covered"), self.tr("Share")], rows)
        if len(rep.by_beat):
            rows = [[r["beat"], _n(r["incidents"]), _n(r["covered"]), _pct(r["share_covered"])]
                    for r in rep.by_beat.to_dict(orient="records")]
            out += table_html([self.tr("Beat"), self.tr("Incidents"), self.tr("Covered"), self.tr("Share")], rows)
        if len(rep.clusters):
            out += "<br>" + _e(self.tr("{0} clusters of uncovered incidents (largest: {1} uncovered).").format(
                _n(len(rep.clusters)), _n(rep.clusters["uncovered"].max())))
        return out

    def placement(self, res: Any) -> str:
        st = res.stats or {}
        total = float(st.get("total_weight") or st.get("incidents") or 0) or 1.0
        before = float(st.get("already_covered_weight", 0)) / total
        after = float(st.get("share_covered", before))
        text = self.tr("{0} new sites would cover {1} more incidents: coverage from {2} to {3} ({4} solution).").format(
            _n(len(res.sites)), _n(st.get("new_incidents_covered", 0)), _pct(before), _pct(after),
            self.tr("exact") if res.solver == "exact" else self.tr("greedy"))
        rows = [[int(r.rank), str(r.candidate_id), _n(r.marginal_gain), _pct(r.share_covered)]
                for r in res.sites.itertuples()]
        out = _e(text)
        if rows:
            out += table_html([self.tr("Rank"), self.tr("Site"), self.tr("Gain"), self.tr("Share covered")],
                              rows, align_right_from=2)
        if len(res.excluded):
            out += "<br>" + _e(self.tr("{0} candidate sites excluded by the constraints.").format(_n(len(res.excluded))))
        return out

    def effect_text(self, code: str) -> str:
        return {
            "insufficient_data": self.tr("Too few incidents before to compare."),
            "no_treatment_effect": self.tr("Incidents did not fall in the covered area relative to the "
                                           "control area; the WDQ cannot be read."),
            "diffusion_of_benefits": self.tr("Incidents fell in the covered area, and the buffer benefited "
                                             "too (diffusion of benefits)."),
            "displacement": self.tr("Incidents fell in the covered area, but some moved into the buffer "
                                    "(displacement)."),
            "no_displacement": self.tr("Incidents fell in the covered area, with no displacement or diffusion."),
        }.get(str(code), str(code))

    def impact(self, res: Any) -> str:
        out = []
        for r in res.table.to_dict(orient="records"):
            rows = [[self.tr("Covered area"), _n(r["Rb"]), _n(r["Ra"]), _pct(r["change_R"])],
                    [self.tr("Buffer"), _n(r["Db"]), _n(r["Da"]), _pct(r["change_D"])],
                    [self.tr("Control area"), _n(r["Cb"]), _n(r["Ca"]), _pct(r["change_C"])]]
            head = self.tr("{0}: {1} cameras, {2} days before and after").format(
                r["group"], _n(r["cameras"]), _n(r["window_days"]))
            q = r.get("wdq")
            wdq = "–" if q is None or (isinstance(q, float) and not math.isfinite(q)) else f"{float(q):.2f}"
            out.append(f"<b>{_e(head)}</b>"
                       + table_html([self.tr("Zone"), self.tr("Before"), self.tr("After"), self.tr("Change")], rows)
                       + _e(self.tr("WDQ {0}: {1}").format(wdq, self.effect_text(r.get("effect", ""))))
                       + (("<br><i>" + _e(self.tr("Small counts: read with care.")) + "</i>")
                          if r.get("small_counts") else ""))
        return "<br>".join(out)
