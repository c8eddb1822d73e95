"""Coverage report: shares overall, per type, per beat; uncovered clusters."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from mapdesk.analysis.coverage import coverage_report
from mapdesk.errors import AnalysisError

UTM49 = "EPSG:32649"
X0, Y0 = 500_000.0, 4_190_000.0


def _pts(xy, **cols):
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(xy[:, 0] + X0, xy[:, 1] + Y0), crs=UTM49)


@pytest.fixture
def scene():
    # camera A looks north (sees y in (0, 50]), camera B has no direction: circle of 30 m
    cams = _pts([[0, 0], [400, 0]], camera_id=["A", "B"], direction_deg=[0.0, np.nan],
                fov_deg=[90.0, np.nan], range_m=[50.0, 30.0])
    xy = ([[0, 20]] * 4 + [[0, -20]] * 2 + [[400, 25]] * 3 + [[1010, 1010]] * 5 + [[1050, 1050]] * 2)
    types = (["ebike_theft"] * 4 + ["fraud"] * 2 + ["ebike_theft"] * 3 + ["ebike_theft"] * 5
             + ["dispute"] * 2)
    community = ["North"] * 6 + ["East"] * 3 + ["Far"] * 7
    inc = _pts(xy, type=types, community=community)
    return cams, inc


def test_shares_overall_by_type_and_by_community(scene):
    cams, inc = scene
    rep = coverage_report(cams, inc.to_crs(4326))
    assert (rep.n_incidents, rep.n_covered) == (16, 7)
    assert rep.share_covered == pytest.approx(7 / 16)
    t = rep.by_type.set_index("type")
    assert t.loc["ebike_theft", ["incidents", "covered"]].tolist() == [12, 7]
    assert t.loc["fraud", "share_covered"] == 0.0
    assert t.loc["ebike_theft", "label_zh"] == "电动车被盗"
    b = rep.by_beat.set_index("beat")
    assert b.loc["North", "covered"] == 4 and b.loc["East", "covered"] == 3
    assert rep.per_camera.set_index("camera_id")["incidents_seen"].to_dict() == {"A": 4, "B": 3}
    assert rep.covered.sum() == 7
    assert any("no direction" in w for w in rep.warnings)
    assert rep.coverage.crs == cams.crs


def test_beats_layer_and_grid_clusters(scene):
    cams, inc = scene
    beats = gpd.GeoDataFrame({"name": ["West", "East"]},
                             geometry=[shapely.box(X0 - 100, Y0 - 100, X0 + 200, Y0 + 100),
                                       shapely.box(X0 + 200, Y0 - 100, X0 + 500, Y0 + 100)],
                             crs=UTM49).to_crs(4326)
    rep = coverage_report(cams, inc, beats=beats, min_uncovered=2)
    b = rep.by_beat.set_index("beat")
    assert b.loc["West", ["incidents", "covered"]].tolist() == [6, 4]
    assert b.loc["(outside beats)", "incidents"] == 7
    # 100 m cells: (1010,1010) x5 and (1050,1050) x2 share one cell; (0,-20) x2 another
    cl = rep.clusters
    assert cl["uncovered"].tolist() == [7, 2]
    assert cl["rank"].tolist() == [1, 2]
    assert cl.geometry.iloc[0].contains(inc.geometry.iloc[-1])


def test_cluster_polygons_from_the_hotspot_tools(scene):
    cams, inc = scene
    hot = gpd.GeoDataFrame({"cluster_id": ["h1", "h2", "h3"]},
                           geometry=[shapely.box(X0 - 10, Y0 - 30, X0 + 10, Y0 + 30),
                                     shapely.box(X0 + 1000, Y0 + 1000, X0 + 1020, Y0 + 1020),
                                     shapely.box(X0 + 390, Y0 + 20, X0 + 410, Y0 + 30)],
                           crs=UTM49)
    rep = coverage_report(cams, inc, clusters=hot)
    cl = rep.clusters.set_index("cluster_id")
    assert cl.loc["h2", "uncovered"] == 5 and cl.loc["h1", "uncovered"] == 2
    assert cl.loc["h1", "incidents"] == 6
    assert "h3" not in cl.index  # fully covered: not an uncovered cluster
    assert rep.clusters["cluster_id"].iloc[0] == "h2"


def test_no_incidents_is_an_error(scene):
    cams, inc = scene
    with pytest.raises(AnalysisError, match="no incidents"):
        coverage_report(cams, inc.iloc[:0])


def test_planned_and_faulty_cameras(scene):
    cams, inc = scene
    cams = cams.assign(status=["在建", "故障"])  # planned (Chinese), faulty
    rep = coverage_report(cams, inc)
    assert rep.n_covered == 3  # only B (faulty but counted by default)
    assert any("status planned left out" in w for w in rep.warnings)
    rep = coverage_report(cams, inc, exclude_statuses=("planned", "fault"))
    assert rep.n_covered == 0 and rep.share_covered == 0.0
    assert rep.clusters["uncovered"].sum() >= 9
