"""Kernel density of incidents: binning plus FFT convolution on a metric grid.

Kernels (``bandwidth_m`` is the search radius, except Gaussian where it is σ), each
normalised to integrate to 1 over the plane, with ``r = d / h``:

=============  ==================================  ====================
kernel         K(d) per m²                          support
=============  ==================================  ====================
quartic        3 / (π h²) · (1 − r²)²               r ≤ 1 (QGIS, ArcGIS)
epanechnikov   2 / (π h²) · (1 − r²)                r ≤ 1
triangular     3 / (π h²) · (1 − r)                 r ≤ 1
uniform        1 / (π h²)                           r ≤ 1
gaussian       1 / (2π σ²) · exp(−r² / 2)            truncated at 5σ
=============  ==================================  ====================

Points are spread onto the four nearest cell centres (linear binning), binned with
``np.bincount`` and convolved with the kernel sampled at cell offsets
(:func:`scipy.signal.fftconvolve`). The result approximates the direct sum
Σ wᵢ K(|c − pᵢ|) at every cell centre c to second order in cell/bandwidth.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np

from mapdesk.analysis.progress import CancelledFn, ProgressFn, Steps
from mapdesk.analysis.projection import metric_points
from mapdesk.analysis.raster import MAX_GRID_CELLS, RasterGrid, check_grid_size, snap_bounds
from mapdesk.errors import AnalysisError

KERNELS = ("quartic", "epanechnikov", "triangular", "uniform", "gaussian")
UNITS = {"per_km2": "incidents per km²", "count": "expected incidents per cell"}
GAUSSIAN_TRUNCATE = 5.0
BANDWIDTH_RULE = "ArcGIS default search radius: 0.9 · min(SD, √(1/ln 2) · Dm) · n^−0.2"


def kernel_values(kernel: str, d2: np.ndarray, bandwidth_m: float) -> np.ndarray:
    """Kernel density (per m²) at squared distances ``d2`` (m²)."""
    h = float(bandwidth_m)
    r2 = d2 / (h * h)
    if kernel == "quartic":
        return np.where(r2 < 1, 3.0 / (math.pi * h * h) * (1 - r2) ** 2, 0.0)
    if kernel == "epanechnikov":
        return np.where(r2 < 1, 2.0 / (math.pi * h * h) * (1 - r2), 0.0)
    if kernel == "triangular":
        return np.where(r2 < 1, 3.0 / (math.pi * h * h) * (1 - np.sqrt(r2)), 0.0)
    if kernel == "uniform":
        return np.where(r2 <= 1, 1.0 / (math.pi * h * h), 0.0)
    if kernel == "gaussian":
        return np.where(r2 <= GAUSSIAN_TRUNCATE ** 2, np.exp(-0.5 * r2) / (2 * math.pi * h * h), 0.0)
    raise AnalysisError(f"unknown kernel {kernel!r}; choose one of {', '.join(KERNELS)}")


def kernel_support_m(kernel: str, bandwidth_m: float) -> float:
    """Distance beyond which the kernel is zero."""
    return bandwidth_m * (GAUSSIAN_TRUNCATE if kernel == "gaussian" else 1.0)


def _weighted_median(v: np.ndarray, w: np.ndarray | None) -> float:
    if w is None:
        return float(np.median(v))
    order = np.argsort(v)
    cw = np.cumsum(w[order])
    return float(v[order][np.searchsorted(cw, 0.5 * cw[-1])])


def default_bandwidth_m(x: np.ndarray, y: np.ndarray,
                        weights: np.ndarray | None = None) -> tuple[float, dict[str, Any]]:
    """The default search radius of ArcGIS Kernel Density (10.2.1 and later).

    ``0.9 · min(SD, √(1/ln 2) · Dm) · n^−0.2`` with SD the (weighted) standard distance,
    Dm the (weighted) median distance to the (weighted) mean centre, and n the number of
    points (the sum of the weights when weighted). Coordinates must be in metres.

    Returns
    -------
    (bandwidth_m, details) where details holds sd_m, dm_m, n and the rule's text.

    Raises
    ------
    AnalysisError
        With fewer than 2 points, or all points at one place (the radius would be 0).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.size < 2:
        raise AnalysisError("at least 2 incidents are needed to choose a bandwidth; give one explicitly")
    w = None if weights is None else np.asarray(weights, dtype=float)
    n = float(x.size if w is None else w.sum())
    if not n > 0:
        raise AnalysisError("the weights sum to zero: nothing to estimate a density of")
    mx = np.average(x, weights=w)
    my = np.average(y, weights=w)
    dx = x - mx
    dy = y - my
    d2 = dx * dx + dy * dy
    sd = math.sqrt(float(np.average(d2, weights=w)))
    dm = _weighted_median(np.sqrt(d2), w)
    bw = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * n ** -0.2
    details = {"rule": BANDWIDTH_RULE, "sd_m": sd, "dm_m": dm, "n": n}
    if not bw > 0:
        if sd > 0:  # more than half of the weight sits at one spot: Dm = 0
            bw = 0.9 * sd * n ** -0.2
            details["rule"] = BANDWIDTH_RULE + " (Dm = 0, so SD used)"
        else:
            raise AnalysisError("all incidents are at one place, so no bandwidth can be derived "
                                "from their spread; give a bandwidth in metres")
    return bw, details


