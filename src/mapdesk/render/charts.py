"""Charts for the temporal analysis, painted with QPainter into any rectangle.

* :func:`paint_hour_weekday` — hour-of-day × day-of-week heat chart,
* :func:`paint_daily_counts` — incidents per day as bars or a line,
* :func:`paint_line_chart` — a generic x/y line chart (e.g. coverage vs number of cameras),
* :func:`save_chart_png` — run any of them onto an image and save it (atomically).

Labels in English or Chinese (``lang="zh"``) using the bundled Noto Sans CJK font.
QtGui only: usable from the GUI, the exporters and the CLI.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
)

from mapdesk.analysis.temporal import weekday_labels
from mapdesk.errors import ExportError
from mapdesk.io.atomic import atomic_path
from mapdesk.render.fonts import ensure_fonts

PaintFn = Callable[[QPainter, QRectF], None]


def _font(px: float, bold: bool = False) -> QFont:
    f = QFont(ensure_fonts())
    f.setPixelSize(max(6, int(round(px))))
    f.setBold(bold)
    return f


def nice_ticks(vmin: float, vmax: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values from at most vmin to at least vmax."""
    if not math.isfinite(vmin) or not math.isfinite(vmax):
        return [0.0, 1.0]
    if vmax <= vmin:
        vmax = vmin + 1.0
    raw = (vmax - vmin) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw * (1 - 1e-9))
    lo = math.floor(vmin / step + 1e-9)
    hi = math.ceil(vmax / step - 1e-9)
    return [round(k * step, 10) for k in range(lo, hi + 1)]


def _fmt(v: float) -> str:
    if abs(v - round(v)) < 1e-9:
        return f"{int(round(v)):,}"
    return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 100 else f"{v:,.0f}"


def _heat_color(t: float) -> QColor:
    # white -> yellow -> orange -> dark red
    stops = ((0.0, (255, 255, 255)), (0.2, (255, 237, 160)), (0.5, (254, 178, 76)),
             (0.8, (240, 59, 32)), (1.0, (128, 0, 38)))
    t = min(max(t, 0.0), 1.0)
    for (p0, c0), (p1, c1) in zip(stops, stops[1:], strict=False):
        if t <= p1:
            f = (t - p0) / (p1 - p0)
            return QColor(*(int(round(a + (b - a) * f)) for a, b in zip(c0, c1, strict=True)))
    return QColor(*stops[-1][1])


def _draw_title(p: QPainter, rect: QRectF, title: str | None, unit: float) -> float:
    """Draw the title on top; return the height used."""
    if not title:
        return 0.0
    f = _font(unit * 1.5, bold=True)
    p.setFont(f)
    p.setPen(QColor(30, 30, 30))
    h = QFontMetricsF(f).height() * 1.4
    p.drawText(QRectF(rect.left(), rect.top(), rect.width(), h), Qt.AlignmentFlag.AlignCenter, title)
    return h


