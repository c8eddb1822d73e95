"""The printable census work list (普查工作清单): which trees to visit, by community.

The five-yearly census (每五年普查一次) sends officers to every tree that is overdue, never
surveyed or due this year. The PDF has a summary on page 1 (counts by census state and by
grade), then per community a heading and a table (tree id, species, grade, state, last survey,
due date, adoption, lon/lat, a box to tick) with the table header repeated on every page and
"page i of n" in the footer. The same list is written as ``.xlsx``/``.csv`` when the suffix
says so.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen

from mapdesk.domain.trees import (
    census_counts,
    census_label,
    census_state,
    census_worklist,
    export_registry,
    grade_label,
    grade_trees,
)
from mapdesk.errors import ExportError
from mapdesk.export.tree_pdf import (
    FOOTER_H_MM,
    MARGIN_MM,
    PAGE_H_MM,
    PAGE_W_MM,
    PdfPages,
    check_lang,
    page_font,
    pdf_document,
    registry_is_synthetic,
    today_text,
)
from mapdesk.io.atomic import atomic_path
from mapdesk.model.style import TREE_GRADE_COLORS

SUFFIXES = (".pdf", ".xlsx", ".csv")
ROW_H_MM = 5.4
HEAD_H_MM = 6.4
SECTION_H_MM = 9.0
STATE_COLORS = {"overdue": "#b2182b", "never_surveyed": "#7b3294", "due_this_year": "#d08000", "ok": "#2e7d32"}
_STATES = ("overdue", "never_surveyed", "due_this_year", "ok")

# (key, English header, Chinese header, width mm, alignment)
_COLUMNS = (
    ("tree_id", "Tree ID", "古树编号", 21.0, "l"),
    ("species", "Species", "树种", 19.0, "l"),
    ("grade", "Grade", "等级", 13.0, "l"),
    ("state", "State", "普查状态", 23.0, "l"),
    ("last", "Last survey", "最近普查", 19.5, "l"),
    ("due", "Due", "应普查期限", 19.5, "l"),
    ("adopted", "Adopted / sponsor", "认养/捐资", 26.0, "l"),
    ("lonlat", "Lon, lat (WGS 84)", "经度, 纬度 (WGS 84)", 32.0, "l"),
    ("done", "Done", "已查", 9.0, "c"),
)

_TEXT = {
    "title": ("Census work list — protected trees", "古树名木普查工作清单"),
    "as_of": ("As of {0}: trees overdue (last survey more than five years ago), never surveyed{1}.",
              "基准日 {0}：逾期未普查（距上次普查超过五年）、从未普查{1}的古树。"),
    "due_too": (" or due this year", "及本年度应普查"),
    "summary_state": ("All registered trees by census state", "全部登记古树：按普查状态"),
    "summary_grade": ("Trees to visit by computed grade", "待普查古树：按计算等级"),
    "summary_comm": ("Trees to visit by community", "待普查古树：按社区"),
    "state": ("Census state", "普查状态"),
    "trees": ("Trees", "株数"),
    "grade": ("Grade", "等级"),
    "community": ("Community", "社区"),
    "total": ("Total", "合计"),
    "to_visit": ("Trees to visit: {0} in {1} communit(ies)", "待普查古树：{0} 株，分布于 {1} 个社区"),
    "none": ("No tree needs a census visit as of {0}.", "截至 {0}，没有需要普查的古树。"),
    "section": ("{0} — {1} tree(s) to visit", "{0} — 待普查 {1} 株"),
    "cont": (" (continued)", "（续）"),
    "printed": ("Printed {0} · census as of {1} · mapdesk", "打印日期 {0} · 普查基准日 {1} · mapdesk"),
    "no_community": ("(no community)", "（未填社区）"),
    "ungraded": ("—", "—"),
}


def _t(key: str, lang: str) -> str:
    return _TEXT[key][1 if lang == "zh" else 0]


def write_census_worklist(trees_frame: pd.DataFrame, path: str | os.PathLike, *, as_of: Any, lang: str = "zh_CN",
                          include_due: bool = True, chinese_headers: bool | None = None,
                          overwrite: bool = True) -> Path:
    """Write the census work list as PDF (printable), Excel or CSV, atomically.

    Parameters
    ----------
    trees_frame
        The registry with canonical tree columns; grades and census columns are computed
        (the census always for ``as_of``).
    path
        ``.pdf``, ``.xlsx`` or ``.csv``.
    as_of
        The census reference date (date, Timestamp or "YYYY-MM-DD").
    lang
        ``"zh_CN"`` or ``"en"``: PDF texts; for tables, whether headers are Chinese (unless
        ``chinese_headers`` says otherwise).
    include_due
        Also list the trees due this year (not only overdue and never surveyed ones).

    Returns
    -------
    The path written.
    """
    code = check_lang(lang)
    dest = Path(path)
    suffix = dest.suffix.lower()
    if suffix not in SUFFIXES:
        raise ExportError(f"{dest.name}: the work list can be written as {', '.join(SUFFIXES)}")
    if as_of is None:
        raise ExportError("the census work list needs an as-of date")
    try:
        ref = pd.Timestamp(as_of)
    except (TypeError, ValueError) as exc:
        raise ExportError(f"as-of date {as_of!r} is not a date (use YYYY-MM-DD)") from exc
    frame = trees_frame
    if "grade_computed" not in frame.columns:
        frame = grade_trees(frame, as_of=ref)
    frame = census_state(frame, ref)
    worklist = census_worklist(frame, ref, include_due=include_due)
    if suffix in (".xlsx", ".csv"):
        zh_headers = (code == "zh") if chinese_headers is None else chinese_headers
        return export_registry(worklist, dest, chinese_headers=zh_headers, add_lonlat=False,
                               overwrite=overwrite)
    plan = _Plan(frame, worklist, ref, code, include_due)
    synthetic = registry_is_synthetic(trees_frame)
    with atomic_path(dest, overwrite=overwrite) as tmp, pdf_document(tmp, _t("title", code)) as doc:
        pages = plan.paginate(doc)
        left = _t("printed", code).format(today_text(), ref.date().isoformat())
        for i, page in enumerate(pages, start=1):
            if i > 1:
                doc.new_page()
            for item in page.items:
                item.draw(doc)
            doc.footer(i, len(pages), left, synthetic, code)
    return dest


# ---- layout --------------------------------------------------------------------------------

@dataclass
class _Item:
    kind: str  # "summary", "section", "header", "row", "note"
    y: float
    data: Any = None
    plan: Any = None

    def draw(self, doc: PdfPages) -> None:
        getattr(self.plan, "_draw_" + self.kind)(doc, self.y, self.data)


@dataclass
class _Page:
    items: list[_Item] = field(default_factory=list)


class _Plan:
    def __init__(self, frame: pd.DataFrame, worklist: pd.DataFrame, ref: pd.Timestamp, lang: str,
                 include_due: bool) -> None:
        self.frame, self.worklist, self.ref, self.lang, self.include_due = frame, worklist, ref, lang, include_due
        self.x = MARGIN_MM
        self.w = PAGE_W_MM - 2 * MARGIN_MM
        self.bottom = PAGE_H_MM - MARGIN_MM - FOOTER_H_MM - 1
        scale = self.w / sum(c[3] for c in _COLUMNS)
        self.widths = [c[3] * scale for c in _COLUMNS]

    # pagination ---------------------------------------------------------------------------
    def paginate(self, doc: PdfPages) -> list[_Page]:
        pages = [_Page()]
        y = MARGIN_MM
        pages[0].items.append(_Item("summary", y, None, self))
        y += self._summary_height(doc) + 4
        if len(self.worklist) == 0:
            pages[0].items.append(_Item("note", y, _t("none", self.lang).format(self.ref.date().isoformat()), self))
            return pages
        for community, rows in self.worklist.groupby("community", sort=False):
            name = self._community(community)
            # keep a heading with its header row and at least two rows
            if y + SECTION_H_MM + HEAD_H_MM + 2 * ROW_H_MM > self.bottom:
                pages.append(_Page())
                y = MARGIN_MM
            pages[-1].items.append(_Item("section", y, (name, len(rows), False), self))
            y += SECTION_H_MM
            pages[-1].items.append(_Item("header", y, None, self))
            y += HEAD_H_MM
            for i, (_, r) in enumerate(rows.iterrows()):
                if y + ROW_H_MM > self.bottom:
                    pages.append(_Page())
                    y = MARGIN_MM
                    pages[-1].items.append(_Item("section", y, (name, len(rows), True), self))
                    y += SECTION_H_MM
                    pages[-1].items.append(_Item("header", y, None, self))
                    y += HEAD_H_MM
                pages[-1].items.append(_Item("row", y, (r, i), self))
                y += ROW_H_MM
            y += 4.0
        return pages

    def _community(self, v: Any) -> str:
        s = str(v)
        return _t("no_community", self.lang) if s == "(none)" else s

    # summary ------------------------------------------------------------------------------
    def _summary_tables(self) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
        lang = self.lang
        counts = census_counts(self.frame)
        by_state = [[_t("state", lang), _t("trees", lang)]]
        by_state += [[census_label(s, lang), str(counts[s])] for s in _STATES]
        by_state.append([_t("total", lang), str(sum(counts.values()))])
        wl = self.worklist
        states = [s for s in _STATES if s != "ok" and (self.include_due or s != "due_this_year")]
        by_grade = [[_t("grade", lang)] + [census_label(s, lang) for s in states] + [_t("total", lang)]]
        gkey = wl["grade"].astype("Int64").astype(object)
        for g in (1, 2, 3, 4, None):
            sel = gkey.isna() if g is None else (gkey == g)
            sub = wl.loc[sel.to_numpy(dtype=bool)]
            if g is None and len(sub) == 0:
                continue
            label = grade_label(g, lang)
            by_grade.append([label] + [str(int((sub["census_state"] == s).sum())) for s in states]
                            + [str(len(sub))])
        by_grade.append([_t("total", lang)] + [str(int((wl["census_state"] == s).sum())) for s in states]
                        + [str(len(wl))])
        by_comm = [[_t("community", lang), _t("trees", lang)]]
        for c, n in wl.groupby("community", sort=False).size().items():
            by_comm.append([self._community(c), str(int(n))])
        return by_state, by_grade, by_comm

    def _summary_height(self, doc: PdfPages) -> float:
        a, b, c = self._summary_tables()
        return 30.0 + max(len(a), len(b)) * 5.0 + 8.0 + len(c) * 5.0

    def _draw_summary(self, doc: PdfPages, y: float, _: Any) -> None:
        lang = self.lang
        x, w = self.x, self.w
        doc.draw_text(x, y, w, 9, _t("title", lang), page_font(16, bold=True), "#111111", wrap=False)
        y += 9.5
        due = _t("due_too", lang) if self.include_due else ""
        y += doc.draw_text(x, y, w, 10, _t("as_of", lang).format(self.ref.date().isoformat(), due),
                           page_font(9), "#333333") + 1
        n_comm = int(self.worklist["community"].nunique()) if len(self.worklist) else 0
        doc.draw_text(x, y, w, 6, _t("to_visit", lang).format(len(self.worklist), n_comm),
                      page_font(11, bold=True), "#b2182b", wrap=False)
        y += 8.0
        by_state, by_grade, by_comm = self._summary_tables()
        doc.draw_text(x, y, 70, 5, _t("summary_state", lang), page_font(8.5, bold=True), "#333333", wrap=False)
        gx = x + 64  # the by-grade table: its state columns need room for "Never surveyed"
        doc.draw_text(gx, y, x + w - gx, 5, _t("summary_grade", lang), page_font(8.5, bold=True), "#333333",
                      wrap=False)
        y += 5.5
        self._small_table(doc, x, y, [40, 18], by_state)
        gw = (x + w - gx - 16) / (len(by_grade[0]) - 1)
        self._small_table(doc, gx, y, [16] + [gw] * (len(by_grade[0]) - 1), by_grade)
        y += max(len(by_state), len(by_grade)) * 5.0 + 3.0
        doc.draw_text(x, y, w, 5, _t("summary_comm", lang), page_font(8.5, bold=True), "#333333", wrap=False)
        y += 5.5
        self._small_table(doc, x, y, [40, 18], by_comm)

    def _small_table(self, doc: PdfPages, x: float, y: float, widths: list[float], rows: list[list[str]]) -> None:
        f, fb = page_font(8), page_font(8, bold=True)
        total_w = sum(widths)
        for i, row in enumerate(rows):
            last = i == len(rows) - 1 and row[0] == _t("total", self.lang)
            if i == 0:
                doc.fill(x, y, total_w, 5.0, "#e4e4de")
            elif i % 2 == 0:
                doc.fill(x, y, total_w, 5.0, "#f4f4f0")
            cx = x
            for j, (cell, cw) in enumerate(zip(row, widths, strict=True)):
                align = Qt.AlignmentFlag.AlignLeft if j == 0 else Qt.AlignmentFlag.AlignRight
                font = fb if (i == 0 or last) else f
                doc.draw_text(cx + 1, y + 0.8, cw - 2, 5, doc.fit_text(cell, font, cw - 2), font, "#222222",
                              align, wrap=False)
                cx += cw
            if last:
                doc.hline(x, y, total_w, "#666666", 0.2)
            y += 5.0
        doc.hline(x, y, total_w, "#666666", 0.2)

    # sections and rows ---------------------------------------------------------------------
    def _draw_note(self, doc: PdfPages, y: float, text: str) -> None:
        doc.draw_text(self.x, y, self.w, 8, text, page_font(10), "#333333")

    def _draw_section(self, doc: PdfPages, y: float, data: tuple[str, int, bool]) -> None:
        name, n, cont = data
        text = _t("section", self.lang).format(name, n) + (_t("cont", self.lang) if cont else "")
        doc.fill(self.x, y + 1.0, 1.4, 6.0, "#2e7d32")
        doc.draw_text(self.x + 3, y + 1.0, self.w - 3, 7, text, page_font(11, bold=True), "#1b3d1b", wrap=False)

    def _draw_header(self, doc: PdfPages, y: float, _: Any) -> None:
        doc.fill(self.x, y, self.w, HEAD_H_MM, "#dfe6d8")
        fb = page_font(7.5, bold=True)
        cx = self.x
        for (_key, en, zh, _w, al), cw in zip(_COLUMNS, self.widths, strict=True):
            text = doc.fit_text(zh if self.lang == "zh" else en, fb, cw - 1.6)
            align = Qt.AlignmentFlag.AlignHCenter if al == "c" else Qt.AlignmentFlag.AlignLeft
            doc.draw_text(cx + 0.8, y + 1.4, cw - 1.6, HEAD_H_MM, text, fb, "#1b3d1b", align, wrap=False)
            cx += cw
        doc.hline(self.x, y + HEAD_H_MM, self.w, "#5a6b50", 0.3)

    def _cells(self, r: pd.Series) -> dict[str, tuple[str, str]]:
        lang = self.lang
        g = r["grade"]
        gtxt = grade_label(g, lang) if not _missing(g) else _t("ungraded", lang)
        gcol = TREE_GRADE_COLORS.get("none" if _missing(g) else str(int(g)), "#222222")
        state = str(r["census_state"])
        lon, lat = r["lon"], r["lat"]
        where = f"{lon:.6f}, {lat:.6f}" if not (_missing(lon) or _missing(lat)) else "—"
        return {
            "tree_id": (_s(r["tree_id"]), "#111111"),
            "species": (_s(r["species"]), "#111111"),
            "grade": (gtxt, gcol),
            "state": (census_label(state, lang), STATE_COLORS.get(state, "#222222")),
            "last": (_date(r["last_survey_date"]) or "—", "#111111"),
            "due": (_date(r["next_survey_due"]) or "—", "#111111"),
            "adopted": (_s(r["adopted_by"]) or "—", "#111111" if _s(r["adopted_by"]) else "#aaaaaa"),
            "lonlat": (where, "#111111"),
            "done": ("", "#444444"),  # a drawn box: the font subset may lack ☐
        }

    def _draw_row(self, doc: PdfPages, y: float, data: tuple[pd.Series, int]) -> None:
        r, i = data
        if i % 2 == 1:
            doc.fill(self.x, y, self.w, ROW_H_MM, "#f4f4f0")
        f = page_font(7.5)
        cells = self._cells(r)
        cx = self.x
        for (key, _en, _zh, _w, al), cw in zip(_COLUMNS, self.widths, strict=True):
            text, color = cells[key]
            if key == "done":
                p = doc.painter
                p.setPen(QPen(QColor(color), doc.mm(0.2)))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(doc.rect(cx + cw / 2 - 1.5, y + 1.2, 3.0, 3.0))
                cx += cw
                continue
            font = page_font(7.5, bold=True) if key == "grade" else f
            align = Qt.AlignmentFlag.AlignHCenter if al == "c" else Qt.AlignmentFlag.AlignLeft
            doc.draw_text(cx + 0.8, y + 0.9, cw - 1.6, ROW_H_MM, doc.fit_text(text, font, cw - 1.6), font, color,
                          align, wrap=False)
            cx += cw
        p = doc.painter
        p.setPen(QPen(QColor("#dddddd"), doc.mm(0.1)))
        p.drawLine(doc.rect(self.x, y + ROW_H_MM, self.w, 0).topLeft(),
                   doc.rect(self.x, y + ROW_H_MM, self.w, 0).topRight())


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _s(v: Any) -> str:
    return "" if _missing(v) else str(v).strip()


def _date(v: Any) -> str:
    if _missing(v):
        return ""
    try:
        return pd.Timestamp(v).date().isoformat()
    except (TypeError, ValueError):
        return str(v)
