"""Per-layer caches: geometries in EPSG:3857, Qt shapes, symbology, camera wedges.

A layer is reprojected and flattened once per ``(layer.id, layer.data_version)``; every frame
afterwards only transforms numpy arrays or sets a painter transform. Symbology is also keyed
by the style, so restyling does not reproject. Qt value types (``QPolygonF``,
``QPainterPath``) are built once in layer-local coordinates (relative to an origin near the
data, so float precision holds) and placed on screen with a world transform.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainterPath

from mapdesk.render.qtarrays import polygon_from_xy
from mapdesk.render.symbols import Symbology, classify, resolve_field
from mapdesk.render.transform import GeometryArrays, PartArrays, geometry_arrays
from mapdesk.render.viewport import mercator_scale_factor


@dataclass
class ShapeSet:
    """Qt shapes of one geometry family in local coordinates (map = local + origin)."""

    origin: tuple[float, float]
    shapes: list            # QPolygonF or QPainterPath per shape
    is_path: np.ndarray     # True where the shape is a QPainterPath (polygon with holes)
    row: np.ndarray         # frame row (position) of each shape
    bbox: np.ndarray        # (n, 4) bounds per shape in map coordinates
    # The same rings as numpy arrays in local coordinates, for batched drawing: ring ``r`` is
    # ``ring_x[ring_offsets[r]:ring_offsets[r + 1]]``; shape ``i`` has rings
    # ``shape_rings[i]:shape_rings[i + 1]``. Polygon shells run counter-clockwise and holes
    # clockwise (y up), so a winding fill of many polygons keeps holes and overlaps right.
    ring_x: np.ndarray | None = None
    ring_y: np.ndarray | None = None
    ring_offsets: np.ndarray | None = None
    shape_rings: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.shapes)


def _shape_set(parts: PartArrays, origin) -> ShapeSet:
    ox, oy = origin
    lx, ly = parts.x - ox, parts.y - oy
    off = parts.offsets
    bb = parts.bboxes()
    shape_ids = parts.shape
    # Rings of one polygon (shell + holes) are consecutive and share ``shape``.
    starts = np.flatnonzero(np.r_[True, shape_ids[1:] != shape_ids[:-1]])
    ends = np.r_[starts[1:], len(shape_ids)]
    shapes: list = []
    is_path = np.zeros(len(starts), dtype=bool)
    for i, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        if b - a == 1:
            shapes.append(polygon_from_xy(lx[off[a]:off[a + 1]], ly[off[a]:off[a + 1]]))
        else:
            path = QPainterPath()
            path.setFillRule(Qt.FillRule.OddEvenFill)
            for k in range(a, b):
                path.addPolygon(polygon_from_xy(lx[off[k]:off[k + 1]], ly[off[k]:off[k + 1]]))
                path.closeSubpath()
            shapes.append(path)
            is_path[i] = True
    sb = np.column_stack([np.minimum.reduceat(bb[:, 0], starts), np.minimum.reduceat(bb[:, 1], starts),
                          np.maximum.reduceat(bb[:, 2], starts), np.maximum.reduceat(bb[:, 3], starts)]) \
        if len(starts) else np.empty((0, 4))
    rx, ry = _oriented_rings(lx, ly, off, parts.exterior)
    return ShapeSet(origin=origin, shapes=shapes, is_path=is_path, row=parts.row[starts], bbox=sb,
                    ring_x=rx, ring_y=ry, ring_offsets=np.asarray(off, dtype=np.int64),
                    shape_rings=np.r_[starts, len(shape_ids)].astype(np.int64))


def _oriented_rings(x: np.ndarray, y: np.ndarray, off: np.ndarray, exterior) -> tuple[np.ndarray, np.ndarray]:
    """Copies of ``x, y`` with shells counter-clockwise and holes clockwise."""
    off = np.asarray(off, dtype=np.int64)
    n, n_rings = int(x.size), len(off) - 1
    if n < 2 or n_rings == 0:
        return x.copy(), y.copy()
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    cross[off[1:-1] - 1] = 0.0                      # no term across two rings
    lens = np.diff(off)
    area2 = np.zeros(n_rings)
    nz = lens > 0
    area2[nz] = np.add.reduceat(np.r_[cross, 0.0], off[:-1][nz])
    # Close the ring in case the last vertex does not repeat the first.
    first, last = off[:-1][nz], off[1:][nz] - 1
    area2[nz] += x[last] * y[first] - x[first] * y[last]
    if exterior is None or not np.any(exterior):
        return x.copy(), y.copy()                   # lines: direction does not matter
    shell = np.asarray(exterior, dtype=bool)
    flip = np.where(shell, area2 < 0, area2 > 0)
    if not flip.any():
        return x.copy(), y.copy()
    ring_of = np.repeat(np.arange(n_rings), lens)
    v = np.arange(n)
    idx = np.where(flip[ring_of], off[:-1][ring_of] + off[1:][ring_of] - 1 - v, v)
    return x[idx], y[idx]


@dataclass
class LayerGeometry:
    arrays: GeometryArrays
    origin: tuple[float, float]
    polygons: ShapeSet | None
    lines: ShapeSet | None
    n_rows: int
    point_rows_identity: bool = False


class RenderCache:
    """Thread-safe LRU caches keyed by layer id and data version (and style for symbology)."""

    def __init__(self, max_entries: int = 64) -> None:
        self._lock = threading.RLock()
        self._geom: OrderedDict = OrderedDict()
        self._sym: OrderedDict = OrderedDict()
        self._wedges: OrderedDict = OrderedDict()
        self._raster: OrderedDict = OrderedDict()
        self._max = max_entries

    def _get(self, store: OrderedDict, key, build):
        with self._lock:
            if key in store:
                store.move_to_end(key)
                return store[key]
            value = build()
            store[key] = value
            while len(store) > self._max:
                store.popitem(last=False)
            return value

    def invalidate(self, layer_id: str | None = None) -> None:
        """Forget cached data of one layer (``None``: every layer)."""
        with self._lock:
            for store in (self._geom, self._sym, self._wedges, self._raster):
                for key in [k for k in store if layer_id is None or k[0] == layer_id]:
                    del store[key]

    def connect(self, project) -> None:
        """Free a layer's entries when its data change or it leaves the project.

        Keys carry ``data_version``, so stale entries are never used; this only frees
        memory early. Style, visibility, opacity and selection changes keep the geometry.
        """
        events = getattr(project, "events", None) or project

        def on_changed(layer=None, what: str = "data", *rest) -> None:
            if what in ("data", "role"):
                self.invalidate(getattr(layer, "id", None))

        def on_removed(layer=None, *rest) -> None:
            self.invalidate(getattr(layer, "id", None))

        for name, slot in (("layer_changed", on_changed), ("layer_removed", on_removed)):
            sig = getattr(events, name, None)
            if sig is not None:
                with contextlib.suppress(Exception):
                    sig.connect(slot)
        self._slots = (on_changed, on_removed)   # psygnal holds weak references

    # ---- entries ------------------------------------------------------------------------
    def geometry(self, layer, frame) -> LayerGeometry:
        """The layer's geometry in EPSG:3857 for its filtered ``frame``.

        ``frame`` may also be a function returning it (see :func:`frame_of`): a point layer
        is then served from the whole layer's arrays without the filtered frame being made.
        """
        key = (layer.id, layer.data_version, "geom")
        full = _full_frame_and_mask(layer)
        if full is not None:
            # A filter change must not reproject a million points again: point layers keep the
            # unfiltered geometry (keyed by the frame, not the filter) and take the mask's subset.
            whole, mask = full
            fkey = (layer.id, getattr(layer, "frame_version", None), id(whole), len(whole), "full")
            g = self._get(self._geom, fkey, lambda: _build_geometry(whole))
            if mask.all():  # no row filtered out: the whole layer's geometry as it is
                return g
            if g.polygons is None and g.lines is None and len(mask) == g.n_rows:
                return self._get(self._geom, key, lambda: _subset_points(g, mask))
        return self._get(self._geom, key, lambda: _build_geometry(frame_of(frame)))

    def symbology(self, layer, frame) -> Symbology:
        """Colours, classes and sizes of the filtered ``frame`` (or of a function returning it)."""
        fm = getattr(layer, "field_map", None)
        key = (layer.id, layer.data_version, repr(layer.style), repr(fm))
        style = layer.style
        full = _full_frame_and_mask(layer)
        if full is not None and getattr(style, "kind", "") in ("single", "categorized") \
                and not getattr(style, "size_field", None):
            # Colours by category do not depend on which rows pass the filter: classify the
            # whole layer once per style and take the mask's rows (no reclassifying on filter).
            whole, mask = full
            fkey = (layer.id, getattr(layer, "frame_version", None), id(whole), len(whole),
                    repr(style), repr(fm), "full")
            sym = self._get(self._sym, fkey, lambda: classify(whole, style, fm))
            if mask.all():
                return sym
            if len(sym.codes) == len(mask):
                return self._get(self._sym, key, lambda: Symbology(
                    codes=sym.codes[mask], colors=sym.colors, labels=sym.labels,
                    sizes_pt=None if sym.sizes_pt is None else sym.sizes_pt[mask],
                    size_pt=sym.size_pt, breaks=sym.breaks))
        return self._get(self._sym, key, lambda: classify(frame_of(frame), style, fm))

    def wedges(self, layer, frame, geom: LayerGeometry) -> ShapeSet | None:
        key = (layer.id, layer.data_version, repr(getattr(layer, "field_map", None)))
        return self._get(self._wedges, key, lambda: _build_wedges(layer, frame, geom))

    def raster_image(self, layer, key_extra, build):
        key = (layer.id, layer.data_version, key_extra)
        return self._get(self._raster, key, build)


DEFAULT_CACHE = RenderCache()


def frame_of(frame):
    """``frame`` itself, or what it returns when it is a function (a lazily made frame)."""
    return frame() if callable(frame) else frame


def lazy_filtered_frame(layer):
    """``(rows passing the filter, filtered frame or a function making it)`` of a layer.

    For a loaded layer (one with the unfiltered frame and a filter mask at hand) the
    filtered frame is only made when first asked for: a point layer is drawn from the
    cached whole-layer arrays and the mask, and copying a million rows of a GeoDataFrame
    (40-90 ms, most of it holding the GIL) would cost more than the rest of the frame.
    The frame is ``None`` when the layer has no data.
    """
    full = _full_frame_and_mask(layer)
    if full is None:
        frame = layer.filtered_frame()
        return (0 if frame is None else len(frame)), frame
    whole, mask = full
    n = int(np.count_nonzero(mask))
    if n == len(whole):
        return n, whole
    made: list = []

    def make():
        if not made:
            made.append(layer.filtered_frame())
        return made[0]

    return n, make


def _build_geometry(frame) -> LayerGeometry:
    geoms = frame.geometry.values if frame is not None and len(frame) else np.empty(0, dtype=object)
    crs = frame.crs if frame is not None else None
    arrays = geometry_arrays(np.asarray(geoms), crs)
    b = arrays.bounds
    origin = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) if b else (0.0, 0.0)
    polys = _shape_set(arrays.polygons, origin) if arrays.polygons is not None else None
    lines = _shape_set(arrays.lines, origin) if arrays.lines is not None else None
    pr = arrays.point_row
    identity = pr.size == arrays.n_rows and bool(np.array_equal(pr, np.arange(pr.size)))
    return LayerGeometry(arrays=arrays, origin=origin, polygons=polys, lines=lines,
                         n_rows=arrays.n_rows, point_rows_identity=identity)


def _full_frame_and_mask(layer):
    """(unfiltered frame, filter mask) of a loaded layer, else None."""
    fn = getattr(layer, "full_frame_and_mask", None)
    if fn is not None:
        got = fn()
    elif getattr(layer, "_frame", None) is not None and hasattr(layer, "filter_mask"):
        got = (layer._frame, layer.filter_mask())
    else:
        return None
    if got is None:
        return None
    whole, mask = got
    if whole is None or mask is None or len(mask) != len(whole):
        return None
    return whole, np.asarray(mask, dtype=bool)


def _subset_points(g: LayerGeometry, mask: np.ndarray) -> LayerGeometry:
    """The geometry of ``frame[mask]`` for a point layer, from the unfiltered geometry."""
    a = g.arrays
    new_pos: list[np.ndarray] = []

    identity = [False]

    def take(x, y, rows):
        if rows.size == 0:
            return x, y, rows
        if rows.size == mask.size and g.point_rows_identity:  # row i is point i: plain masks
            identity[0] = rows is a.point_row
            return x[mask], y[mask], np.arange(int(np.count_nonzero(mask)))
        if not new_pos:
            new_pos.append(np.cumsum(mask) - 1)  # row position in the filtered frame
        keep = mask[rows]
        return x[keep], y[keep], new_pos[0][rows[keep]]

    px, py, prow = take(a.point_x, a.point_y, a.point_row)
    rx, ry, rrow = take(a.representative_x, a.representative_y, a.representative_row)
    n = int(mask.sum())
    arrays = GeometryArrays(n_rows=n, point_x=px, point_y=py, point_row=prow,
                            n_invalid=a.n_invalid, n_empty=a.n_empty, representative_x=rx,
                            representative_y=ry, representative_row=rrow)
    # the plain-mask path yields rows 0..n-1 by construction: no second pass to prove it
    ident = identity[0] or (prow.size == n and bool(np.array_equal(prow, np.arange(n))))
    return LayerGeometry(arrays=arrays, origin=g.origin, polygons=None, lines=None, n_rows=n,
                         point_rows_identity=ident)


WEDGE_SEGMENTS = 16


def wedge_fields(layer, frame) -> tuple[str, str, str] | None:
    fm = getattr(layer, "field_map", None)
    cols = [resolve_field(frame, name, fm) for name in ("direction_deg", "fov_deg", "range_m")]
    return None if any(c is None for c in cols) else tuple(cols)


def _build_wedges(layer, frame, geom: LayerGeometry) -> ShapeSet | None:
    import pandas as pd

    cols = wedge_fields(layer, frame)
    a = geom.arrays
    if cols is None or a.point_x.size == 0:
        return None
    rows = a.point_row
    vals = [pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)[rows]
            for c in cols]
    direction, fov, range_m = vals
    ok = np.isfinite(direction) & np.isfinite(fov) & np.isfinite(range_m) & (range_m > 0) & (fov > 0)
    if not ok.any():
        return None
    x, y = a.point_x[ok], a.point_y[ok]
    d, f = direction[ok], np.minimum(fov[ok], 360.0)
    rr = range_m[ok] * np.array([mercator_scale_factor(v) for v in y])  # metres -> 3857 units
    t = np.linspace(-0.5, 0.5, WEDGE_SEGMENTS + 1)
    ang = np.radians(d[:, None] + f[:, None] * t[None, :])   # compass: 0 = north, clockwise
    ax = x[:, None] + rr[:, None] * np.sin(ang)
    ay = y[:, None] + rr[:, None] * np.cos(ang)
    full = f >= 360.0
    # A sector is apex + arc; a full circle is the arc alone.
    px = np.column_stack([x, ax])
    py = np.column_stack([y, ay])
    px[full, 0] = ax[full, 0]
    py[full, 0] = ay[full, 0]
    ox, oy = geom.origin
    shapes = [polygon_from_xy(px[i] - ox, py[i] - oy) for i in range(len(px))]
    bbox = np.column_stack([px.min(1), py.min(1), px.max(1), py.max(1)])
    return ShapeSet(origin=geom.origin, shapes=shapes, is_path=np.zeros(len(shapes), dtype=bool),
                    row=rows[ok], bbox=bbox)
