"""Counts of incidents in square grid cells and hexagons, as polygon layers.

Both grids are anchored on multiples of the cell size in the metric CRS, so grids made
from different periods or filters line up cell for cell.

Columns of the returned GeoDataFrame
------------------------------------
cell_id        int64, unique within the layer
row, col       lattice indices (squares: row 0 = the north edge of this result's grid;
               hexagons: absolute hex row and column of the lattice anchored at 0, 0)
count          number of incidents in the cell
weight_sum     sum of ``weight_field`` (only when one is given)
density_per_km2  count / cell area in km²
geometry       the cell polygon (metric CRS)

``attrs["params"]``: method ("grid" or "hex"), cell_m (square side, or hexagon width
across flats = distance between neighbouring centres), cell_area_m2, n_points,
n_skipped, n_cells, include_empty, max_count, filter, period, crs.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapdesk.analysis.projection import metric_points
from mapdesk.analysis.raster import MAX_GRID_CELLS, check_grid_size, snap_bounds
from mapdesk.errors import AnalysisError
from mapdesk.io.hexlattice import SQRT3, hex_centers, hex_polygons


def _prepare(points: gpd.GeoDataFrame, cell_m: float, weight_field: str | None):
    if points is None or len(points) == 0:
        raise AnalysisError("no incidents to count (none left after filtering?)")
    if not (cell_m is not None and cell_m > 0 and math.isfinite(cell_m)):
        raise AnalysisError(f"cell size must be a positive number of metres, not {cell_m}")
    metric, x, y, w, n_skipped = metric_points(points, weight_field)
    return metric, x, y, w, n_skipped


def _params(method: str, cell_m: float, area: float, n: int, n_skipped: int, n_cells: int,
            include_empty: bool, max_count: int, filter_text: str | None, period: str | None,
            metric: gpd.GeoDataFrame, weight_field: str | None) -> dict[str, Any]:
    p = {"method": method, "cell_m": float(cell_m), "cell_area_m2": float(area), "n_points": n,
         "n_skipped": n_skipped, "n_cells": n_cells, "include_empty": include_empty,
         "max_count": max_count, "weight_field": weight_field,
         "filter": filter_text or "all incidents", "period": period, "crs": metric.crs.to_string()}
    if "reprojected_from" in metric.attrs:
        p["reprojected_from"] = metric.attrs["reprojected_from"]
    return p


def square_counts(points: gpd.GeoDataFrame, cell_m: float, *, weight_field: str | None = None,
                  include_empty: bool = False,
                  bounds: tuple[float, float, float, float] | None = None,
                  max_cells: int = MAX_GRID_CELLS, filter_text: str | None = None,
                  period: str | None = None) -> gpd.GeoDataFrame:
    """Incidents per square cell of side ``cell_m`` metres.

    Parameters
    ----------
    include_empty
        Also return the cells with no incident inside the grid's extent.
    bounds
        Extent (metric CRS) to cover; default the points' extent. Points outside are
        dropped (counted in ``n_skipped``).
    """
    metric, x, y, w, n_skipped = _prepare(points, cell_m, weight_field)
    data_bounds = bounds or (float(x.min()), float(y.min()), float(x.max()), float(y.max()))
    gb, rows, cols = snap_bounds(data_bounds, cell_m, closed=bounds is None)
    check_grid_size(rows, cols, cell_m, gb[2] - gb[0], gb[3] - gb[1], max_cells)
    col = np.floor((x - gb[0]) / cell_m).astype(np.int64)
    row = np.floor((gb[3] - y) / cell_m).astype(np.int64)
    inside = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    if not inside.all():
        n_skipped += int((~inside).sum())
        col, row = col[inside], row[inside]
        if w is not None:
            w = w[inside]
    key = row * cols + col
    counts = np.bincount(key, minlength=rows * cols)
    ids = np.arange(rows * cols) if include_empty else np.flatnonzero(counts)
    r, c = np.divmod(ids, cols)
    x0 = gb[0] + c * cell_m
    y1 = gb[3] - r * cell_m
    geom = shapely.box(x0, y1 - cell_m, x0 + cell_m, y1)
    data = {"cell_id": ids.astype(np.int64), "row": r, "col": c, "count": counts[ids].astype(np.int64)}
    if w is not None:
        data["weight_sum"] = np.bincount(key, w, minlength=rows * cols)[ids]
    area = cell_m * cell_m
    data["density_per_km2"] = data["count"] / (area / 1e6)
    out = gpd.GeoDataFrame(pd.DataFrame(data), geometry=geom, crs=metric.crs)
    out.attrs["params"] = _params("grid", cell_m, area, int(x.size), n_skipped, len(out),
                                  include_empty, int(counts.max()) if counts.size else 0,
                                  filter_text, period, metric, weight_field)
    out.attrs["params"]["grid_bounds"] = gb
    return out


def _hex_lattice(x: np.ndarray, y: np.ndarray, cell_m: float, x0: float, y0: float
                 ) -> tuple[np.ndarray, np.ndarray, tuple[int, int, int, int]]:
    """(row, col) of each point and bounds (rmin, rmax, cmin, cmax) that contain them.

    The hexagons' centres form two rectangular lattices, A at (i, 2j) and B at
    (i + ½, 2j + 1) in units of (cell_m, cell_m·√3/2); a point belongs to the nearer of
    its nearest A and nearest B centre (the hexagons are exactly the Voronoi cells).
    Written with in-place operations: this is the hot loop of hexagon binning.
    """
    u = np.subtract(x, x0, dtype=float)
    u *= 1.0 / cell_m
    v = np.subtract(y, y0, dtype=float)
    v *= 1.0 / (cell_m * SQRT3)
    fu = np.floor(u)
    fv = np.floor(v)
    if u.size:
        bounds = (2 * int(fv.min()), 2 * int(fv.max()) + 2, int(fu.min()), int(fu.max()) + 1)
    else:
        bounds = (0, 0, 0, 0)
    u -= fu
    u -= 0.5  # offset from the B centre, in [-0.5, 0.5)
    v -= fv
    v -= 0.5
    pos_u = u >= 0  # the nearest A centre is at floor + 1
    pos_v = v >= 0
    db = u * u
    t = v * v
    t *= 3.0
    db += t  # squared distance to the B centre (in cell_m² units)
    np.abs(u, out=u)
    np.subtract(0.5, u, out=u)
    u *= u
    np.abs(v, out=v)
    np.subtract(0.5, v, out=v)
    v *= v
    v *= 3.0
    u += v  # squared distance to the A centre
    use_a = u <= db
    col = fu.astype(np.int64)
    col += use_a & pos_u
    row = fv.astype(np.int64)
    row *= 2
    row += ~use_a  # B: 2j + 1
    row += 2 * (use_a & pos_v)  # A: 2j or 2j + 2
    return row, col, bounds


def hex_index(x: np.ndarray, y: np.ndarray, cell_m: float, x0: float = 0.0,
              y0: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(hex row, col) of each point for pointy-top hexagons ``cell_m`` wide across flats,
    centred on the lattice (x0 + col·cell_m + (row odd)·cell_m/2, y0 + row·cell_m·√3/2)."""
    row, col, _ = _hex_lattice(np.asarray(x, float), np.asarray(y, float), float(cell_m), x0, y0)
    return row, col


