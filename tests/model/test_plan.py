"""CameraPlan: live numbers against an independent shapely count, conflicts, undo inverses,
the plan layer and its save/load round trip."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapdesk.analysis.placement import suggest_sites
from mapdesk.domain.cameras import PlannedCamera, coverage_polygons
from mapdesk.domain.trees import protection_zones, sites_in_zones
from mapdesk.errors import ExportError
from mapdesk.io import load_layer
from mapdesk.io.schema import to_canonical
from mapdesk.model import Filter, Layer, Project
from mapdesk.model.plan import CONFLICT_COLOR, PLAN_COLOR, CameraPlan, PlanError

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture(scope="module")
def sample_layers():
    def layer(name, role):
        lyr = Layer.from_file(str(SAMPLE / name), role=role)
        assert lyr.status == "ok", lyr.error
        return lyr

    return {"incidents": layer("incidents.gpkg", "incidents"), "trees": layer("trees.csv", "trees"),
            "cameras": layer("cameras.geojson", "cameras")}


@pytest.fixture
def plan(sample_layers):
    proj = Project("plan test")
    for lyr in sample_layers.values():
        lyr.set_filter(Filter())
    p = CameraPlan(proj, sample_layers["incidents"], sample_layers["trees"], sample_layers["cameras"])
    yield p
    p.clear()


def _incidents_metric(plan: CameraPlan) -> gpd.GeoDataFrame:
    lyr = plan.incidents_layer
    return to_canonical(lyr.filtered_frame(), lyr.field_map).to_crs(plan.crs)


def _existing_metric(plan: CameraPlan) -> gpd.GeoDataFrame:
    lyr = plan.existing_cameras_layer
    cams = to_canonical(lyr.frame, lyr.field_map)
    cams = cams[cams["status"].astype("string") != "planned"]
    return cams


def _independent_counts(plan: CameraPlan, planned: list[PlannedCamera]) -> tuple[int, int, dict]:
    """(covered by existing, covered by existing + plan, new by type) with polygons and
    shapely ``contains`` — no code shared with the plan's point-in-sector test."""
    inc = _incidents_metric(plan)
    pts = inc.geometry.values
    wedges_existing = coverage_polygons(_existing_metric(plan)).to_crs(plan.crs)
    planned_frame = gpd.GeoDataFrame(
        {"camera_id": [c.camera_id for c in planned],
         "direction_deg": [np.nan if c.direction_deg is None else c.direction_deg for c in planned],
         "fov_deg": [c.fov_deg for c in planned], "range_m": [c.range_m for c in planned]},
        geometry=gpd.points_from_xy([c.x_m for c in planned], [c.y_m for c in planned]),
        crs=plan.crs)
    wedges_plan = coverage_polygons(planned_frame) if planned else planned_frame.iloc[:0]

    def covered(polys) -> np.ndarray:
        out = np.zeros(len(pts), dtype=bool)
        for poly in polys:
            # a hair of buffer: points on a wedge's straight edge count as inside, as in the rule
            out |= shapely.contains(shapely.buffer(poly, 1e-6), pts)
        return out

    before = covered(wedges_existing.geometry.values)
    after = before | covered(wedges_plan.geometry.values)
    types = inc["type"].astype(str).to_numpy()
    new_by_type = {t: int((after & ~before)[types == t].sum()) for t in np.unique(types)}
    return int(before.sum()), int(after.sum()), new_by_type


def _dense_spot(plan: CameraPlan) -> tuple[float, float]:
    xy = plan.incident_xy
    # the busiest 40 m cell, where a camera surely sees something new
    ij = np.floor(xy / 40.0).astype(int)
    cells, inv, counts = np.unique(ij, axis=0, return_inverse=True, return_counts=True)
    cov = plan.coverage_mask()
    free = np.bincount(inv.ravel(), weights=~cov, minlength=len(cells))
    best = cells[int(np.argmax(free))]
    return float((best[0] + 0.5) * 40.0), float((best[1] + 0.5) * 40.0)


