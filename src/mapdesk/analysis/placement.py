"""Where the next cameras go: the maximal covering location problem (MCLP).

Choose ``k`` sites among candidates so that the weight of incidents newly covered is
maximal. Incidents already seen by existing cameras count as covered. Constraints: a
minimum spacing between chosen sites (and from existing cameras), no site inside a
protected tree's protection zone, optional exclusion polygons; every excluded candidate
keeps its reason.

Two solvers share one coverage matrix:

* ``greedy`` — lazy greedy (CELF priority queue of marginal gains), spacing enforced by
  banning a chosen site's neighbours; the classic (1 − 1/e) bound, usually within 1–2 %.
* ``exact`` — a MILP solved with HiGHS::

      max Σ_g w_g y_g
      s.t. y_g ≤ Σ_{j covers g} x_j      (g: groups of incidents with identical coverage)
           Σ_j x_j ≤ k
           x_j + x_l ≤ 1                 (pairs closer than the minimum spacing)
           x binary, 0 ≤ y ≤ 1
"""

from __future__ import annotations

import heapq
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.spatial import cKDTree

from mapdesk.domain.cameras import (
    CameraDefaults,
    camera_parameters,
    drop_empty,
    metric_crs,
    point_xy,
    points_covered,
    to_metric,
)
from mapdesk.domain.incidents import event_time
from mapdesk.errors import AnalysisError

__all__ = [
    "CoverageProblem",
    "PlacementResult",
    "build_problem",
    "generate_candidates",
    "incident_weights",
    "solve_exact",
    "solve_greedy",
    "suggest_sites",
]

# Instances up to this size are also solved exactly to report the greedy gap.
AUTO_GAP_MAX_CANDIDATES = 600
AUTO_GAP_MAX_GROUPS = 30_000


# ---------------------------------------------------------------------------------------
# Inputs


def generate_candidates(incidents: gpd.GeoDataFrame, spacing_m: float = 25.0,
                        min_incidents: int = 1, max_candidates: int | None = 5000,
                        weights: np.ndarray | None = None) -> gpd.GeoDataFrame:
    """Candidate sites around incident concentrations: centres of the ``spacing_m`` grid
    cells holding at least ``min_incidents`` incidents (one candidate per cell, so no
    duplicates), the heaviest ``max_candidates`` cells kept.

    Returns a point layer (input CRS) with ``candidate_id`` (``G1``, ``G2``, ... by weight)
    and ``incidents`` (count in the cell).
    """
    if spacing_m <= 0:
        raise AnalysisError("candidate spacing must be positive")
    if len(incidents) == 0:
        raise AnalysisError("no incidents to generate candidate sites around")
    crs = metric_crs(incidents)
    xy = point_xy(to_metric(incidents, crs, "incidents"))
    w = np.ones(len(xy)) if weights is None else np.asarray(weights, dtype=float)
    ij = np.floor(xy / spacing_m).astype(np.int64)
    cells, inv = np.unique(ij, axis=0, return_inverse=True)
    inv = inv.ravel()
    count = np.bincount(inv, minlength=len(cells))
    weight = np.bincount(inv, weights=w, minlength=len(cells))
    keep = np.flatnonzero(count >= max(int(min_incidents), 1))
    order = keep[np.lexsort((cells[keep, 1], cells[keep, 0], -weight[keep]))]
    if max_candidates is not None:
        order = order[:max_candidates]
    centre = (cells[order] + 0.5) * spacing_m
    out = gpd.GeoDataFrame(
        {"candidate_id": [f"G{i}" for i in range(1, len(order) + 1)], "incidents": count[order]},
        geometry=gpd.points_from_xy(centre[:, 0], centre[:, 1], crs=crs), crs=crs)
    return out.to_crs(incidents.crs)


