"""Getis-Ord Gi* hot and cold spots on cells (grid squares, hexagons or any polygons).

Weights are binary and built from cell centroids with :class:`scipy.spatial.cKDTree`:
a distance band (every cell within ``distance_m``, the cell itself included: the "star")
or the ``k`` nearest neighbours plus the cell itself. The z-score is

    z_i = (Σ_j w_ij x_j − x̄ W_i) / (S · √((n W_i − W_i²) / (n − 1)))

with x̄ and S the mean and (population) standard deviation of all n cell values and
W_i = Σ_j w_ij, identical to ``esda.G_Local(star=True, transform="B")``. p-values are
two-sided from the normal distribution. Classes follow ArcGIS's ``Gi_Bin``: ±3 at 99 %,
±2 at 95 %, ±1 at 90 % confidence, 0 not significant; with ``fdr=True`` the
Benjamini–Hochberg false discovery rate is controlled at each of the three levels.

Output columns added to the cells
---------------------------------
gi_z         z-score (0 where the neighbourhood is every cell: no test possible)
gi_p         two-sided p-value
gi_bin       int, −3..3
gi_class     "Hot 99%", "Hot 95%", "Hot 90%", "Not significant", "Cold 90%", ...
n_neighbors  cells in the neighbourhood, the cell itself included
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np

from mapdesk.analysis.bins import hex_counts, square_counts
from mapdesk.analysis.progress import CancelledFn, ProgressFn, Steps
from mapdesk.analysis.projection import point_coords, require_metric, to_metric
from mapdesk.errors import AnalysisError

#: ArcGIS's Optimized Hot Spot Analysis refuses fewer incidents than this.
MIN_INCIDENTS = 30
#: ... and fewer weighted features (cells) than this.
MIN_CELLS = 30
#: Gi* (with the automatic distance search) is refused above this many cells.
MAX_CELLS = 1_000_000

LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))

#: gi_bin -> (English, Chinese) label
GI_CLASSES: dict[int, tuple[str, str]] = {
    3: ("Hot 99%", "热点 99%"),
    2: ("Hot 95%", "热点 95%"),
    1: ("Hot 90%", "热点 90%"),
    0: ("Not significant", "不显著"),
    -1: ("Cold 90%", "冷点 90%"),
    -2: ("Cold 95%", "冷点 95%"),
    -3: ("Cold 99%", "冷点 99%"),
}
#: gi_bin -> fill colour (ArcGIS's red/blue scheme)
GI_COLORS: dict[int, str] = {
    3: "#d62f27", 2: "#ed7551", 1: "#fab984", 0: "#f2f2ee",
    -1: "#c0ccbe", -2: "#849eba", -3: "#4575b5",
}


def gi_class_label(gi_bin: int, lang: str = "en") -> str:
    en, zh = GI_CLASSES[int(gi_bin)]
    return zh if lang.startswith("zh") else en


@dataclass
class GiStar:
    """Raw Gi* result arrays, aligned with the input values."""

    z: np.ndarray
    p: np.ndarray
    n_neighbors: np.ndarray


def _neighbour_sums_band(xy: np.ndarray, values: np.ndarray, distance_m: float):
    from scipy.spatial import cKDTree

    # an unbalanced tree builds 3x faster and queries as fast on lattice-like cell centres
    tree = cKDTree(xy, balanced_tree=False, compact_nodes=False)
    pairs = tree.query_pairs(distance_m, output_type="ndarray")
    n = len(values)
    i, j = pairs[:, 0], pairs[:, 1]
    lag = values + np.bincount(i, values[j], minlength=n) + np.bincount(j, values[i], minlength=n)
    card = 1 + np.bincount(i, minlength=n) + np.bincount(j, minlength=n)
    return lag, card.astype(float)


def _neighbour_sums_knn(xy: np.ndarray, values: np.ndarray, k: int):
    from scipy.spatial import cKDTree

    n = len(values)
    if k < 1 or k >= n:
        raise AnalysisError(f"k nearest neighbours must be between 1 and {n - 1}, not {k}")
    tree = cKDTree(xy)
    _, idx = tree.query(xy, k=k + 1)
    own = idx == np.arange(n)[:, None]
    # drop the cell itself; if a duplicate location hid it, drop the farthest instead
    missing = ~own.any(axis=1)
    own[missing, -1] = True
    nb = idx[~own].reshape(n, k)
    lag = values + values[nb].sum(axis=1)
    return lag, np.full(n, k + 1.0)


def gi_star(values: np.ndarray, xy: np.ndarray, *, distance_m: float | None = None,
            knn: int | None = None) -> GiStar:
    """Gi* z-scores and two-sided p-values with binary self-including weights.

    Parameters
    ----------
    values
        One value per cell (e.g. incident counts).
    xy
        (n, 2) cell centroids in metres.
    distance_m
        Distance band (neighbours at distance ≤ ``distance_m``), or
    knn
        Number of nearest neighbours (the cell itself is added).
    """
    from scipy.special import ndtr  # scipy.stats would cost seconds to import

    x = np.asarray(values, dtype=float)
    xy = np.asarray(xy, dtype=float)
    n = x.size
    if (distance_m is None) == (knn is None):
        raise AnalysisError("give either a distance band or a number of neighbours")
    if distance_m is not None:
        if not (distance_m > 0 and math.isfinite(distance_m)):
            raise AnalysisError(f"distance band must be a positive number of metres, not {distance_m}")
        lag, card = _neighbour_sums_band(xy, x, float(distance_m))
    else:
        lag, card = _neighbour_sums_knn(xy, x, int(knn))
    mean = x.mean()
    s = math.sqrt(max(float((x * x).mean() - mean * mean), 0.0))
    if s == 0:
        raise AnalysisError("every cell has the same value, so there are no hot or cold spots to find")
    denom = s * np.sqrt(np.maximum(card * (n - card), 0.0) / (n - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (lag - mean * card) / denom
    z = np.where(denom > 0, z, 0.0)
    p = 2.0 * ndtr(-np.abs(z))
    return GiStar(z=z, p=p, n_neighbors=card.astype(np.int64))


def bh_threshold(p: np.ndarray, alpha: float) -> float:
    """Largest p-value declared significant by Benjamini–Hochberg at FDR ``alpha``
    (0 when none is)."""
    ps = np.sort(np.asarray(p, dtype=float))
    m = ps.size
    ok = ps <= alpha * np.arange(1, m + 1) / m
    if not ok.any():
        return 0.0
    return float(ps[np.flatnonzero(ok)[-1]])


def gi_bins(z: np.ndarray, p: np.ndarray, fdr: bool = False) -> np.ndarray:
    """ArcGIS ``Gi_Bin`` classes −3..3 from z and p (optionally BH-FDR corrected)."""
    z = np.asarray(z)
    p = np.asarray(p)
    level = np.zeros(z.size, dtype=np.int64)
    for b, alpha in reversed(LEVELS):  # 90 %, then 95 %, then 99 % overwrite
        cut = bh_threshold(p, alpha) if fdr else alpha
        sig = (p <= cut) if fdr else (p < cut)
        if fdr and cut == 0.0:
            sig = np.zeros_like(sig)
        level[sig] = b
    return np.sign(z).astype(np.int64) * level


def _moran_z_bands(xy: np.ndarray, x: np.ndarray, bands: np.ndarray,
                   steps: Steps | None = None) -> np.ndarray:
    """Global Moran's I z-scores (randomisation) for binary distance bands, all bands in
    one dual-tree pass (no pair lists are stored)."""
    from scipy.spatial import cKDTree

    n = x.size
    tree = cKDTree(xy)
    z = x - x.mean()
    m2 = float((z * z).sum())
    m4 = float((z ** 4).sum())
    cross = tree.count_neighbors(tree, bands, weights=(z, z)) - m2  # Σ_i≠j z_i z_j within r
    out = np.full(bands.size, np.nan)
    b2 = n * m4 / (m2 * m2)
    ei = -1.0 / (n - 1)
    for k, r in enumerate(bands):
        if steps is not None:
            steps(0.3 + 0.7 * k / bands.size)
        deg = tree.query_ball_point(xy, r, return_length=True) - 1
        s0 = float(deg.sum())
        if s0 == 0:
            continue
        s1 = 2.0 * s0
        s2 = 4.0 * float((deg.astype(float) ** 2).sum())
        i_stat = n / s0 * cross[k] / m2
        var = ((n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
                - b2 * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0))
               / ((n - 1) * (n - 2) * (n - 3) * s0 * s0) - ei * ei)
        if var > 0:
            out[k] = (i_stat - ei) / math.sqrt(var)
    return out


def optimized_distance_m(xy: np.ndarray, values: np.ndarray, n_bands: int = 10,
                         steps: Steps | None = None) -> tuple[float, dict[str, Any]]:
    """The scale of analysis as ArcGIS's Optimized Hot Spot Analysis chooses it.

    Incremental spatial autocorrelation over ``n_bands`` distance bands: the first band
    makes every cell (apart from locational outliers, nearest-neighbour distance above
    mean + 3 SD) have a neighbour, the increment is the mean nearest-neighbour distance.
    The first peak of Global Moran's I z-score that is significant (z > 1.96) is used;
    when there is none, the average distance to the K nearest neighbours with
    K = 5 % of the cells, kept within 3..30.

    Returns (distance_m, details) with the bands, their z-scores and the reason.
    """
    from scipy.spatial import cKDTree

    xy = np.asarray(xy, float)
    n = len(xy)
    tree = cKDTree(xy)
    d1 = tree.query(xy, k=2)[0][:, 1]
    mean_nn, sd_nn = float(d1.mean()), float(d1.std())
    inliers = d1 <= mean_nn + 3 * sd_nn
    start = float(d1[inliers].max())
    bands = start + mean_nn * np.arange(n_bands)
    if steps is not None:
        steps(0.1)
    zs = _moran_z_bands(xy, np.asarray(values, float), bands, steps.sub(0.1, 0.9) if steps else None)
    if steps is not None:
        steps(0.9)
    details: dict[str, Any] = {"isa_bands_m": [round(float(b), 3) for b in bands],
                               "isa_z": [None if not np.isfinite(v) else round(float(v), 4) for v in zs]}
    peak = None
    for k in range(1, n_bands - 1):
        if (np.isfinite(zs[k]) and zs[k] > 1.96 and zs[k] > zs[k - 1]
                and not (zs[k + 1] > zs[k])):
            peak = k
            break
    if peak is not None:
        details["distance_source"] = "peak of incremental spatial autocorrelation (Global Moran's I z)"
        return float(bands[peak]), details
    kk = int(min(30, max(3, round(0.05 * n))))
    kk = min(kk, n - 1)
    dk = tree.query(xy, k=kk + 1)[0][:, kk]
    details["distance_source"] = (f"no autocorrelation peak: average distance to the {kk} nearest "
                                  "neighbours (K = 5% of cells, 3..30)")
    details["knn_k"] = kk
    return float(dk.mean()), details


def hotspots_gistar(cells: gpd.GeoDataFrame, *, value: str = "count",
                    distance_m: float | None = None, knn: int | None = None,
                    fdr: bool = False, progress: ProgressFn | None = None,
                    cancelled: CancelledFn | None = None) -> gpd.GeoDataFrame:
    """Gi* on polygons (or points) carrying a numeric ``value`` column.

    Without ``distance_m`` or ``knn`` the distance band is chosen by
    :func:`optimized_distance_m` and reported in ``attrs["params"]``.

    Returns a copy of ``cells`` (metric CRS) with gi_z, gi_p, gi_bin, gi_class,
    n_neighbors; ``attrs["params"]`` extends the cells' params with method "gistar",
    weights, distance_m / knn and how chosen, fdr, n_hot, n_cold.
    """
    steps = Steps(progress, cancelled)
    if cells is None or len(cells) == 0:
        raise AnalysisError("no cells to analyse (no incidents left after filtering?)")
    if value not in cells.columns:
        raise AnalysisError(f"the layer has no column {value!r} to analyse")
    if len(cells) > MAX_CELLS:
        raise AnalysisError(f"Gi* on {len(cells):,} cells would be too slow; the largest allowed is "
                            f"{MAX_CELLS:,}: use a larger cell size")
    if len(cells) < MIN_CELLS:
        raise AnalysisError(f"Gi* needs at least {MIN_CELLS} cells to mean anything; only "
                            f"{len(cells)} cells have incidents: use a smaller cell size")
    if distance_m is not None and knn is not None:
        raise AnalysisError("give either a distance band or a number of neighbours, not both")
    metric = to_metric(cells)
    require_metric(metric.crs, "Gi*")
    x, y, ok = point_coords(metric)
    if not ok.all():
        raise AnalysisError(f"{int((~ok).sum())} cells have no geometry")
    xy = np.column_stack([x, y])
    vals = np.asarray(metric[value].astype("float64").to_numpy(na_value=np.nan), dtype=float)
    if not np.isfinite(vals).all():
        raise AnalysisError(f"column {value!r} has missing values")
    params: dict[str, Any] = dict(cells.attrs.get("params", {}))
    steps(0.02)
    if distance_m is None and knn is None:
        distance_m, details = optimized_distance_m(xy, vals, steps=steps.sub(0.02, 0.8))
        params.update(details)
    elif distance_m is not None:
        params["distance_source"] = "user"
    else:
        params["distance_source"] = "user (k nearest neighbours)"
    res = gi_star(vals, xy, distance_m=distance_m, knn=knn)
    steps(0.95)
    bins = gi_bins(res.z, res.p, fdr=fdr)
    out = metric.copy()
    out["gi_z"] = res.z
    out["gi_p"] = res.p
    out["gi_bin"] = bins
    out["gi_class"] = [GI_CLASSES[int(b)][0] for b in bins]
    out["n_neighbors"] = res.n_neighbors
    params.update({
        "analysis": "gistar",
        "value": value,
        "weights": "binary distance band" if knn is None else "binary k nearest neighbours",
        "distance_m": None if distance_m is None else float(distance_m),
        "knn": knn,
        "fdr": bool(fdr),
        "n_cells": len(out),
        "n_hot": int((bins > 0).sum()),
        "n_cold": int((bins < 0).sum()),
        "mean_neighbors": float(res.n_neighbors.mean()),
        "min_neighbors": int(res.n_neighbors.min()),
    })
    out.attrs["params"] = params
    steps(1.0)
    return out


def default_aggregation_cell_m(x: np.ndarray, y: np.ndarray) -> float:
    """A cell size giving about one incident per cell over the incidents' extent
    (at least 1/1000 of the longer side), 2 significant figures."""
    from mapdesk.analysis.density import _nice

    w, h = float(np.ptp(x)), float(np.ptp(y))
    area = max(w, 1.0) * max(h, 1.0)
    return _nice(max(math.sqrt(area / x.size), max(w, h) / 1000.0, 1.0))


def gistar_incidents(points: gpd.GeoDataFrame, *, cell_m: float | None = None,
                     shape: str = "square", include_empty: bool = True,
                     distance_m: float | None = None, knn: int | None = None,
                     fdr: bool = False, filter_text: str | None = None,
                     period: str | None = None, progress: ProgressFn | None = None,
                     cancelled: CancelledFn | None = None) -> gpd.GeoDataFrame:
    """Aggregate incidents into square or hexagonal cells, then Gi* on the counts.

    Refuses fewer than :data:`MIN_INCIDENTS` incidents, incidents all at one place, and
    fewer than :data:`MIN_CELLS` cells. ``cell_m`` defaults to
    :func:`default_aggregation_cell_m`. See :func:`hotspots_gistar` for the output.

    ``include_empty`` (default True) analyses every cell of the grid spanning the
    incidents, zeros included: a place without thefts is information, and without the
    zeros a few busy cells among many single-incident cells rarely test significant.
    ``include_empty=False`` keeps only cells with incidents (what ArcGIS's Optimized Hot
    Spot Analysis does when no study-area boundary is given).
    """
    steps = Steps(progress, cancelled)
    if points is None or len(points) == 0:
        raise AnalysisError("no incidents to analyse (none left after filtering?)")
    metric = to_metric(points)
    x, y, ok = point_coords(metric)
    n = int(ok.sum())
    if n < MIN_INCIDENTS:
        raise AnalysisError(f"Gi* needs at least {MIN_INCIDENTS} incidents (as ArcGIS requires); "
                            f"only {n} have a location")
    x, y = x[ok], y[ok]
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        raise AnalysisError("all incidents are at one place: there is no spatial pattern to test")
    if cell_m is None:
        cell_m = default_aggregation_cell_m(x, y)
        cell_source = "default: about one incident per cell over the extent"
    else:
        cell_source = "user"
    if shape == "square":
        cells = square_counts(metric, cell_m, include_empty=include_empty,
                              filter_text=filter_text, period=period)
    elif shape == "hex":
        cells = hex_counts(metric, cell_m, include_empty=include_empty,
                           filter_text=filter_text, period=period)
    else:
        raise AnalysisError(f"cell shape must be 'square' or 'hex', not {shape!r}")
    cells.attrs["params"]["cell_source"] = cell_source
    steps(0.1)
    return hotspots_gistar(cells, value="count", distance_m=distance_m, knn=knn, fdr=fdr,
                           progress=None if progress is None else (lambda f: progress(0.1 + 0.9 * f)),
                           cancelled=cancelled)
