"""Print layouts: a page with title block, map frame, legend, scale bar, north arrow, footer.

As QGIS's layout map item reuses the canvas's render job, the map frame here is painted by
the screen's renderer (:func:`mapdesk.render.job.render_project`) straight onto the page's
painter, clipped to the frame: vector layers stay vector in a PDF or SVG, and what the user
sees on screen is what prints. Everything is measured in millimetres and converted with the
paint device's resolution, so one layout paints a 72-dpi preview, a 300-dpi PDF, a PNG or a
printer page alike.

>>> layout = PageLayout(paper="A4", title="Julun station — e-bike thefts")   # doctest: +SKIP
>>> paint_document(painter, layout, project, page_rect, new_page=writer.newPage)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen

from mapdesk.errors import ExportError
from mapdesk.export.legend import LegendEntry, LegendPainter, flow, legend_entries, legend_texts
from mapdesk.export.paper import normalise_paper, page_size_mm
from mapdesk.export.text import draw_text, missing_characters, missing_warning, page_font

#: ``paint_map(painter, rect, settings)`` paints the map into ``rect`` (painter coordinates,
#: already clipped and translated so that ``rect`` starts at 0, 0) for ``settings``.
MapPainter = Callable[[QPainter, QRectF, Any], None]

_T = {
    "en": {"date": "Date", "source": "Source", "legend": "Legend", "cont": "legend (continued)",
           "scale": "Scale", "crs": "Web Mercator (EPSG:3857)", "page": "Page {i} of {n}",
           "synthetic": "SYNTHETIC DATA — sample data made up for demonstration, not real records",
           "made": "made with mapdesk", "author": "By", "overview": "Overview"},
    "zh": {"date": "日期", "source": "来源", "legend": "图例", "cont": "图例（续）",
           "scale": "比例尺", "crs": "Web 墨卡托（EPSG:3857）", "page": "第 {i} 页，共 {n} 页",
           "synthetic": "合成数据——仅为演示而生成的示例数据，并非真实记录",
           "made": "由 mapdesk 制作", "author": "制图", "overview": "概览"},
}

LEGEND_COL_MM = 58.0  # a legend column's width; narrower columns wrap most labels


def tr(lang: str) -> dict[str, str]:
    return _T["zh" if str(lang).startswith("zh") else "en"]


@dataclass
class PageLayout:
    """Everything a printed page needs besides the project.

    Parameters
    ----------
    paper
        ``A4``, ``A3``, ``A2`` or ``Letter``.
    landscape
        Landscape orientation (legend at the right); portrait puts the legend below the map.
    margins_mm
        Blank border on every side of the sheet.
    dpi
        Resolution of raster outputs and of the PDF's device units.
    date
        Printed date; ``None`` prints today's date.
    synthetic_note
        ``None``: print the "synthetic data" note when ``project.is_synthetic``.
    extent_wgs84
        The map extent; ``None`` uses the project's view, else all its layers.
    """

    paper: str = "A4"
    landscape: bool = False
    margins_mm: float = 10.0
    dpi: int = 300
    title: str = ""
    subtitle: str = ""
    date: str | None = None
    author: str = ""
    source: str = ""
    attribution: str = ""
    synthetic_note: bool | None = None
    overview: bool = False
    legend: bool = True
    scale_bar: bool = True
    north_arrow: bool = True
    lang: str = "en"
    extent_wgs84: tuple[float, float, float, float] | None = None
    basemap: bool = True

    def __post_init__(self) -> None:
        self.paper = normalise_paper(self.paper)
        if not (0 <= float(self.margins_mm) <= 50):
            raise ExportError(f"margins must be between 0 and 50 mm, not {self.margins_mm}")
        if not (30 <= int(self.dpi) <= 1200):
            raise ExportError(f"dpi must be between 30 and 1200, not {self.dpi}")
        self.dpi = int(self.dpi)
        self.margins_mm = float(self.margins_mm)

    @property
    def size_mm(self) -> tuple[float, float]:
        return page_size_mm(self.paper, self.landscape)

    def printed_date(self) -> str:
        return self.date or _dt.date.today().isoformat()

    def to_dict(self) -> dict:
        d = asdict(self)
        d["extent_wgs84"] = list(self.extent_wgs84) if self.extent_wgs84 else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> PageLayout:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in (d or {}).items() if k in known}
        if kw.get("extent_wgs84"):
            kw["extent_wgs84"] = tuple(kw["extent_wgs84"])
        return cls(**kw)


@dataclass
class PagePlan:
    kind: str  # "map" or "legend"
    legend_cols: list[list[int]] = field(default_factory=list)


@dataclass
class LayoutReport:
    """What was painted: page count, the map scale and warnings for the user."""

    pages: int = 0
    scale_denominator: float | None = None
    warnings: list[str] = field(default_factory=list)
    missing_chars: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------
class _Geometry:
    """Page rectangles in device pixels for one layout on one device."""

    def __init__(self, layout: PageLayout, page_rect: QRectF):
        w_mm, _ = layout.size_mm
        self.k = page_rect.width() / w_mm  # device pixels per millimetre
        k, m = self.k, layout.margins_mm
        self.page = QRectF(page_rect)
        self.content = page_rect.adjusted(m * k, m * k, -m * k, -m * k)
        self.title_h = (17.0 if layout.subtitle else 11.5) * k
        self.footer_h = 12.0 * k
        c = self.content
        self.title = QRectF(c.left(), c.top(), c.width(), self.title_h)
        self.footer = QRectF(c.left(), c.bottom() - self.footer_h, c.width(), self.footer_h)
        self.body = QRectF(c.left(), self.title.bottom() + 2.5 * k, c.width(),
                           self.footer.top() - self.title.bottom() - 5.0 * k)


def map_extent_wgs84(layout: PageLayout, project: Any) -> tuple[float, float, float, float]:
    ext = layout.extent_wgs84 or project.extent_wgs84
    if ext is None:
        full = project.full_extent_wgs84()
        if full is None:
            raise ExportError("nothing to export: the project has no map extent and no loaded layers")
        dx, dy = (full[2] - full[0]) * 0.04, (full[3] - full[1]) * 0.04
        ext = (full[0] - dx, full[1] - dy, full[2] + dx, full[3] + dy)
    return tuple(float(v) for v in ext)  # type: ignore[return-value]


def default_map_painter(project: Any, basemap: bool = True) -> MapPainter:
    """The screen's renderer as a :data:`MapPainter` (same code as the canvas: WYSIWYG)."""

    def paint(painter: QPainter, rect: QRectF, settings: Any) -> Any:
        from mapdesk.render.job import render_project

        return render_project(project, settings, painter, decorations=False, basemap=basemap)

    return paint


