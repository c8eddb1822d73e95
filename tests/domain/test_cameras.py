"""Coverage geometry: the vectorised sector test against an independent shapely computation."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from mapdesk.domain.cameras import (
    CameraDefaults,
    PlannedCamera,
    camera_parameters,
    cameras_covered,
    coverage_of,
    coverage_polygons,
    metric_crs,
    points_covered,
)
from mapdesk.errors import AnalysisError

UTM49 = "EPSG:32649"
TOL_M = 0.01  # points this close to a boundary are ambiguous for any polygon approximation


def _reference_region(x, y, direction, fov, rng):
    """Sector built independently: a fine circle (shapely buffer) cut by a cone of rays."""
    disc = shapely.Point(x, y).buffer(rng, quad_segs=256)
    if direction is None or np.isnan(direction) or fov >= 360:
        return disc
    far = 3 * rng
    angles = np.radians(direction + fov * np.array([-0.5, -0.25, 0.0, 0.25, 0.5]))
    cone = shapely.Polygon([(x, y), *[(x + far * np.sin(a), y + far * np.cos(a)) for a in angles]])
    return disc.intersection(cone)


def _assert_same_off_boundary(got, ref, region, pts, what):
    """Equal everywhere except within TOL_M of the region's boundary."""
    differ = np.flatnonzero(got != ref)
    near = shapely.distance(region.boundary, shapely.points(pts[differ]))
    assert (near <= TOL_M).all(), f"{what}: {int((near > TOL_M).sum())} point(s) disagree"
    assert len(differ) <= 3, f"{what}: {len(differ)} boundary points disagree"


def _random_cameras(seed, n):
    r = np.random.default_rng(seed)
    xy = r.uniform(0, 400, (n, 2))
    direction = r.uniform(0, 360, n)
    direction[::5] = np.nan  # some circles
    fov = r.choice([30.0, 60.0, 90.0, 120.0, 200.0, 270.0, 360.0], n)
    rng = r.uniform(15, 80, n)
    return xy, direction, fov, rng


def test_points_covered_matches_independent_shapely_sectors():
    cam_xy, direction, fov, rng = _random_cameras(1, 40)
    pts = np.random.default_rng(2).uniform(-80, 480, (20_000, 2))
    mat = points_covered(cam_xy, direction, fov, rng, pts).toarray()
    assert mat.any(axis=1).all()  # every camera sees something: the test is not vacuous
    for j in range(len(cam_xy)):
        region = _reference_region(*cam_xy[j], direction[j], fov[j], rng[j])
        ref = shapely.contains_xy(region, pts[:, 0], pts[:, 1])
        _assert_same_off_boundary(mat[j], ref, region, pts, f"camera {j}")


def test_coverage_polygons_contain_exactly_the_covered_points():
    cam_xy, direction, fov, rng = _random_cameras(3, 25)
    cams = gpd.GeoDataFrame(
        {"camera_id": [f"C-{i}" for i in range(25)], "direction_deg": direction,
         "fov_deg": fov, "range_m": rng},
        geometry=gpd.points_from_xy(cam_xy[:, 0] + 500_000, cam_xy[:, 1] + 4_190_000), crs=UTM49)
    polys = coverage_polygons(cams)
    assert polys.crs == cams.crs
    pts = np.random.default_rng(4).uniform(-80, 480, (10_000, 2)) + [500_000, 4_190_000]
    mat = points_covered(cam_xy + [500_000, 4_190_000], direction, fov, rng, pts).toarray()
    for j, geom in enumerate(polys.geometry):
        inside = shapely.contains_xy(geom, pts[:, 0], pts[:, 1])
        _assert_same_off_boundary(mat[j], inside, geom, pts, f"polygon {j}")
    # a full circle's area is πr² to the polygon's chord error
    circle = np.flatnonzero(np.isnan(direction))[0]
    assert polys.area_m2.iloc[circle] == pytest.approx(np.pi * rng[circle] ** 2, rel=1e-3)
    wedge = np.flatnonzero(~np.isnan(direction) & (fov == 90))[0]
    assert polys.area_m2.iloc[wedge] == pytest.approx(np.pi * rng[wedge] ** 2 / 4, rel=1e-3)


def test_direction_wraps_around_north_and_edges_count_as_inside():
    cam = np.array([[0.0, 0.0]])
    # bearings: 5° (inside 350±20), 20° (outside), 330° (edge, inside), 300° (outside)
    b = np.radians([5.0, 20.0, 330.0, 300.0])
    pts = np.column_stack([10 * np.sin(b), 10 * np.cos(b)])
    pts = np.vstack([pts, [[0.0, 50.0 * np.cos(np.radians(10))]], [[0.0, 0.0]]])
    got = points_covered(cam, 350.0, 40.0, 50.0, pts).toarray()[0]
    assert got.tolist() == [True, False, True, False, True, True]
    # exactly at the range is covered, just beyond it is not
    edge = np.array([[50.0, 0.0], [50.001, 0.0]])
    assert points_covered(cam, 90.0, 10.0, 50.0, edge).toarray()[0].tolist() == [True, False]


