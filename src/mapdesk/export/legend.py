"""The page legend: entries generated from the visible layers, measured, flowed into columns.

The legend of a print layout follows the project: one block per visible layer (top layer
first) with its categories, graduated classes or density ramp (with units and the analysis
parameters), and the layer's filter. When the entries do not fit the legend box they wrap
into further columns, and what still does not fit is returned so the layout can continue the
legend on another page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QLinearGradient, QPainter, QPainterPath, QPen

from mapdesk.export.text import draw_text, page_font
from mapdesk.model.style import category_label
from mapdesk.render.palettes import ramp

_WORDS = {
    "en": {"filter": "Filter", "shown": "{n:,} of {total:,} features shown", "fov": "camera field of view",
           "features": "{n:,} features", "params": "Parameters", "nodata": "(no data)"},
    "zh": {"filter": "筛选", "shown": "显示 {n:,} / {total:,} 个要素", "fov": "摄像头视场",
           "features": "{n:,} 个要素", "params": "参数", "nodata": "（无数据）"},
}

#: Analysis parameters worth showing on paper, in this order (others are left out).
_PARAM_KEYS = ("method", "kernel", "bandwidth_m", "bandwidth_rule", "cell_m", "n_points", "period",
               "date_from", "date_to", "window_days", "filter", "normalised", "alpha", "fdr")


def words(lang: str) -> dict[str, str]:
    return _WORDS["zh" if str(lang).startswith("zh") else "en"]


@dataclass
class Symbol:
    fill: str
    stroke: str = "#333333"
    shape: str = "circle"  # a marker name, or "line", "polygon", "wedge"
    opacity: float = 1.0


@dataclass
class LegendEntry:
    """One legend row. ``kind`` is ``layer`` (bold name), ``symbol``, ``ramp`` or ``note``."""

    kind: str
    text: str
    symbol: Symbol | None = None
    colors: list[str] = field(default_factory=list)  # ramp colours, low to high
    lo: str = ""
    hi: str = ""


def _geom_shape(frame: Any, marker: str) -> str:
    try:
        t = str(frame.geometry.geom_type.dropna().iloc[0])
    except Exception:
        return marker
    if "Polygon" in t:
        return "polygon"
    if "Line" in t:
        return "line"
    return marker


def _fmt(v: Any) -> str:
    if isinstance(v, float | np.floating):
        if not math.isfinite(v):
            return "–"
        if abs(v) >= 100 or v == int(v):
            return f"{v:,.0f}"
        return f"{v:.3g}"
    return str(v)


def _params_text(params: dict) -> str:
    parts = []
    for k in _PARAM_KEYS:
        if k in params and params[k] not in (None, "", [], {}):
            parts.append(f"{k}={_fmt(params[k])}")
    return ", ".join(parts)


def legend_entries(project: Any, lang: str = "en") -> list[LegendEntry]:
    """Legend entries for the visible, loaded layers of ``project`` (top layer first)."""
    w = words(lang)
    out: list[LegendEntry] = []
    for lyr in reversed(project.layers):
        if not lyr.visible or lyr.status not in ("ok",):
            continue
        st = lyr.style
        if lyr.kind == "raster":
            grid = lyr.raster
            if grid is None:
                continue
            vals = np.asarray(grid.values, dtype=float)
            finite = vals[np.isfinite(vals)]
            lo = st.vmin if st.vmin is not None else (float(finite.min()) if finite.size else math.nan)
            hi = st.vmax if st.vmax is not None else (float(finite.max()) if finite.size else math.nan)
            out.append(LegendEntry("layer", lyr.name))
            units = getattr(grid, "units", "") or ""
            out.append(LegendEntry("ramp", units, colors=ramp(st.ramp or "YlOrRd", 9),
                                   lo=_fmt(lo), hi=_fmt(hi)))
            ptxt = _params_text(dict(getattr(grid, "params", {}) or {}))
            if ptxt:
                out.append(LegendEntry("note", f"{w['params']}: {ptxt}"))
            continue
        frame = lyr.frame
        if frame is None:
            continue
        shape = _geom_shape(frame, st.marker)
        # without an outline on the map, a swatch is outlined in its own colour (a categorised
        # layer's single-symbol colour is not drawn anywhere)
        stroke = st.stroke_color if st.stroke_width > 0 else None
        # Point markers are drawn nearly opaque on the map; only areas keep the style's opacity.
        opacity = st.fill_opacity if shape in ("polygon",) else max(st.fill_opacity, 0.85)
        if st.kind == "categorized" and st.categories:
            out.append(LegendEntry("layer", lyr.name))
            counts = _category_counts(lyr)
            for c in st.categories:
                if not c.visible:
                    continue
                n = counts.get(str(c.value)) if counts is not None else None
                label = category_label(lyr.role, c.value, c.label, lang) + (f" ({n:,})" if n is not None else "")
                out.append(LegendEntry("symbol", label, Symbol(c.color, stroke or c.color, shape, opacity)))
        elif st.kind == "graduated" and len(st.breaks) >= 2:
            out.append(LegendEntry("layer", f"{lyr.name} — {st.field}" if st.field else lyr.name))
            n = len(st.breaks) - 1
            colors = ramp(st.ramp or "YlOrRd", n)
            for i in range(n):
                out.append(LegendEntry("symbol", f"{_fmt(st.breaks[i])} – {_fmt(st.breaks[i + 1])}",
                                       Symbol(colors[i], stroke or colors[i], shape, opacity)))
        else:
            out.append(LegendEntry("layer", lyr.name, Symbol(st.color, stroke or st.color, shape, opacity)))
        if st.wedge and lyr.role == "cameras":
            out.append(LegendEntry("symbol", w["fov"], Symbol(st.color, st.color, "wedge", 0.3)))
        shown, total = lyr.feature_count()
        if not lyr.filter.is_empty():
            out.append(LegendEntry("note", f"{w['filter']}: {lyr.filter.describe()}"))
            out.append(LegendEntry("note", w["shown"].format(n=shown, total=total)))
    return out


def _category_counts(lyr: Any) -> dict[str, int] | None:
    fld = lyr.style.field
    f = lyr.filtered_frame()
    if f is None or not fld or fld not in f.columns:
        return None
    vc = f[fld].astype("string").value_counts(dropna=True)
    return {str(k): int(v) for k, v in vc.items()}


def legend_texts(entries: list[LegendEntry]) -> list[str]:
    return [t for e in entries for t in (e.text, e.lo, e.hi) if t]


class LegendPainter:
    """Measures and paints legend entries on one paint device (sizes in device pixels)."""

    def __init__(self, px_per_mm: float, font_pt: float = 7.5):
        self.k = px_per_mm
        self.font = page_font(font_pt)
        self.bold = page_font(font_pt + 0.8, bold=True)
        self.note_font = page_font(font_pt - 1.2)
        self.sym = 4.2 * px_per_mm  # symbol box
        self.gap = 1.6 * px_per_mm

    def height(self, painter: QPainter, e: LegendEntry, width: float) -> float:
        k = self.k
        if e.kind == "layer":
            text_w = width - (self.sym + self.gap if e.symbol else 0)
            return max(self._text_h(painter, self.bold, e.text, text_w), self.sym) + 1.8 * k
        if e.kind == "symbol":
            return max(self._text_h(painter, self.font, e.text, width - self.sym - self.gap), self.sym) + 1.0 * k
        if e.kind == "ramp":
            return self.sym + self._text_h(painter, self.note_font, "0", width) * 2 + 1.6 * k
        return self._text_h(painter, self.note_font, e.text, width) + 0.8 * k

    def _text_h(self, painter: QPainter, font, text: str, width: float) -> float:
        painter.save()
        painter.setFont(font)
        r = painter.boundingRect(QRectF(0, 0, max(width, 1.0), 1e6),
                                 int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft), text or " ")
        painter.restore()
        return r.height()

    def paint(self, painter: QPainter, e: LegendEntry, rect: QRectF) -> None:
        painter.save()
        x, y, w = rect.x(), rect.y(), rect.width()
        flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if e.kind in ("layer", "symbol"):
            font = self.bold if e.kind == "layer" else self.font
            tx = x
            top = y + (0.8 * self.k if e.kind == "layer" else 0.0)
            if e.symbol is not None:
                self._symbol(painter, e.symbol, QRectF(x, top, self.sym, self.sym))
                tx = x + self.sym + self.gap
            painter.setFont(font)
            painter.setPen(QColor("#111111"))
            th = self._text_h(painter, font, e.text, x + w - tx)
            draw_text(painter, QRectF(tx, top, x + w - tx, max(th, self.sym)), flags, e.text)
        elif e.kind == "ramp":
            bar = QRectF(x, y, min(w, 40 * self.k), self.sym)
            grad = QLinearGradient(bar.topLeft(), bar.topRight())
            n = max(len(e.colors) - 1, 1)
            for i, c in enumerate(e.colors):
                grad.setColorAt(i / n, QColor(c))
            painter.setPen(QPen(QColor("#555555"), 0.15 * self.k))
            painter.setBrush(QBrush(grad))
            painter.drawRect(bar)
            painter.setFont(self.note_font)
            painter.setPen(QColor("#111111"))
            lh = self._text_h(painter, self.note_font, "0", w)
            draw_text(painter, QRectF(bar.left(), bar.bottom(), bar.width(), lh),
                             int(Qt.AlignmentFlag.AlignLeft), e.lo)
            draw_text(painter, QRectF(bar.left(), bar.bottom(), bar.width(), lh),
                             int(Qt.AlignmentFlag.AlignRight), e.hi)
            draw_text(painter, QRectF(bar.left(), bar.bottom() + lh, w, lh), int(Qt.AlignmentFlag.AlignLeft),
                             e.text)
        else:
            painter.setFont(self.note_font)
            painter.setPen(QColor("#444444"))
            draw_text(painter, QRectF(x, y, w, rect.height()),
                             int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft), e.text)
        painter.restore()

    def _symbol(self, painter: QPainter, s: Symbol, box: QRectF) -> None:
        k = self.k
        fill = QColor(s.fill)
        fill.setAlphaF(max(0.0, min(1.0, s.opacity)))
        pen = QPen(QColor(s.stroke), 0.25 * k)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        c = box.center()
        r = box.width() * 0.32
        if s.shape == "line":
            painter.setPen(QPen(QColor(s.fill), 0.6 * k))
            painter.drawLine(QPointF(box.left(), c.y()), QPointF(box.right(), c.y()))
            return
        painter.setPen(pen)
        painter.setBrush(QBrush(fill))
        if s.shape == "polygon":
            painter.drawRect(box.adjusted(0.3 * k, 0.6 * k, -0.3 * k, -0.6 * k))
        elif s.shape == "wedge":
            path = QPainterPath(QPointF(box.left() + 0.3 * k, box.bottom() - 0.3 * k))
            path.arcTo(QRectF(box.left() + 0.3 * k - box.width(), box.top() + 0.3 * k,
                              2 * box.width() - 0.6 * k, 2 * box.height() - 0.6 * k), 90, -60)
            path.closeSubpath()
            painter.drawPath(path)
        elif s.shape == "square":
            painter.drawRect(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r))
        elif s.shape in ("triangle", "diamond", "star", "cross"):
            path = QPainterPath()
            if s.shape == "triangle":
                pts = [(0, -1.1), (0.95, 0.7), (-0.95, 0.7)]
            elif s.shape == "diamond":
                pts = [(0, -1.2), (1.0, 0), (0, 1.2), (-1.0, 0)]
            elif s.shape == "star":
                pts = [(math.cos(math.radians(-90 + 36 * i)) * (1.2 if i % 2 == 0 else 0.5),
                        math.sin(math.radians(-90 + 36 * i)) * (1.2 if i % 2 == 0 else 0.5)) for i in range(10)]
            else:
                a = 0.35
                pts = [(-a, -1), (a, -1), (a, -a), (1, -a), (1, a), (a, a), (a, 1), (-a, 1), (-a, a),
                       (-1, a), (-1, -a), (-a, -a)]
            path.moveTo(c.x() + pts[0][0] * r, c.y() + pts[0][1] * r)
            for px, py in pts[1:]:
                path.lineTo(c.x() + px * r, c.y() + py * r)
            path.closeSubpath()
            painter.drawPath(path)
        else:
            painter.drawEllipse(c, r, r)


def flow(heights: list[float], kinds: list[str], start: int, col_h: float, ncols: int
         ) -> tuple[list[list[int]], int]:
    """Fill up to ``ncols`` columns of height ``col_h`` with entries from ``start`` on.

    Returns the entry indices per column and the index of the first entry that did not fit
    (``len(heights)`` when all did). A layer heading never ends a column (it moves on with
    its first row); an entry taller than a whole column is placed alone so flow always advances.
    """
    cols: list[list[int]] = []
    i, n = start, len(heights)
    while i < n and len(cols) < ncols:
        col: list[int] = []
        used = 0.0
        while i < n and (used + heights[i] <= col_h or not col):
            if col and used + heights[i] > col_h:
                break
            col.append(i)
            used += heights[i]
            i += 1
        if len(col) > 1 and i < n and kinds[col[-1]] == "layer":
            col.pop()
            i -= 1
        cols.append(col)
    return cols, i