class PageComposer:
    """Plans and paints the pages of one layout of one project on one device.

    The plan (which legend entries go on which page) depends on text metrics, so it is made
    with the painter that will paint; :attr:`plans` tells how many pages there are.
    """

    def __init__(self, painter: QPainter, layout: PageLayout, project: Any, page_rect: QRectF,
                 paint_map: MapPainter | None = None):
        self.layout, self.project = layout, project
        self.g = _Geometry(layout, QRectF(page_rect))
        self.t = tr(layout.lang)
        self.paint_map = paint_map or default_map_painter(project, layout.basemap)
        self.entries: list[LegendEntry] = legend_entries(project, layout.lang) if layout.legend else []
        self.lp = LegendPainter(self.g.k)
        self.report = LayoutReport()
        self.total_pages: int | None = None  # a document of several layouts numbers its own pages
        self.extent = map_extent_wgs84(layout, project)
        self._plan(painter)

    # ---- planning ---------------------------------------------------------------------------
    def _heights(self, painter: QPainter, col_w: float) -> list[float]:
        return [self.lp.height(painter, e, col_w) for e in self.entries]

    def _plan(self, painter: QPainter) -> None:
        g, k = self.g, self.g.k
        body = g.body
        self.legend_rect: QRectF | None = None
        self.map_rect = QRectF(body)
        plans = [PagePlan("map")]
        rest = 0
        if self.entries:
            kinds = [e.kind for e in self.entries]
            head_h = 6.0 * k
            gap = 3.0 * k
            if self.layout.landscape:
                col_w = LEGEND_COL_MM * k
                heights = self._heights(painter, col_w)
                lr = QRectF(body.right() - col_w, body.top(), col_w, body.height())
                cols, rest = flow(heights, kinds, 0, lr.height() - head_h, 1)
                self.legend_rect = lr
                self.map_rect = QRectF(body.left(), body.top(), body.width() - col_w - gap, body.height())
            else:
                ncols = max(1, int(body.width() // (LEGEND_COL_MM * k)))
                col_w = (body.width() - (ncols - 1) * gap) / ncols
                heights = self._heights(painter, col_w)
                max_h = body.height() * 0.32
                need = _min_column_height(heights, kinds, ncols, max_h - head_h)
                lh = min(max_h, need + head_h)
                cols, rest = flow(heights, kinds, 0, lh - head_h, ncols)
                self.legend_rect = QRectF(body.left(), body.bottom() - lh, body.width(), lh)
                self.map_rect = QRectF(body.left(), body.top(), body.width(), body.height() - lh - gap)
            self._col_w = col_w
            plans[0].legend_cols = cols
            # Entries that did not fit continue on legend pages, in as many columns as fit.
            ncols_full = max(1, int((body.width() + gap) // (LEGEND_COL_MM * k + gap)))
            full_w = (body.width() - (ncols_full - 1) * gap) / ncols_full
            self._full_col_w = full_w
            if rest < len(self.entries):
                full_heights = self._heights(painter, full_w)
                while rest < len(self.entries):
                    cols, nxt = flow(full_heights, kinds, rest, body.height() - head_h, ncols_full)
                    plans.append(PagePlan("legend", cols))
                    rest = nxt
                self.report.warnings.append(
                    f"the legend is too long for the page: it continues on {len(plans) - 1} more page(s)")
        self.plans = plans
        self.report.pages = len(plans)
        chars = missing_characters(self._texts())
        self.report.missing_chars = chars
        warn = missing_warning(chars)
        if warn:
            self.report.warnings.append(warn)

    def _texts(self) -> list[str]:
        lo = self.layout
        return [lo.title, lo.subtitle, lo.author, lo.source, lo.attribution, lo.printed_date(),
                *self.t.values(), *legend_texts(self.entries)]

    # ---- painting ------------------------------------------------------------------------------
    def paint(self, painter: QPainter, index: int) -> None:
        plan = self.plans[index]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.fillRect(self.g.page, QColor("white"))
        title = self.layout.title or self.project.title or ""
        if index > 0:
            self.paint_title_block(painter, f"{title} — {self.t['cont']}", "", big=False)
        else:
            self.paint_title_block(painter, title, self.layout.subtitle)
        if plan.kind == "map":
            self._map_frame(painter)
            if self.legend_rect is not None:
                self._legend(painter, self.legend_rect, plan.legend_cols, self._col_w, self.t["legend"])
        else:
            self._legend(painter, self.g.body, plan.legend_cols, self._full_col_w, self.t["cont"])
        self.paint_footer(painter, index, self.total_pages or len(self.plans))
        painter.restore()

    def paint_title_block(self, painter: QPainter, title: str, subtitle: str = "", big: bool = True) -> None:
        """Title, subtitle, date and author across the top of the page, ruled off below."""
        g, k, lo = self.g, self.g.k, self.layout
        r = g.title
        right_w = 60 * k
        painter.save()
        painter.setPen(QColor("#111111"))
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        box = QRectF(r.left(), r.top(), r.width() - right_w, 9 * k)
        # A long title shrinks (down to 9 pt) before it is elided, never clipped mid-glyph.
        size = 15.0 if big else 12.0
        font = page_font(size, bold=True)
        while size > 9.0 and QFontMetricsF(font, painter.device()).horizontalAdvance(title) > box.width():
            size -= 0.5
            font = page_font(size, bold=True)
        fm = QFontMetricsF(font, painter.device())
        if fm.horizontalAdvance(title) > box.width():
            title = fm.elidedText(title, Qt.TextElideMode.ElideRight, box.width())
        painter.setFont(font)
        draw_text(painter, box, flags | int(Qt.TextFlag.TextSingleLine), title)
        if subtitle:
            painter.setFont(page_font(10))
            painter.setPen(QColor("#333333"))
            draw_text(painter, QRectF(r.left(), r.top() + 9 * k, r.width() - right_w, 7 * k), flags, subtitle)
        painter.setFont(page_font(8))
        painter.setPen(QColor("#333333"))
        rflags = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        lines = [f"{self.t['date']}: {lo.printed_date()}"]
        if lo.author:
            lines.append(f"{self.t['author']}: {lo.author}")
        draw_text(painter, QRectF(r.right() - right_w, r.top() + 0.8 * k, right_w, r.height()), rflags,
                         "\n".join(lines))
        painter.setPen(QPen(QColor("#222222"), 0.35 * k))
        painter.drawLine(QPointF(r.left(), r.bottom()), QPointF(r.right(), r.bottom()))
        painter.restore()

    def _settings(self, rect: QRectF, extent: tuple, margin: float = 0.0) -> Any:
        from mapdesk.render.viewport import MapSettings

        dpi = self.g.k * 25.4
        return MapSettings.from_wgs84_extent(extent, max(1, round(rect.width())), max(1, round(rect.height())),
                                             dpi=dpi, background="#ffffff", margin=margin)

    def _paint_map_into(self, painter: QPainter, rect: QRectF, settings: Any,
                        paint_map: MapPainter | None = None) -> None:
        painter.save()
        painter.setClipRect(rect)
        painter.translate(rect.topLeft())
        res = (paint_map or self.paint_map)(painter, QRectF(0, 0, rect.width(), rect.height()), settings)
        painter.restore()
        for w in getattr(res, "warnings", None) or []:
            if w not in self.report.warnings:
                self.report.warnings.append(w)

    def _map_frame(self, painter: QPainter) -> None:
        settings = self.paint_map_frame(painter, self.map_rect, self.extent)
        self.settings = settings
        self.report.scale_denominator = float(settings.scale_denominator())

    def paint_map_frame(self, painter: QPainter, rect: QRectF, extent: tuple,
                        paint_map: MapPainter | None = None) -> Any:
        """Paint a framed map of ``extent`` into ``rect`` with the layout's decorations.

        ``paint_map`` overrides the composer's map painter (a briefing paints other layers
        into a second frame). Returns the frame's ``MapSettings``.
        """
        k = self.g.k
        settings = self._settings(rect, extent)
        painter.fillRect(rect, QColor(settings.background))
        self._paint_map_into(painter, rect, settings, paint_map)
        if self.layout.overview and paint_map is None:
            self._overview(painter, settings)
        if self.layout.north_arrow:
            self._north_arrow(painter, QRectF(rect.right() - 13 * k, rect.top() + 3 * k, 10 * k, 14 * k))
        if self.layout.scale_bar:
            self._scale_bar(painter, settings, rect)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor("#222222"), 0.35 * k))
        painter.drawRect(rect)
        return settings

    def _overview(self, painter: QPainter, settings: Any) -> None:
        k, mr = self.g.k, self.map_rect
        w = min(mr.width() * 0.28, 60 * k)
        h = w * mr.height() / mr.width()
        r = QRectF(mr.right() - w - 2.5 * k, mr.bottom() - h - 2.5 * k, w, h)
        full = self.project.full_extent_wgs84() or self.extent
        box = (min(full[0], self.extent[0]), min(full[1], self.extent[1]),
               max(full[2], self.extent[2]), max(full[3], self.extent[3]))
        ov = self._settings(r, box, margin=0.6)
        painter.fillRect(r, QColor("#ffffff"))
        self._paint_map_into(painter, r, ov)
        x0, y0 = ov.map_to_pixel(settings.extent[0], settings.extent[3])
        x1, y1 = ov.map_to_pixel(settings.extent[2], settings.extent[1])
        painter.save()
        painter.setClipRect(r)
        painter.setPen(QPen(QColor("#d7191c"), 0.5 * k))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(r.left() + float(x0), r.top() + float(y0), float(x1 - x0), float(y1 - y0)))
        painter.restore()
        painter.setPen(QPen(QColor("#222222"), 0.3 * k))
        painter.drawRect(r)
        painter.setFont(page_font(6))
        draw_text(painter, r.adjusted(1 * k, 0.5 * k, 0, 0), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
                         self.t["overview"])

    def _north_arrow(self, painter: QPainter, r: QRectF) -> None:
        k = self.g.k
        cx = r.center().x()
        top, bottom = r.top() + 4.5 * k, r.bottom()
        left = QPainterPath(QPointF(cx, top))
        left.lineTo(cx - r.width() * 0.32, bottom)
        left.lineTo(cx, bottom - (bottom - top) * 0.28)
        left.closeSubpath()
        right = QPainterPath(QPointF(cx, top))
        right.lineTo(cx + r.width() * 0.32, bottom)
        right.lineTo(cx, bottom - (bottom - top) * 0.28)
        right.closeSubpath()
        painter.save()
        painter.setPen(QPen(QColor("#111111"), 0.25 * k))
        painter.setBrush(QBrush(QColor("#111111")))
        painter.drawPath(left)
        painter.setBrush(QBrush(QColor("#ffffff")))
        painter.drawPath(right)
        painter.setFont(page_font(8, bold=True))
        draw_text(painter, QRectF(r.left(), r.top() - 0.5 * k, r.width(), 5 * k), int(Qt.AlignmentFlag.AlignCenter), "N")
        painter.restore()

    def _scale_bar(self, painter: QPainter, settings: Any, mr: QRectF) -> None:
        k = self.g.k
        m_per_px = settings.ground_m_per_pixel()
        target_m = min(mr.width() * 0.28, 50 * k) * m_per_px
        length_m = nice_length(target_m)
        bar_px = length_m / m_per_px
        label = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
        x0, y0 = mr.left() + 4 * k, mr.bottom() - 6 * k
        bh = 1.5 * k
        painter.save()
        bg = QRectF(x0 - 2 * k, y0 - 5 * k, bar_px + 16 * k, 9.5 * k)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(255, 255, 255, 215)))
        painter.drawRect(bg)
        painter.setPen(QPen(QColor("#111111"), 0.2 * k))
        for i in range(4):
            seg = QRectF(x0 + bar_px * i / 4, y0, bar_px / 4, bh)
            painter.setBrush(QBrush(QColor("#111111" if i % 2 == 0 else "#ffffff")))
            painter.drawRect(seg)
        painter.setFont(page_font(6.5))
        fh = 3.5 * k
        draw_text(painter, QRectF(x0 - 3 * k, y0 - fh - 0.3 * k, 6 * k, fh),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), "0")
        draw_text(painter, QRectF(x0 + bar_px - 10 * k, y0 - fh - 0.3 * k, 20 * k, fh),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), label)
        draw_text(painter, QRectF(x0, y0 + bh, bar_px, 3.2 * k),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                         f"1:{_round_scale(settings.scale_denominator()):,}")
        painter.restore()

    def _legend(self, painter: QPainter, rect: QRectF, cols: list[list[int]], col_w: float, heading: str) -> None:
        k = self.g.k
        painter.save()
        painter.setPen(QColor("#111111"))
        painter.setFont(page_font(9, bold=True))
        draw_text(painter, QRectF(rect.left(), rect.top(), rect.width(), 5 * k),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), heading)
        gap = 3.0 * k
        y_top = rect.top() + 6.0 * k
        for ci, col in enumerate(cols):
            x = rect.left() + ci * (col_w + gap)
            y = y_top
            for i in col:
                e = self.entries[i]
                h = self.lp.height(painter, e, col_w)
                self.lp.paint(painter, e, QRectF(x, y, col_w, h))
                y += h
        painter.restore()

    def paint_footer(self, painter: QPainter, index: int, total: int) -> None:
        """Source, scale, CRS, date, page number and the synthetic-data note."""
        g, k, lo, t = self.g, self.g.k, self.layout, self.t
        r = g.footer
        painter.save()
        painter.setPen(QPen(QColor("#222222"), 0.25 * k))
        painter.drawLine(QPointF(r.left(), r.top()), QPointF(r.right(), r.top()))
        bm = self.project.basemap or {}
        bm_attr = bm.get("attribution") if bm.get("kind", "none") != "none" and lo.basemap else ""
        src = [s for s in (lo.source, lo.attribution, bm_attr) if s]
        line1 = f"{t['source']}: {'; '.join(src)}" if src else ""
        bits = [f"{t['crs']}"]
        if self.report.scale_denominator:
            bits.insert(0, f"{t['scale']} 1:{_round_scale(self.report.scale_denominator):,}")
        bits.append(f"{t['date']}: {lo.printed_date()}")
        bits.append(t["made"])
        line2 = " · ".join(bits)
        painter.setFont(page_font(6.5))
        painter.setPen(QColor("#333333"))
        left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        draw_text(painter, QRectF(r.left(), r.top() + 1.0 * k, r.width() * 0.85, 3.5 * k), left, line1 or line2)
        if line1:
            draw_text(painter, QRectF(r.left(), r.top() + 4.5 * k, r.width(), 3.5 * k), left, line2)
        synthetic = lo.synthetic_note if lo.synthetic_note is not None else bool(self.project.is_synthetic)
        right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        if total > 1:
            draw_text(painter, QRectF(r.left(), r.top() + 1.0 * k, r.width(), 3.5 * k), right,
                      t["page"].format(i=index + 1, n=total))
        if synthetic:
            painter.setFont(page_font(6.5, bold=True))
            painter.setPen(QColor("#b2182b"))
            draw_text(painter, QRectF(r.left(), r.top() + 8.0 * k, r.width(), 4 * k), left, t["synthetic"])
        painter.restore()


