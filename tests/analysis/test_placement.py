"""Site placement (MCLP): exact optimum against spopt and a second MILP (pulp), the greedy
bound, constraints with reasons, and bad input."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pulp
import pytest
import shapely

from mapdesk.analysis.placement import (
    build_problem,
    generate_candidates,
    incident_weights,
    solve_exact,
    solve_greedy,
    suggest_sites,
)
from mapdesk.domain.cameras import points_covered
from mapdesk.errors import AnalysisError

UTM49 = "EPSG:32649"
X0, Y0 = 500_000.0, 4_190_000.0


def _layer(xy, **cols):
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(xy[:, 0] + X0, xy[:, 1] + Y0),
                            crs=UTM49)


def make_instance(seed, n_inc, n_cand, extent_m=1500.0, n_hot=25, spread_m=60.0):
    """Clustered incidents (like thefts at metro entrances) and uniform candidates."""
    r = np.random.default_rng(seed)
    hot = r.uniform(0, extent_m, (n_hot, 2))
    inc = hot[r.integers(0, n_hot, n_inc)] + r.normal(0, spread_m, (n_inc, 2))
    cand = r.uniform(0, extent_m, (n_cand, 2))
    return inc, cand


def _pulp_optimum(inc_xy, w, cand_xy, radius, k, spacing=0.0, covered=None):
    """An independent MCLP: one binary y per incident, coverage by dense distances."""
    d = np.hypot(inc_xy[:, None, 0] - cand_xy[None, :, 0], inc_xy[:, None, 1] - cand_xy[None, :, 1])
    cov = d <= radius
    prob = pulp.LpProblem("mclp", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{j}", cat="Binary") for j in range(len(cand_xy))]
    y = {}
    for i in range(len(inc_xy)):
        if covered is not None and covered[i]:
            continue
        js = np.flatnonzero(cov[i])
        if len(js) == 0:
            continue
        y[i] = pulp.LpVariable(f"y{i}", cat="Binary")
        prob += y[i] <= pulp.lpSum(x[j] for j in js)
    prob += pulp.lpSum(float(w[i]) * y[i] for i in y)
    prob += pulp.lpSum(x) <= k
    if spacing > 0:
        dc = np.hypot(cand_xy[:, None, 0] - cand_xy[None, :, 0], cand_xy[:, None, 1] - cand_xy[None, :, 1])
        for a, b in zip(*np.nonzero(np.triu(dc < spacing, 1)), strict=True):
            prob += x[a] + x[b] <= 1
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.LpStatus[prob.status] == "Optimal"
    return pulp.value(prob.objective)


def test_exact_matches_second_milp_with_spacing_existing_cameras_and_weights():
    inc_xy, cand_xy = make_instance(11, 500, 60, extent_m=600)
    w = np.random.default_rng(12).choice([1.0, 2.0, 0.5], len(inc_xy))
    existing_xy = np.array([[300.0, 300.0], [100.0, 450.0]])
    res = suggest_sites(_layer(inc_xy), 6, candidates=_layer(cand_xy),
                        existing=_layer(existing_xy, camera_id=["E1", "E2"], range_m=[60.0, 60.0]),
                        radius_m=70.0, min_spacing_m=120.0, existing_spacing_m=0.0,
                        weights=w, solver="exact")
    covered = np.hypot(*(inc_xy[:, None, :] - existing_xy[None]).transpose(2, 0, 1)).min(axis=1) <= 60
    ref = _pulp_optimum(inc_xy, w, cand_xy, 70.0, 6, spacing=120.0, covered=covered)
    assert res.stats["covered_weight"] == pytest.approx(ref, abs=1e-6)
    assert res.stats["already_covered_weight"] == pytest.approx(w[covered].sum())
    assert res.gap == pytest.approx(0.0, abs=1e-6)
    chosen = shapely.get_coordinates(res.sites.geometry.values) - [X0, Y0]
    dmin = np.min([np.hypot(*(a - b)) for i, a in enumerate(chosen) for b in chosen[i + 1:]])
    assert dmin >= 120.0
    # the ranked gains add up to the objective and decrease
    assert res.sites["marginal_gain"].sum() == pytest.approx(ref)
    assert (np.diff(res.sites["marginal_gain"]) <= 1e-9).all()
    assert res.sites["share_covered"].iloc[-1] == pytest.approx((w[covered].sum() + ref) / w.sum())


def test_exact_matches_spopt_mclp():
    from spopt.locate import MCLP

    inc_xy, cand_xy = make_instance(21, 400, 50, extent_m=700)
    w = np.random.default_rng(22).integers(1, 4, len(inc_xy)).astype(float)
    cost = np.hypot(inc_xy[:, None, 0] - cand_xy[None, :, 0], inc_xy[:, None, 1] - cand_xy[None, :, 1])
    mclp = MCLP.from_cost_matrix(cost, w, service_radius=60.0, p_facilities=5)
    mclp.solve(pulp.PULP_CBC_CMD(msg=False))
    ref = pulp.value(mclp.problem.objective)
    res = suggest_sites(_layer(inc_xy), 5, candidates=_layer(cand_xy), radius_m=60.0, weights=w,
                        solver="exact")
    assert res.stats["covered_weight"] == pytest.approx(ref, abs=1e-6)


def test_lazy_greedy_equals_plain_greedy():
    inc_xy, cand_xy = make_instance(31, 3000, 300, extent_m=1200)
    raw = points_covered(cand_xy, np.nan, 360.0, 50.0, inc_xy)
    prob = build_problem(raw, np.ones(len(inc_xy)), 12, cand_xy, 40.0)
    chosen, gains = solve_greedy(prob)
    dense = raw.toarray()
    covered = np.zeros(len(inc_xy), dtype=bool)
    allowed = np.ones(len(cand_xy), dtype=bool)
    d = np.hypot(cand_xy[:, None, 0] - cand_xy[None, :, 0], cand_xy[:, None, 1] - cand_xy[None, :, 1])
    plain = []
    for _ in range(12):
        g = np.where(allowed, (dense & ~covered).sum(axis=1), -1)
        j = int(np.argmax(g))  # lowest index wins ties, as in the heap
        plain.append(j)
        covered |= dense[j]
        allowed &= d[j] >= 40.0
    assert chosen == plain
    assert sum(gains) == covered.sum()


def test_greedy_reaches_97_percent_of_optimum_on_2000_candidates():
    inc_xy, cand_xy = make_instance(41, 12_000, 2000, extent_m=2000, n_hot=40)
    raw = points_covered(cand_xy, np.nan, 360.0, 50.0, inc_xy)
    prob = build_problem(raw, np.ones(len(inc_xy)), 19, cand_xy, 30.0)
    _, gains = solve_greedy(prob)
    exact = solve_exact(prob, time_limit_s=60)
    assert exact.optimal
    assert sum(gains) >= 0.97 * exact.objective
    assert sum(gains) <= exact.objective + 1e-9


def test_exclusions_keep_their_reasons():
    inc_xy, _ = make_instance(51, 300, 0, extent_m=400)
    cand_xy = np.array([[100.0, 100.0], [100.0, 100.0], [200.0, 200.0], [300.0, 300.0],
                        [50.0, 350.0], [205.0, 390.0], [380.0, 20.0]])
    cands = _layer(cand_xy, candidate_id=[f"S{i}" for i in range(1, 8)])
    zones = gpd.GeoDataFrame({"tree_id": ["GS-0123"], "grade": [1], "radius_m": [8.0]},
                             geometry=[shapely.Point(X0 + 203, Y0 + 203).buffer(8.0)], crs=UTM49)
    excl = gpd.GeoDataFrame({"name": ["school gate"]},
                            geometry=[shapely.box(X0 + 280, Y0 + 280, X0 + 320, Y0 + 320)], crs=UTM49)
    existing = _layer([[60.0, 340.0]], camera_id=["C-12"])
    res = suggest_sites(_layer(inc_xy), 2, candidates=cands, zones=zones.to_crs(4326),
                        exclusions=excl, existing=existing, min_spacing_m=30.0)
    reasons = dict(zip(res.excluded["candidate_id"], res.excluded["reason"], strict=True))
    assert reasons == {
        "S2": "duplicate of candidate S1",
        "S3": "inside protection zone of tree GS-0123 (grade 1)",
        "S4": "inside exclusion polygon school gate",
        "S5": "within 30 m of existing camera C-12 (14 m)",
    }
    assert set(res.sites["candidate_id"]) <= {"S1", "S6", "S7"}
    summary = res.summary()
    assert summary["excluded_by_reason"] == {"duplicate": 1, "protection_zone": 1,
                                             "exclusion_polygon": 1, "near_existing_camera": 1}


def test_no_candidate_left_is_a_clear_error():
    inc_xy, cand_xy = make_instance(61, 100, 5, extent_m=200)
    zone = gpd.GeoDataFrame({"tree_id": ["T1"], "grade": [2]},
                            geometry=[shapely.box(X0 - 10, Y0 - 10, X0 + 210, Y0 + 210)], crs=UTM49)
    with pytest.raises(AnalysisError, match=r"no candidate site is left.*5 protection zone"):
        suggest_sites(_layer(inc_xy), 3, candidates=_layer(cand_xy), zones=zone)


def test_k_larger_than_candidates_warns_and_clamps():
    inc_xy, cand_xy = make_instance(71, 400, 4, extent_m=200)
    res = suggest_sites(_layer(inc_xy), 10, candidates=_layer(cand_xy), radius_m=80.0)
    assert len(res.sites) <= 4
    assert any("only 4 candidate(s) remain" in w for w in res.warnings)
    with pytest.raises(AnalysisError, match="k must be at least 1"):
        suggest_sites(_layer(inc_xy), 0, candidates=_layer(cand_xy))
    with pytest.raises(AnalysisError, match="unknown solver"):
        suggest_sites(_layer(inc_xy), 1, candidates=_layer(cand_xy), solver="magic")


def test_layers_in_different_crs_give_the_same_answer():
    inc_xy, cand_xy = make_instance(81, 800, 80, extent_m=800)
    a = suggest_sites(_layer(inc_xy), 5, candidates=_layer(cand_xy), min_spacing_m=50)
    b = suggest_sites(_layer(inc_xy).to_crs(4326), 5, candidates=_layer(cand_xy).to_crs(3857),
                      min_spacing_m=50)
    assert a.sites["candidate_id"].tolist() == b.sites["candidate_id"].tolist()
    assert a.stats["covered_weight"] == b.stats["covered_weight"]
    assert b.sites.crs.to_epsg() == 4326


def test_existing_coverage_counts_as_covered():
    inc = _layer([[0.0, 0.0]] * 10 + [[500.0, 0.0]] * 3)
    cands = _layer([[0.0, 5.0], [500.0, 5.0]], candidate_id=["busy", "quiet"])
    existing = _layer([[0.0, 0.0]], camera_id=["E"], range_m=[20.0])
    res = suggest_sites(inc, 1, candidates=cands, existing=existing)
    assert res.sites["candidate_id"].tolist() == ["quiet"]
    assert res.sites["new_incidents"].tolist() == [3]
    assert res.curve["share_covered"].tolist() == pytest.approx([10 / 13, 1.0])


def test_sector_candidates_and_generated_candidates():
    inc = _layer([[0.0, 30.0]] * 5 + [[0.0, -30.0]] * 2)
    north = _layer([[0.0, 0.0]], candidate_id=["N"], direction_deg=[0.0], fov_deg=[90.0])
    res = suggest_sites(inc, 1, candidates=north)
    assert res.sites["new_incidents"].tolist() == [5]
    inc_xy, _ = make_instance(91, 2000, 0, extent_m=1000, n_hot=10, spread_m=30)
    gen = generate_candidates(_layer(inc_xy), spacing_m=25.0)
    assert gen["candidate_id"].is_unique
    xy = shapely.get_coordinates(gen.geometry.values)
    assert len(np.unique(np.round(xy, 3), axis=0)) == len(gen)  # deduplicated
    assert gen["incidents"].sum() == 2000
    res = suggest_sites(_layer(inc_xy), 5, radius_m=50.0)
    assert res.stats["candidates_generated"] and len(res.sites) == 5


def test_incident_weights_recency_and_type():
    inc = pd.DataFrame({"type": ["ebike_theft", "fraud", "ebike_theft"],
                        "time": pd.to_datetime(["2026-01-31", "2026-01-31", "2026-01-01"])})
    w = incident_weights(inc, half_life_days=30, type_weights={"ebike_theft": 2.0, "*": 0.5})
    assert w == pytest.approx([2.0, 0.5, 2.0 * 0.5])
    with pytest.raises(AnalysisError, match="half-life"):
        incident_weights(inc, half_life_days=-1)


def test_incidents_without_location_are_left_out_with_a_warning():
    inc = _layer([[0.0, 0.0]] * 3 + [[200.0, 0.0]])
    inc.loc[3, "geometry"] = None
    res = suggest_sites(inc, 1, candidates=_layer([[0.0, 0.0]]), weights=np.ones(4))
    assert res.stats["incidents"] == 3 and res.stats["new_incidents_covered"] == 3
    assert any("1 incident(s) without a location" in w for w in res.warnings)


def test_duplicate_candidate_ids_are_reported():
    inc = _layer([[0.0, 0.0]] * 3 + [[200.0, 0.0]] * 2)
    cands = _layer([[0.0, 0.0], [200.0, 0.0]], candidate_id=["L1", "L1"])
    res = suggest_sites(inc, 2, candidates=cands)
    assert any("used more than once" in w for w in res.warnings)
    assert res.sites["marginal_gain"].tolist() == [3.0, 2.0]


def test_exact_curve_bounds_the_greedy_curve():
    inc_xy, cand_xy = make_instance(101, 1500, 120, extent_m=900)
    res = suggest_sites(_layer(inc_xy), 6, candidates=_layer(cand_xy), min_spacing_m=40.0,
                        exact_curve=True)
    c = res.curve
    assert c["k"].tolist() == list(range(7))
    assert (c["optimal_weight"] >= c["covered_weight"] - 1e-9).all()
    assert c["optimal_weight"].iloc[1] == c["covered_weight"].iloc[1]  # greedy's first pick is optimal
    assert (np.diff(c["optimal_weight"]) >= -1e-9).all()
    assert c["covered_weight"].iloc[-1] >= 0.97 * c["optimal_weight"].iloc[-1]
