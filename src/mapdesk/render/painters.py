"""Layer painters: points (exact or rasterised), lines, polygons, wedges, rasters; label
candidates go to the frame's :class:`~mapdesk.render.labels.LabelEngine`.

Painting happens in the painter's current coordinate system, where ``(0, 0)`` to
``(settings.width_px, settings.height_px)`` is the map area (the export module translates or
scales the painter to place the map on a page). Points are placed in pixels computed with
numpy; lines and polygons are cached Qt shapes in layer-local coordinates drawn through a
world transform, so a frame costs one Qt call per visible shape and no Python per vertex;
from :data:`BATCH_POLYGONS` polygons in view on raster output, one path per class.

A semi-transparent layer is painted opaque into its own image and composited once on raster
output (overlaps within the layer do not darken); vector output keeps per-feature opacity.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QPaintEngine,
    QPainter,
    QPen,
    QPolygonF,
    QTransform,
)

from mapdesk.render import nogil, palettes
from mapdesk.render.cache import LayerGeometry, RenderCache, ShapeSet, frame_of, lazy_filtered_frame
from mapdesk.render.fonts import ui_font
from mapdesk.render.labels import MAX_LABEL_CANDIDATES, LabelEngine, LabelGrid, LabelSet
from mapdesk.render.qtarrays import draw_image_banded, path_from_rings, polygon_from_xy
from mapdesk.render.rasterizer import EXACT_POINT_LIMIT, rasterize_points, result_to_qimage
from mapdesk.render.symbols import MARKERS, Symbology, marker_outline, resolve_field
from mapdesk.render.viewport import MapSettings

#: From this many polygons in view, raster output draws them as one path per class.
BATCH_POLYGONS = 1000


@dataclass
class LayerReport:
    """What happened to one layer in a frame."""

    id: str
    name: str
    drawn: bool = False
    mode: str = ""                 # "exact", "raster", "raster-grid", "skipped"
    n_features: int = 0            # rows of the filtered frame
    n_visible: int = 0             # features (or points) inside the view
    n_invalid: int = 0             # skipped: invalid geometry
    n_empty: int = 0               # skipped: missing / empty geometry
    n_labels: int = 0
    message: str = ""
    timings_ms: dict = field(default_factory=dict)


@dataclass
class PaintContext:
    settings: MapSettings
    painter: QPainter
    cache: RenderCache
    cancel: Callable[[], bool]
    base: QTransform
    selection: dict | None = None
    labels: LabelEngine | None = None   # collects labels for the end of the frame
    layer_order: int = 0                # position of the layer being painted (bottom = 0)

    @property
    def px_per_pt(self) -> float:
        return self.settings.px_per_pt()

    @property
    def base_scale(self) -> float:
        """Device pixels per map-area pixel (the export may scale the painter)."""
        return math.sqrt(abs(self.base.determinant())) or 1.0

    def world_transform(self, origin: tuple[float, float]) -> QTransform:
        """Local (map - origin) coordinates to the painter's map-area pixels."""
        minx, _, _, maxy = self.settings.extent
        k = 1.0 / self.settings.units_per_pixel
        ox, oy = origin
        return QTransform(k, 0.0, 0.0, -k, (ox - minx) * k, (maxy - oy) * k) * self.base


def qcolor(hex_color: str | None, alpha: float = 1.0, default: str = "#000000") -> QColor:
    c = QColor(hex_color or default)
    if not c.isValid():
        c = QColor(default)
    c.setAlphaF(max(0.0, min(1.0, float(alpha))))
    return c


