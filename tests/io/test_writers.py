"""save_layer: every format, atomic, Chinese text, datums."""

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapdesk.errors import ExportError
from mapdesk.io import list_layers, load_layer, save_layer


@pytest.mark.parametrize("ext", ["gpkg", "geojson", "fgb", "shp", "parquet", "csv", "xlsx", "kml"])
def test_round_trip(tmp_path, points4326, ext):
    p = tmp_path / f"out.{ext}"
    save_layer(points4326, p)
    layer = load_layer(p)
    got = layer.frame.rename(columns={"Name": "name"}) if ext == "kml" else layer.frame  # KML's <name>
    got = got.sort_values("name").reset_index(drop=True)
    want = points4326.sort_values("name").reset_index(drop=True)
    assert list(got["name"]) == list(want["name"])
    np.testing.assert_allclose(shapely.get_coordinates(got.geometry.array),
                               shapely.get_coordinates(want.geometry.array), atol=1e-9)
    leftovers = [f for f in os.listdir(tmp_path) if f.startswith(".")]
    assert leftovers == []


def test_csv_has_bom_and_lon_lat(tmp_path, points4326):
    p = tmp_path / "out.csv"
    save_layer(points4326, p)
    data = p.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data[3:].decode("utf-8").splitlines()[0]
    assert header == "name,value,lon,lat"
    assert "大北门" in data.decode("utf-8-sig")


def test_csv_of_polygons_uses_wkt(tmp_path):
    frame = gpd.GeoDataFrame({"n": ["beat"]}, geometry=[shapely.box(112.5, 37.8, 112.6, 37.9)], crs=4326)
    p = tmp_path / "beats.csv"
    save_layer(frame, p)
    table = pd.read_csv(p, encoding="utf-8-sig")
    assert table["wkt"].iloc[0].startswith("POLYGON")
    assert load_layer(p).frame.geometry.iloc[0].equals(frame.geometry.iloc[0])


def test_projected_csv_uses_x_y(tmp_path, points4326):
    p = tmp_path / "utm.csv"
    save_layer(points4326.to_crs(32649), p)
    assert p.read_text(encoding="utf-8-sig").splitlines()[0] == "name,value,x,y"


def test_overwrite_false_and_unknown_extension(tmp_path, points4326):
    p = tmp_path / "out.gpkg"
    save_layer(points4326, p)
    with pytest.raises(ExportError, match="already exists"):
        save_layer(points4326, p, overwrite=False)
    with pytest.raises(ExportError, match="cannot write"):
        save_layer(points4326, tmp_path / "out.doc")
    with pytest.raises(ExportError):
        save_layer(points4326, tmp_path / "missing_dir" / "out.gpkg")


def test_gpkg_layers_are_added(tmp_path, points4326):
    p = tmp_path / "project.gpkg"
    save_layer(points4326, p, layer="stations")
    save_layer(points4326.iloc[:1], p, layer="one")
    save_layer(points4326.iloc[:2], p, layer="one")  # replaced, not appended
    assert dict(list_layers(p)) == {"stations": "Point", "one": "Point"}
    assert len(load_layer(p, "one").frame) == 2


def test_failed_write_leaves_old_file(tmp_path, points4326, monkeypatch):
    p = tmp_path / "out.geojson"
    save_layer(points4326, p)
    before = p.read_bytes()

    def half_write(frame, path, **kw):
        open(path, "w").write('{"type": "FeatureCollection", "feat')
        raise OSError("disk full")

    import mapdesk.io.writers as writers

    monkeypatch.setattr(writers.pyogrio, "write_dataframe", half_write)
    with pytest.raises(OSError, match="disk full"):
        save_layer(points4326, p)
    assert p.read_bytes() == before
    assert [f for f in os.listdir(tmp_path) if f.startswith(".")] == []


def test_shapefile_overwrite_replaces_all_parts(tmp_path, points4326):
    p = tmp_path / "trees.shp"
    save_layer(points4326, p)
    save_layer(points4326.iloc[:1], p)
    assert len(load_layer(p).frame) == 1
    assert (tmp_path / "trees.cpg").exists()


def test_datetime_and_categorical_columns(tmp_path, points4326):
    frame = points4326.assign(time=pd.to_datetime(["2024-01-01 08:00", "2024-01-02 00:00", "2024-01-03 00:00"]),
                              type=pd.Categorical(["fraud", "dog", "fraud"]))
    for ext in ("gpkg", "parquet", "csv", "xlsx"):
        save_layer(frame, tmp_path / f"x.{ext}")
        back = load_layer(tmp_path / f"x.{ext}").frame
        assert pd.Timestamp(back["time"].iloc[0]) == pd.Timestamp("2024-01-01 08:00")
        assert list(back["type"].astype(str)) == ["fraud", "dog", "fraud"]


@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_datum_round_trip_under_half_a_metre(tmp_path, points4326, datum):
    p = tmp_path / f"web_{datum}.csv"
    save_layer(points4326, p, datum=datum)
    raw = pd.read_csv(p, encoding="utf-8-sig")
    # The web-map datum is hundreds of metres off WGS 84 in Taiyuan.
    assert abs(raw["lon"].iloc[0] - 112.562) > 0.003
    back = load_layer(p, coords=datum)
    assert back.report.datum == datum
    a = back.frame.to_crs(32649).geometry
    b = points4326.to_crs(32649).geometry
    assert float(a.distance(b, align=False).max()) < 0.5


def test_datum_on_a_vector_file(tmp_path, points4326):
    p = tmp_path / "gcj.geojson"
    save_layer(points4326, p, datum="gcj02")
    back = load_layer(p, coords="gcj02")
    assert back.report.datum == "gcj02"
    assert any("GCJ-02" in w for w in back.report.warnings)
    d = back.frame.to_crs(32649).geometry.distance(points4326.to_crs(32649).geometry, align=False)
    assert float(d.max()) < 0.5


def test_datum_refused_for_projected_data(tmp_path, points4326):
    from mapdesk.errors import LoadError

    p = tmp_path / "utm.gpkg"
    save_layer(points4326.to_crs(32649), p)
    with pytest.raises(LoadError, match="--coords gcj02 applies to longitude/latitude"):
        load_layer(p, coords="gcj02")
