"""Drawing a database layer that stays on the server (see :mod:`mapdesk.model.remote`).

The render job calls :func:`paint_remote_layer` in its own thread (the canvas's render worker,
or the command line's main thread): the layer's :class:`~mapdesk.model.remote.RemoteTable`
fetches the view — server grid counts or the visible features — and the result is painted with
the ordinary raster or vector painters, plus a small legend for the density
("incidents per cell, server aggregation, cell N m") so the map says what it shows.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QLinearGradient, QPainter, QPen

from mapdesk.render import palettes
from mapdesk.render.fonts import ui_font
from mapdesk.render.painters import (
    LayerReport,
    PaintContext,
    paint_raster_layer,
    paint_vector_layer,
)

#: The density ramp when the layer's style has none.
DENSITY_RAMP = "YlOrRd"
#: Language of the on-map density legend ("en" or "zh"; the GUI follows its UI language).
LEGEND_LANG = "en"


class _ViewLayer:
    """What the painters read, for one fetched view of a remote layer."""

    def __init__(self, layer, view) -> None:
        self.id = f"{getattr(layer, 'id', '')}:view"
        self.name = getattr(layer, "name", "")
        self.data_version = view.serial
        self.frame_version = view.serial
        self.opacity = float(getattr(layer, "opacity", 1.0))
        self.role = getattr(layer, "role", "generic")
        self.field_map = dict(getattr(layer, "field_map", None) or {})
        self.selection = None
        self._frame = view.frame
        self.raster = view.grid
        st = getattr(layer, "style", None)
        if view.grid is not None:
            from mapdesk.model.style import Style

            ramp = getattr(st, "ramp", None) or DENSITY_RAMP
            self.style = Style(kind="raster", ramp=ramp)
        else:
            self.style = st

    def filtered_frame(self):
        return self._frame

    @property
    def frame(self):
        return self._frame


def remote_filter_of(layer) -> tuple[str, object, str]:
    """``(key, SqlWhere or None, error)`` for a snapshot or a live layer."""
    got = getattr(layer, "remote_filter", None)
    if got is not None:
        return got[0], got[1], getattr(layer, "remote_error", "")
    try:
        key, where = layer.remote.sql_filter(getattr(layer, "filter", None), getattr(layer, "field_map", {}))
        return key, where, ""
    except Exception as exc:
        return "", None, str(exc)


def paint_remote_layer(ctx: PaintContext, layer, report: LayerReport) -> None:
    """Fetch the view of a remote layer from its server and paint it (raises when the server
    is unreachable: the job reports the layer as not drawn with the message)."""
    remote = layer.remote
    key, where, ferr = remote_filter_of(layer)
    s = ctx.settings
    view = remote.fetch(s.extent, filter_key=key, where=where, width_px=s.width_px, cancel=ctx.cancel)
    report.timings_ms["server"] = view.elapsed_ms
    proxy = _ViewLayer(layer, view)
    if view.grid is not None:
        paint_raster_layer(ctx, proxy, report)
        report.mode = "server-density"
        report.n_features = int(view.total or 0)
        report.n_visible = int(view.total or 0)
        if report.drawn and not ctx.cancel():
            paint_density_legend(ctx, layer, view)
    else:
        paint_vector_layer(ctx, proxy, report)
        if not report.drawn and report.message == "no features":
            report.drawn = True
            report.mode = "exact"
        report.mode = f"server-{report.mode or 'points'}"
        if view.truncated:
            report.message = f"row limit reached: {len(view.frame):,} of {view.total:,}"
    if ferr:
        report.message = (report.message + "; " if report.message else "") + \
            f"filter not applied on the server: {ferr}"


def density_legend_lines(layer, view, lang: str = "en") -> list[str]:
    """Title and note lines of a server-density legend."""
    g = view.grid
    zh = lang.startswith("zh")
    units = g.units
    if zh:
        from mapdesk.model.remote import role_units

        units = role_units(getattr(layer, "role", "generic"), "zh")
        return [f"{getattr(layer, 'name', '')}: {units}", f"服务器端聚合，格网 {_m(g.cell_m)}",
                f"视图内 {g.total:,} 个"]
    return [f"{getattr(layer, 'name', '')}: {units}",
            f"server aggregation, cell {_m(g.cell_m)}", f"{g.total:,} in view"]


def _m(v: float) -> str:
    return f"{v / 1000:g} km" if v >= 1000 else f"{v:g} m"


def paint_density_legend(ctx: PaintContext, layer, view, lang: str | None = None) -> None:
    """A compact ramp legend in the map's top-left corner."""
    g = view.grid
    vals = np.asarray(g.values, dtype=float)
    fin = vals[np.isfinite(vals)]
    if fin.size == 0:
        return
    lo, hi = float(fin.min()), float(fin.max())
    if lang is None:
        lang = LEGEND_LANG
    lines = density_legend_lines(layer, view, lang)
    p: QPainter = ctx.painter
    scale = ctx.settings.dpi / 96.0
    font = ui_font(8.0)  # points: the device's resolution scales it
    p.save()
    try:
        p.setFont(font)
        fm = QFontMetricsF(font)
        pad = 6 * scale
        line_h = fm.height()
        bar_w, bar_h = 120 * scale, 9 * scale
        w = max(max(fm.horizontalAdvance(t) for t in lines), bar_w) + 2 * pad
        h = pad * 2 + line_h * (len(lines) + 1) + bar_h + 2 * scale
        box = QRectF(8 * scale, 8 * scale, w, h)
        p.setPen(QPen(QColor(0, 0, 0, 90), 1))
        p.setBrush(QColor(255, 255, 255, 225))
        p.drawRoundedRect(box, 3 * scale, 3 * scale)
        p.setPen(QColor("#222222"))
        y = box.top() + pad
        p.setFont(ui_font(8.0, bold=True))
        p.drawText(QRectF(box.left() + pad, y, w - 2 * pad, line_h), Qt.AlignmentFlag.AlignLeft, lines[0])
        p.setFont(font)
        y += line_h + 2 * scale
        bar = QRectF(box.left() + pad, y, bar_w, bar_h)
        grad = QLinearGradient(bar.topLeft(), bar.topRight())
        colors = palettes.ramp(getattr(getattr(layer, "style", None), "ramp", None) or DENSITY_RAMP, 9)
        for i, c in enumerate(colors):
            grad.setColorAt(i / (len(colors) - 1), QColor(c))
        p.fillRect(bar, grad)
        y += bar_h
        p.drawText(QRectF(bar.left(), y, bar_w, line_h), Qt.AlignmentFlag.AlignLeft, f"{lo:,.0f}")
        p.drawText(QRectF(bar.left(), y, bar_w, line_h), Qt.AlignmentFlag.AlignRight, f"{hi:,.0f}")
        y += line_h
        p.setPen(QColor("#444444"))
        for t in lines[1:]:
            p.drawText(QRectF(box.left() + pad, y, w - 2 * pad, line_h), Qt.AlignmentFlag.AlignLeft, t)
            y += line_h
    finally:
        p.restore()