def hex_bin_counts(x: np.ndarray, y: np.ndarray, cell_m: float, weights: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Array-level hexagon binning: (row, col, count) of the non-empty hexagons.

    The fast path behind :func:`hex_counts` (no geometry built); ``count`` is the sum of
    ``weights`` when given.
    """
    row, col, (rmin, _, cmin, cmax) = _hex_lattice(np.asarray(x, float), np.asarray(y, float),
                                                   float(cell_m), 0.0, 0.0)
    if row.size == 0:
        e = np.zeros(0, np.int64)
        return e, e, e
    nc = cmax - cmin + 1
    key = row
    key *= nc
    key += col
    key -= rmin * nc + cmin
    counts = np.bincount(key, weights)
    ids = np.flatnonzero(counts)
    r, c = np.divmod(ids, nc)
    return r + rmin, c + cmin, counts[ids]


def hex_counts(points: gpd.GeoDataFrame, cell_m: float, *, weight_field: str | None = None,
               include_empty: bool = False, max_cells: int = MAX_GRID_CELLS,
               filter_text: str | None = None, period: str | None = None) -> gpd.GeoDataFrame:
    """Incidents per pointy-top hexagon ``cell_m`` metres across flats (the distance
    between neighbouring centres); area = √3/2 · cell_m².

    ``include_empty`` adds the empty hexagons of the rectangular block of hex rows and
    columns spanning the points.
    """
    metric, x, y, w, n_skipped = _prepare(points, cell_m, weight_field)
    # anchor on the lattice so that periods line up
    x0 = 0.0
    y0 = 0.0
    row, col = hex_index(x, y, cell_m, x0, y0)
    rmin, rmax = int(row.min()), int(row.max())
    cmin, cmax = int(col.min()), int(col.max())
    nr, nc = rmax - rmin + 1, cmax - cmin + 1
    check_grid_size(nr, nc, cell_m, float(np.ptp(x)), float(np.ptp(y)), max_cells)
    key = (row - rmin) * nc + (col - cmin)
    counts = np.bincount(key, minlength=nr * nc)
    ids = np.arange(nr * nc) if include_empty else np.flatnonzero(counts)
    r, c = np.divmod(ids, nc)
    r = r + rmin
    c = c + cmin
    cx, cy = hex_centers(r, c, cell_m, x0, y0)
    data = {"cell_id": ids.astype(np.int64), "row": r, "col": c, "count": counts[ids].astype(np.int64)}
    if w is not None:
        data["weight_sum"] = np.bincount(key, w, minlength=nr * nc)[ids]
    area = SQRT3 / 2.0 * cell_m * cell_m
    data["density_per_km2"] = data["count"] / (area / 1e6)
    out = gpd.GeoDataFrame(pd.DataFrame(data), geometry=hex_polygons(cx, cy, cell_m), crs=metric.crs)
    out.attrs["params"] = _params("hex", cell_m, area, int(x.size), n_skipped, len(out),
                                  include_empty, int(counts.max()), filter_text, period, metric,
                                  weight_field)
    return out