def _nice(v: float) -> float:
    """Round to 2 significant figures (a cell size a person can read)."""
    if v <= 0:
        return v
    e = math.floor(math.log10(v)) - 1
    return round(v / 10 ** e) * 10 ** e


def default_cell_m(x: np.ndarray, y: np.ndarray, bandwidth_m: float | None = None) -> float:
    """ArcGIS's default: the shorter side of the points' extent / 250 (at least the
    longer side / 1000, so long thin extents stay reasonable), 2 significant figures."""
    w = float(np.ptp(x)) if x.size else 0.0
    h = float(np.ptp(y)) if y.size else 0.0
    short, long_ = min(w, h), max(w, h)
    cell = max(short / 250.0, long_ / 1000.0)
    if cell <= 0:
        cell = (bandwidth_m or 100.0) / 10.0
    return _nice(cell)


def bin_linear(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None,
               x0: float, top: float, rows: int, cols: int, cell_m: float) -> np.ndarray:
    """Linear binning onto cell centres, into a (rows+2, cols+2) array whose border holds
    the mass of points within half a cell outside the grid (row 0 = north).

    Points farther outside are dropped. Each point's weight is split between the four
    surrounding cell centres in proportion to the opposite rectangle's area.
    """
    inv = 1.0 / cell_m
    # index space of the bordered array: centre of grid cell c sits at c + 1
    u = x * inv
    u += 0.5 - x0 * inv
    v = y * -inv
    v += 0.5 + top * inv
    if u.size and (u.min() < 0 or u.max() >= cols + 1 or v.min() < 0 or v.max() >= rows + 1):
        ok = (u >= 0) & (u < cols + 1) & (v >= 0) & (v < rows + 1)
        u, v = u[ok], v[ok]
        if weights is not None:
            weights = weights[ok]
    width = cols + 2
    size = (rows + 2) * width
    # u, v >= 0 here, so truncation is floor
    ii = u.astype(np.intp)
    fu = np.subtract(u, ii, out=u)  # fractional parts, in place
    idx = v.astype(np.intp)
    fv = np.subtract(v, idx, out=v)
    idx *= width
    idx += ii
    del ii
    # Per lower-left cell sums S0 = Σw, Sx = Σw·fu, Sy = Σw·fv, Sxy = Σw·fu·fv give the four
    # corners' shares: (1-fu)(1-fv) = 1 - fu - fv + fu·fv, fu(1-fv) = fu - fu·fv, ...
    fxy = fu * fv
    if weights is not None:
        fu *= weights
        fv *= weights
        fxy *= weights
    s0 = np.bincount(idx, weights, minlength=size)
    sx = np.bincount(idx, fu, minlength=size)
    sy = np.bincount(idx, fv, minlength=size)
    sxy = np.bincount(idx, fxy, minlength=size)
    n = s0.size
    out = np.zeros(size + width + 1)
    out[:n] += s0 - sx - sy + sxy
    out[1:n + 1] += sx - sxy
    out[width:n + width] += sy - sxy
    out[width + 1:n + width + 1] += sxy
    return out[:size].reshape(rows + 2, width)