def _pen(color: QColor, width_px: float, cap=Qt.PenCapStyle.RoundCap) -> QPen:
    pen = QPen(color)
    pen.setWidthF(max(0.0, width_px))
    pen.setCapStyle(cap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _map_pen(ctx: PaintContext, color: QColor, width_px: float) -> QPen:
    """A pen for shapes drawn through a world transform: cosmetic (width in device pixels),
    which Qt strokes ~5x faster than a transformed thin pen."""
    pen = _pen(color, width_px * ctx.base_scale)
    pen.setCosmetic(True)
    return pen


def _visible_shapes(shapes: ShapeSet, settings: MapSettings, pad: float = 0.0) -> np.ndarray:
    minx, miny, maxx, maxy = settings.extent
    b = shapes.bbox
    return np.flatnonzero((b[:, 2] >= minx - pad) & (b[:, 0] <= maxx + pad)
                          & (b[:, 3] >= miny - pad) & (b[:, 1] <= maxy + pad))


# ---- vector layers -----------------------------------------------------------------------
def paint_vector_layer(ctx: PaintContext, layer, report: LayerReport) -> None:
    # the filtered frame is made only if something below needs its rows (not for points)
    n, frame = lazy_filtered_frame(layer)
    report.n_features = n
    if frame is None or n == 0:
        report.mode = "skipped"
        report.message = "no features" if frame is not None else "no data"
        return
    geom = ctx.cache.geometry(layer, frame)
    report.n_invalid = geom.arrays.n_invalid
    report.n_empty = geom.arrays.n_empty
    sym = ctx.cache.symbology(layer, frame)
    opacity = max(0.0, min(1.0, float(getattr(layer, "opacity", 1.0))))
    p = ctx.painter
    if opacity < 0.999 and _can_composite(ctx):
        # Raster output: the layer is painted opaque into its own transparent image, which is
        # then drawn once at the layer's opacity, so overlapping features of one layer do not
        # darken each other (QGIS's layer opacity).
        layer_ctx, img, origin = _layer_canvas(ctx)
        try:
            _paint_vector_content(layer_ctx, layer, frame, geom, sym, report)
        finally:
            layer_ctx.painter.end()
        p.save()
        p.resetTransform()
        p.setOpacity(opacity)
        draw_image_banded(p, origin[0], origin[1], img)
        p.restore()
    else:
        # Vector output (PDF/SVG/printer) keeps per-feature opacity: Qt's PDF engine has no
        # cheap group transparency (it would rasterise the layer), and a vector map must stay
        # vector. Overlaps of one semi-transparent layer are darker there.
        p.save()
        try:
            p.setOpacity(opacity)
            _paint_vector_content(ctx, layer, frame, geom, sym, report)
        finally:
            p.restore()
    report.mode = report.mode or "exact"
    report.drawn = True


def _can_composite(ctx: PaintContext) -> bool:
    """True when the painter draws pixels (a QImage) and is not rotated or sheared."""
    eng = ctx.painter.paintEngine()
    return (eng is not None and eng.type() == QPaintEngine.Type.Raster
            and ctx.base.type().value <= QTransform.TransformationType.TxScale.value)


def _layer_canvas(ctx: PaintContext) -> tuple[PaintContext, QImage, tuple[float, float]]:
    """A transparent ARGB32 premultiplied image over the map area (in device pixels), a
    painter on it set up like ``ctx.painter``, and the image's device position."""
    s = ctx.settings
    dev = ctx.base.mapRect(QRectF(0, 0, s.width_px, s.height_px))
    x0, y0 = math.floor(dev.left()), math.floor(dev.top())
    w = max(1, math.ceil(dev.right()) - x0)
    h = max(1, math.ceil(dev.bottom()) - y0)
    img = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(0)
    lp = QPainter(img)
    lp.setRenderHints(ctx.painter.renderHints())
    base = ctx.base * QTransform.fromTranslate(-x0, -y0)
    lp.setTransform(base)
    layer_ctx = PaintContext(settings=s, painter=lp, cache=ctx.cache, cancel=ctx.cancel, base=base,
                             selection=ctx.selection, labels=ctx.labels, layer_order=ctx.layer_order)
    return layer_ctx, img, (float(x0), float(y0))


def _paint_vector_content(ctx: PaintContext, layer, frame, geom: LayerGeometry, sym: Symbology,
                          report: LayerReport) -> None:
    style = layer.style
    if geom.polygons is not None:
        report.n_visible += _paint_polygons(ctx, geom.polygons, sym, style)
    if geom.lines is not None and not ctx.cancel():
        report.n_visible += _paint_lines(ctx, geom.lines, sym, style)
    if getattr(style, "wedge", False) and geom.arrays.point_x.size and not ctx.cancel():
        wedges = ctx.cache.wedges(layer, frame_of(frame), geom)
        if wedges is not None:
            _paint_wedges(ctx, wedges, sym, style)
    sel = _selection_rows(ctx, layer)
    if sel is not None and sel.size and geom.arrays.point_x.size:
        _paint_selection(ctx, geom, sel, frame, style, points=True)   # a halo under the symbol
    if geom.arrays.point_x.size and not ctx.cancel():
        n, mode = _paint_points(ctx, geom, sym, style)
        report.n_visible += n
        report.mode = mode
    if sel is not None and sel.size and not ctx.cancel():
        _paint_selection(ctx, geom, sel, frame, style, points=False)
    if getattr(style, "label_field", None) and not ctx.cancel():
        _collect_labels(ctx, geom, sym, frame, layer, report)


def _paint_polygons(ctx: PaintContext, shapes: ShapeSet, sym: Symbology, style) -> int:
    p = ctx.painter
    vis = _visible_shapes(shapes, ctx.settings)
    if vis.size == 0:
        return 0
    codes = sym.codes[shapes.row[vis]]
    keep = codes >= 0
    vis, codes = vis[keep], codes[keep]
    fill_alpha = float(getattr(style, "fill_opacity", 1.0))
    n_drawn = int(vis.size)
    # Polygons smaller than a pixel (a fine grid at a small scale) become one-pixel dots:
    # one Qt call per class instead of one per polygon, and they look the same.
    upp = ctx.settings.units_per_pixel
    b = shapes.bbox[vis]
    tiny = ((b[:, 2] - b[:, 0]) < upp) & ((b[:, 3] - b[:, 1]) < upp)
    if tiny.any():
        cx, cy = ctx.settings.map_to_pixel((b[tiny, 0] + b[tiny, 2]) / 2, (b[tiny, 1] + b[tiny, 3]) / 2)
        tcodes = codes[tiny]
        for c in np.unique(tcodes).tolist():
            m = tcodes == c
            p.setPen(_pen(qcolor(sym.colors[c], max(fill_alpha, 0.5)), 1.5 * ctx.base_scale,
                          Qt.PenCapStyle.SquareCap))
            p.drawPoints(polygon_from_xy(cx[m], cy[m]))
        vis, codes = vis[~tiny], codes[~tiny]
        if vis.size == 0:
            return n_drawn
    stroke_pt = float(getattr(style, "stroke_width", 0.5) or 0.0)
    if vis.size >= BATCH_POLYGONS and _can_composite(ctx):
        _paint_polygons_batched(ctx, shapes, sym, style, vis, codes, fill_alpha, stroke_pt)
        return n_drawn
    # One brush change per class instead of one per polygon.
    order = np.argsort(codes, kind="stable")
    vis, codes = vis[order], codes[order]
    brushes = [QBrush(qcolor(c, fill_alpha)) for c in sym.colors]
    p.setTransform(ctx.world_transform(shapes.origin))
    stroke_pen = (_map_pen(ctx, qcolor(getattr(style, "stroke_color", None), 1.0,
                                       palettes.DEFAULT_STROKE_COLOR), stroke_pt * ctx.px_per_pt)
                  if stroke_pt > 0 else None)
    shape_list = shapes.shapes
    any_path = bool(shapes.is_path.any())
    draw_polygon, draw_path = p.drawPolygon, p.drawPath

    def draw_all(idx_all: np.ndarray, class_codes: np.ndarray | None) -> bool:
        # Runs of one class: one brush change, then a tight loop of Qt calls.
        if class_codes is not None:
            cuts = np.flatnonzero(np.diff(class_codes)) + 1
            runs = zip(np.r_[0, cuts].tolist(), np.r_[cuts, class_codes.size].tolist(), strict=True)
        else:
            runs = [(0, idx_all.size)]
        for a, b in runs:
            if class_codes is not None:
                p.setBrush(brushes[int(class_codes[a])])
            for c0 in range(a, b, 2048):
                idx = idx_all[c0:min(b, c0 + 2048)].tolist()
                if any_path:
                    for i in idx:
                        shp = shape_list[i]
                        if isinstance(shp, QPolygonF):
                            draw_polygon(shp)
                        else:
                            draw_path(shp)
                else:
                    for i in idx:
                        draw_polygon(shape_list[i])
                if ctx.cancel():
                    return False
        return True

    if stroke_pen is None:
        p.setPen(Qt.PenStyle.NoPen)
        draw_all(vis, codes)
    else:
        # Outlined polygons: fill without antialiasing (half the cost, and no seams between
        # neighbouring cells), then antialiased outlines, which smooth the fill's edges.
        p.setPen(Qt.PenStyle.NoPen)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        ok = draw_all(vis, codes)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if ok:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(stroke_pen)
            draw_all(vis, None)
    p.setTransform(ctx.base)
    return n_drawn


def _concat_ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``np.concatenate([np.arange(a, b) for a, b in zip(starts, ends)])`` without a loop."""
    lens = ends - starts
    total = int(lens.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    shift = np.repeat(starts - np.r_[0, np.cumsum(lens)[:-1]], lens)
    return np.arange(total, dtype=np.int64) + shift


def _rings_path(shapes: ShapeSet, idx: np.ndarray):
    """One winding-fill ``QPainterPath`` (local coordinates) of the shapes ``idx``."""
    rings = _concat_ranges(shapes.shape_rings[idx], shapes.shape_rings[idx + 1])
    r0, r1 = shapes.ring_offsets[rings], shapes.ring_offsets[rings + 1]
    verts = _concat_ranges(r0, r1)
    offsets = np.r_[0, np.cumsum(r1 - r0)]
    return path_from_rings(shapes.ring_x[verts], shapes.ring_y[verts], offsets)


#: Shapes per batched path: where Qt must be called with the GIL held (no
#: :mod:`mapdesk.render.nogil`), a path stays a few milliseconds of work and the GUI thread
#: gets its turn in between; the chunks are also where a cancelled frame stops.
PATH_CHUNK = 2500


def _chunked_paths(shapes: ShapeSet, idx: np.ndarray) -> list:
    return [_rings_path(shapes, idx[a:a + PATH_CHUNK]) for a in range(0, idx.size, PATH_CHUNK)]


def _class_paths(shapes: ShapeSet, idx: np.ndarray, codes: np.ndarray, outline: bool):
    """``([(class code, path of some of its shapes)], [paths of every outline] or None)``."""
    fills = []
    for c in np.unique(codes).tolist():
        fills.extend((int(c), path) for path in _chunked_paths(shapes, idx[codes == c]))
    return fills, (_chunked_paths(shapes, idx) if outline else None)


def _paint_polygons_batched(ctx: PaintContext, shapes: ShapeSet, sym: Symbology, style,
                            vis: np.ndarray, codes: np.ndarray, fill_alpha: float, stroke_pt: float) -> None:
    """Many polygons on a raster device: one path per class, filled opaque (into a layer
    image when the fill is translucent, composited once) and one path of all outlines.

    Qt fills one big opaque path ~2.5x faster than the same polygons one call each, and a
    translucent fill costs twice an opaque one plus a 1-2 ms composite. Overlapping polygons
    of one layer no longer darken each other, as with layer opacity.
    """
    p = ctx.painter
    outline = stroke_pt > 0
    if vis.size * 2 >= len(shapes):
        # Most of the layer is in view: reuse whole-layer paths cached with the symbology
        # (Qt clips the rest); otherwise build paths of the visible shapes for this frame.
        key = ("poly-paths", id(shapes), outline)
        entry = sym.extras.get(key)
        if entry is None or entry[0] is not shapes:
            all_codes = sym.codes[shapes.row]
            keep = np.flatnonzero(all_codes >= 0)
            entry = (shapes, _class_paths(shapes, keep, all_codes[keep], outline))
            sym.extras[key] = entry
        fills, outline_path = entry[1]
    else:
        fills, outline_path = _class_paths(shapes, vis, codes, outline)
    composite = fill_alpha < 0.999
    if composite:
        fctx, img, origin = _layer_canvas(ctx)
        q = fctx.painter
    else:
        fctx, q = ctx, p
    q.save()
    q.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    q.setPen(Qt.PenStyle.NoPen)
    q.setTransform(fctx.world_transform(shapes.origin))
    for c, path in fills:
        if ctx.cancel():
            break
        q.setBrush(QBrush(qcolor(sym.colors[c], 1.0)))
        nogil.draw_path(q, path)
    q.restore()
    if composite:
        q.end()
        p.save()
        p.resetTransform()
        p.setOpacity(p.opacity() * fill_alpha)
        draw_image_banded(p, origin[0], origin[1], img)
        p.restore()
    if outline_path is not None and not ctx.cancel():
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setTransform(ctx.world_transform(shapes.origin))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(_map_pen(ctx, qcolor(getattr(style, "stroke_color", None), 1.0,
                                      palettes.DEFAULT_STROKE_COLOR), stroke_pt * ctx.px_per_pt))
        for path in outline_path:
            if ctx.cancel():
                break
            nogil.draw_path(p, path)
        p.restore()


def _paint_lines(ctx: PaintContext, shapes: ShapeSet, sym: Symbology, style) -> int:
    p = ctx.painter
    vis = _visible_shapes(shapes, ctx.settings)
    if vis.size == 0:
        return 0
    codes = sym.codes[shapes.row[vis]]
    keep = codes >= 0
    vis, codes = vis[keep], codes[keep]
    width_pt = float(getattr(style, "stroke_width", 1.0) or 1.0)
    pens = [_map_pen(ctx, qcolor(c), width_pt * ctx.px_per_pt) for c in sym.colors]
    p.setTransform(ctx.world_transform(shapes.origin))
    p.setBrush(Qt.BrushStyle.NoBrush)
    last = -2
    for i, c in zip(vis.tolist(), codes.tolist(), strict=True):
        if c != last:
            p.setPen(pens[c])
            last = c
        shp = shapes.shapes[i]
        if shapes.is_path[i]:
            p.drawPath(shp)
        else:
            p.drawPolyline(shp)
    p.setTransform(ctx.base)
    return int(vis.size)


def _paint_wedges(ctx: PaintContext, wedges: ShapeSet, sym: Symbology, style) -> None:
    p = ctx.painter
    vis = _visible_shapes(wedges, ctx.settings)
    if vis.size == 0:
        return
    codes = sym.codes[wedges.row[vis]]
    p.setTransform(ctx.world_transform(wedges.origin))
    # A camera layer's fill opacity is its wedges' (the marker itself stays opaque).
    alpha = float(getattr(style, "fill_opacity", palettes.WEDGE_FILL_OPACITY))
    alpha = min(alpha, 0.5) if alpha > 0 else palettes.WEDGE_FILL_OPACITY
    brushes = [QBrush(qcolor(c, alpha)) for c in sym.colors]
    pens = [_map_pen(ctx, qcolor(c, 0.7), 0.6 * ctx.px_per_pt) for c in sym.colors]
    for i, c in zip(vis.tolist(), codes.tolist(), strict=True):
        if c < 0:
            continue
        p.setBrush(brushes[c])
        p.setPen(pens[c])
        p.drawPolygon(wedges.shapes[i])
    p.setTransform(ctx.base)


def _paint_points(ctx: PaintContext, geom: LayerGeometry, sym: Symbology, style) -> tuple[int, str]:
    s = ctx.settings
    a = geom.arrays
    marker = getattr(style, "marker", "circle") or "circle"
    size_pt = sym.size_pt
    max_pt = float(np.nanmax(sym.sizes_pt)) if sym.sizes_pt is not None else size_pt
    r_px = max_pt * ctx.px_per_pt / 2 + 1
    px, py = s.map_to_pixel(a.point_x, a.point_y)
    identity = a.point_row.size == sym.codes.size and geom.point_rows_identity
    codes = sym.codes if identity else sym.codes[a.point_row]
    inview = (px > -r_px) & (px < s.width_px + r_px) & (py > -r_px) & (py < s.height_px + r_px)
    if sym.has_hidden:
        inview &= codes >= 0
    n_vis = int(np.count_nonzero(inview))
    if n_vis == 0:
        return 0, "exact"
    if n_vis < px.size:
        idx = np.flatnonzero(inview)
        px, py, codes = px[idx], py[idx], codes[idx]
    else:
        idx = None
    fill_alpha = float(getattr(style, "fill_opacity", 1.0))
    if getattr(style, "wedge", False):
        fill_alpha = 1.0  # fill_opacity went to the wedges
    if n_vis > EXACT_POINT_LIMIT:
        res = rasterize_points(px, py, s.width_px, s.height_px, codes=codes, colors=sym.colors,
                               opacity=fill_alpha, marker=marker,
                               diameter_px=size_pt * ctx.px_per_pt, prefiltered=True)
        draw_image_banded(ctx.painter, 0.0, 0.0, result_to_qimage(res, copy=False))
        return n_vis, "raster"
    rows = a.point_row if idx is None else a.point_row[idx]
    sizes = (np.round(sym.sizes_pt[rows] * 2) / 2 if sym.sizes_pt is not None
             else np.full(px.size, size_pt))
    stroke_pt = float(getattr(style, "stroke_width", 0.0) or 0.0)
    stroke_color = qcolor(getattr(style, "stroke_color", None), 1.0, palettes.DEFAULT_STROKE_COLOR)
    _paint_markers(ctx, px, py, codes, sizes, sym.colors, marker, fill_alpha, stroke_pt, stroke_color)
    return n_vis, "exact"


def _raster_target(p: QPainter) -> bool:
    """True when the painter draws pixels 1:1 (a QImage without scaling): sprites are exact."""
    eng = p.paintEngine()
    if eng is None or eng.type() != QPaintEngine.Type.Raster:
        return False
    t = p.transform()
    return t.isIdentity() or t.type() == QTransform.TransformationType.TxTranslate


def _sprite(marker: str, d_px: float, fill: QColor, stroke: QColor | None, stroke_px: float) -> tuple[QImage, float]:
    """An antialiased marker image and the offset of its centre."""
    pad = int(math.ceil(stroke_px)) + 2
    size = int(math.ceil(d_px)) + 2 * pad
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(0)
    q = QPainter(img)
    q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    q.setBrush(QBrush(fill))
    q.setPen(_pen(stroke, stroke_px) if stroke is not None and stroke_px > 0 else Qt.PenStyle.NoPen)
    c = size / 2
    if marker == "circle" or marker not in MARKERS:
        q.drawEllipse(QPointF(c, c), d_px / 2, d_px / 2)
    else:
        tpl = marker_outline(marker) * d_px
        q.drawPolygon(polygon_from_xy(tpl[:, 0] + c, tpl[:, 1] + c))
    q.end()
    return img, c


def _paint_markers(ctx: PaintContext, px, py, codes, sizes_pt, colors, marker, fill_alpha,
                   stroke_pt, stroke_color) -> None:
    p = ctx.painter
    px_per_pt = ctx.px_per_pt
    # Group by (size, colour); larger symbols first so small ones stay visible on top.
    key = np.lexsort((codes, -sizes_pt))
    px, py, codes, sizes_pt = px[key], py[key], codes[key], sizes_pt[key]
    brk = np.flatnonzero((np.diff(codes) != 0) | (np.diff(sizes_pt) != 0)) + 1
    starts = np.r_[0, brk]
    ends = np.r_[brk, codes.size]
    sprites = _raster_target(p)
    stroke_px = stroke_pt * px_per_pt
    cap = Qt.PenCapStyle.RoundCap if marker == "circle" else Qt.PenCapStyle.SquareCap
    for n, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        d_px = float(sizes_pt[a]) * px_per_pt
        fill = qcolor(colors[int(codes[a])], fill_alpha)
        if sprites:
            # Raster output: one pre-rendered antialiased sprite per class, ~3 us a point
            # (a wide round-capped pen costs ~8 us).
            img, c = _sprite(marker, d_px, fill, stroke_color if stroke_px > 0 else None, stroke_px)
            for x, y in zip((px[a:b] - c).tolist(), (py[a:b] - c).tolist(), strict=True):
                p.drawImage(QPointF(x, y), img)
        elif marker in ("circle", "square"):
            # Vector output: a wide pen with round (square) caps draws every point as a disc
            # (square) in one call and stays a vector in PDF/SVG.
            poly = polygon_from_xy(px[a:b], py[a:b])
            p.setBrush(Qt.BrushStyle.NoBrush)
            if stroke_px > 0 and fill_alpha >= 0.999:
                p.setPen(_pen(stroke_color, d_px + 2 * stroke_px, cap))
                p.drawPoints(poly)
            p.setPen(_pen(fill, d_px * (0.9 if marker == "square" else 1.0), cap))
            p.drawPoints(poly)
        else:
            tpl = marker_outline(marker) * d_px
            base = polygon_from_xy(tpl[:, 0], tpl[:, 1])
            p.setBrush(QBrush(fill))
            p.setPen(_pen(stroke_color, stroke_px) if stroke_px > 0 else Qt.PenStyle.NoPen)
            for x, y in zip(px[a:b].tolist(), py[a:b].tolist(), strict=True):
                p.drawPolygon(base.translated(x, y))
        if n & 7 == 7 and ctx.cancel():
            break


def _selection_rows(ctx: PaintContext, layer) -> np.ndarray | None:
    """Selected rows as positions in the filtered frame.

    Selections are positions in the layer's full frame (``layer.selection``, or
    ``ctx.selection[layer.id]``), so they survive filter changes.
    """
    if ctx.selection is not None:
        sel = ctx.selection.get(layer.id)
    else:
        sel = getattr(layer, "selection", None)
    if sel is None or len(sel) == 0:
        return None
    sel = np.asarray(sel, dtype=np.int64)
    mask_fn = getattr(layer, "filter_mask", None)
    if mask_fn is None:
        return sel
    kept = np.flatnonzero(mask_fn())
    pos = np.searchsorted(kept, sel)
    pos = np.minimum(pos, max(kept.size - 1, 0))
    ok = kept.size > 0
    return pos[(kept[pos] == sel)] if ok else np.empty(0, dtype=np.int64)


def _paint_selection(ctx: PaintContext, geom: LayerGeometry, rows: np.ndarray, frame, style,
                     points: bool) -> None:
    """Highlight selected rows (positions in the filtered frame) in the selection colour:
    points get a halo (drawn before the symbols), lines and polygons an outline on top."""
    if rows.size == 0:
        return
    p = ctx.painter
    sel = np.zeros(geom.n_rows, dtype=bool)
    rows = rows[(rows >= 0) & (rows < geom.n_rows)]
    sel[rows] = True
    hl = qcolor(palettes.SELECTION_COLOR)
    for shapes in (() if points else (geom.polygons, geom.lines)):
        if shapes is None:
            continue
        vis = _visible_shapes(shapes, ctx.settings)
        vis = vis[sel[shapes.row[vis]]]
        p.setTransform(ctx.world_transform(shapes.origin))
        p.setPen(_map_pen(ctx, hl, 2.5 * ctx.px_per_pt))
        p.setBrush(QBrush(qcolor(palettes.SELECTION_COLOR, 0.35)))
        for i in vis.tolist():
            shp = shapes.shapes[i]
            if shapes.is_path[i]:
                p.drawPath(shp)
            elif shapes is geom.lines:
                p.drawPolyline(shp)
            else:
                p.drawPolygon(shp)
        p.setTransform(ctx.base)
    a = geom.arrays
    if points and a.point_x.size:
        m = sel[a.point_row]
        if m.any():
            px, py = ctx.settings.map_to_pixel(a.point_x[m], a.point_y[m])
            d = float(getattr(style, "size", 6.0) or 6.0) * ctx.px_per_pt
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(_pen(hl, d + 6))
            p.drawPoints(polygon_from_xy(px, py))


def _collect_labels(ctx: PaintContext, geom: LayerGeometry, sym: Symbology, frame, layer,
                    report: LayerReport) -> None:
    """Hand the layer's label candidates to the frame's label engine (placed and drawn after
    every layer, see :mod:`mapdesk.render.labels`)."""
    style = layer.style
    frame = frame_of(frame)
    col = resolve_field(frame, style.label_field, getattr(layer, "field_map", None))
    if col is None or ctx.labels is None:
        return
    a = geom.arrays
    s = ctx.settings
    xs, ys, rows, kinds = [a.point_x], [a.point_y], [a.point_row], [np.ones(a.point_x.size, bool)]
    if a.representative_x.size:
        xs.append(a.representative_x)
        ys.append(a.representative_y)
        rows.append(a.representative_row)
        kinds.append(np.zeros(a.representative_x.size, bool))
    if a.lines is not None:
        mid = (a.lines.offsets[:-1] + a.lines.offsets[1:]) // 2
        xs.append(a.lines.x[mid])
        ys.append(a.lines.y[mid])
        rows.append(a.lines.row)
        kinds.append(np.zeros(mid.size, bool))
    x, y, row = np.concatenate(xs), np.concatenate(ys), np.concatenate(rows).astype(np.int64)
    point = np.concatenate(kinds)
    px, py = s.map_to_pixel(x, y)
    ok = (px >= 0) & (px < s.width_px) & (py >= 0) & (py < s.height_px) & (sym.codes[row] >= 0)
    idx = np.flatnonzero(ok)[:MAX_LABEL_CANDIDATES]
    if idx.size == 0:
        return
    values = frame[col].to_numpy()[row[idx]]
    texts, keep = [], []
    for i, v in enumerate(values.tolist()):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        text = str(v).replace("\t", " ").strip()
        if text and text not in ("nan", "<NA>", "None"):
            texts.append(text)
            keep.append(i)
    if not texts:
        return
    idx = idx[np.asarray(keep, dtype=np.int64)]
    font = ui_font(10)
    font.setPixelSize(max(1, round(float(getattr(style, "label_size", 8.0) or 8.0) * ctx.px_per_pt)))
    ctx.labels.add(LabelSet(order=ctx.layer_order, font=font,
                            color=qcolor(getattr(style, "label_color", None) or "#222222"),
                            x=px[idx], y=py[idx], texts=texts, point=point[idx],
                            r_px=float(getattr(style, "size", 6.0) or 6.0) * ctx.px_per_pt / 2,
                            report=report))


#: Kept for callers of the old name.
_LabelGrid = LabelGrid


# ---- raster layers -----------------------------------------------------------------------
def raster_to_qimage(values: np.ndarray, ramp_name: str, vmin: float | None, vmax: float | None,
                     opacity: float = 1.0) -> tuple[QImage, float, float]:
    """Colour a grid (rows top to bottom, NaN = no data) with a ramp; NaN is transparent."""
    from mapdesk.render.symbols import colors_to_rgba

    v = np.asarray(values, dtype=np.float64)
    fin = np.isfinite(v)
    lo = float(vmin) if vmin is not None else (float(v[fin].min()) if fin.any() else 0.0)
    hi = float(vmax) if vmax is not None else (float(v[fin].max()) if fin.any() else 1.0)
    span = hi - lo if hi > lo else 1.0
    lut = colors_to_rgba(palettes.ramp(ramp_name, 256))
    t = np.clip((np.where(fin, v, lo) - lo) / span, 0, 1)
    idx = (t * 255).astype(np.int32)
    a = np.where(fin, float(opacity), 0.0)
    rgba = np.empty(v.shape + (4,), dtype=np.uint8)
    rgba[..., :3] = (lut[idx, :3] * a[..., None] * 255 + 0.5).astype(np.uint8)
    rgba[..., 3] = (a * 255 + 0.5).astype(np.uint8)
    from mapdesk.render.qtarrays import qimage_from_rgba

    return qimage_from_rgba(rgba), lo, hi


def raster_bounds_3857(grid) -> tuple[float, float, float, float]:
    """The grid's bounds in EPSG:3857 from its four corners (fine over a few km)."""
    from mapdesk.render.transform import to_mercator_xy

    minx, miny, maxx, maxy = grid.bounds
    crs = getattr(grid, "crs", None)
    if crs is None:
        return minx, miny, maxx, maxy
    f = to_mercator_xy(crs)  # per-thread PROJ objects (see to_mercator_xy)
    if f is None:
        return minx, miny, maxx, maxy
    xs, ys = f([minx, maxx, maxx, minx], [miny, miny, maxy, maxy])
    return min(xs), min(ys), max(xs), max(ys)


