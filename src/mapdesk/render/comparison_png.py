"""Self-explanatory map figures of analysis results: title, map panels, a colour strip in
real units under each panel, a scale bar, and the parameters at the foot.

Used for the comparison maps of ``mapdesk hotspots --compare`` (period A, period B and
their difference with one shared scale) so that a printed page states what it shows.
Panels take a :class:`~mapdesk.analysis.raster.RasterGrid` (drawn cell by cell) or a
polygon GeoDataFrame with a value column (grid squares, hexagons).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen, QPolygonF

from mapdesk.errors import ExportError
from mapdesk.io.atomic import atomic_path
from mapdesk.render.charts import nice_ticks
from mapdesk.render.decorations import format_length, nice_length_m
from mapdesk.render.fonts import ensure_fonts
from mapdesk.render.raster_png import ramp_colors

#: values at or below this fraction of the scale maximum are left blank (no incidents)
BLANK_FRACTION = 0.02


@dataclass
class ColourScale:
    """How values map to colours: ``ramp`` (a :data:`~mapdesk.render.raster_png.RAMPS` name)
    over ``vmin``..``vmax`` in ``units``; ``diverging`` scales are symmetric around 0."""

    ramp: str
    vmin: float
    vmax: float
    units: str = ""

    @property
    def diverging(self) -> bool:
        return self.ramp == "diverging"

    def positions(self, v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        if self.diverging:
            m = max(abs(self.vmin), abs(self.vmax)) or 1.0
            return 0.5 + 0.5 * v / m
        span = (self.vmax - self.vmin) or 1.0
        return (v - self.vmin) / span

    def blank(self, v: np.ndarray) -> np.ndarray:
        """Cells left unpainted: missing, and (near) zero — no incidents, or no change."""
        v = np.asarray(v, dtype=float)
        m = max(abs(self.vmin), abs(self.vmax))
        return ~np.isfinite(v) | (np.abs(v) <= BLANK_FRACTION * m)


@dataclass
class MapPanel:
    """One map of a figure: ``result`` (RasterGrid or polygon GeoDataFrame with column
    ``value``), a ``title`` above it and ``lines`` of text (e.g. the count) below its title."""

    result: Any
    title: str
    scale: ColourScale
    value: str = "count"
    lines: list[str] = field(default_factory=list)


def _bounds(result: Any) -> tuple[float, float, float, float]:
    if hasattr(result, "values") and hasattr(result, "bounds") and not hasattr(result, "geometry"):
        return tuple(float(b) for b in result.bounds)  # type: ignore[return-value]
    return tuple(float(b) for b in result.total_bounds)  # type: ignore[return-value]


def _font(px: float, bold: bool = False) -> QFont:
    f = QFont(ensure_fonts())
    f.setPixelSize(max(6, int(round(px))))
    f.setBold(bold)
    return f


def _fmt(v: float) -> str:
    if abs(v - round(v)) < 1e-9:
        return f"{int(round(v)):,}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


class _Frame:
    """Metric bounds → pixel rectangle, same scale on both axes."""

    def __init__(self, bounds: tuple[float, float, float, float], rect: QRectF):
        minx, miny, maxx, maxy = bounds
        w, h = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
        self.s = min(rect.width() / w, rect.height() / h)
        self.left = rect.left() + (rect.width() - w * self.s) / 2
        self.top = rect.top() + (rect.height() - h * self.s) / 2
        self.minx, self.maxy = minx, maxy
        self.rect = QRectF(self.left, self.top, w * self.s, h * self.s)

    def xy(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.left + (x - self.minx) * self.s, self.top + (self.maxy - y) * self.s


def _paint_raster(p: QPainter, fr: _Frame, grid: Any, scale: ColourScale) -> None:
    v = np.asarray(grid.values, dtype=float)
    rgba = np.zeros(v.shape + (4,), dtype=np.uint8)
    rgba[..., :3] = ramp_colors(scale.ramp, scale.positions(v))
    rgba[..., 3] = np.where(scale.blank(v), 0, 255).astype(np.uint8)
    rgba = np.ascontiguousarray(rgba)
    h, w = v.shape
    img = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
    minx, miny, maxx, maxy = (float(b) for b in grid.bounds)
    x0, y0 = fr.xy(np.array([minx]), np.array([maxy]))
    x1, y1 = fr.xy(np.array([maxx]), np.array([miny]))
    p.save()
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
    p.drawImage(QRectF(float(x0[0]), float(y0[0]), float(x1[0] - x0[0]), float(y1[0] - y0[0])), img)
    p.restore()


def _paint_cells(p: QPainter, fr: _Frame, frame: Any, value: str, scale: ColourScale) -> None:
    import shapely

    v = np.asarray(frame[value].to_numpy(dtype=float, na_value=np.nan), dtype=float)
    rgb = ramp_colors(scale.ramp, scale.positions(v))
    blank = ~np.isfinite(v) | (v == 0)  # counts: every cell with an incident shows
    geoms = np.asarray(frame.geometry.array, dtype=object)
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(Qt.PenStyle.NoPen)
    for i in np.flatnonzero(~blank):
        g = geoms[i]
        if g is None or shapely.is_empty(g):
            continue
        polys = getattr(g, "geoms", [g])
        p.setBrush(QColor(int(rgb[i, 0]), int(rgb[i, 1]), int(rgb[i, 2])))
        for poly in polys:
            xy = shapely.get_coordinates(poly.exterior)
            px, py = fr.xy(xy[:, 0], xy[:, 1])
            p.drawPolygon(QPolygonF([QPointF(a, b) for a, b in zip(px.tolist(), py.tolist(), strict=True)]))
    p.restore()


def _paint_scale_bar(p: QPainter, fr: _Frame, unit: float) -> None:
    length = nice_length_m(fr.rect.width() * 0.25 / fr.s)
    if length <= 0:
        return
    px = length * fr.s
    x, y = fr.rect.left() + unit, fr.rect.bottom() - unit
    p.save()
    p.setPen(QPen(QColor("#222222"), max(1.0, unit / 6)))
    p.drawLine(QPointF(x, y), QPointF(x + px, y))
    p.drawLine(QPointF(x, y - unit / 2), QPointF(x, y))
    p.drawLine(QPointF(x + px, y - unit / 2), QPointF(x + px, y))
    p.setFont(_font(unit))
    p.drawText(QPointF(x, y - unit * 0.7), format_length(length))
    p.restore()


def _paint_colour_strip(p: QPainter, rect: QRectF, scale: ColourScale, unit: float) -> None:
    """A horizontal colour bar with round ticks and the units under it."""
    bar = QRectF(rect.left(), rect.top(), rect.width(), unit * 1.2)
    n = max(2, int(bar.width()))
    if scale.diverging:
        m = max(abs(scale.vmin), abs(scale.vmax)) or 1.0
        lo, hi = -m, m
    else:
        lo, hi = scale.vmin, scale.vmax if scale.vmax > scale.vmin else scale.vmin + 1.0
    vals = np.linspace(lo, hi, n)
    rgb = ramp_colors(scale.ramp, scale.positions(vals))
    blank = scale.blank(vals)
    p.save()
    for k in range(n):
        c = QColor("#ffffff") if blank[k] else QColor(int(rgb[k, 0]), int(rgb[k, 1]), int(rgb[k, 2]))
        p.fillRect(QRectF(bar.left() + k * bar.width() / n, bar.top(), bar.width() / n + 0.6, bar.height()), c)
    p.setPen(QPen(QColor("#555555"), 1.0))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(bar)
    f = _font(unit * 0.95)
    fm = QFontMetricsF(f)
    p.setFont(f)
    p.setPen(QColor("#222222"))
    ticks = [t for t in nice_ticks(lo, hi, 4) if lo - 1e-9 <= t <= hi + 1e-9]
    for t in ticks:
        x = bar.left() + (t - lo) / (hi - lo) * bar.width()
        p.drawLine(QPointF(x, bar.bottom()), QPointF(x, bar.bottom() + unit * 0.35))
        s = _fmt(t)
        tw = fm.horizontalAdvance(s)
        tx = min(max(x - tw / 2, bar.left() - tw / 2), bar.right() - tw / 2)
        p.drawText(QPointF(tx, bar.bottom() + unit * 0.4 + fm.ascent()), s)
    label = scale.units
    if scale.diverging:
        label = f"← fewer   {scale.units}   more →"
    f2 = _font(unit * 0.95, bold=True)
    p.setFont(f2)
    fm2 = QFontMetricsF(f2)
    y = bar.bottom() + unit * 0.5 + fm.height() + fm2.ascent()
    p.drawText(QPointF(bar.left() + (bar.width() - fm2.horizontalAdvance(label)) / 2, y), label)
    p.restore()


def paint_figure(p: QPainter, width: float, height: float, panels: Sequence[MapPanel], *,
                 title: str = "", footer: Sequence[str] = ()) -> None:
    """Draw the figure on ``p`` over (0, 0, width, height)."""
    ensure_fonts()
    unit = _unit(width, len(panels))
    footer = wrap_lines(footer, _font(unit), width - 3 * unit)
    p.fillRect(QRectF(0, 0, width, height), QColor("#ffffff"))
    y = unit * 0.8
    if title:
        f = _font(unit * 1.5, bold=True)
        p.setFont(f)
        p.setPen(QColor("#111111"))
        h = QFontMetricsF(f).height()
        p.drawText(QRectF(0, y, width, h), Qt.AlignmentFlag.AlignHCenter, title)
        y += h + unit * 0.6
    body = QFontMetricsF(_font(unit))
    foot_h = len(footer) * body.height() * 1.15 + unit
    gap = unit * 1.5
    pw = (width - gap * (len(panels) + 1)) / max(1, len(panels))
    bounds = _union_bounds([pl.result for pl in panels])
    for k, pl in enumerate(panels):
        x = gap + k * (pw + gap)
        py = y
        tf = _font(unit * 1.1, bold=True)
        p.setFont(tf)
        p.setPen(QColor("#111111"))
        th = QFontMetricsF(tf).height()
        p.drawText(QRectF(x, py, pw, th), Qt.AlignmentFlag.AlignHCenter, pl.title)
        py += th
        p.setFont(_font(unit))
        p.setPen(QColor("#444444"))
        for line in pl.lines:
            p.drawText(QRectF(x, py, pw, body.height()), Qt.AlignmentFlag.AlignHCenter, line)
            py += body.height()
        py += unit * 0.4
        strip_h = unit * 1.2 + unit * 0.5 + body.height() * 2.4
        map_rect = QRectF(x, py, pw, height - py - foot_h - strip_h - unit * 1.2)
        fr = _Frame(bounds, map_rect)
        p.fillRect(fr.rect, QColor("#f7f7f5"))
        if hasattr(pl.result, "geometry"):
            _paint_cells(p, fr, pl.result, pl.value, pl.scale)
        else:
            _paint_raster(p, fr, pl.result, pl.scale)
        p.setPen(QPen(QColor("#888888"), 1.0))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(fr.rect)
        _paint_scale_bar(p, fr, unit)
        strip = QRectF(x + pw * 0.08, map_rect.bottom() + unit * 0.9, pw * 0.84, strip_h)
        _paint_colour_strip(p, strip, pl.scale, unit)
    p.setFont(_font(unit))
    p.setPen(QColor("#333333"))
    fy = height - foot_h + unit * 0.3
    for line in footer:
        p.drawText(QRectF(gap, fy, width - 2 * gap, body.height()), Qt.AlignmentFlag.AlignLeft, line)
        fy += body.height() * 1.15


def _unit(width: float, n_panels: int) -> float:
    """The figure's text unit in pixels (body text height)."""
    return min(16.0, max(10.0, width / (70.0 * max(1, n_panels)) * 1.4))


