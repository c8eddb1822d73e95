import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon

from mapdesk.domain.trees import ZoneSettings, protection_zones
from mapdesk.domain.trees.conflicts import conflicts_summary, find_conflicts, sites_in_zones
from mapdesk.domain.trees.zones import local_utm_crs
from mapdesk.errors import AnalysisError

UTM49 = 32649


def _trees():
    # trunks placed in UTM 49N metres around Taiyuan, then given in WGS 84
    xy = [(660000, 4194000), (660100, 4194000), (660200, 4194000), (660300, 4194000), (660400, 4194000)]
    frame = gpd.GeoDataFrame({
        "tree_id": ["G1", "G2", "G3", "G4", "NONE"],
        "species": ["国槐", "油松", "国槐", "侧柏", "国槐"],
        "age_years": [320, 150, 60, 25, 5],
        "dbh_cm": [80, 50, 30, 20, 5],
        "crown_diameter_m": [12, None, "8×6", None, 2],
        "crown_radius_m": [None, 4.0, None, None, None],
    }, geometry=[Point(x, y) for x, y in xy], crs=UTM49)
    return frame.to_crs(4326)


def test_zone_radius_by_grade_and_crown():
    z = protection_zones(_trees())
    assert z["tree_id"].tolist() == ["G1", "G2", "G3", "G4"]  # the unprotected tree gets none
    assert z["grade"].tolist() == [1, 2, 3, 4]
    assert z["radius_m"].tolist() == [11.0, 9.0, 6.5, 6.0]  # 6+5, 4+5, 3.5+3, fixed 6
    assert z["radius_source"].tolist() == ["crown", "crown", "crown", "fixed"]
    assert z.crs.to_epsg() == 4326
    area = z.to_crs(UTM49).area.to_numpy()
    np.testing.assert_allclose(area, np.pi * z["radius_m"].to_numpy() ** 2, rtol=0.005)
    trunk = gpd.GeoSeries(gpd.points_from_xy(z["trunk_x"], z["trunk_y"]), crs=4326).to_crs(UTM49)
    assert trunk.iloc[0].distance(Point(660000, 4194000)) < 1e-6


def test_zone_settings_configurable():
    s = ZoneSettings(margin_m={1: 10}, fixed_radius_m={4: 20})
    assert s.margin_m == {1: 10.0, 2: 5.0, 3: 3.0, 4: 3.0}
    z = protection_zones(_trees(), s)
    assert z["radius_m"].tolist() == [16.0, 9.0, 6.5, 20.0]
    with pytest.raises(AnalysisError):
        ZoneSettings(margin_m={5: 1})
    with pytest.raises(AnalysisError):
        ZoneSettings(fixed_radius_m={1: -3})


def test_zones_need_crs_and_skip_missing_geometry():
    t = _trees()
    with pytest.raises(AnalysisError):
        protection_zones(t.set_crs(None, allow_override=True))
    t.loc[0, "geometry"] = None
    z = protection_zones(t)
    assert "G1" not in z["tree_id"].tolist()
    empty = protection_zones(t.iloc[4:5])
    assert len(empty) == 0 and "radius_m" in empty.columns


def test_local_utm_matches_geopandas():
    t = _trees()
    assert local_utm_crs(t.geometry) == t.estimate_utm_crs()
    assert local_utm_crs(t.to_crs(3857).geometry).to_epsg() == UTM49


def _features():
    # in UTM: a pole 3 m from G1, a trench passing 5 m from G2, a works area far away, a pole
    # in the overlap of nothing; then given in Web Mercator to exercise reprojection
    return gpd.GeoDataFrame({
        "site_id": ["P1", "T1", "W1", "P2"],
    }, geometry=[
        Point(660003, 4194000),
        LineString([(660090, 4194005), (660110, 4194005)]),
        Polygon([(661000, 4195000), (661010, 4195000), (661010, 4195010)]),
        Point(660150, 4194000),
    ], crs=UTM49).to_crs(3857)


def test_conflicts_points_lines_polygons():
    z = protection_zones(_trees())
    c = find_conflicts(z, _features())
    assert c["feature_id"].tolist() == ["P1", "T1"]
    assert c["tree_id"].tolist() == ["G1", "G2"]
    assert c["feature_type"].tolist() == ["Point", "LineString"]
    np.testing.assert_allclose(c["distance_m"], [3.0, 5.0], atol=0.01)
    np.testing.assert_allclose(c["inside_m"], [8.0, 4.0], atol=0.01)
    assert c.crs == z.crs
    # the part of the trench inside the 9 m zone: 2 * sqrt(9^2 - 5^2)
    inside = c.to_crs(UTM49).geometry.iloc[1].length
    assert inside == pytest.approx(2 * np.sqrt(81 - 25), rel=0.01)
    s = conflicts_summary(c)
    assert s["conflicts"] == 2 and s["trees_affected"] == 2 and s["by_grade"]["1"] == 1


def test_conflicts_generic_polygon_zones_agree():
    z = protection_zones(_trees())
    plain = z.drop(columns=["trunk_x", "trunk_y"])
    c = find_conflicts(plain, _features())
    assert c["tree_id"].tolist() == ["G1", "G2"]
    np.testing.assert_allclose(c["distance_m"], [3.0, 5.0], atol=0.05)


def test_polygon_feature_covering_zone():
    z = protection_zones(_trees())
    area = gpd.GeoDataFrame({"name": ["site"]}, geometry=[Point(660200, 4194000).buffer(50)], crs=UTM49)
    c = find_conflicts(z, area)
    assert c["tree_id"].tolist() == ["G3"]  # G2 and G4 are 100 m away, their zones under 10 m
    assert c["distance_m"].iloc[0] == 0.0
    assert c["feature_id"].iloc[0] == "site"
    assert c.to_crs(UTM49).area.iloc[0] == pytest.approx(np.pi * 6.5**2, rel=0.01)


def test_sites_in_zones():
    z = protection_zones(_trees())
    sites = gpd.GeoSeries([Point(660003, 4194000), Point(660050, 4194000), Point(660101, 4194001)],
                          crs=UTM49, index=[10, 11, 12])
    got = sites_in_zones(sites, z)
    assert got.to_dict() == {10: "G1", 11: None, 12: "G2"}
    assert got.dtype == object


def test_nearest_tree_wins_when_zones_overlap():
    t = gpd.GeoDataFrame({"tree_id": ["A", "B"], "age_years": [320, 320]},
                         geometry=[Point(660000, 4194000), Point(660010, 4194000)], crs=UTM49)
    z = protection_zones(t)  # 15 m fixed radius each: they overlap
    got = sites_in_zones(gpd.GeoSeries([Point(660007, 4194000)], crs=UTM49), z)
    assert got.iloc[0] == "B"
    assert len(find_conflicts(z, gpd.GeoDataFrame(geometry=[Point(660007, 4194000)], crs=UTM49))) == 2


def test_conflicts_empty_and_bad_input():
    z = protection_zones(_trees())
    none = gpd.GeoDataFrame({"id": []}, geometry=gpd.GeoSeries([], crs=4326))
    c = find_conflicts(z, none)
    assert len(c) == 0 and list(c.columns)[:3] == ["feature_index", "feature_id", "feature_type"]
    with pytest.raises(AnalysisError):
        find_conflicts(z, gpd.GeoDataFrame({"id": [1]}, geometry=[Point(0, 0)]))
    with pytest.raises(AnalysisError):
        find_conflicts(z, _features(), feature_id="nope")
    assert sites_in_zones(gpd.GeoSeries([], crs=4326), z).empty
    assert pd.Series(dtype=object).empty