def paint_raster_layer(ctx: PaintContext, layer, report: LayerReport) -> None:
    grid = getattr(layer, "raster", None)
    if grid is None or getattr(grid, "values", None) is None or np.size(grid.values) == 0:
        report.mode = "skipped"
        report.message = "no raster data"
        return
    style = layer.style
    ramp_name = getattr(style, "ramp", None) or "YlOrRd"
    vmin, vmax = getattr(style, "vmin", None), getattr(style, "vmax", None)
    opacity = float(getattr(style, "raster_opacity", 1.0) if getattr(style, "raster_opacity", None)
                    is not None else 1.0)

    def build():
        img, _, _ = raster_to_qimage(grid.values, ramp_name, vmin, vmax, 1.0)
        return img, raster_bounds_3857(grid)

    img, (minx, miny, maxx, maxy) = ctx.cache.raster_image(layer, (ramp_name, vmin, vmax), build)
    s = ctx.settings
    x0, y1 = s.map_to_pixel(minx, miny)
    x1, y0 = s.map_to_pixel(maxx, maxy)
    target = QRectF(float(x0), float(y0), float(x1 - x0), float(y1 - y0))
    if not target.intersects(QRectF(0, 0, s.width_px, s.height_px)):
        report.mode = "raster-grid"
        report.drawn = True
        return
    p = ctx.painter
    p.save()
    p.setOpacity(opacity * float(getattr(layer, "opacity", 1.0)))
    # Cells stay crisp squares: analysis grids are data, not photographs.
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
    p.drawImage(target, img)
    p.restore()
    report.mode = "raster-grid"
    report.n_features = int(np.isfinite(np.asarray(grid.values, dtype=float)).sum())
    report.drawn = True