def paint_hour_weekday(painter: QPainter, rect: QRectF, table: pd.DataFrame, *,
                       title: str | None = None, lang: str = "en", show_values: bool = True,
                       vmax: float | None = None) -> None:
    """Heat chart of a 7 × 24 table (rows Monday..Sunday, columns hours 0..23), with
    weekday labels, hour labels, per-cell values when they fit, and a colour legend.
    ``vmax`` fixes the colour scale (to compare two charts)."""
    ensure_fonts()
    v = np.asarray(table.to_numpy(dtype=float))
    if v.shape != (7, 24):
        raise ValueError(f"expected a 7 × 24 table, got {v.shape}")
    p = painter
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    unit = max(8.0, min(rect.width() / 90.0, rect.height() / 30.0))
    top = rect.top() + _draw_title(p, rect, title, unit)
    lab_font = _font(unit)
    fm = QFontMetricsF(lab_font)
    days = weekday_labels(lang)
    left = rect.left() + max(fm.horizontalAdvance(d) for d in days) + unit
    legend_w = unit * 6
    right = rect.right() - legend_w - unit
    bottom = rect.bottom() - fm.height() * 2.6
    top += fm.height() * 0.3
    cw = (right - left) / 24.0
    ch = (bottom - top) / 7.0
    hi = float(vmax if vmax is not None else (v.max() if v.size else 0.0)) or 1.0
    val_font = _font(min(ch * 0.38, cw * 0.36))
    vfm = QFontMetricsF(val_font)
    for r in range(7):
        for c in range(24):
            cell = QRectF(left + c * cw, top + r * ch, cw, ch)
            t = v[r, c] / hi
            p.fillRect(cell, _heat_color(t))
            if show_values and vfm.horizontalAdvance("00.0") < cw * 0.95 and vfm.height() < ch:
                p.setFont(val_font)
                p.setPen(QColor(255, 255, 255) if t > 0.6 else QColor(60, 60, 60))
                txt = f"{v[r, c]:.0f}" if v[r, c] >= 10 or v[r, c] == round(v[r, c]) else f"{v[r, c]:.1f}"
                p.drawText(cell, Qt.AlignmentFlag.AlignCenter, txt)
    p.setPen(QPen(QColor(200, 200, 200), 0.5))
    for r in range(8):
        p.drawLine(QPointF(left, top + r * ch), QPointF(right, top + r * ch))
    for c in range(25):
        p.drawLine(QPointF(left + c * cw, top), QPointF(left + c * cw, bottom))
    p.setFont(lab_font)
    p.setPen(QColor(40, 40, 40))
    for r, d in enumerate(days):
        p.drawText(QRectF(rect.left(), top + r * ch, left - rect.left() - unit * 0.4, ch),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, d)
    for c in range(24):
        p.drawText(QRectF(left + c * cw, bottom + 2, cw, fm.height()), Qt.AlignmentFlag.AlignCenter, f"{c}")
    xlabel = "时（0–23 时）" if lang.startswith("zh") else "hour of day"
    p.drawText(QRectF(left, bottom + fm.height() * 1.2, right - left, fm.height() * 1.2),
               Qt.AlignmentFlag.AlignCenter, xlabel)
    # legend
    lx = right + unit
    lh = bottom - top
    steps = 50
    for k in range(steps):
        t = 1 - k / steps
        p.fillRect(QRectF(lx, top + k * lh / steps, unit * 1.2, lh / steps + 1), _heat_color(t))
    p.setPen(QColor(120, 120, 120))
    p.drawRect(QRectF(lx, top, unit * 1.2, lh))
    p.setPen(QColor(40, 40, 40))
    p.setFont(_font(unit * 0.9))
    for t in [t for t in nice_ticks(0, hi, 4) if t <= hi * (1 + 1e-9)]:
        y = top + lh * (1 - t / hi)
        p.drawText(QRectF(lx + unit * 1.5, y - fm.height() / 2, legend_w, fm.height()),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, _fmt(t))
    p.restore()


def _axes(p: QPainter, rect: QRectF, unit: float, title: str | None, xlabel: str, ylabel: str,
          ymin: float, ymax: float) -> tuple[QRectF, list[float]]:
    """Title, y grid with ticks and axis labels; returns the plot area and the y ticks."""
    top = rect.top() + _draw_title(p, rect, title, unit)
    f = _font(unit)
    fm = QFontMetricsF(f)
    ticks = nice_ticks(ymin, ymax, 5)
    tick_w = max(fm.horizontalAdvance(_fmt(t)) for t in ticks)
    left = rect.left() + tick_w + unit * (2.6 if ylabel else 1.0)
    area = QRectF(left, top + unit, rect.right() - left - unit * 1.5,
                  rect.bottom() - top - unit - fm.height() * (3.0 if xlabel else 1.8))
    lo, hi = ticks[0], ticks[-1]
    p.setFont(f)
    for t in ticks:
        y = area.bottom() - (t - lo) / (hi - lo or 1) * area.height()
        p.setPen(QPen(QColor(225, 225, 225), 1))
        p.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        p.setPen(QColor(60, 60, 60))
        p.drawText(QRectF(rect.left(), y - fm.height() / 2, left - rect.left() - unit * 0.5, fm.height()),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, _fmt(t))
    p.setPen(QPen(QColor(90, 90, 90), 1))
    p.drawLine(area.bottomLeft(), area.bottomRight())
    p.drawLine(area.bottomLeft(), area.topLeft())
    p.setPen(QColor(40, 40, 40))
    if xlabel:
        p.drawText(QRectF(area.left(), rect.bottom() - fm.height() * 1.3, area.width(), fm.height() * 1.2),
                   Qt.AlignmentFlag.AlignCenter, xlabel)
    if ylabel:
        p.save()
        p.translate(rect.left() + fm.height() * 0.2, area.center().y())
        p.rotate(-90)
        p.drawText(QRectF(-area.height() / 2, 0, area.height(), fm.height() * 1.2),
                   Qt.AlignmentFlag.AlignCenter, ylabel)
        p.restore()
    return area, [lo, hi]