def _min_column_height(heights: list[float], kinds: list[str], ncols: int, cap: float) -> float:
    """The smallest column height (≤ ``cap``) that holds every entry in ``ncols`` columns."""
    if not heights:
        return 0.0
    lo, hi = max(heights), max(cap, max(heights))
    if flow(heights, kinds, 0, hi, ncols)[1] < len(heights):
        return hi
    for _ in range(30):
        mid = (lo + hi) / 2
        if flow(heights, kinds, 0, mid, ncols)[1] >= len(heights):
            hi = mid
        else:
            lo = mid
    return hi


def nice_length(target_m: float) -> float:
    """The largest 1, 2 or 5 × 10^n metres not above ``target_m``."""
    if not (target_m > 0) or not math.isfinite(target_m):
        return 1.0
    exp = math.floor(math.log10(target_m))
    best = 10.0 ** exp
    for f in (1, 2, 5, 10):
        if f * 10.0 ** exp <= target_m:
            best = f * 10.0 ** exp
    return best


def _round_scale(denominator: float) -> int:
    """A printed scale rounded to 2–3 significant digits (1:12,345 → 1:12,300)."""
    d = float(denominator)
    if d < 1000:
        return int(round(d))
    p = 10 ** (int(math.log10(d)) - 2)
    return int(round(d / p) * p)