def incident_weights(incidents: pd.DataFrame, half_life_days: float | None = None,
                     type_weights: dict[str, float] | None = None,
                     reference_time: pd.Timestamp | None = None) -> np.ndarray:
    """Weight per incident: ``type_weights[type]`` (default 1; types not listed get
    ``type_weights.get("*", 1)``) × ``0.5 ** (age_days / half_life_days)``.

    Age is counted back from ``reference_time`` (default: the latest incident); incidents
    without a time get the weight of age 0 when no time is known at all, else the median age.
    """
    n = len(incidents)
    w = np.ones(n)
    if type_weights:
        if "type" not in incidents.columns:
            raise AnalysisError("type weights given but the incidents have no type column")
        default = float(type_weights.get("*", 1.0))
        types = incidents["type"].astype("string").fillna("")
        w *= types.map(lambda t: float(type_weights.get(t, default))).to_numpy(dtype=float)
    if half_life_days:
        if half_life_days <= 0:
            raise AnalysisError("half-life must be positive")
        t = pd.to_datetime(event_time(incidents), errors="coerce")
        if t.notna().any():
            ref = pd.Timestamp(reference_time) if reference_time is not None else t.max()
            age = ((ref - t).dt.total_seconds() / 86400.0).clip(lower=0)
            age = age.fillna(age.median()).to_numpy(dtype=float)
            w *= 0.5 ** (age / half_life_days)
    if np.any(w < 0):
        raise AnalysisError("incident weights must not be negative")
    return w


# ---------------------------------------------------------------------------------------
# The problem


@dataclass
class CoverageProblem:
    """A ready-to-solve MCLP instance (aggregated).

    ``cover`` is a CSR matrix (candidates × groups): candidate j covers incident group g;
    a group gathers incidents with the same set of covering candidates, ``weight`` is the
    group's summed weight and ``count`` its incident count. ``conflicts`` is an (m, 2) array
    of candidate pairs closer than the minimum spacing.
    """

    cover: sparse.csr_matrix
    weight: np.ndarray
    count: np.ndarray
    conflicts: np.ndarray
    k: int
    total_weight: float = 0.0  # of all incidents, covered or not
    base_weight: float = 0.0  # already covered by existing cameras

    @property
    def n_candidates(self) -> int:
        return self.cover.shape[0]


def build_problem(cover: sparse.spmatrix, weight: np.ndarray, k: int,
                  candidate_xy: np.ndarray | None = None, min_spacing_m: float = 0.0,
                  already: np.ndarray | None = None) -> CoverageProblem:
    """Aggregate a raw candidates × incidents coverage matrix into a :class:`CoverageProblem`.

    Incidents in ``already`` (covered by existing cameras) and incidents no candidate
    covers are dropped; incidents with identical covering sets are merged.
    """
    cover = sparse.csc_matrix(cover, dtype=bool)
    weight = np.asarray(weight, dtype=float)
    total = float(weight.sum())
    base = float(weight[already].sum()) if already is not None else 0.0
    live = np.asarray(cover.sum(axis=0)).ravel() > 0
    if already is not None:
        live &= ~already
    live &= weight > 0
    sub = cover[:, np.flatnonzero(live)].tocsc()
    sub.sort_indices()
    w = weight[live]
    # group identical columns (incidents seen by the same candidates): two independent
    # 64-bit hashes of each column's candidate set (sums of random keys, wrapping)
    n_cols = sub.shape[1]
    if n_cols:
        rng = np.random.default_rng(0x5EED)
        keys = rng.integers(1, 2**62, size=(sub.shape[0], 2), dtype=np.int64)
        ints = sparse.csc_matrix((np.ones(len(sub.indices), dtype=np.int64), sub.indices,
                                  sub.indptr), shape=sub.shape)
        with np.errstate(over="ignore"):
            h = np.asarray(ints.T @ keys)
        order = np.lexsort((h[:, 1], h[:, 0]))
        hs = h[order]
        new_group = np.r_[True, np.any(hs[1:] != hs[:-1], axis=1)]
        inv = np.empty(n_cols, dtype=np.int64)
        inv[order] = np.cumsum(new_group) - 1
        n_groups = int(new_group.sum())
        first = np.full(n_groups, -1)
        first[inv[::-1]] = np.arange(n_cols)[::-1]
        agg = sub[:, first].tocsr()
        gw = np.bincount(inv, weights=w, minlength=n_groups)
        gc = np.bincount(inv, minlength=n_groups)
    else:
        agg = sparse.csr_matrix((cover.shape[0], 0), dtype=bool)
        gw = np.zeros(0)
        gc = np.zeros(0, dtype=int)
    conflicts = np.empty((0, 2), dtype=np.int64)
    if candidate_xy is not None and min_spacing_m > 0 and len(candidate_xy) > 1:
        # spacing "at least d" allows exactly d: pairs strictly closer conflict
        pairs = cKDTree(candidate_xy).query_pairs(min_spacing_m * (1 - 1e-9), output_type="ndarray")
        conflicts = pairs.astype(np.int64).reshape(-1, 2)
    agg.sort_indices()
    return CoverageProblem(cover=agg, weight=gw, count=gc, conflicts=conflicts, k=int(k),
                           total_weight=total, base_weight=base)