def wrap_lines(lines: Sequence[str], font: QFont, width: float) -> list[str]:
    """Break each line at spaces so that it fits ``width`` pixels in ``font``."""
    fm = QFontMetricsF(font)
    out: list[str] = []
    for line in lines:
        cur = ""
        for word in line.split(" "):
            trial = f"{cur} {word}" if cur else word
            if cur and fm.horizontalAdvance(trial) > width:
                out.append(cur)
                cur = word
            else:
                cur = trial
        out.append(cur)
    return out


def _union_bounds(results: Sequence[Any]) -> tuple[float, float, float, float]:
    bs = np.array([_bounds(r) for r in results], dtype=float)
    return float(bs[:, 0].min()), float(bs[:, 1].min()), float(bs[:, 2].max()), float(bs[:, 3].max())


def figure_size(panels: Sequence[MapPanel], panel_width_px: int = 640,
                footer_lines: int = 3) -> tuple[int, int]:
    """(width, height) in pixels fitting the panels' common extent."""
    minx, miny, maxx, maxy = _union_bounds([pl.result for pl in panels])
    aspect = (maxy - miny) / max(maxx - minx, 1e-9)
    aspect = min(max(aspect, 0.4), 1.8)
    n = max(1, len(panels))
    width = panel_width_px * n
    height = int(panel_width_px * aspect + 170 + 22 * footer_lines
                 + 20 * max((len(pl.lines) for pl in panels), default=0))
    return width, height