def kernel_stencil(kernel: str, bandwidth_m: float, cell_m: float) -> np.ndarray:
    """The kernel (per m²) sampled at integer cell offsets, odd-sized and centred."""
    r = int(math.ceil(kernel_support_m(kernel, bandwidth_m) / cell_m))
    off = np.arange(-r, r + 1, dtype=float) * cell_m
    d2 = off[:, None] ** 2 + off[None, :] ** 2
    st = kernel_values(kernel, d2, bandwidth_m)
    if kernel == "uniform" and st.sum() > 0:
        # a sampled disc's cell count is not π r² / cell²: keep each point's mass at 1
        st *= 1.0 / (st.sum() * cell_m * cell_m)
    return st


def fft_convolve_same(image: np.ndarray, stencil: np.ndarray) -> np.ndarray:
    """``scipy.signal.fftconvolve(image, stencil, mode="same")`` for an odd, centred
    stencil, with :mod:`scipy.fft` directly: importing :mod:`scipy.signal` costs
    seconds (it pulls in :mod:`scipy.stats`), which the GUI and CLI would pay on the
    first density map."""
    from scipy import fft

    h, w = image.shape
    kh, kw = stencil.shape
    shape = (fft.next_fast_len(h + kh - 1, real=True), fft.next_fast_len(w + kw - 1, real=True))
    spec = fft.rfft2(image, shape)
    spec *= fft.rfft2(stencil, shape)
    full = fft.irfft2(spec, shape)
    top, left = kh // 2, kw // 2
    return full[top:top + h, left:left + w]


def kde_on_grid(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None,
                bounds: tuple[float, float, float, float], cell_m: float,
                bandwidth_m: float, kernel: str = "quartic") -> np.ndarray:
    """Density per m² at the centres of the grid ``bounds``/``cell_m`` (rows top→bottom).

    The low-level kernel used by :func:`kernel_density`; ``bounds`` must be a whole
    number of cells wide and high. Points outside the grid still contribute.
    """
    minx, miny, maxx, maxy = bounds
    cols = int(round((maxx - minx) / cell_m))
    rows = int(round((maxy - miny) / cell_m))
    stencil = kernel_stencil(kernel, bandwidth_m, cell_m)
    r = stencil.shape[0] // 2
    # Points up to the kernel's reach outside the grid still count: bin on an enlarged grid.
    big = bin_linear(np.asarray(x, float), np.asarray(y, float), weights,
                     minx - r * cell_m, maxy + r * cell_m, rows + 2 * r, cols + 2 * r, cell_m)
    dens = fft_convolve_same(big, stencil)[r + 1:r + 1 + rows, r + 1:r + 1 + cols]
    # FFT round-off leaves ±1e-17 where the true value is 0
    tiny = 1e-12 * (float(stencil.max()) * max(float(np.abs(big).sum()), 1.0))
    dens[np.abs(dens) < tiny] = 0.0
    return dens