def _neighbours(problem: CoverageProblem) -> list[np.ndarray]:
    n = problem.n_candidates
    if len(problem.conflicts) == 0:
        return [np.empty(0, dtype=np.int64)] * n
    a, b = problem.conflicts[:, 0], problem.conflicts[:, 1]
    m = sparse.csr_matrix((np.ones(2 * len(a), dtype=bool), (np.r_[a, b], np.r_[b, a])),
                          shape=(n, n))
    return [m.indices[m.indptr[i]:m.indptr[i + 1]] for i in range(n)]


def solve_greedy(problem: CoverageProblem) -> tuple[list[int], list[float]]:
    """Lazy greedy: returns the chosen candidates in order and their marginal gains.

    Stops early when no allowed candidate adds coverage.
    """
    cover = problem.cover
    indptr, indices = cover.indptr, cover.indices
    w = problem.weight.copy()  # zeroed as groups get covered
    gains = np.asarray(cover @ w).ravel() if cover.shape[1] else np.zeros(cover.shape[0])
    heap = [(-g, j, 0) for j, g in enumerate(gains) if g > 0]
    heapq.heapify(heap)
    banned = np.zeros(problem.n_candidates, dtype=bool)
    neigh = _neighbours(problem) if len(problem.conflicts) else None
    chosen: list[int] = []
    marg: list[float] = []
    it = 0
    while heap and len(chosen) < problem.k:
        neg, j, stamp = heapq.heappop(heap)
        if banned[j]:
            continue
        if stamp == it:
            chosen.append(j)
            marg.append(-neg)
            rows = indices[indptr[j]:indptr[j + 1]]
            w[rows] = 0.0
            banned[j] = True
            if neigh is not None:
                banned[neigh[j]] = True
            it += 1
            continue
        g = float(w[indices[indptr[j]:indptr[j + 1]]].sum())
        if g > 0:
            heapq.heappush(heap, (-g, j, it))
    return chosen, marg


@dataclass
class ExactSolution:
    chosen: list[int]
    objective: float
    bound: float
    status: str
    optimal: bool
    seconds: float


