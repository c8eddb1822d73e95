"""The render job: map settings + project -> pixels on any paint device.

As in QGIS (``QgsMapRendererJob``), one function paints the screen, a PNG, a PDF page, an SVG
and the printer: the basemap, then the layers bottom to top with their filtered frames and
styles, then the decorations. It reports what it drew and what went wrong instead of raising
for bad data, so the map stays usable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from mapdesk.render.cache import DEFAULT_CACHE, RenderCache
from mapdesk.render.fonts import ensure_fonts, ensure_qt_app
from mapdesk.render.labels import LabelEngine
from mapdesk.render.painters import (
    LayerReport,
    PaintContext,
    paint_raster_layer,
    paint_vector_layer,
)
from mapdesk.render.viewport import MapSettings


@dataclass
class RenderReport:
    """What a frame drew: per-layer reports, basemap tiles, problems, time."""

    layers: list[LayerReport] = field(default_factory=list)
    basemap: str = "none"
    tiles_drawn: int = 0
    tiles_missing: int = 0
    tile_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cancelled: bool = False
    elapsed_ms: float = 0.0
    scale_denominator: float = 0.0

    @property
    def n_invalid(self) -> int:
        return sum(r.n_invalid for r in self.layers)

    def layer(self, layer_id: str) -> LayerReport | None:
        return next((r for r in self.layers if r.id == layer_id), None)

    def summary(self) -> str:
        """A short human-readable account (for the CLI and the status bar)."""
        parts = []
        for r in self.layers:
            if r.drawn:
                s = f"{r.name}: {r.n_visible} in view ({r.mode})"
                if r.n_invalid:
                    s += f", {r.n_invalid} invalid geometries skipped"
                parts.append(s)
            else:
                parts.append(f"{r.name}: not drawn ({r.message or r.mode})")
        if self.tiles_missing or self.tile_errors:
            parts.append(f"basemap {self.basemap}: {self.tiles_missing} tiles missing"
                         + (f" ({self.tile_errors[0]})" if self.tile_errors else ""))
        return "; ".join(parts)


def render_project(project, settings: MapSettings, painter: QPainter, *, decorations: bool = True,
                   cancel: Callable[[], bool] | None = None, basemap: bool | object = True,
                   cache: RenderCache | None = None, selection: dict | None = None,
                   background: bool = True, tile_wait_s: float | None = None) -> RenderReport:
    """Paint ``project`` at ``settings`` with an active ``painter``.

    The map occupies ``(0, 0)``-``(settings.width_px, settings.height_px)`` in the painter's
    current coordinates (translate/scale the painter first to place it on a page).

    Parameters
    ----------
    decorations
        Scale bar, north arrow and attribution.
    cancel
        Polled between layers and inside long loops; a true result stops the frame.
    basemap
        ``True``: the project's basemap; ``False``: none; or a ready source object from
        :func:`mapdesk.render.basemaps.basemap_source`.
    selection
        ``{layer_id: row positions in the filtered frame}`` to highlight.
    tile_wait_s
        How long to wait for online tiles that are not cached (``None``: a headless default;
        the canvas passes 0 and repaints when they arrive).
    """
    ensure_qt_app()
    ensure_fonts()
    t0 = time.perf_counter()
    cancel = cancel or (lambda: False)
    cache = cache or DEFAULT_CACHE
    report = RenderReport(scale_denominator=settings.scale_denominator())
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        map_rect = QRectF(0, 0, settings.width_px, settings.height_px)
        painter.setClipRect(map_rect, _intersect_clip(painter))
        if background:
            painter.fillRect(map_rect, QColor(settings.background))
        labels = LabelEngine(settings.width_px, settings.height_px)
        ctx = PaintContext(settings=settings, painter=painter, cache=cache, cancel=cancel,
                           base=painter.transform(), selection=selection, labels=labels)
        if basemap is not False:
            from mapdesk.render.basemaps import paint_basemap

            paint_basemap(ctx, project, report, source=None if basemap is True else basemap,
                          wait_s=tile_wait_s)
        for order, layer in enumerate(list(getattr(project, "layers", []))):
            ctx.layer_order = order
            if cancel():
                report.cancelled = True
                break
            lr = LayerReport(id=str(getattr(layer, "id", "")), name=str(getattr(layer, "name", "")))
            report.layers.append(lr)
            if not getattr(layer, "visible", True):
                lr.mode, lr.message = "skipped", "hidden"
                continue
            status = getattr(layer, "status", "ok")
            if status != "ok":
                lr.mode = "skipped"
                lr.message = f"{status}: {getattr(layer, 'error', '')}".strip(": ")
                continue
            lt = time.perf_counter()
            try:
                if getattr(layer, "remote", None) is not None:
                    from mapdesk.render.remote import paint_remote_layer

                    paint_remote_layer(ctx, layer, lr)
                elif getattr(layer, "kind", "vector") == "raster":
                    paint_raster_layer(ctx, layer, lr)
                else:
                    paint_vector_layer(ctx, layer, lr)
            except Exception as exc:  # one bad layer must not blank the whole map
                lr.mode = "skipped"
                lr.message = f"error: {type(exc).__name__}: {exc}"
                report.warnings.append(f"layer {lr.name!r} could not be drawn: {exc}")
            lr.timings_ms["paint"] = (time.perf_counter() - lt) * 1000
            if lr.n_invalid:
                report.warnings.append(f"layer {lr.name!r}: {lr.n_invalid} invalid geometries skipped")
        if not report.cancelled:
            # Labels of every layer, placed in one pass (top layer first) above all layers.
            labels.draw(painter)
        if cancel():
            report.cancelled = True
        if decorations and not report.cancelled:
            paint_decorations(painter, settings, project, report)
    finally:
        painter.restore()
    report.elapsed_ms = (time.perf_counter() - t0) * 1000
    return report


def _intersect_clip(painter: QPainter):
    from PySide6.QtCore import Qt

    return Qt.ClipOperation.IntersectClip if painter.hasClipping() else Qt.ClipOperation.ReplaceClip


def paint_decorations(painter: QPainter, settings: MapSettings, project, report: RenderReport) -> None:
    """Scale bar (bottom-left), north arrow (top-right) and attribution (bottom-right)."""
    from mapdesk.render.decorations import paint_attribution, paint_north_arrow, paint_scale_bar

    paint_scale_bar(painter, settings)
    paint_north_arrow(painter, settings)
    paint_attribution(painter, settings, attribution_text(project))


def attribution_text(project) -> str:
    bm = getattr(project, "basemap", None) or {}
    parts = []
    if bm.get("kind", "none") != "none" and bm.get("attribution"):
        parts.append(str(bm["attribution"]))
    if getattr(project, "is_synthetic", False):
        parts.append("Synthetic sample data")
    return " | ".join(parts)


def render_image(project, settings: MapSettings, **kwargs) -> QImage:
    """Render ``project`` into a new ``QImage`` (ARGB32 premultiplied) at ``settings``.

    Keyword arguments go to :func:`render_project`. To also get the
    :class:`RenderReport`, use :func:`render_image_with_report`.
    """
    return render_image_with_report(project, settings, **kwargs)[0]


def render_image_with_report(project, settings: MapSettings, **kwargs) -> tuple[QImage, RenderReport]:
    """Like :func:`render_image`, returning ``(image, report)``; the image's DPI is set."""
    ensure_qt_app()
    img = QImage(settings.width_px, settings.height_px, QImage.Format.Format_ARGB32_Premultiplied)
    dpm = round(settings.dpi / 0.0254)
    img.setDotsPerMeterX(dpm)
    img.setDotsPerMeterY(dpm)
    # QImage.fill releases the GIL (a painter fill would not): fill here, not in the job.
    img.fill(QColor(settings.background) if kwargs.get("background", True) else QColor(0, 0, 0, 0))
    kwargs["background"] = False
    painter = QPainter(img)
    try:
        report = render_project(project, settings, painter, **kwargs)
    finally:
        painter.end()
    return img, report