def paint_page(painter: QPainter, layout: PageLayout, project: Any, page_rect: QRectF, *,
               page: int = 0, paint_map: MapPainter | None = None) -> LayoutReport:
    """Paint page ``page`` of ``layout`` for ``project`` into ``page_rect`` (device pixels).

    Returns the :class:`LayoutReport` of the whole layout (its ``pages`` says how many pages
    the legend needs). ``paint_map`` replaces the renderer (tests, previews).
    """
    comp = PageComposer(painter, layout, project, page_rect, paint_map)
    if not 0 <= page < len(comp.plans):
        raise ExportError(f"page {page + 1} does not exist: the layout has {len(comp.plans)} page(s)")
    comp.paint(painter, page)
    return comp.report


def paint_document(painter: QPainter, layout: PageLayout, project: Any, page_rect: QRectF, *,
                   new_page: Callable[[], Any] | None = None, paint_map: MapPainter | None = None,
                   max_pages: int | None = None) -> LayoutReport:
    """Paint every page, calling ``new_page()`` between pages (``QPdfWriter.newPage``...)."""
    comp = PageComposer(painter, layout, project, page_rect, paint_map)
    n = len(comp.plans) if max_pages is None else min(max_pages, len(comp.plans))
    for i in range(n):
        if i and new_page is not None:
            new_page()
        comp.paint(painter, i)
    return comp.report