def solve_exact(problem: CoverageProblem, time_limit_s: float = 60.0,
                start: list[int] | None = None, mip_rel_gap: float = 1e-6) -> ExactSolution:
    """Solve the MILP with HiGHS; ``start`` (e.g. the greedy answer) seeds the search.

    ``objective`` is the best covered weight found, ``bound`` HiGHS's upper bound; both
    exclude weight already covered by existing cameras.
    """
    import highspy

    cover = problem.cover.tocsc()  # columns = groups
    n, m = cover.shape
    t0 = time.perf_counter()
    if m == 0 or problem.k <= 0:
        return ExactSolution([], 0.0, 0.0, "trivial", True, 0.0)
    # rows: m coverage rows, 1 cardinality row, c conflict rows
    # column j (x_j) entries: coverage rows of groups it covers (-1), cardinality (+1), conflicts
    cov_csr = problem.cover  # candidates × groups: row j lists groups covered by x_j
    conf = problem.conflicts
    c = len(conf)
    x_rows = []
    x_vals = []
    x_start = [0]
    conf_of = [[] for _ in range(n)]
    for r, (a, b) in enumerate(conf):
        conf_of[a].append(m + 1 + r)
        conf_of[b].append(m + 1 + r)
    for j in range(n):
        g = cov_csr.indices[cov_csr.indptr[j]:cov_csr.indptr[j + 1]]
        extra = conf_of[j]
        x_rows.append(g)
        x_rows.append(np.array([m], dtype=np.int64))
        if extra:
            x_rows.append(np.asarray(extra, dtype=np.int64))
        x_vals.append(np.full(len(g), -1.0))
        x_vals.append(np.ones(1 + len(extra)))
        x_start.append(x_start[-1] + len(g) + 1 + len(extra))
    y_rows = np.arange(m, dtype=np.int64)
    index = np.concatenate([*x_rows, y_rows])
    value = np.concatenate([*x_vals, np.ones(m)])
    starts = np.asarray(x_start[:-1] + list(x_start[-1] + np.arange(m)), dtype=np.int32)

    lp = highspy.HighsLp()
    lp.num_col_ = n + m
    lp.num_row_ = m + 1 + c
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.concatenate([np.zeros(n), problem.weight])
    lp.col_lower_ = np.zeros(n + m)
    lp.col_upper_ = np.ones(n + m)
    lp.row_lower_ = np.full(m + 1 + c, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate([np.zeros(m), [float(problem.k)], np.ones(c)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.append(starts, len(index)).astype(np.int32)
    lp.a_matrix_.index_ = index.astype(np.int32)
    lp.a_matrix_.value_ = value
    lp.a_matrix_.num_col_ = n + m
    lp.a_matrix_.num_row_ = m + 1 + c
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n + [highspy.HighsVarType.kContinuous] * m

    h = _new_highs(highspy)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    if start:
        sol = highspy.HighsSolution()
        xv = np.zeros(n + m)
        xv[list(start)] = 1.0
        covered = np.zeros(m, dtype=bool)
        for j in start:
            covered[cov_csr.indices[cov_csr.indptr[j]:cov_csr.indptr[j + 1]]] = True
        xv[n:] = covered
        sol.col_value = list(xv)
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    if info.primal_solution_status == 0:
        raise AnalysisError(f"the exact solver found no solution ({status})")
    xs = np.asarray(h.getSolution().col_value[:n])
    chosen = [int(j) for j in np.flatnonzero(xs > 0.5)]
    obj = float(info.objective_function_value)
    optimal = status == "Optimal"
    # a solver stopped before it had a bound proves nothing: the bound stays unknown (inf)
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else (obj if optimal else np.inf)
    return ExactSolution(chosen, obj, max(bound, obj), status, optimal,
                         time.perf_counter() - t0)


def _new_highs(highspy):
    """A ``Highs`` instance without its start-up banner on stdout (it would corrupt the
    CLI's ``--json`` output)."""
    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # captured stdout (pytest): nothing to hide
        return highspy.Highs()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, fd)
        os.close(saved)
    return h


def _objective(problem: CoverageProblem, chosen: list[int]) -> float:
    covered = np.zeros(problem.cover.shape[1], dtype=bool)
    for j in chosen:
        covered[problem.cover.indices[problem.cover.indptr[j]:problem.cover.indptr[j + 1]]] = True
    return float(problem.weight[covered].sum())


def _rank(problem: CoverageProblem, chosen: list[int]) -> tuple[list[int], list[float]]:
    """Order a set of sites greedily by marginal gain (for the exact answer's table)."""
    sub = CoverageProblem(problem.cover[chosen], problem.weight, problem.count,
                          np.empty((0, 2), dtype=np.int64), len(chosen))
    order, gains = solve_greedy(sub)
    rest = [i for i in range(len(chosen)) if i not in order]
    return [chosen[i] for i in order + rest], gains + [0.0] * len(rest)


# ---------------------------------------------------------------------------------------
# The planner's entry point


@dataclass
class PlacementResult:
    """Result of :func:`suggest_sites`.

    Attributes
    ----------
    sites : GeoDataFrame
        Chosen sites in rank order: ``rank``, ``candidate_id``, ``marginal_gain`` (weight
        newly covered by this site given the ones ranked before it), ``new_incidents``
        (count), ``cumulative_covered`` (weight newly covered by ranks 1..r),
        ``share_covered`` (share of all incident weight covered, existing cameras
        included), ``direction_deg``, ``fov_deg``, ``range_m``, geometry (incidents' CRS).
    excluded : GeoDataFrame
        Candidates removed by the constraints: ``candidate_id``, ``reason_kind``
        (duplicate / protection_zone / exclusion_polygon / near_existing_camera),
        ``reason`` (all reasons, human-readable), geometry.
    curve : DataFrame
        ``k``, ``covered_weight`` (new), ``share_covered`` (incl. existing), ``incidents_covered``
        (new); k = 0 is the existing cameras alone; with ``exact_curve`` also
        ``optimal_weight`` / ``optimal_share`` per k. Chart-ready (coverage vs k).
    solver : str
        "greedy" or "exact".
    gap : float or None
        (optimum − greedy) / optimum when an exact optimum is known; for an exact answer
        that stopped at the time limit, the remaining MIP gap.
    """

    sites: gpd.GeoDataFrame
    excluded: gpd.GeoDataFrame
    curve: pd.DataFrame
    solver: str
    gap: float | None
    params: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        counts = self.excluded["reason_kind"].value_counts() if len(self.excluded) else {}
        return {
            "solver": self.solver,
            "k_requested": self.params.get("k"),
            "k_chosen": int(len(self.sites)),
            **{k: v for k, v in self.stats.items()},
            "gap_to_optimum": None if self.gap is None else round(float(self.gap), 6),
            "excluded": int(len(self.excluded)),
            "excluded_by_reason": {str(k): int(v) for k, v in dict(counts).items()},
            "sites": [
                {"rank": int(r.rank), "candidate_id": str(r.candidate_id),
                 "marginal_gain": round(float(r.marginal_gain), 4),
                 "new_incidents": int(r.new_incidents),
                 "share_covered": round(float(r.share_covered), 4)}
                for r in self.sites.itertuples()
            ],
            "warnings": list(self.warnings),
            "params": self.params,
        }


def _candidate_ids(cands: gpd.GeoDataFrame) -> np.ndarray:
    for col in ("candidate_id", "site_id", "id", "camera_id", "name"):
        if col in cands.columns:
            ids = cands[col].astype("string")
            if ids.notna().all():
                return ids.to_numpy(dtype=object)
    return np.asarray([str(i) for i in range(1, len(cands) + 1)], dtype=object)


def _zone_label(zones: gpd.GeoDataFrame, i: int) -> str:
    row = zones.iloc[i]
    tid = row.get("tree_id") if "tree_id" in zones.columns else None
    grade = row.get("grade") if "grade" in zones.columns else None
    text = "inside protection zone"
    if tid is not None and not pd.isna(tid):
        text += f" of tree {tid}"
    if grade is not None and not pd.isna(grade):
        g = int(grade) if isinstance(grade, (int, float, np.integer, np.floating)) else grade
        text += f" (grade {g})"
    return text


def _exclusion_label(excl: gpd.GeoDataFrame, i: int) -> str:
    for col in ("name", "reason", "label"):
        if col in excl.columns and not pd.isna(excl.iloc[i][col]):
            return f"inside exclusion polygon {excl.iloc[i][col]}"
    return "inside exclusion polygon"


def _apply_constraints(xy: np.ndarray, ids: np.ndarray,
                       zones: gpd.GeoDataFrame | None, exclusions: gpd.GeoDataFrame | None,
                       existing: gpd.GeoDataFrame | None, existing_xy: np.ndarray | None,
                       existing_spacing_m: float) -> tuple[np.ndarray, list[list[tuple[str, str]]]]:
    n = len(xy)
    reasons: list[list[tuple[str, str]]] = [[] for _ in range(n)]
    pts = shapely.points(xy)
    # duplicates: same position to the centimetre; the first keeps its place
    key = np.round(xy, 2)
    _, first_idx, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
    inv = inv.ravel()
    for i in range(n):
        f = first_idx[inv[i]]
        if f != i:
            reasons[i].append(("duplicate", f"duplicate of candidate {ids[f]}"))
    if zones is not None and len(zones):
        tree = shapely.STRtree(zones.geometry.values)
        pi, zi = tree.query(pts, predicate="intersects")
        for p, z in zip(pi, zi, strict=True):
            reasons[p].append(("protection_zone", _zone_label(zones, z)))
    if exclusions is not None and len(exclusions):
        tree = shapely.STRtree(exclusions.geometry.values)
        pi, ei = tree.query(pts, predicate="intersects")
        seen = set()
        for p, e in zip(pi, ei, strict=True):
            if p not in seen:
                reasons[p].append(("exclusion_polygon", _exclusion_label(exclusions, e)))
                seen.add(p)
    if existing_xy is not None and len(existing_xy) and existing_spacing_m > 0:
        eids = (existing["camera_id"].astype("string").fillna("?").to_numpy(dtype=object)
                if existing is not None and "camera_id" in existing else
                np.asarray([str(i) for i in range(1, len(existing_xy) + 1)], dtype=object))
        d, e = cKDTree(existing_xy).query(xy, k=1)
        for i in np.flatnonzero(d < existing_spacing_m * (1 - 1e-9)):
            reasons[i].append(("near_existing_camera",
                               f"within {existing_spacing_m:g} m of existing camera {eids[e[i]]} "
                               f"({d[i]:.0f} m)"))
    keep = np.array([not r for r in reasons], dtype=bool)
    return keep, reasons


def suggest_sites(incidents: gpd.GeoDataFrame, k: int = 19, *,
                  candidates: gpd.GeoDataFrame | None = None,
                  existing: gpd.GeoDataFrame | None = None,
                  zones: gpd.GeoDataFrame | None = None,
                  exclusions: gpd.GeoDataFrame | None = None,
                  radius_m: float = 50.0, min_spacing_m: float = 0.0,
                  existing_spacing_m: float | None = None,
                  weights: np.ndarray | None = None,
                  solver: str = "greedy", compute_gap: bool | None = None,
                  candidate_spacing_m: float = 25.0, time_limit_s: float = 60.0,
                  defaults: CameraDefaults | None = None,
                  exact_curve: bool = False) -> PlacementResult:
    """Choose ``k`` new camera sites maximising the incident weight newly covered.

    Parameters
    ----------
    incidents
        Point layer of incidents (any CRS; the analysis runs in its local UTM zone).
    k
        Number of new cameras.
    candidates
        Candidate sites (points). A candidate with ``direction_deg`` (and optionally
        ``fov_deg``, ``range_m``) covers a sector, otherwise a circle of ``radius_m``.
        Without candidates, sites are generated with :func:`generate_candidates`
        (grid of ``candidate_spacing_m``).
    existing
        Existing cameras: what they cover counts as covered already.
    zones
        Protection-zone polygons of trees (``tree_id``, ``grade``, geometry), e.g. from
        ``mapdesk.domain.trees.protection_zones``; no site may lie inside one.
    exclusions
        Other polygons where no site may go.
    min_spacing_m
        Minimum distance between chosen sites; ``existing_spacing_m`` (default: the same)
        between a site and an existing camera.
    weights
        Incident weights (see :func:`incident_weights`); default 1 each.
    solver
        "greedy" or "exact".
    compute_gap
        Also solve exactly to report the greedy gap; ``None`` = only for small instances.
    exact_curve
        Add the optimum for every k = 1..k to the curve (``optimal_weight``,
        ``optimal_share``): one MILP per k, for small instances.

    Raises
    ------
    AnalysisError
        k < 1, no incidents, no candidate left after the constraints, an unknown solver.
    """
    t_start = time.perf_counter()
    if solver not in ("greedy", "exact"):
        raise AnalysisError(f"unknown solver {solver!r}: use 'greedy' or 'exact'")
    if k is None or int(k) < 1:
        raise AnalysisError(f"k must be at least 1 (got {k})")
    if not (time_limit_s > 0):
        raise AnalysisError(f"the solver time limit must be a positive number of seconds, not {time_limit_s}")
    k = int(k)
    if len(incidents) == 0:
        raise AnalysisError("no incidents to cover (check the filter)")
    if radius_m <= 0:
        raise AnalysisError("radius must be positive")
    if min_spacing_m < 0:
        raise AnalysisError("minimum spacing must not be negative")
    existing_spacing_m = min_spacing_m if existing_spacing_m is None else existing_spacing_m
    w = np.ones(len(incidents)) if weights is None else np.asarray(weights, dtype=float)
    if len(w) != len(incidents):
        raise AnalysisError("one weight per incident is needed")
    located = ~(incidents.geometry.isna() | incidents.geometry.is_empty).to_numpy()
    incidents, warnings = drop_empty(incidents, "incident(s)")
    w = w[located]
    if len(incidents) == 0:
        raise AnalysisError("no incident has a location")
    if existing is not None:
        existing, more = drop_empty(existing, "camera(s)")
        warnings += more
    if candidates is not None:
        candidates, more = drop_empty(candidates, "candidate site(s)")
        warnings += more
    crs = metric_crs(incidents)
    inc = to_metric(incidents, crs, "incidents")
    inc_xy = point_xy(inc)

    already = np.zeros(len(inc), dtype=bool)
    ex_xy = None
    ex = None
    if existing is not None and len(existing):
        ex = to_metric(existing, crs, "cameras")
        ex_xy = point_xy(ex)
        params, cam_warn = camera_parameters(ex, defaults)
        warnings += cam_warn
        m = points_covered(ex_xy, params["direction_deg"].to_numpy(), params["fov_deg"].to_numpy(),
                           params["range_m"].to_numpy(), inc_xy)
        already = np.asarray(m.sum(axis=0)).ravel() > 0

    generated = candidates is None
    if generated:
        cands = to_metric(generate_candidates(inc, spacing_m=candidate_spacing_m,
                                              weights=np.where(already, 0, w) + 1e-9), crs)
    else:
        if len(candidates) == 0:
            raise AnalysisError("the candidate layer is empty")
        cands = to_metric(candidates, crs, "candidates").reset_index(drop=True)
    cand_xy = point_xy(cands)
    ids = _candidate_ids(cands)
    if len(set(ids)) < len(ids):
        dup = pd.Series(ids).value_counts()
        warnings.append(f"{int((dup > 1).sum())} candidate id(s) are used more than once "
                        f"(e.g. {dup.index[0]}); results refer to them by id and position")
    zones_m = to_metric(zones, crs, "protection zones")
    excl_m = to_metric(exclusions, crs, "exclusion")
    keep, reasons = _apply_constraints(cand_xy, ids, zones_m, excl_m, ex, ex_xy,
                                       existing_spacing_m)
    ex_rows = np.flatnonzero(~keep)
    excluded = gpd.GeoDataFrame(
        {"candidate_id": ids[ex_rows],
         "reason_kind": [reasons[i][0][0] for i in ex_rows],
         "reason": ["; ".join(r for _, r in reasons[i]) for i in ex_rows]},
        geometry=gpd.GeoSeries(cands.geometry.values[ex_rows], crs=crs), crs=crs,
    ).to_crs(incidents.crs)
    ok = np.flatnonzero(keep)
    if len(ok) == 0:
        counts = excluded["reason_kind"].value_counts().to_dict()
        detail = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items())
        raise AnalysisError(f"no candidate site is left after the constraints "
                            f"({len(cands)} candidates excluded: {detail})")
    if k > len(ok):
        warnings.append(f"k={k} but only {len(ok)} candidate(s) remain after the constraints; "
                        f"choosing at most {len(ok)}")

    # coverage of each allowed candidate
    c = cands.iloc[ok]
    if "direction_deg" in c.columns and pd.to_numeric(c["direction_deg"], errors="coerce").notna().any():
        cd = CameraDefaults(fov_deg=(defaults or CameraDefaults()).fov_deg, range_m=radius_m)
        cparams, _ = camera_parameters(c, cd)
        dirs, fovs, rngs = (cparams["direction_deg"].to_numpy(), cparams["fov_deg"].to_numpy(),
                            cparams["range_m"].to_numpy())
    else:
        dirs, fovs = np.full(len(ok), np.nan), np.full(len(ok), 360.0)
        rngs = np.full(len(ok), float(radius_m))
        if "range_m" in c.columns:
            r = pd.to_numeric(c["range_m"], errors="coerce").to_numpy(dtype=float)
            rngs = np.where(np.isfinite(r) & (r > 0), r, radius_m)
    t_build = time.perf_counter()
    raw = points_covered(cand_xy[ok], dirs, fovs, rngs, inc_xy)
    problem = build_problem(raw, w, k, cand_xy[ok], min_spacing_m, already)
    t_built = time.perf_counter()

    gap: float | None = None
    exact: ExactSolution | None = None
    greedy_chosen, greedy_gain = solve_greedy(problem)
    greedy_obj = float(sum(greedy_gain))
    small = (problem.n_candidates <= AUTO_GAP_MAX_CANDIDATES
             and len(problem.weight) <= AUTO_GAP_MAX_GROUPS)
    if solver == "exact" or compute_gap or (compute_gap is None and small):
        exact = solve_exact(problem, time_limit_s=time_limit_s, start=greedy_chosen)
        if exact.objective > 0:
            gap = max(0.0, (exact.objective - greedy_obj) / exact.objective) if exact.optimal else None
            if not exact.optimal:
                warnings.append(f"the exact solver stopped ({exact.status}) after "
                                f"{exact.seconds:.1f} s; its answer may not be optimal")
        else:
            gap = 0.0
    if solver == "exact":
        assert exact is not None
        if exact.objective + 1e-9 < greedy_obj:  # time limit hit before beating greedy
            chosen, gains = greedy_chosen, greedy_gain
        else:
            chosen, gains = _rank(problem, exact.chosen)
        if not np.isfinite(exact.bound):
            result_gap = None  # optimality not proven, and no bound to say how far off
        else:
            solver_gap = (exact.bound - exact.objective) / exact.bound if exact.bound > 0 else 0.0
            result_gap = max(0.0, float(solver_gap))
    else:
        chosen, gains = greedy_chosen, greedy_gain
        result_gap = gap
    if not chosen:
        warnings.append("no candidate site would cover an incident that is not covered already")
    elif len(chosen) < min(k, len(ok)):
        warnings.append(f"only {len(chosen)} site(s) add coverage"
                        + (" with the minimum spacing" if min_spacing_m > 0 else "")
                        + f"; {k} were asked for")

    # incident counts newly covered per rank
    covered_groups = np.zeros(problem.cover.shape[1], dtype=bool)
    new_counts = []
    for j in chosen:
        g = problem.cover.indices[problem.cover.indptr[j]:problem.cover.indptr[j + 1]]
        fresh = g[~covered_groups[g]]
        new_counts.append(int(problem.count[fresh].sum()))
        covered_groups[g] = True
    total = problem.total_weight if problem.total_weight > 0 else 1.0
    cum = np.cumsum(gains) if gains else np.zeros(0)
    rows = ok[chosen] if chosen else np.zeros(0, dtype=int)
    sites = gpd.GeoDataFrame(
        {"rank": np.arange(1, len(chosen) + 1), "candidate_id": ids[rows],
         "marginal_gain": np.asarray(gains, dtype=float), "new_incidents": new_counts,
         "cumulative_covered": cum, "share_covered": (problem.base_weight + cum) / total,
         "direction_deg": dirs[chosen] if chosen else [], "fov_deg": fovs[chosen] if chosen else [],
         "range_m": rngs[chosen] if chosen else []},
        geometry=gpd.GeoSeries(cands.geometry.values[rows], crs=crs), crs=crs,
    ).to_crs(incidents.crs)
    for col in ("rank", "new_incidents"):
        sites[col] = sites[col].astype(int)
    curve = pd.DataFrame({
        "k": np.arange(0, len(chosen) + 1),
        "covered_weight": np.r_[0.0, cum],
        "share_covered": (problem.base_weight + np.r_[0.0, cum]) / total,
        "incidents_covered": np.r_[0, np.cumsum(new_counts)].astype(int),
    })
    if exact_curve and len(chosen):
        opt = [0.0]
        for kk in range(1, len(chosen) + 1):
            sub = CoverageProblem(problem.cover, problem.weight, problem.count, problem.conflicts,
                                  kk, problem.total_weight, problem.base_weight)
            seed = greedy_chosen[:kk] if solver == "greedy" else None
            opt.append(solve_exact(sub, time_limit_s=time_limit_s, start=seed).objective)
        curve["optimal_weight"] = opt
        curve["optimal_share"] = (problem.base_weight + np.asarray(opt)) / total
    n_inc = len(inc)
    stats = {
        "incidents": n_inc,
        "total_weight": round(problem.total_weight, 6),
        "already_covered_weight": round(problem.base_weight, 6),
        "already_covered_incidents": int(already.sum()),
        "covered_weight": round(float(cum[-1]) if len(cum) else 0.0, 6),
        "new_incidents_covered": int(sum(new_counts)),
        "share_covered": round(float((problem.base_weight + (cum[-1] if len(cum) else 0)) / total), 6),
        "greedy_weight": round(greedy_obj, 6),
        "optimum_weight": (round(exact.objective, 6) if exact is not None and exact.optimal
                           else None),
        "candidates": int(len(cands)),
        "candidates_generated": bool(generated),
        "candidates_allowed": int(len(ok)),
        "coverage_groups": int(len(problem.weight)),
        "spacing_conflicts": int(len(problem.conflicts)),
        "seconds_build": round(t_built - t_build, 4),
        "seconds_exact": round(exact.seconds, 4) if exact is not None else None,
        "seconds_total": round(time.perf_counter() - t_start, 4),
    }
    params = {"k": k, "radius_m": radius_m, "min_spacing_m": min_spacing_m,
              "existing_spacing_m": existing_spacing_m, "solver": solver,
              "candidate_spacing_m": candidate_spacing_m if generated else None,
              "metric_crs": crs.to_string(), "time_limit_s": time_limit_s}
    return PlacementResult(sites=sites, excluded=excluded, curve=curve, solver=solver,
                           gap=result_gap, params=params, stats=stats, warnings=warnings)
