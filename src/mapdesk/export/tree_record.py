"""The printable record of protected trees: one A4 page per tree (PDF).

Each page has a header (registry title, tree id, species in Chinese, English and Latin, the
computed grade in its map colour and the reason), a locator map drawn by the same render job
as the screen (the tree, its protection zone, the registered trees nearby and any context
layers such as streets and beats, at about 1:2,000, with scale bar and north arrow), a
two-column table of everything :func:`mapdesk.domain.trees.tree_record` knows about the tree,
and a footer with the date, the page number and — when the registry says so — a note that the
data are synthetic.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen

from mapdesk.domain.trees import (
    census_state,
    grade_label,
    grade_trees,
    lookup_species,
    protection_zones,
    tree_record,
)
from mapdesk.domain.trees.zones import ZoneSettings
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
from mapdesk.model import Layer, Project
from mapdesk.model.style import TREE_GRADE_COLORS, Category, Style
from mapdesk.render.cache import RenderCache
from mapdesk.render.job import render_project
from mapdesk.render.viewport import MapSettings, lonlat_to_mercator, mercator_scale_factor

#: Scales tried for the locator map, largest first; the first that shows the whole zone wins.
LOCATOR_SCALES = (2000, 2500, 5000, 10000)
MAP_H_MM = 110.0
_LONLAT_FIELDS = {"lon", "lat", "lng", "longitude", "latitude", "经度", "纬度", "x", "y"}
_LOCAL_BASEMAPS = ("mbtiles", "tiles_dir")  # never fetch tiles while printing (offline networks)

_TEXT = {
    "title": ("Protected-tree registry — tree record", "古树名木保护档案 · 单株档案"),
    "as_of": ("census as of {0}", "普查基准日 {0}"),
    "reason": ("Reason: ", "定级依据："),
    "map": ("Locator map 1:{0:,}", "位置图 1:{0:,}"),
    "legend": ("★ this tree · circles: protection zones · dots: registered trees by computed grade",
               "★ 本树 · 圆：保护范围 · 圆点：周边登记古树（按计算等级着色）"),
    "no_coords": ("No coordinates: the locator map cannot be drawn.", "缺少坐标，无法绘制位置图。"),
    "printed": ("Printed {0} · {1} · mapdesk", "打印日期 {0} · {1} · mapdesk"),
    "more": ("… {0} more field(s) not shown: see the registry export", "… 另有 {0} 项未显示，见名录导出"),
    "no_grade": ("not graded", "未定级"),
}


def _t(key: str, lang: str) -> str:
    return _TEXT[key][1 if lang == "zh" else 0]


def write_tree_records(trees_frame: pd.DataFrame, tree_ids: Iterable[Any] | None, path_pdf: str | os.PathLike,
                       *, lang: str = "zh_CN", as_of: Any = None, context_layers: Project | None = None,
                       overwrite: bool = True, settings: ZoneSettings | None = None,
                       title: str | None = None) -> Path:
    """Write one A4 record page per tree into a PDF, atomically.

    Parameters
    ----------
    trees_frame
        The registry with canonical tree columns (``to_canonical``), as a GeoDataFrame with a
        CRS for the locator map (rows without coordinates get a page without a map). Graded
        and census columns are computed when missing.
    tree_ids
        Which trees, in this order (matched against ``tree_id`` as text); ``None`` for all
        rows. An id that is not in the registry is an :class:`ExportError`; an id that
        occurs twice gives a page for each row.
    path_pdf
        Output ``.pdf`` file.
    lang
        ``"zh_CN"`` or ``"en"``: labels and word values.
    as_of
        Reference date for the census state (default today).
    context_layers
        A project whose visible vector layers (streets, beats, metro, cameras …; not trees
        or incidents) are drawn under the trees on the locator map. A local basemap
        (MBTiles, tile folder) is used too; online tiles never are.
    overwrite
        ``False`` refuses to replace an existing file.
    settings
        Protection-zone sizes (default ``ZoneSettings()``).
    title
        Registry title in the header (default "古树名木保护档案 · 单株档案" / "Protected-tree
        registry — tree record").

    Returns
    -------
    The path written.
    """
    code = check_lang(lang)
    dest = Path(path_pdf)
    if dest.suffix.lower() != ".pdf":
        raise ExportError(f"{dest.name}: tree records are written as .pdf")
    if not isinstance(trees_frame, pd.DataFrame) or "tree_id" not in trees_frame.columns:
        raise ExportError("the registry has no tree id column (古树编号 / tree_id): cannot print records")
    settings = settings or ZoneSettings()
    frame = _prepare(trees_frame, as_of)
    rows = _select(frame, tree_ids)
    if not rows:
        raise ExportError("no trees to print: the registry is empty")
    synthetic = registry_is_synthetic(trees_frame, context_layers)
    crs = getattr(frame, "crs", None)
    locator = _Locator(frame, crs, settings, context_layers, synthetic)
    as_of_text = pd.Timestamp(as_of).date().isoformat() if as_of is not None else today_text()
    head = title or _t("title", code)
    left = _t("printed", code).format(today_text(), _t("as_of", code).format(as_of_text))
    with atomic_path(dest, overwrite=overwrite) as tmp, pdf_document(tmp, head) as doc:
        for n, pos in enumerate(rows, start=1):
            if n > 1:
                doc.new_page()
            row = frame.iloc[pos]
            record = tree_record(row, lang=code, crs=crs, as_of=as_of, settings=settings)
            y = _header(doc, row, head, as_of_text, code)
            y = locator.paint(doc, pos, y, code)
            _table(doc, record, y + 2, code)
            doc.footer(n, len(rows), left, synthetic, code)
    return dest


def _prepare(frame: pd.DataFrame, as_of: Any) -> pd.DataFrame:
    if "grade_computed" not in frame.columns:
        frame = grade_trees(frame, as_of=as_of)
    if "census_state" not in frame.columns or as_of is not None:
        frame = census_state(frame, as_of)
    return frame


def _select(frame: pd.DataFrame, tree_ids: Iterable[Any] | None) -> list[int]:
    if tree_ids is None:
        return list(range(len(frame)))
    if isinstance(tree_ids, str):
        tree_ids = [tree_ids]
    ids = frame["tree_id"].astype(object).map(lambda v: "" if v is None or v is pd.NA or
                                              (isinstance(v, float) and math.isnan(v)) else str(v).strip())
    where: dict[str, list[int]] = {}
    for pos, v in enumerate(ids.tolist()):
        where.setdefault(v, []).append(pos)
    out: list[int] = []
    unknown: list[str] = []
    for tid in tree_ids:
        key = str(tid).strip()
        if key in where:
            out.extend(where[key])
        else:
            unknown.append(key)
    if unknown:
        shown = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
        raise ExportError(f"tree id(s) not in the registry: {shown}")
    return out


# ---- header ----------------------------------------------------------------------------------

def _grade_key(g: Any) -> str:
    return "none" if g is None or g is pd.NA or (isinstance(g, float) and math.isnan(g)) else str(int(g))


def _header(doc: PdfPages, row: pd.Series, title: str, as_of_text: str, lang: str) -> float:
    x, w = MARGIN_MM, PAGE_W_MM - 2 * MARGIN_MM
    y = MARGIN_MM
    small = page_font(8)
    doc.draw_text(x, y, w * 0.7, 5, title, small, "#555555", wrap=False)
    doc.draw_text(x + w * 0.5, y, w * 0.5, 5, _t("as_of", lang).format(as_of_text), small, "#555555",
                  Qt.AlignmentFlag.AlignRight, wrap=False)
    y += 5.5
    doc.hline(x, y, w, "#333333", 0.35)
    y += 2.0
    # grade badge at the right
    g = row.get("grade_computed")
    key = _grade_key(g)
    badge_w, badge_h = 34.0, 13.0
    color = TREE_GRADE_COLORS.get(key, TREE_GRADE_COLORS["none"])
    bx = x + w - badge_w
    p = doc.painter
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(color))
    p.drawRoundedRect(doc.rect(bx, y, badge_w, badge_h), doc.mm(1.5), doc.mm(1.5))
    glabel = grade_label(g, lang) if key != "none" else _t("no_grade", lang)
    other = grade_label(g, "en" if lang == "zh" else "zh") if key != "none" else ""
    doc.draw_text(bx, y + 1.2, badge_w, 7, glabel, page_font(14, bold=True), "#ffffff",
                  Qt.AlignmentFlag.AlignHCenter, wrap=False)
    if other:
        doc.draw_text(bx, y + 7.8, badge_w, 5, other, page_font(7.5), "#ffffff", Qt.AlignmentFlag.AlignHCenter,
                      wrap=False)
    # tree id and species
    tid = _s(row.get("tree_id"))
    species = _s(row.get("species"))
    tw = w - badge_w - 4
    big = page_font(18, bold=True)
    doc.draw_text(x, y - 0.5, tw, 9, doc.fit_text(f"{tid}   {species}".strip(), big, tw), big, "#111111", wrap=False)
    sp = lookup_species(species) if species else None
    if sp is not None:
        en = f"{sp.name_en} · " if sp.name_en else ""
        f1 = page_font(10)
        doc.draw_text(x, y + 8.5, tw, 5, en, f1, "#333333", wrap=False)
        lx = x + (doc.text_width_mm(en, f1) if en else 0)
        doc.draw_text(lx, y + 8.5, tw - (lx - x), 5, sp.latin, page_font(10, italic=True), "#333333", wrap=False)
    y += badge_h + 2.0
    reason = _s(row.get("grade_reason_zh" if lang == "zh" else "grade_reason"))
    if reason:
        f = page_font(9)
        fb = page_font(9, bold=True)
        lab = _t("reason", lang)
        lw = doc.text_width_mm(lab, fb) + 0.5
        doc.draw_text(x, y, lw, 5, lab, fb, color if key != "none" else "#333333", wrap=False)
        y += max(4.5, doc.draw_text(x + lw, y, w - lw, 12, reason, f, "#222222"))
    return y + 1.5


def _s(v: Any) -> str:
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, float) and math.isnan(v):
        return ""
    return str(v).strip()


# ---- locator map -----------------------------------------------------------------------------

class _Locator:
    """The map layers shared by all pages; each page adds the focus tree and its zone."""

    def __init__(self, frame: pd.DataFrame, crs: Any, settings: ZoneSettings, context: Project | None,
                 synthetic: bool) -> None:
        self.ok = isinstance(frame, gpd.GeoDataFrame) and crs is not None and "geometry" in frame.columns
        self.cache = RenderCache()
        self.project = Project("locator")
        self.project.is_synthetic = synthetic
        self.lonlat = np.full((len(frame), 2), np.nan)
        self.zones: gpd.GeoDataFrame | None = None
        if context is not None:
            bm = dict(getattr(context, "basemap", {}) or {})
            if bm.get("kind") in _LOCAL_BASEMAPS:
                self.project.basemap = bm
            for lyr in context.layers:
                if (lyr.kind == "vector" and lyr.visible and lyr.status == "ok"
                        and lyr.role not in ("trees", "incidents") and lyr.frame is not None):
                    self.project.layers.append(lyr)
        if not self.ok:
            return
        gdf = frame.copy()
        geom = gdf.geometry
        okg = ~(geom.isna() | geom.is_empty)
        if okg.any():
            pts = geom[okg].to_crs(4326)
            pts = pts.where(pts.geom_type == "Point", pts.representative_point())
            self.lonlat[okg.to_numpy(), 0] = pts.x.to_numpy()
            self.lonlat[okg.to_numpy(), 1] = pts.y.to_numpy()
        gdf["grade_key"] = [_grade_key(g) for g in gdf["grade_computed"].astype(object)]
        gdf["_pos"] = np.arange(len(gdf))
        try:
            zones = protection_zones(gdf[okg.to_numpy()], settings)
        except Exception:  # a registry without usable coordinates: the map shows trees only
            zones = None
        if zones is not None and len(zones):
            zones = zones.copy()
            zones["grade_key"] = [_grade_key(g) for g in zones["grade"].astype(object)]
            zones["_pos"] = gdf.loc[zones.index, "_pos"].to_numpy()
            self.zones = zones
            zl = Layer.from_frame("zones", zones[["grade_key", "_pos", "radius_m", "geometry"]])
            zl.style = Style(kind="categorized", field="grade_key", fill_opacity=0.16, stroke_width=0.6,
                             stroke_color="#555555", categories=_grade_categories())
            self.project.layers.append(zl)
        tl = Layer.from_frame("trees", gdf[okg.to_numpy()][["tree_id", "grade_key", "geometry"]])
        tl.style = Style(kind="categorized", field="grade_key", size=5.0, stroke_color="#ffffff",
                         stroke_width=0.6, fill_opacity=1.0, categories=_grade_categories())
        self.project.layers.append(tl)
        self.frame = gdf

    def paint(self, doc: PdfPages, pos: int, y: float, lang: str) -> float:
        """Draw the locator map of row ``pos`` at ``y`` (mm); returns the y below its caption."""
        x, w = MARGIN_MM, PAGE_W_MM - 2 * MARGIN_MM
        h = MAP_H_MM
        p = doc.painter
        lon, lat = self.lonlat[pos] if self.ok else (np.nan, np.nan)
        if not (np.isfinite(lon) and np.isfinite(lat)):
            doc.fill(x, y, w, h, "#f1f1f1")
            doc.draw_text(x, y + h / 2 - 3, w, 6, _t("no_coords", lang), page_font(10), "#777777",
                          Qt.AlignmentFlag.AlignHCenter)
            self._frame_box(doc, x, y, w, h)
            return y + h + 2
        radius = 0.0
        focus_zone = None
        if self.zones is not None:
            hit = self.zones[self.zones["_pos"] == pos]
            if len(hit):
                focus_zone = hit
                radius = float(hit["radius_m"].iloc[0])
        cx, cy = (float(v) for v in lonlat_to_mercator(lon, lat))
        k = mercator_scale_factor(cy)
        scale = next((s for s in LOCATOR_SCALES if 2.6 * radius <= h / 1000.0 * s), LOCATOR_SCALES[-1])
        w_m, h_m = w / 1000.0 * scale * k, h / 1000.0 * scale * k  # paper mm -> ground m -> 3857 units
        width_px, height_px = round(doc.mm(w)), round(doc.mm(h))
        ms = MapSettings((cx - w_m / 2, cy - h_m / 2, cx + w_m / 2, cy + h_m / 2), width_px, height_px,
                         dpi=doc.writer.resolution(), background="#f7f6f2")
        extra: list[Layer] = []
        if focus_zone is not None:
            fz = Layer.from_frame("zone", focus_zone[["radius_m", "geometry"]])
            fz.style = Style(color=TREE_GRADE_COLORS.get(focus_zone["grade_key"].iloc[0], "#9e9e9e"),
                             fill_opacity=0.35, stroke_color="#b2182b", stroke_width=1.6)
            extra.append(fz)
        ft = Layer.from_frame("tree", self.frame.iloc[[pos]][["tree_id", "grade_key", "geometry"]])
        key = str(self.frame["grade_key"].iloc[pos])
        ft.style = Style(color=TREE_GRADE_COLORS.get(key, "#9e9e9e"), size=13.0, marker="star",
                         stroke_color="#111111", stroke_width=0.9, fill_opacity=1.0)
        extra.append(ft)
        trees_i = len(self.project.layers) - 1
        self.project.layers[trees_i:trees_i] = extra[:-1]
        self.project.layers.append(extra[-1])
        p.save()
        try:
            p.translate(doc.mm(x), doc.mm(y))
            render_project(self.project, ms, p, cache=self.cache,
                           basemap=self.project.basemap.get("kind") in _LOCAL_BASEMAPS, tile_wait_s=0)
        finally:
            p.restore()
            for lyr in extra:
                self.project.layers.remove(lyr)
                self.cache.invalidate(lyr.id)
        # The tree's label is page text (the map's own labels use the screen font), so its id
        # stays searchable in the PDF. The tree is at the map's centre.
        tid = _s(self.frame["tree_id"].iloc[pos])
        if tid:
            lf = page_font(8.5, bold=True)
            tw = doc.text_width_mm(tid, lf) + 2.0
            lx, ly = x + w / 2 + 3.2, y + h / 2 - 2.4
            p.save()
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(255, 255, 255, 210))
            p.drawRoundedRect(doc.rect(lx, ly, tw, 4.8), doc.mm(0.8), doc.mm(0.8))
            p.restore()
            doc.draw_text(lx + 1.0, ly + 0.3, tw, 4.8, tid, lf, "#111111", wrap=False)
        self._frame_box(doc, x, y, w, h)
        y += h + 1.2
        f = page_font(7.5)
        cap = _t("map", lang).format(int(scale))
        cw = doc.text_width_mm(cap, page_font(7.5, bold=True)) + 3
        doc.draw_text(x, y, cw, 4, cap, page_font(7.5, bold=True), "#333333", wrap=False)
        doc.draw_text(x + cw, y, w - cw - 60, 8, _t("legend", lang), f, "#555555")
        self._legend(doc, x + w - 58, y, lang)
        return y + 8.5

    @staticmethod
    def _frame_box(doc: PdfPages, x: float, y: float, w: float, h: float) -> None:
        p = doc.painter
        p.setPen(QPen(QColor("#444444"), doc.mm(0.3)))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(doc.rect(x, y, w, h))

    @staticmethod
    def _legend(doc: PdfPages, x: float, y: float, lang: str) -> None:
        f = page_font(7)
        for i, g in enumerate((1, 2, 3, 4)):
            gx = x + i * 14.5
            doc.painter.setPen(Qt.PenStyle.NoPen)
            doc.painter.setBrush(QColor(TREE_GRADE_COLORS[str(g)]))
            doc.painter.drawEllipse(QRectF(doc.mm(gx), doc.mm(y + 0.6), doc.mm(2.4), doc.mm(2.4)))
            doc.draw_text(gx + 3, y, 11.5, 4, grade_label(g, lang), f, "#333333", wrap=False)


def _grade_categories() -> list[Category]:
    return [Category(k, k, TREE_GRADE_COLORS[k]) for k in ("1", "2", "3", "4", "none")]


# ---- attribute table -------------------------------------------------------------------------

def _table(doc: PdfPages, record: list[tuple[str, str, str]], y: float, lang: str) -> None:
    """The record as label | value rows in two side-by-side columns, shrunk to fit the page."""
    rows = [(zh if lang == "zh" else en, value) for en, zh, value in record
            if en.strip().lower() not in _LONLAT_FIELDS]  # the Location row has them, unrounded
    x, w = MARGIN_MM, PAGE_W_MM - 2 * MARGIN_MM
    bottom = PAGE_H_MM - MARGIN_MM - FOOTER_H_MM - 1
    gap = 5.0
    col_w = (w - gap) / 2
    label_w = 27.0 if lang == "zh" else 37.0
    value_w = col_w - label_w - 2.0
    avail = bottom - y
    for size in (9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0):
        f, fb = page_font(size), page_font(size, bold=True)
        heights = [max(doc.text_height_mm(lab, fb, label_w), doc.text_height_mm(val or "—", f, value_w)) + 1.4
                   for lab, val in rows]
        split = _balanced_split(heights)
        cols = [heights[:split], heights[split:]]
        if max(sum(c) for c in cols) <= avail:
            break
    # At the smallest size a page still has to be one page: drop what does not fit, and say so.
    shown = [rows[:split], rows[split:]]
    for ci, (col_rows, col_h) in enumerate(zip(shown, cols, strict=True)):
        cx = x + ci * (col_w + gap)
        cy = y
        for i, ((lab, val), hh) in enumerate(zip(col_rows, col_h, strict=True)):
            if cy + hh > bottom:
                left = len(col_rows) - i + (len(shown[1]) if ci == 0 else 0)
                doc.draw_text(cx, cy, col_w, 5, _t("more", lang).format(left), page_font(7, italic=True), "#b2182b")
                break
            if i % 2 == 0:
                doc.fill(cx, cy, col_w, hh, "#f3f3f0")
            doc.draw_text(cx + 1.0, cy + 0.7, label_w, hh, lab, fb, "#444444")
            doc.draw_text(cx + label_w + 1.5, cy + 0.7, value_w, hh, val or "—", f,
                          "#111111" if val else "#aaaaaa")
            cy += hh
        doc.hline(cx, y, col_w, "#666666", 0.25)
        doc.hline(cx, cy, col_w, "#666666", 0.25)


def _balanced_split(heights: list[float]) -> int:
    """Index that splits ``heights`` into two runs with the smallest taller run."""
    total = sum(heights)
    best, best_i, acc = math.inf, len(heights), 0.0
    for i in range(len(heights) + 1):
        taller = max(acc, total - acc)
        if taller < best:
            best, best_i = taller, i
        if i < len(heights):
            acc += heights[i]
    return best_i