def paint_daily_counts(painter: QPainter, rect: QRectF, daily: pd.DataFrame, *,
                       title: str | None = None, lang: str = "en", kind: str = "bar",
                       color: QColor | str = "#d7301f") -> None:
    """Incidents per day (columns ``date`` and ``count``, as from
    :func:`mapdesk.analysis.temporal.daily_counts`) as bars or a line."""
    ensure_fonts()
    p = painter
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    unit = max(8.0, min(rect.width() / 90.0, rect.height() / 25.0))
    counts = np.asarray(daily["count"], dtype=float)
    dates = pd.to_datetime(pd.Series(daily["date"])).dt.date.tolist()
    zh = lang.startswith("zh")
    area, (lo, hi) = _axes(p, rect, unit, title, "日期" if zh else "date",
                           "警情数" if zh else "incidents", 0.0, float(counts.max()) if counts.size else 1.0)
    n = max(len(counts), 1)
    bw = area.width() / n
    col = QColor(color)

    def y_of(v: float) -> float:
        return area.bottom() - (v - lo) / (hi - lo or 1) * area.height()

    if kind == "bar":
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(col))
        for i, c in enumerate(counts):
            x = area.left() + i * bw
            p.drawRect(QRectF(x + bw * 0.12, y_of(c), bw * 0.76, area.bottom() - y_of(c)))
    else:
        path = QPainterPath()
        for i, c in enumerate(counts):
            pt = QPointF(area.left() + (i + 0.5) * bw, y_of(c))
            path.moveTo(pt) if i == 0 else path.lineTo(pt)
        p.setPen(QPen(col, max(1.5, unit / 5)))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
    # date labels, thinned to fit
    f = _font(unit * 0.85)
    fm = QFontMetricsF(f)
    p.setFont(f)
    p.setPen(QColor(60, 60, 60))
    lab_w = fm.horizontalAdvance("2026-10-31") * 1.3
    every = max(1, math.ceil(lab_w / bw))
    for i in range(0, len(dates), every):
        x = area.left() + (i + 0.5) * bw
        p.drawText(QRectF(x - lab_w / 2, area.bottom() + 2, lab_w, fm.height()),
                   Qt.AlignmentFlag.AlignCenter, dates[i].isoformat())
    p.restore()


def paint_line_chart(painter: QPainter, rect: QRectF, x: Sequence[float], y: Sequence[float], *,
                     title: str | None = None, xlabel: str = "", ylabel: str = "",
                     lang: str = "en", color: QColor | str = "#2166ac", markers: bool = True,
                     ymin: float | None = None, ymax: float | None = None) -> None:
    """A line chart of y against x with round ticks on both axes (``lang`` only selects
    the font's language coverage: pass the labels already translated)."""
    ensure_fonts()
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if xs.shape != ys.shape:
        raise ValueError("x and y must have the same length")
    p = painter
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    unit = max(8.0, min(rect.width() / 90.0, rect.height() / 25.0))
    y0 = float(np.nanmin(ys)) if ymin is None and ys.size else (ymin or 0.0)
    y1 = float(np.nanmax(ys)) if ymax is None and ys.size else (ymax if ymax is not None else 1.0)
    area, (lo, hi) = _axes(p, rect, unit, title, xlabel, ylabel, min(y0, 0.0) if y0 >= 0 else y0, y1)
    x0 = float(xs.min()) if xs.size else 0.0
    x1 = float(xs.max()) if xs.size else 1.0
    xticks = nice_ticks(x0, x1, 6)
    xl, xh = min(xticks[0], x0), max(xticks[-1], x1)

    def pt(a: float, b: float) -> QPointF:
        return QPointF(area.left() + (a - xl) / (xh - xl or 1) * area.width(),
                       area.bottom() - (b - lo) / (hi - lo or 1) * area.height())

    f = _font(unit * 0.9)
    fm = QFontMetricsF(f)
    p.setFont(f)
    p.setPen(QColor(60, 60, 60))
    for t in xticks:
        q = pt(t, lo)
        p.drawLine(q, QPointF(q.x(), q.y() + 3))
        p.drawText(QRectF(q.x() - 40, area.bottom() + 3, 80, fm.height()), Qt.AlignmentFlag.AlignCenter, _fmt(t))
    col = QColor(color)
    path = QPainterPath()
    for i, (a, b) in enumerate(zip(xs, ys, strict=True)):
        path.moveTo(pt(a, b)) if i == 0 else path.lineTo(pt(a, b))
    p.setPen(QPen(col, max(1.5, unit / 5)))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    if markers and xs.size <= 200:
        p.setBrush(QBrush(col))
        r = max(2.0, unit / 4)
        for a, b in zip(xs, ys, strict=True):
            p.drawEllipse(pt(a, b), r, r)
    p.restore()