def test_coverage_of_matches_matrix_and_is_fast_enough_for_live_planning():
    import time

    r = np.random.default_rng(5)
    pts = r.uniform(0, 1000, (3000, 2))
    cams = [PlannedCamera(x, y, d, 90.0, 60.0) for x, y, d in r.uniform(0, 1000, (20, 3))]
    cams.append(PlannedCamera(500, 500, None, 90.0, 80.0))
    mask = coverage_of(cams, pts)
    mat = points_covered([[c.x_m, c.y_m] for c in cams],
                         [np.nan if c.direction_deg is None else c.direction_deg for c in cams],
                         90.0, [c.range_m for c in cams], pts)
    np.testing.assert_array_equal(mask, mat.toarray().any(axis=0))
    t0 = time.perf_counter()
    for _ in range(20):
        coverage_of(cams[:1], pts)
    assert (time.perf_counter() - t0) / 20 < 0.005


def test_missing_direction_and_range_fall_back_with_warnings():
    cams = gpd.GeoDataFrame(
        {"camera_id": ["A", "B", "C"], "direction_deg": [90.0, None, 45.0],
         "fov_deg": [60.0, None, None], "range_m": [40.0, 30.0, None]},
        geometry=gpd.points_from_xy([112.56, 112.561, 112.562], [37.88, 37.88, 37.88]), crs=4326)
    params, warnings = camera_parameters(cams, CameraDefaults(range_m=55.0, fov_deg=70.0))
    assert params["range_m"].tolist() == [40.0, 30.0, 55.0]
    assert np.isnan(params["direction_deg"].iloc[1])
    assert params["fov_deg"].iloc[2] == 70.0
    assert params["coverage_source"].tolist() == [
        "recorded", "no direction: circle", "default range 55 m; default field of view 70°"]
    assert any("no range" in w and "C" in w for w in warnings)
    assert any("no direction" in w and "B" in w for w in warnings)
    polys = coverage_polygons(cams, CameraDefaults(range_m=55.0, fov_deg=70.0))
    assert polys.attrs["warnings"] == warnings
    assert polys.crs.to_epsg() == 4326
    area = polys.to_crs(polys.estimate_utm_crs()).area
    assert area.iloc[1] == pytest.approx(np.pi * 30**2, rel=2e-3)
    # a default direction instead of circles
    params2, _ = camera_parameters(cams, CameraDefaults(direction_deg=0.0))
    assert params2["direction_deg"].iloc[1] == 0.0
    with pytest.raises(AnalysisError, match="no direction"):
        camera_parameters(cams, CameraDefaults(circle_when_no_direction=False))


def test_cameras_and_incidents_in_different_crs_give_the_same_coverage():
    cams = gpd.GeoDataFrame({"camera_id": ["A"], "direction_deg": [0.0], "fov_deg": [90.0],
                             "range_m": [50.0]},
                            geometry=gpd.points_from_xy([112.56], [37.88]), crs=4326)
    crs = metric_crs(cams)
    assert crs.to_epsg() == 32649
    c = cams.to_crs(crs).geometry.iloc[0]
    pts_m = gpd.GeoDataFrame(geometry=gpd.points_from_xy([c.x, c.x + 40, c.x, c.x],
                                                         [c.y + 30, c.y, c.y - 20, c.y + 49]),
                             crs=crs)
    mat, _, _ = cameras_covered(cams.to_crs(3857), pts_m.to_crs(4326), crs)
    assert mat.toarray()[0].tolist() == [True, False, False, True]


def test_layer_without_crs_is_a_clear_error():
    g = gpd.GeoDataFrame(geometry=gpd.points_from_xy([1.0], [2.0]))
    with pytest.raises(AnalysisError, match="no coordinate reference system"):
        metric_crs(g)


def test_live_coverage_updates_one_camera_at_a_time():
    from mapdesk.domain.cameras import LiveCoverage

    pts = np.array([[0.0, 10.0], [0.0, -10.0], [100.0, 0.0], [100.0, 5.0], [500.0, 500.0]])
    live = LiveCoverage(pts, types=["ebike_theft", "fraud", "ebike_theft", "ebike_theft", "dog"],
                        base=np.array([False, False, False, False, True]))
    live.set("P1", PlannedCamera(0.0, 0.0, 0.0, 90.0, 20.0))  # looks north
    assert live.covered.tolist() == [True, False, False, False, True]
    live.set("P1", PlannedCamera(0.0, 0.0, 180.0, 90.0, 20.0))  # rotated south
    assert live.covered.tolist() == [False, True, False, False, True]
    live.set("P2", PlannedCamera(100.0, 0.0, None, 90.0, 10.0))
    assert live.share == pytest.approx(4 / 5)
    assert live.gain("P2") == 2 and live.gain("P1") == 1
    assert live.by_type() == {"ebike_theft": (2, 3), "fraud": (1, 1), "dog": (1, 1)}
    live.remove("P2")
    assert live.covered.sum() == 2


def test_plan_round_trips_through_a_layer():
    from mapdesk.domain.cameras import plan_from_layer, plan_to_layer

    plan = [PlannedCamera(500_010.0, 4_190_020.0, 45.0, 60.0, 40.0, "P-A"),
            PlannedCamera(500_100.0, 4_190_000.0, None, 90.0, 50.0)]
    layer = plan_to_layer(plan, UTM49, out_crs=4326)
    assert layer.crs.to_epsg() == 4326 and layer["camera_id"].tolist() == ["P-A", "P2"]
    back = plan_from_layer(layer, UTM49)
    assert back[0].direction_deg == 45.0 and back[1].direction_deg is None
    assert back[0].x_m == pytest.approx(500_010.0, abs=1e-4)
    assert back[1].camera_id == "P2"
