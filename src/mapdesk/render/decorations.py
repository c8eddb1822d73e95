"""Map decorations: scale bar, north arrow, attribution, and the legend.

Everything is sized in typographic points and converted with the output's DPI, so a legend
looks the same on screen, in a 300 dpi PDF and on paper.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetricsF,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
)

from mapdesk.model.style import category_label
from mapdesk.render import palettes
from mapdesk.render.fonts import ui_font
from mapdesk.render.symbols import marker_outline
from mapdesk.render.viewport import MapSettings

_ZH = {"other": "其他", "no data": "无数据", "Scale": "比例尺", "N": "北"}


def tr(text: str, lang: str = "en") -> str:
    return _ZH.get(text, text) if lang.startswith("zh") else text


# ---- scale bar ---------------------------------------------------------------------------
def nice_length_m(max_m: float) -> float:
    """The largest 1-2-5 x 10^k metres not above ``max_m``."""
    if not (max_m > 0) or not math.isfinite(max_m):
        return 0.0
    exp = math.floor(math.log10(max_m))
    for mult in (5, 2, 1):
        v = mult * 10.0 ** exp
        if v <= max_m * (1 + 1e-9):
            return v
    return 10.0 ** exp


def format_length(m: float) -> str:
    if m >= 1000:
        km = m / 1000
        return f"{km:g} km"
    if m >= 1:
        return f"{m:g} m"
    return f"{m * 100:g} cm"


@dataclass
class ScaleBar:
    length_m: float
    length_px: float
    label: str


def scale_bar(settings: MapSettings, max_fraction: float = 0.25) -> ScaleBar:
    """A round scale bar at most ``max_fraction`` of the map width, true at the centre latitude."""
    gm = settings.ground_m_per_pixel()
    length = nice_length_m(settings.width_px * max_fraction * gm)
    return ScaleBar(length, length / gm if gm > 0 else 0.0, format_length(length))


def paint_scale_bar(p: QPainter, settings: MapSettings, pos: QPointF | None = None) -> ScaleBar:
    """Draw the scale bar with its bottom-left at ``pos`` (default: bottom-left of the map)."""
    sb = scale_bar(settings)
    if sb.length_px <= 0:
        return sb
    k = settings.px_per_pt()
    if pos is None:
        pos = QPointF(10 * k, settings.height_px - 10 * k)
    h = 4 * k
    font = ui_font(8)
    font.setPixelSize(max(1, round(8 * k)))
    p.save()
    p.setFont(font)
    x0, y0 = pos.x(), pos.y()
    # White box behind, so the bar reads on any basemap.
    fm = QFontMetricsF(font)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(255, 255, 255, 190))
    p.drawRect(QRectF(x0 - 3 * k, y0 - h - fm.height() - 4 * k, sb.length_px + 6 * k + fm.horizontalAdvance(sb.label) / 2,
                      h + fm.height() + 6 * k))
    half = sb.length_px / 2
    p.setPen(QPen(QColor("#222222"), 0.8 * k))
    p.setBrush(QColor("#222222"))
    p.drawRect(QRectF(x0, y0 - h, half, h))
    p.setBrush(QColor("#ffffff"))
    p.drawRect(QRectF(x0 + half, y0 - h, half, h))
    p.setPen(QColor("#222222"))
    p.drawText(QPointF(x0, y0 - h - 2 * k), "0")
    w = fm.horizontalAdvance(sb.label)
    p.drawText(QPointF(x0 + sb.length_px - w / 2, y0 - h - 2 * k), sb.label)
    p.restore()
    return sb


def paint_north_arrow(p: QPainter, settings: MapSettings, center: QPointF | None = None,
                      size_pt: float = 22.0) -> None:
    """A north arrow (Web Mercator: north is straight up everywhere)."""
    k = settings.px_per_pt()
    s = size_pt * k
    if center is None:
        center = QPointF(settings.width_px - 14 * k - s / 2, 14 * k + s / 2)
    cx, cy = center.x(), center.y()
    left = QPainterPath()
    left.moveTo(cx, cy - s / 2)
    left.lineTo(cx - s / 4, cy + s / 2)
    left.lineTo(cx, cy + s / 4)
    left.closeSubpath()
    right = QPainterPath()
    right.moveTo(cx, cy - s / 2)
    right.lineTo(cx + s / 4, cy + s / 2)
    right.lineTo(cx, cy + s / 4)
    right.closeSubpath()
    p.save()
    p.setPen(QPen(QColor("#222222"), 0.8 * k))
    p.setBrush(QColor("#222222"))
    p.drawPath(left)
    p.setBrush(QColor("#ffffff"))
    p.drawPath(right)
    font = ui_font(9, bold=True)
    font.setPixelSize(max(1, round(9 * k)))
    p.setFont(font)
    fm = QFontMetricsF(font)
    p.setPen(QColor("#222222"))
    p.drawText(QPointF(cx - fm.horizontalAdvance("N") / 2, cy - s / 2 - 2 * k), "N")
    p.restore()


def paint_attribution(p: QPainter, settings: MapSettings, text: str) -> None:
    """Small text at the bottom-right on a translucent white band."""
    if not text:
        return
    k = settings.px_per_pt()
    font = ui_font(7)
    font.setPixelSize(max(1, round(7 * k)))
    fm = QFontMetricsF(font)
    w = fm.horizontalAdvance(text)
    h = fm.height()
    x = settings.width_px - w - 4 * k
    y = settings.height_px - h - 2 * k
    p.save()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(255, 255, 255, 200))
    p.drawRect(QRectF(x - 3 * k, y - 1 * k, w + 6 * k, h + 3 * k))
    p.setFont(font)
    p.setPen(QColor("#333333"))
    p.drawText(QPointF(x, y + fm.ascent()), text)
    p.restore()


# ---- legend ------------------------------------------------------------------------------
@dataclass
class LegendItem:
    """One legend row.

    ``kind``: ``"header"`` (a layer name), ``"symbol"`` (a colour swatch in the layer's
    geometry type: ``shape`` is ``"point"``, ``"line"``, ``"polygon"`` or ``"wedge"``) or
    ``"ramp"`` (a continuous colour ramp from ``vmin`` to ``vmax`` in ``units``).
    """

    kind: str
    label: str
    layer_id: str = ""
    color: str = ""
    stroke_color: str = ""
    shape: str = "point"
    marker: str = "circle"
    ramp: list[str] = field(default_factory=list)
    vmin: float | None = None
    vmax: float | None = None
    units: str = ""
    note: str = ""


def _layer_shape(layer, frame) -> str:
    if frame is None or len(frame) == 0:
        return "point"
    try:
        t = str(frame.geometry.iloc[:200].geom_type.mode().iloc[0])
    except Exception:
        return "point"
    if "Polygon" in t:
        return "polygon"
    if "Line" in t:
        return "line"
    return "point"


#: Units read from a field name's suffix (mapdesk names say their units: ``dbh_cm``).
_SUFFIX_UNITS = (
    ("_per_km2", "per km²"), ("per_km2", "per km²"), ("_km2", "km²"), ("_m2", "m²"), ("_km", "km"),
    ("_cm", "cm"), ("_mm", "mm"), ("_m", "m"), ("_pct", "%"), ("_percent", "%"), ("_deg", "°"),
    ("_years", "years"), ("_days", "days"), ("_hours", "h"), ("_h", "h"), ("_min", "min"),
)
_FIELD_UNITS = {"age_years": "years"}
#: Analysis parameters shown under a raster result's colour ramp, in this order.
RASTER_PARAMS = ("bandwidth_m", "cell_m", "kernel", "period", "filter")


def field_units(frame, field: str | None, style=None) -> str:
    """The units of ``field``: the style's ``units``, the frame's ``attrs["units"][field]``,
    or what the field name says (``dbh_cm`` -> ``cm``, ``density_per_km2`` -> ``per km²``)."""
    explicit = getattr(style, "units", None)
    if explicit:
        return str(explicit)
    attrs = getattr(frame, "attrs", None) or {}
    units = attrs.get("units")
    if isinstance(units, dict) and field in units:
        return str(units[field])
    name = (field or "").lower()
    if name in _FIELD_UNITS:
        return _FIELD_UNITS[name]
    for suffix, unit in _SUFFIX_UNITS:
        if name.endswith(suffix):
            return unit
    return ""


def _param_text(key: str, value) -> str:
    if key in ("bandwidth_m", "cell_m"):
        try:
            return f"{key.removesuffix('_m')} {float(value):g} m"
        except (TypeError, ValueError):
            return f"{key.removesuffix('_m')} {value} m"
    return f"{key} {value}"


def raster_note(grid, lang: str = "en") -> str:
    """The parameters of a raster result that a reader needs (bandwidth, cell, kernel,
    period, filter), for the legend line under its ramp."""
    params = dict(getattr(grid, "params", None) or {})
    if "cell_m" not in params and getattr(grid, "cell_m", None):
        params["cell_m"] = grid.cell_m
    parts = [_param_text(k, params[k]) for k in RASTER_PARAMS if params.get(k) not in (None, "")]
    return " · ".join(parts)


def legend_items(project, lang: str = "en") -> list[LegendItem]:
    """Legend rows for the project's visible, loaded layers, top layer first.

    Graduated classes read ``low – high units``; a raster result is a ramp from its minimum
    to its maximum in the grid's ``units``, with a note of its parameters; a camera layer
    with field-of-view wedges gets a wedge row.
    """
    from mapdesk.render.cache import DEFAULT_CACHE

    items: list[LegendItem] = []
    for layer in reversed(list(project.layers)):
        if not getattr(layer, "visible", True) or getattr(layer, "status", "ok") != "ok":
            continue
        style = layer.style
        if getattr(layer, "kind", "vector") == "raster":
            grid = getattr(layer, "raster", None)
            if grid is None:
                continue
            vals = np.asarray(grid.values, dtype=float)
            fin = vals[np.isfinite(vals)]
            vmin = style.vmin if getattr(style, "vmin", None) is not None else (float(fin.min()) if fin.size else 0.0)
            vmax = style.vmax if getattr(style, "vmax", None) is not None else (float(fin.max()) if fin.size else 1.0)
            units = getattr(grid, "units", "") or ""
            items.append(LegendItem("header", layer.name, layer.id))
            items.append(LegendItem("ramp", units, layer.id,
                                    ramp=palettes.ramp(getattr(style, "ramp", None) or "YlOrRd", 7),
                                    vmin=vmin, vmax=vmax, units=units, note=raster_note(grid, lang)))
            continue
        frame = layer.filtered_frame()
        shape = _layer_shape(layer, frame)
        marker = getattr(style, "marker", "circle") or "circle"
        stroke = getattr(style, "stroke_color", "") or ""
        kind = getattr(style, "kind", "single")
        wedge = bool(getattr(style, "wedge", False))
        if kind in ("categorized", "graduated") and frame is not None:
            sym = DEFAULT_CACHE.symbology(layer, frame)
            items.append(LegendItem("header", layer.name, layer.id))
            present = set(np.unique(sym.codes).tolist()) if sym.codes.size else set()
            cats = list(getattr(style, "categories", []) or [])
            units = ""
            if kind == "graduated":
                from mapdesk.render.symbols import resolve_field

                col = resolve_field(frame, getattr(style, "field", None), getattr(layer, "field_map", None))
                units = field_units(frame, col or getattr(style, "field", None), style)
            for i, (color, label) in enumerate(zip(sym.colors, sym.labels, strict=True)):
                extra = i >= (len(cats) if kind == "categorized" else len(sym.colors) - 1)
                if kind == "categorized" and i < len(cats) and not getattr(cats[i], "visible", True):
                    continue
                if extra and i not in present:
                    continue  # "other" / "no data" only when such features exist
                if kind == "categorized" and i < len(cats):
                    text = category_label(getattr(layer, "role", ""), cats[i].value, label, lang)
                else:
                    text = tr(label, lang)
                if units and not extra and text:
                    text = f"{text} {units}"
                items.append(LegendItem("symbol", text, layer.id, color=color,
                                        stroke_color=stroke, shape=shape, marker=marker, units=units))
            if wedge:
                items.append(_wedge_item(layer, palettes.CAMERA_WEDGE_COLOR, lang))
        else:
            items.append(LegendItem("symbol", layer.name, layer.id, color=style.color,
                                    stroke_color=stroke, shape=shape, marker=marker))
            if wedge:
                items.append(_wedge_item(layer, style.color, lang))
    return items


def _wedge_item(layer, color: str, lang: str) -> LegendItem:
    label = "监控视域" if lang.startswith("zh") else "field of view"
    return LegendItem("symbol", label, layer.id, color=color, shape="wedge")


def _fmt(v) -> str:
    if v is None:
        return ""
    v = float(v)
    if abs(v) >= 100 or v.is_integer():
        return f"{v:,.0f}"
    return f"{v:.2g}" if abs(v) < 1 else f"{v:.1f}"


def paint_legend(painter: QPainter, rect: QRectF, items: list[LegendItem], columns: int | None = None,
                 *, dpi: float = 96.0, font_pt: float = 8.0) -> list[LegendItem]:
    """Draw ``items`` into ``rect`` (painter units = device pixels at ``dpi``).

    Items flow top to bottom, then into the next column; ``columns=None`` uses as many
    columns as the rect's width allows. Returns the items that did not fit.
    """
    k = dpi / 72.0
    font = ui_font(font_pt)
    font.setPixelSize(max(1, round(font_pt * k)))
    bold = ui_font(font_pt, bold=True)
    bold.setPixelSize(max(1, round(font_pt * k)))
    fm, fmb = QFontMetricsF(font), QFontMetricsF(bold)
    sw = 12 * k                      # swatch width
    gap = 4 * k
    row_h = max(fm.height(), sw) + 2 * k

    def height(it: LegendItem) -> float:
        if it.kind == "ramp":
            return row_h * (2.6 if it.note else 2.0)
        if it.kind == "header":
            return fmb.height() + 3 * k
        return row_h

    def width(it: LegendItem) -> float:
        if it.kind == "header":
            return fmb.horizontalAdvance(it.label)
        if it.kind == "ramp":
            return max(60 * k, fm.horizontalAdvance(f"{_fmt(it.vmax)} {it.units}") * 2, fm.horizontalAdvance(it.note))
        return sw + gap + fm.horizontalAdvance(it.label)

    col_w = max((width(it) for it in items), default=0) + 10 * k
    ncols = columns or max(1, int(rect.width() // col_w) if col_w > 0 else 1)
    col_w = min(col_w, rect.width() / ncols) if columns else col_w
    painter.save()
    x, y, col = rect.left(), rect.top(), 0
    left_over: list[LegendItem] = []
    for n, it in enumerate(items):
        h = height(it)
        if y + h > rect.bottom() + 0.5:
            col += 1
            x, y = rect.left() + col * col_w, rect.top()
            if col >= ncols or y + h > rect.bottom() + 0.5:
                left_over = items[n:]
                break
        _paint_item(painter, it, x, y, col_w, row_h, sw, gap, k, font, bold, fm, fmb)
        y += h
    painter.restore()
    return left_over


def _paint_item(p, it, x, y, col_w, row_h, sw, gap, k, font, bold, fm, fmb) -> None:
    if it.kind == "header":
        p.setFont(bold)
        p.setPen(QColor("#111111"))
        p.drawText(QPointF(x, y + fmb.ascent() + k), it.label)
        return
    if it.kind == "ramp":
        bar = QRectF(x, y + 2 * k, min(col_w - 10 * k, 100 * k), row_h * 0.6)
        grad = QLinearGradient(bar.topLeft(), bar.topRight())
        for i, c in enumerate(it.ramp):
            grad.setColorAt(i / max(1, len(it.ramp) - 1), QColor(c))
        p.setPen(QPen(QColor("#555555"), 0.5 * k))
        p.setBrush(QBrush(grad))
        p.drawRect(bar)
        p.setFont(font)
        p.setPen(QColor("#222222"))
        ty = bar.bottom() + fm.ascent() + k
        p.drawText(QPointF(bar.left(), ty), _fmt(it.vmin))
        hi = f"{_fmt(it.vmax)} {it.units}".strip()
        p.drawText(QPointF(bar.right() - fm.horizontalAdvance(hi), ty), hi)
        if it.note:
            p.setPen(QColor("#555555"))
            p.drawText(QPointF(bar.left(), ty + fm.height()), it.note)
        return
    cy = y + row_h / 2
    c = QColor(it.color or "#888888")
    p.setPen(QPen(QColor(it.stroke_color or "#333333"), 0.6 * k))
    if it.shape == "polygon":
        p.setBrush(c)
        p.drawRect(QRectF(x, cy - sw * 0.35, sw, sw * 0.7))
    elif it.shape == "line":
        p.setPen(QPen(c, 2 * k))
        p.drawLine(QPointF(x, cy), QPointF(x + sw, cy))
    elif it.shape == "wedge":
        wc = QColor(c)
        wc.setAlphaF(0.35)
        p.setBrush(wc)
        p.setPen(QPen(c, 0.6 * k))
        path = QPainterPath()
        path.moveTo(x + sw / 2, cy + sw / 2)
        path.arcTo(QRectF(x - sw / 2, cy - sw / 2, sw * 2, sw * 2), 60, 60)
        path.closeSubpath()
        p.drawPath(path)
    else:
        p.setBrush(c)
        d = sw * 0.7
        if it.marker == "circle":
            p.drawEllipse(QPointF(x + sw / 2, cy), d / 2, d / 2)
        else:
            pts = marker_outline(it.marker) * d
            path = QPainterPath()
            path.moveTo(x + sw / 2 + pts[0, 0], cy + pts[0, 1])
            for px_, py_ in pts[1:]:
                path.lineTo(x + sw / 2 + px_, cy + py_)
            path.closeSubpath()
            p.drawPath(path)
    p.setFont(font)
    p.setPen(QColor("#222222"))
    p.drawText(QPointF(x + sw + gap, cy - fm.height() / 2 + fm.ascent()), it.label)