def test_add_move_rotate_match_independent_shapely_count(plan):
    n0 = plan.numbers
    before, _, _ = _independent_counts(plan, [])
    assert n0.total == len(plan.incidents_layer.frame) == 3025
    assert n0.before == before and n0.after == before and n0.new == 0

    x, y = _dense_spot(plan)
    seen = []
    plan.numbers_changed.connect(seen.append)
    cid = plan.add(x, y, direction_deg=45.0, fov_deg=100.0, range_m=60.0)
    assert cid == "P-01" and seen[-1] is plan.numbers
    for edit in (lambda: None,
                 lambda: plan.move(cid, x + 35.0, y - 20.0),
                 lambda: plan.rotate(cid, 200.0),
                 lambda: plan.set_fov(cid, 60.0),
                 lambda: plan.set_range(cid, 80.0),
                 lambda: plan.add(x - 60.0, y + 30.0, direction_deg=None, range_m=40.0)):
        edit()
        b, a, by_type = _independent_counts(plan, plan.cameras)
        nb = plan.numbers
        assert (nb.before, nb.after) == (b, a)
        assert {k: t.new for k, t in nb.by_type.items()} == by_type
        assert nb.new_share == pytest.approx((a - b) / 3025)
    assert plan.numbers.new > 0
    assert sum(t.total for t in plan.numbers.by_type.values()) == 3025
    assert len(seen) == 6


def test_per_camera_gains(plan):
    x, y = _dense_spot(plan)
    a = plan.add(x, y, direction_deg=None, range_m=50.0)
    b = plan.add(x + 10.0, y, direction_deg=None, range_m=50.0)
    nb = plan.numbers
    ma, mb = plan.coverage_mask(a), plan.coverage_mask(b)
    base = plan.coverage_mask() & ~(ma | mb)
    assert nb.new_by_camera[a] == int((ma & ~base).sum())
    assert nb.unique_by_camera[a] == int((ma & ~mb & ~base).sum())
    assert nb.unique_by_camera[b] == int((mb & ~ma & ~base).sum())
    assert nb.new == int(((ma | mb) & ~base).sum())


def test_conflict_flagged_with_tree_id_and_cleared(plan, sample_layers):
    trees = to_canonical(sample_layers["trees"].frame, sample_layers["trees"].field_map)
    zones = protection_zones(trees)
    grade2 = zones[zones["grade"] == 2].iloc[0]
    tx, ty = plan.to_metric(grade2["trunk_x"], grade2["trunk_y"], zones.crs)
    cid = plan.add(tx + 2.0, ty + 1.0)
    conf = plan.conflicts(cid)
    assert conf, "a camera 2.2 m from a grade-2 trunk must be flagged"
    assert conf[0].tree_id == grade2["tree_id"] and conf[0].grade == 2
    assert conf[0].distance_m == pytest.approx(np.hypot(2.0, 1.0), abs=0.01)
    # the same answer as the tree helper's own check
    pt = gpd.GeoSeries(gpd.points_from_xy([tx + 2.0], [ty + 1.0]), crs=plan.crs)
    assert sites_in_zones(pt, zones).iloc[0] == conf[0].tree_id
    frame = plan.to_frame()
    assert frame.loc[0, "conflict"] == "yes" and frame.loc[0, "conflict_tree"] == grade2["tree_id"]
    # moved well away: cleared at once
    far_x, far_y = _dense_spot(plan)
    plan.move(cid, far_x, far_y)
    pt = gpd.GeoSeries(gpd.points_from_xy([far_x], [far_y]), crs=plan.crs)
    expected = sites_in_zones(pt, zones).iloc[0]
    assert (plan.conflicts(cid)[0].tree_id if plan.conflicts(cid) else None) == expected
    plan.remove(cid)
    assert plan.conflicts() == [] and len(plan) == 0 and plan.numbers.new == 0


def test_every_edit_has_an_inverse(plan):
    x, y = _dense_spot(plan)
    a = plan.add(x, y, direction_deg=90.0)
    b = plan.add(x + 50, y)
    state = (plan.cameras, plan.numbers)
    old = plan.move(a, x + 5, y + 5)
    plan.move(a, *old)
    old_dir = plan.rotate(a, 10.0)
    plan.rotate(a, old_dir)
    old_fields = plan.update(b, fov_deg=30.0, range_m=20.0)
    plan.update(b, **old_fields)
    idx, cam = plan.remove(a)
    assert plan.ids == [b]
    plan.restore(cam, idx)
    assert plan.ids == [a, b]
    prev = plan.clear()
    assert len(plan) == 0
    plan.replace_all(prev)
    assert (plan.cameras, plan.numbers) == state
    c = plan.add(x, y)
    assert c == "P-03"
    plan.remove(c)
    assert plan.add(x, y) == "P-03"  # ids of undone additions come back