def paint_grouped_bars(painter: QPainter, rect: QRectF, groups: Sequence[str],
                       series: dict[str, Sequence[float]], *, title: str | None = None,
                       ylabel: str = "", colors: Sequence[str] | None = None,
                       show_values: bool = True) -> None:
    """Bars per group, one bar per series (e.g. before/after per area), with a legend."""
    ensure_fonts()
    colors = list(colors or ["#92c5de", "#2166ac", "#f4a582", "#b2182b"])
    names = list(series)
    vals = np.array([np.asarray(series[n], dtype=float) for n in names]) if names else np.zeros((0, 0))
    p = painter
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    unit = max(8.0, min(rect.width() / 90.0, rect.height() / 25.0))
    top = float(np.nanmax(vals)) if vals.size else 1.0
    area, (lo, hi) = _axes(p, rect, unit, title, "", ylabel, 0.0, max(top, 1.0))
    f = _font(unit * 0.9)
    fm = QFontMetricsF(f)
    p.setFont(f)
    n_g, n_s = len(groups), max(1, len(names))
    slot = area.width() / max(1, n_g)
    bar_w = slot * 0.7 / n_s
    for gi, g in enumerate(groups):
        x0 = area.left() + gi * slot + slot * 0.15
        for si in range(len(names)):
            v = float(vals[si, gi])
            h = 0.0 if not np.isfinite(v) else (v - lo) / (hi - lo or 1) * area.height()
            bar = QRectF(x0 + si * bar_w, area.bottom() - h, bar_w * 0.92, h)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(colors[si % len(colors)]))
            p.drawRect(bar)
            if show_values and np.isfinite(v):
                p.setPen(QColor(40, 40, 40))
                p.drawText(QRectF(bar.left() - 20, bar.top() - fm.height(), bar.width() + 40, fm.height()),
                           Qt.AlignmentFlag.AlignCenter, _fmt(v))
        p.setPen(QColor(60, 60, 60))
        p.drawText(QRectF(area.left() + gi * slot, area.bottom() + 3, slot, fm.height()),
                   Qt.AlignmentFlag.AlignCenter, str(g))
    # legend, top right inside the plot area
    lx, ly = area.right() - unit * 10, area.top() + unit * 0.5
    for si, n in enumerate(names):
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(colors[si % len(colors)]))
        p.drawRect(QRectF(lx, ly + si * fm.height() * 1.2 + 2, unit, fm.height() * 0.8))
        p.setPen(QColor(40, 40, 40))
        p.drawText(QPointF(lx + unit * 1.4, ly + si * fm.height() * 1.2 + fm.ascent()), str(n))
    p.restore()


def save_chart_png(paint_fn: PaintFn, path: str | os.PathLike, width: int = 1200,
                   height: int = 600, dpi: int = 96) -> None:
    """Paint ``paint_fn(painter, QRectF(0, 0, width, height))`` on a white image and save
    it as PNG (atomically), tagged with ``dpi``."""
    ensure_fonts()
    if width <= 0 or height <= 0:
        raise ExportError(f"chart size must be positive, not {width} × {height}")
    img = QImage(int(width), int(height), QImage.Format.Format_ARGB32)
    img.fill(QColor(255, 255, 255))
    dpm = int(round(dpi / 0.0254))
    img.setDotsPerMeterX(dpm)
    img.setDotsPerMeterY(dpm)
    painter = QPainter(img)
    try:
        paint_fn(painter, QRectF(0, 0, width, height))
    finally:
        painter.end()
    with atomic_path(path) as tmp:
        if not img.save(str(tmp), "PNG"):
            raise ExportError(f"could not write PNG {path}")