def write_figure_png(path: str | os.PathLike, panels: Sequence[MapPanel], *, title: str = "",
                     footer: Sequence[str] = (), panel_width_px: int = 640) -> tuple[int, int]:
    """Render the figure to a PNG file (atomically); returns its (width, height) in pixels."""
    if not panels:
        raise ExportError("a figure needs at least one map panel")
    ensure_fonts()
    width = panel_width_px * len(panels)
    unit = _unit(width, len(panels))
    n_foot = len(wrap_lines(footer, _font(unit), width - 3 * unit))
    w, h = figure_size(panels, panel_width_px, n_foot)
    img = QImage(w, h, QImage.Format.Format_ARGB32)
    img.fill(QColor("#ffffff"))
    p = QPainter(img)
    try:
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        paint_figure(p, float(w), float(h), panels, title=title, footer=footer)
    finally:
        p.end()
    with atomic_path(path) as tmp:
        if not img.save(str(tmp), "PNG"):
            raise ExportError(f"could not write PNG {path}")
    return w, h


def diff_scale(diff_max: float, units: str) -> ColourScale:
    """The symmetric diverging scale of a B − A map."""
    m = float(diff_max) if diff_max and math.isfinite(diff_max) and diff_max > 0 else 1.0
    return ColourScale("diverging", -m, m, units)
