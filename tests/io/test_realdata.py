"""Opt-in: the real, messy files in ../shared/realdata load correctly or fail clearly."""

import pandas as pd
import pytest

from mapdesk.errors import LoadError
from mapdesk.io import list_layers, load_layer, load_layers


def _bounds_in(frame, lon, lat):
    b = frame.total_bounds
    return lon[0] <= b[0] and b[2] <= lon[1] and lat[0] <= b[1] and b[3] <= lat[1]


BALTIMORE = ((-76.8, -76.4), (39.1, 39.5))


def test_baltimore_property_json(realdata, sha256):
    p = realdata / "crime/baltimore_CR_Property_2018.json"
    before = sha256(p)
    layer = load_layer(p)
    assert layer.role == "incidents"
    assert layer.field_map["time"] == "CrimeDate" and layer.field_map["type"] == "Description"
    assert layer.report.total_rows == 6322
    assert layer.report.loaded_rows + layer.report.rejected_rows == 6322
    t = layer.frame["CrimeDate"]
    assert t.dtype.kind == "M" and t.dt.year.median() == 2018
    assert (t.dt.hour > 0).any()  # CrimeTime joined
    assert _bounds_in(layer.frame, *BALTIMORE)
    assert sha256(p) == before


def test_baltimore_violent_crime_csv(realdata, sha256):
    p = realdata / "crime/baltimore_violent_crime_2014.csv"
    before = sha256(p)
    layer = load_layer(p)
    rep = layer.report
    assert rep.encoding == "cp1252"
    assert rep.total_rows == 8998
    assert rep.loaded_rows + rep.rejected_rows == 8998
    assert rep.loaded_rows > 0 and rep.rejected == {"missing coordinates": 8998 - rep.loaded_rows}
    assert (rep.x_column, rep.y_column) == ("Coords, Long", "Coords, Lat")
    assert _bounds_in(layer.frame, *BALTIMORE)
    assert layer.role == "incidents"
    assert sha256(p) == before


def test_baltimore_cctv_csv_and_swapped_wkt(realdata):
    p = realdata / "cctv/baltimore_CCTV_Locations.csv"
    by_cols = load_layer(p)
    assert len(by_cols.frame) == 614 and _bounds_in(by_cols.frame, *BALTIMORE)
    by_wkt = load_layer(p, wkt="Location")
    assert any("swapped" in w for w in by_wkt.report.warnings)
    assert _bounds_in(by_wkt.frame, *BALTIMORE)
    assert by_wkt.frame.geometry.geom_equals_exact(by_cols.frame.geometry, 1e-9).all()


def test_baltimore_kml_three_layers(realdata):
    p = realdata / "cctv/baltimore_cctv_cameras.kml"
    assert len(list_layers(p)) == 3
    layers = load_layers(p)
    assert [len(L.frame) for L in layers] == [592, 18, 63]
    assert all(_bounds_in(L.frame, *BALTIMORE) for L in layers)
    assert any("3 layers" in w for w in load_layer(p).report.warnings)


def test_trafford_geojson(realdata):
    layer = load_layer(realdata / "cctv/trafford_cctv_cameras.geojson")
    assert len(layer.frame) == 163 and layer.frame.crs.to_epsg() == 4326
    assert _bounds_in(layer.frame, (-2.6, -2.1), (53.3, 53.6))


def test_geneva_mangled_coordinates_refused(realdata):
    with pytest.raises(LoadError, match="thousands separators"):
        load_layer(realdata / "cctv/geneva_cameras_GE.csv")


def test_trafford_trees(realdata):
    layer = load_layer(realdata / "trees/trafford_highways_trees.csv")
    assert len(layer.frame) == 15638
    assert layer.role == "trees" and layer.field_map["species"] == "species"
    assert _bounds_in(layer.frame, (-2.6, -2.1), (53.3, 53.6))


def test_gbk_air_quality_stations(realdata):
    layer = load_layer(realdata / "taiyuan/air_quality_stations_gbk.csv")
    assert layer.report.encoding in ("gb18030", "gbk")
    assert (layer.report.x_column, layer.report.y_column) == ("经度", "纬度")
    assert layer.report.loaded_rows + layer.report.rejected_rows == 2026
    ty = layer.frame[layer.frame["城市"] == "太原"]
    assert len(ty) == 12
    assert _bounds_in(ty, (112.3, 112.8), (37.6, 38.1))


def test_gcj02_metro_stations(realdata):
    p = realdata / "taiyuan/metro_line2_stations.csv"
    raw = pd.read_csv(p)
    layer = load_layer(p, coords="gcj02")
    assert len(layer.frame) == 22
    dbm = layer.frame[layer.frame["name"] == "大北门"].to_crs(32649).geometry.iloc[0]
    row = raw[raw["name"] == "大北门"].iloc[0]
    as_given = load_layer(p).frame
    dbm_gcj = as_given[as_given["name"] == "大北门"].to_crs(32649).geometry.iloc[0]
    assert row["lng"] == pytest.approx(as_given[as_given["name"] == "大北门"].geometry.iloc[0].x)
    assert 400 < dbm.distance(dbm_gcj) < 700  # "about 550 m off WGS 84"