def test_bad_edits(plan):
    with pytest.raises(PlanError, match="no camera"):
        plan.move("P-99", 0, 0)
    cid = plan.add(*_dense_spot(plan))
    with pytest.raises(PlanError, match="range"):
        plan.set_range(cid, 0)
    with pytest.raises(PlanError, match="field of view"):
        plan.set_fov(cid, 400)
    with pytest.raises(PlanError, match="finite"):
        plan.move(cid, float("nan"), 1.0)
    with pytest.raises(PlanError, match="cannot set"):
        plan.update(cid, colour="red")
    with pytest.raises(PlanError, match="already"):
        plan.restore(plan.camera(cid))
    assert plan.rotate(cid, 370.0) == 0.0 and plan.camera(cid).direction_deg == 10.0


def test_filter_changes_the_counted_incidents(plan):
    inc = plan.incidents_layer
    cid = plan.add(*_dense_spot(plan), direction_deg=None, range_m=80.0)
    inc.set_filter(Filter(categories={inc.field_map["type"]: ["ebike_theft"]}))
    try:
        nb = plan.numbers
        assert nb.total == int((inc.frame["type"] == "ebike_theft").sum())
        assert set(nb.by_type) == {"ebike_theft"}
        b, a, _ = _independent_counts(plan, plan.cameras)
        assert (nb.before, nb.after) == (b, a)
    finally:
        inc.set_filter(Filter())
    assert plan.numbers.total == 3025 and cid in plan


def test_plan_layer_style_and_live_frame(plan):
    lyr = plan.plan_layer()
    assert lyr is plan.plan_layer()
    assert lyr.role == "cameras" and lyr.style.wedge
    cats = {c.value: c.color for c in lyr.style.categories}
    assert cats == {"no": PLAN_COLOR, "yes": CONFLICT_COLOR}
    v = lyr.data_version
    cid = plan.add(*_dense_spot(plan))
    assert lyr.data_version > v and list(lyr.frame["camera_id"]) == [cid]
    # held during a drag: numbers move, the frame waits for the release
    plan.hold_layer(True)
    frame_before = lyr.frame
    plan.move(cid, plan.camera(cid).x_m + 30, plan.camera(cid).y_m)
    assert lyr.frame is frame_before
    plan.hold_layer(False)
    moved = lyr.frame.to_crs(plan.crs).geometry.iloc[0]
    assert moved.x == pytest.approx(plan.camera(cid).x_m, abs=1e-3)
    proj = plan.project
    plan.show_in_project()
    plan.show_in_project()
    assert proj.layers.count(lyr) == 1


@pytest.mark.parametrize("ext", [".gpkg", ".geojson"])
def test_save_and_load_round_trip(plan, tmp_path, ext, sample_dir):
    src_hash = hashlib.sha256((sample_dir / "incidents.gpkg").read_bytes()).hexdigest()
    x, y = _dense_spot(plan)
    plan.add(x, y, direction_deg=123.0, fov_deg=70.0, range_m=55.0)
    plan.add(x + 40, y - 10, direction_deg=None, range_m=35.0)
    numbers = plan.numbers
    path = plan.save_as_layer(tmp_path / f"plan{ext}")
    assert not plan.modified and plan.plan_layer().source == str(path)
    loaded = load_layer(path, role="cameras")
    assert loaded.role == "cameras"
    frame = to_canonical(loaded.frame, loaded.field_map)
    assert list(frame["camera_id"]) == ["P-01", "P-02"]
    assert list(frame["conflict"]) == list(plan.to_frame()["conflict"])
    again = CameraPlan(Project(), plan.incidents_layer, plan.trees_layer,
                       plan.existing_cameras_layer)
    again.load_layer(Layer.from_file(str(path), role="cameras"))
    for a, b in zip(again.cameras, plan.cameras, strict=True):
        assert a.camera_id == b.camera_id
        assert (a.x_m, a.y_m) == pytest.approx((b.x_m, b.y_m), abs=1e-3)
        assert a.range_m == b.range_m
        if b.direction_deg is None:
            assert a.fov_deg >= 360
        else:
            assert (a.direction_deg, a.fov_deg) == (b.direction_deg, b.fov_deg)
    assert (again.numbers.before, again.numbers.after) == (numbers.before, numbers.after)
    plan.move("P-01", x + 1, y)
    assert plan.modified
    with pytest.raises(ExportError):
        plan.save_as_layer(tmp_path / "plan.txt")
    assert hashlib.sha256((sample_dir / "incidents.gpkg").read_bytes()).hexdigest() == src_hash


