"""A georeferenced raster result (kernel density, period comparisons) and grid layout helpers."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pyproj import CRS

from mapdesk.errors import AnalysisError
from mapdesk.io.atomic import atomic_path

#: Largest raster (rows × cols) an analysis will allocate: 4096 × 4096 cells, i.e. 128 MB
#: per float64 layer before the FFT's padding. Bigger grids are refused with this number.
MAX_GRID_CELLS = 4096 * 4096


@dataclass
class RasterGrid:
    """A north-up raster in a metric CRS.

    Attributes
    ----------
    values
        2-D array, rows from top (north) to bottom (south).
    bounds
        (minx, miny, maxx, maxy) of the outer cell edges, in ``crs``.
    crs
        The CRS of ``bounds`` (metric).
    cell_m
        Cell width and height in metres.
    units
        What a value means, e.g. ``"incidents per km²"`` or ``"expected incidents per cell"``.
    params
        Everything used to make it (method, kernel, bandwidth_m and how it was chosen,
        cell_m, n_points, filter text, period ...), for legends and exports.
    """

    values: np.ndarray
    bounds: tuple[float, float, float, float]
    crs: CRS | str
    cell_m: float
    units: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape  # type: ignore[return-value]

    @property
    def attrs(self) -> dict[str, Any]:
        """Same interface as a GeoDataFrame result: ``attrs["params"]``."""
        return {"params": self.params}

    @property
    def transform(self):
        """The rasterio/affine geotransform of the grid."""
        from affine import Affine

        minx, _, _, maxy = self.bounds
        return Affine(self.cell_m, 0.0, minx, 0.0, -self.cell_m, maxy)

    def cell_centers(self) -> tuple[np.ndarray, np.ndarray]:
        """x of each column centre, y of each row centre (top row first)."""
        minx, _, _, maxy = self.bounds
        rows, cols = self.shape
        xs = minx + (np.arange(cols) + 0.5) * self.cell_m
        ys = maxy - (np.arange(rows) + 0.5) * self.cell_m
        return xs, ys

    def max(self) -> float:
        v = self.values[np.isfinite(self.values)]
        return float(v.max()) if v.size else 0.0

    def to_geotiff(self, path: str | os.PathLike, nodata: float | None = None) -> None:
        """Write a single-band float32 GeoTIFF (atomically); the parameters go into the tags."""
        import rasterio

        rows, cols = self.shape
        tags = {k: str(v) for k, v in self.params.items()}
        tags["units"] = self.units
        crs = CRS.from_user_input(self.crs)
        with atomic_path(path) as tmp:
            with rasterio.open(tmp, "w", driver="GTiff", height=rows, width=cols, count=1,
                               dtype="float32", crs=crs.to_wkt(), transform=self.transform,
                               nodata=nodata, compress="deflate") as dst:
                dst.write(self.values.astype(np.float32), 1)
                dst.update_tags(**tags)
                dst.set_band_description(1, self.units or "value")


def snap_bounds(bounds: tuple[float, float, float, float], cell_m: float,
                pad_m: float = 0.0, closed: bool = True
                ) -> tuple[tuple[float, float, float, float], int, int]:
    """Grid bounds covering ``bounds`` + ``pad_m`` with edges on multiples of ``cell_m``.

    Snapping to multiples of the cell size makes grids of different periods or filters
    line up cell for cell. With ``closed`` a point lying exactly on the right or top edge
    still gets a cell (an extra column/row); use ``closed=False`` when ``bounds`` already
    is a grid extent. Returns (bounds, n_rows, n_cols).
    """
    if not (cell_m > 0 and math.isfinite(cell_m)):
        raise AnalysisError(f"cell size must be a positive number of metres, not {cell_m}")
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    eps = 1e-9
    x0 = math.floor((minx - pad_m) / cell_m + eps) * cell_m
    y0 = math.floor((miny - pad_m) / cell_m + eps) * cell_m
    fx = (maxx + pad_m - x0) / cell_m
    fy = (maxy + pad_m - y0) / cell_m
    cols = max(1, math.ceil(fx - eps))
    rows = max(1, math.ceil(fy - eps))
    if closed:
        if cols <= fx + eps:
            cols += 1
        if rows <= fy + eps:
            rows += 1
    return (x0, y0, x0 + cols * cell_m, y0 + rows * cell_m), rows, cols


def check_grid_size(rows: int, cols: int, cell_m: float, extent_w: float, extent_h: float,
                    max_cells: int = MAX_GRID_CELLS) -> None:
    """Refuse a grid above ``max_cells`` with a message giving the limit and the smallest
    cell size that would fit."""
    n = rows * cols
    if n <= max_cells:
        return
    min_cell = math.sqrt(max(extent_w, 1e-9) * max(extent_h, 1e-9) / max_cells)
    raise AnalysisError(
        f"the grid would have {rows:,} × {cols:,} = {n:,} cells; the largest allowed is "
        f"{max_cells:,} cells (e.g. 4096 × 4096). Use a cell size of at least "
        f"{math.ceil(min_cell)} m, a smaller bandwidth, or a smaller area")