def kernel_density(points: gpd.GeoDataFrame, *, cell_m: float | None = None,
                   bandwidth_m: float | None = None, kernel: str = "quartic",
                   units: str = "per_km2", weight_field: str | None = None,
                   bounds: tuple[float, float, float, float] | None = None,
                   max_cells: int = MAX_GRID_CELLS, filter_text: str | None = None,
                   period: str | None = None, progress: ProgressFn | None = None,
                   cancelled: CancelledFn | None = None) -> RasterGrid:
    """Kernel density surface of point incidents.

    Parameters
    ----------
    points
        Incidents (any CRS; reprojected to the local UTM zone when not metric).
        Features without a location are skipped and counted in ``params``.
    cell_m
        Cell size in metres; default :func:`default_cell_m`.
    bandwidth_m
        Search radius (σ for ``gaussian``) in metres; default :func:`default_bandwidth_m`.
    kernel
        One of :data:`KERNELS`.
    units
        ``"per_km2"`` (incidents per km²) or ``"count"`` (expected incidents per cell).
    weight_field
        Optional column of non-negative weights (e.g. a severity or a count per point).
    bounds
        Output extent in the metric CRS (snapped to the cell size); default: the points'
        extent plus the kernel's reach.
    max_cells
        Larger grids are refused with :class:`AnalysisError`.
    filter_text, period
        Descriptions stored in ``params`` for legends.

    Returns
    -------
    RasterGrid
        ``params`` holds method, kernel, bandwidth_m, bandwidth_source ("user" or the
        rule with SD/Dm), cell_m, units, n_points, n_skipped, weight_field, filter, period,
        crs, max_value.
    """
    steps = Steps(progress, cancelled)
    if kernel not in KERNELS:
        raise AnalysisError(f"unknown kernel {kernel!r}; choose one of {', '.join(KERNELS)}")
    if units not in UNITS:
        raise AnalysisError(f"unknown units {units!r}; choose per_km2 or count")
    if points is None or len(points) == 0:
        raise AnalysisError("no incidents to analyse (none left after filtering?)")
    metric, x, y, w, n_skipped = metric_points(points, weight_field)
    steps(0.05)
    if bandwidth_m is None:
        bandwidth_m, bw_details = default_bandwidth_m(x, y, w)
        bw_source = bw_details["rule"]
    else:
        if not (bandwidth_m > 0 and math.isfinite(bandwidth_m)):
            raise AnalysisError(f"bandwidth must be a positive number of metres, not {bandwidth_m}")
        bw_details, bw_source = {}, "user"
    if cell_m is None:
        cell_m = default_cell_m(x, y, bandwidth_m)
        cell_source = "default: shorter side of the extent / 250"
        if cell_m > bandwidth_m / 2:
            # a kernel narrower than two cells is sampled at its peak only: isolated spikes
            # worth far more than one incident each
            cell_m = _nice(bandwidth_m / 2)
            cell_source = "default: half the bandwidth (shorter than the extent rule's cell)"
    else:
        cell_source = "user"
    if not (cell_m > 0 and math.isfinite(cell_m)):
        raise AnalysisError(f"cell size must be a positive number of metres, not {cell_m}")
    if cell_m > bandwidth_m:
        raise AnalysisError(f"the cell ({cell_m:g} m) is larger than the bandwidth ({bandwidth_m:g} m): "
                            "the density would be isolated spikes, not a surface; use a cell of at "
                            f"most half the bandwidth (--cell-m {_nice(bandwidth_m / 2):g}) or a larger "
                            "bandwidth")
    reach = kernel_support_m(kernel, bandwidth_m)
    if bounds is None:
        data_bounds = (float(x.min()), float(y.min()), float(x.max()), float(y.max()))
        pad = reach
    else:
        data_bounds, pad = tuple(map(float, bounds)), 0.0
    w_m = data_bounds[2] - data_bounds[0] + 2 * pad
    h_m = data_bounds[3] - data_bounds[1] + 2 * pad
    est_cols = math.ceil(w_m / cell_m) + 1
    est_rows = math.ceil(h_m / cell_m) + 1
    check_grid_size(est_rows, est_cols, cell_m, w_m, h_m, max_cells)
    # the FFT also holds the kernel's reach around the grid
    r = math.ceil(reach / cell_m)
    check_grid_size(est_rows + 2 * r, est_cols + 2 * r, cell_m, w_m + 2 * reach, h_m + 2 * reach,
                    max_cells * 2)
    grid_bounds, rows, cols = snap_bounds(data_bounds, cell_m, pad, closed=False)
    steps(0.15)
    dens = kde_on_grid(x, y, w, grid_bounds, cell_m, bandwidth_m, kernel)
    steps(0.9)
    if units == "per_km2":
        values = dens * 1e6
    else:
        values = dens * cell_m * cell_m
    params: dict[str, Any] = {
        "method": "kde",
        "kernel": kernel,
        "bandwidth_m": float(bandwidth_m),
        "bandwidth_source": bw_source,
        **{f"bandwidth_{k}": v for k, v in bw_details.items() if k != "rule"},
        "cell_m": float(cell_m),
        "cell_source": cell_source,
        "units": UNITS[units],
        "n_points": int(x.size),
        "n_skipped": n_skipped,
        "weight_field": weight_field,
        "total_weight": float(x.size if w is None else w.sum()),
        "filter": filter_text or "all incidents",
        "period": period,
        "crs": metric.crs.to_string(),
        "rows": rows,
        "cols": cols,
        "max_value": float(values.max()) if values.size else 0.0,
    }
    if "reprojected_from" in metric.attrs:
        params["reprojected_from"] = metric.attrs["reprojected_from"]
    steps(1.0)
    return RasterGrid(values=values, bounds=grid_bounds, crs=metric.crs, cell_m=float(cell_m),
                      units=UNITS[units], params=params)