def test_from_suggestion_seeds_ranked_sites(plan, sample_dir):
    inc = to_canonical(plan.incidents_layer.frame, plan.incidents_layer.field_map)
    cams = _existing_metric(plan)
    cands = load_layer(sample_dir / "candidates.geojson").frame
    res = suggest_sites(inc, 4, candidates=cands, existing=cams, radius_m=50.0,
                        compute_gap=False)
    plan.add(*_dense_spot(plan))
    old = plan.from_suggestion(res)
    assert len(old) == 1
    assert plan.ids == ["P-01", "P-02", "P-03", "P-04"]
    assert all(c.direction_deg is None and c.range_m == 50.0 for c in plan.cameras)
    # the plan counts what the optimiser promised
    assert plan.numbers.new == int(res.stats["new_incidents_covered"])
    plan.replace_all(old)
    assert len(plan) == 1


def test_no_trees_no_existing_and_empty_incidents(sample_layers):
    inc = sample_layers["incidents"]
    plan = CameraPlan(None, inc)
    assert plan.numbers.before == 0 and plan.conflicts() == []
    cid = plan.add(*plan.incident_xy[0], direction_deg=None)
    assert plan.numbers.new >= 1 and plan.conflicts(cid) == []
    empty = Layer.from_frame("none", gpd.GeoDataFrame({"type": pd.Series([], dtype=str)},
                                                      geometry=gpd.GeoSeries([], crs=4326)),
                             role="incidents", field_map={"type": "type"})
    with pytest.raises(Exception, match="no geometry"):
        CameraPlan(None, empty)


def test_inactive_plan_catches_up_on_filter_changes(plan):
    inc = plan.incidents_layer
    plan.set_active(False)
    inc.set_filter(Filter(categories={inc.field_map["type"]: ["ebike_theft"]}))
    try:
        assert plan._stale
        assert plan.numbers.total == int((inc.frame["type"] == "ebike_theft").sum())
        plan.set_active(True)
        assert not plan._stale
    finally:
        inc.set_filter(Filter())
        plan.set_active(True)
    assert plan.numbers.total == 3025


def test_deferred_inputs_recount_on_catch_up_reads_and_edits(plan):
    inc = plan.incidents_layer
    col = inc.field_map["type"]
    x, y = plan.incident_xy[0]
    cid = plan.add(x, y, direction_deg=None, range_m=60.0)
    events = []
    plan.changed.connect(events.append)
    plan.defer_inputs(True)
    try:
        inc.set_filter(Filter(categories={col: ["ebike_theft"]}))
        n = int((inc.frame[col] == "ebike_theft").sum())
        assert events == ["stale"] and plan.stale
        assert plan.catch_up() and not plan.stale and events[-1] == "inputs"
        assert plan.numbers.total == n and not plan.catch_up()
        # a read recounts quietly; catch_up still reports it (a panel shows the new numbers)
        inc.set_filter(Filter(categories={col: ["ebike_theft", "fraud"]}))
        assert plan.numbers.total == int(inc.frame[col].isin(["ebike_theft", "fraud"]).sum())
        events.clear()
        assert plan.catch_up() and events == ["inputs"]
        # an edit while stale works on the filtered incidents and reports them
        inc.set_filter(Filter())
        events.clear()
        plan.move(cid, x + 1.0, y)
        assert events == ["cameras"] and not plan.stale
        assert plan.numbers.total == 3025
        assert plan.to_frame()["new_incidents"].iloc[0] == plan.numbers.new_by_camera[cid]
    finally:
        plan.changed.disconnect(events.append)
        plan.defer_inputs(False)
        inc.set_filter(Filter())
