"""Vector formats through pyogrio/GDAL and GeoParquet: layers, encodings, CRS, bad files."""

import zipfile

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from mapdesk.errors import LoadError
from mapdesk.io import list_layers, load_layer, load_layers

KML_3 = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Folder><name>existing</name>
 <Placemark><name>cam 1</name><Point><coordinates>112.562,37.888</coordinates></Point></Placemark>
 <Placemark><name>cam 2</name><Point><coordinates>112.563,37.889</coordinates></Point></Placemark>
</Folder>
<Folder><name>new 2024</name>
 <Placemark><name>cam 3</name><Point><coordinates>112.564,37.897</coordinates></Point></Placemark>
</Folder>
<Folder><name>beats</name>
 <Placemark><name>新建北路社区</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
 112.55,37.88 112.57,37.88 112.57,37.90 112.55,37.90 112.55,37.88</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Folder>
</Document></kml>
"""

GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
 <wpt lat="37.888" lon="112.562"><name>大北门 A</name></wpt>
 <wpt lat="37.8975" lon="112.5622"><name>胜利街 B</name></wpt>
 <trk><name>patrol</name><trkseg><trkpt lat="37.888" lon="112.562"/><trkpt lat="37.89" lon="112.565"/></trkseg></trk>
</gpx>
"""


def test_geopackage_with_several_layers(tmp_path, points4326, sha256):
    p = tmp_path / "multi.gpkg"
    pyogrio.write_dataframe(points4326, p, layer="stations")
    beats = gpd.GeoDataFrame({"name": ["新建北路社区"]}, geometry=[shapely.box(112.55, 37.88, 112.57, 37.90)],
                             crs=4326)
    pyogrio.write_dataframe(beats, p, layer="beats")
    before = sha256(p)
    assert list_layers(p) == [("stations", "Point"), ("beats", "Polygon")]
    first = load_layer(p)
    assert first.layer == "stations" and len(first.frame) == 3
    assert any("2 layers" in w for w in first.report.warnings)
    layers = load_layers(p)
    assert [L.layer for L in layers] == ["stations", "beats"]
    assert layers[1].frame.geometry.iloc[0].geom_type == "Polygon"
    assert load_layer(p, "beats").frame["name"].iloc[0] == "新建北路社区"
    with pytest.raises(LoadError, match="no layer 'nope'.*stations, beats"):
        load_layer(p, "nope")
    assert sha256(p) == before


def test_kml_with_several_layers(tmp_path, sha256):
    p = tmp_path / "cams.kml"
    p.write_text(KML_3, encoding="utf-8")
    before = sha256(p)
    names = [n for n, _ in list_layers(p)]
    assert names == ["existing", "new 2024", "beats"]
    layers = load_layers(p)
    assert [len(L.frame) for L in layers] == [2, 1, 1]
    assert layers[2].frame["Name"].iloc[0] == "新建北路社区"
    default = load_layer(p)
    assert len(default.frame) == 2 and any("3 layers" in w for w in default.report.warnings)
    assert sha256(p) == before


def test_gpx_waypoints_and_tracks(tmp_path):
    p = tmp_path / "walk.gpx"
    p.write_text(GPX, encoding="utf-8")
    wpt = load_layer(p, "waypoints")
    assert list(wpt.frame["name"]) == ["大北门 A", "胜利街 B"]
    assert wpt.frame.geometry.iloc[0].coords[0] == pytest.approx((112.562, 37.888))
    assert load_layer(p, "tracks").frame.geometry.iloc[0].geom_type == "MultiLineString"


@pytest.mark.parametrize("ext", ["geojson", "fgb", "parquet", "shp"])
def test_single_layer_formats(tmp_path, points4326, ext):
    p = tmp_path / f"pts.{ext}"
    if ext == "parquet":
        points4326.to_parquet(p)
    else:
        pyogrio.write_dataframe(points4326, p)
    layer = load_layer(p)
    assert layer.frame.crs.to_epsg() == 4326
    assert sorted(layer.frame["name"]) == sorted(points4326["name"])
    assert layer.report.rejected == {} and layer.report.loaded_rows == 3
    assert list_layers(p)[0][1] == "Point"


def test_projected_file_keeps_its_crs(tmp_path, points4326):
    p = tmp_path / "utm.gpkg"
    pyogrio.write_dataframe(points4326.to_crs(32649), p)
    layer = load_layer(p)
    assert layer.frame.crs.to_epsg() == 32649
    assert layer.report.crs.startswith("EPSG:32649")


def test_geojson_with_null_geometry_and_out_of_range(tmp_path):
    p = tmp_path / "f.geojson"
    p.write_text('{"type":"FeatureCollection","features":['
                 '{"type":"Feature","properties":{"n":1},"geometry":{"type":"Point","coordinates":[112.5,37.8]}},'
                 '{"type":"Feature","properties":{"n":2},"geometry":null},'
                 '{"type":"Feature","properties":{"n":3},"geometry":{"type":"Point","coordinates":[112.5,137.8]}}]}')
    layer = load_layer(p)
    assert list(layer.frame["n"]) == [1]
    assert layer.report.rejected == {"missing geometry": 1, "latitude out of range": 1}
    assert layer.report.rejected_examples == {"missing geometry": [2], "latitude out of range": [3]}


def test_gbk_shapefile_without_cpg(tmp_path, sha256):
    frame = gpd.GeoDataFrame({"树种": ["国槐", "油松"], "社区": ["新建北路社区", "西羊市社区"]},
                             geometry=gpd.points_from_xy([112.56, 112.57], [37.88, 37.89]), crs=4326)
    p = tmp_path / "trees.shp"
    pyogrio.write_dataframe(frame, p, encoding="GBK")
    (tmp_path / "trees.cpg").unlink()
    before = sha256(tmp_path / "trees.dbf")
    layer = load_layer(p)
    assert list(layer.frame["树种"]) == ["国槐", "油松"]
    assert layer.report.encoding == "gb18030"
    assert any(".cpg" in w for w in layer.report.warnings)
    assert layer.role == "trees" and layer.field_map["species"] == "树种"
    assert sha256(tmp_path / "trees.dbf") == before
    # An explicit encoding wins.
    assert load_layer(p, encoding="gbk").frame["社区"].iloc[1] == "西羊市社区"


def test_shapefile_without_prj(tmp_path, points4326):
    lonlat = tmp_path / "lonlat.shp"
    pyogrio.write_dataframe(points4326, lonlat)
    (tmp_path / "lonlat.prj").unlink()
    layer = load_layer(lonlat)
    assert layer.frame.crs.to_epsg() == 4326
    assert any("no CRS in file: assumed WGS 84" in w for w in layer.report.warnings)

    utm = tmp_path / "utm.shp"
    pyogrio.write_dataframe(points4326.to_crs(32649), utm)
    (tmp_path / "utm.prj").unlink()
    with pytest.raises(LoadError, match=r"utm.shp has no coordinate system.*--crs EPSG:"):
        load_layer(utm)
    fixed = load_layer(utm, crs="EPSG:32649")
    back = fixed.frame.to_crs(4326)
    assert back.geometry.iloc[0].x == pytest.approx(112.562, abs=1e-6)


def test_zipped_shapefile(tmp_path, points4326):
    pyogrio.write_dataframe(points4326, tmp_path / "pts.shp")
    z = tmp_path / "pts.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            zf.write(tmp_path / f"pts.{ext}", f"pts.{ext}")
    assert len(load_layer(z).frame) == 3


# ------------------------------------------------------------------ bad input


def test_missing_file(tmp_path):
    with pytest.raises(LoadError, match="file not found"):
        load_layer(tmp_path / "nope.gpkg")


def test_unknown_extension(tmp_path):
    p = tmp_path / "data.xyz"
    p.write_text("hello")
    with pytest.raises(LoadError, match=r"unknown file type '\.xyz'.*\.gpkg"):
        load_layer(p)


@pytest.mark.parametrize("name", ["empty.gpkg", "empty.csv", "empty.geojson", "empty.parquet", "empty.kml"])
def test_empty_file(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(b"")
    with pytest.raises(LoadError, match="empty"):
        load_layer(p)


@pytest.mark.parametrize("name", ["fake.zip", "fake.kmz", "fake.xlsx"])
def test_zip_that_is_not_one(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(b"this is not a zip archive at all" * 10)
    with pytest.raises(LoadError, match="not a valid .* zip archive"):
        load_layer(p)


def test_truncated_zip(tmp_path, points4326):
    pyogrio.write_dataframe(points4326, tmp_path / "pts.shp")
    z = tmp_path / "pts.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for ext in ("shp", "shx", "dbf"):
            zf.write(tmp_path / f"pts.{ext}", f"pts.{ext}")
    data = z.read_bytes()
    z.write_bytes(data[: len(data) // 2])
    with pytest.raises(LoadError):
        load_layer(z)


@pytest.mark.parametrize("ext", ["gpkg", "geojson", "parquet", "fgb", "kml", "shp", "dbf"])
def test_truncated_file(tmp_path, points4326, ext, sha256):
    p = tmp_path / f"pts.{'shp' if ext == 'dbf' else ext}"
    big = gpd.GeoDataFrame({"v": np.arange(2000)}, geometry=gpd.points_from_xy(
        np.linspace(112.5, 112.6, 2000), np.linspace(37.8, 37.9, 2000)), crs=4326)
    if ext == "parquet":
        big.to_parquet(p)
    else:
        pyogrio.write_dataframe(big, p, driver="KML" if ext == "kml" else None)
    cut = p.with_suffix(".dbf") if ext == "dbf" else p
    data = cut.read_bytes()
    cut.write_bytes(data[: len(data) // 3])
    before = sha256(cut)
    try:
        layer = load_layer(p)
    except LoadError as exc:
        assert p.name in str(exc)
    else:  # features before the cut may be read: the report must count the rest
        assert len(layer.frame) < 2000
        assert layer.report.rejected_rows == 2000 - len(layer.frame)
    assert sha256(cut) == before


@pytest.mark.parametrize("ext", ["gpkg", "geojson", "parquet", "shp", "csv"])
def test_garbage_file(tmp_path, ext):
    p = tmp_path / f"garbage.{ext}"
    p.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    with pytest.raises(LoadError):
        load_layer(p)


def test_geopackage_attribute_table_with_lon_lat(tmp_path, points4326):
    import pandas as pd

    p = tmp_path / "attrs.gpkg"
    table = pd.DataFrame({"name": ["a", "b"], "经度": [112.56, 112.57], "纬度": [37.88, 37.89]})
    pyogrio.write_dataframe(table, p, layer="table")
    layer = load_layer(p)
    assert layer.frame.geometry.iloc[1].coords[0] == pytest.approx((112.57, 37.89))
    assert (layer.report.x_column, layer.report.y_column) == ("经度", "纬度")


def test_geojson_coordinates_overridden_by_columns(tmp_path, points4326):
    p = tmp_path / "pts.geojson"
    frame = points4326.assign(lon2=[1.0, 2.0, 3.0], lat2=[4.0, 5.0, 6.0])
    pyogrio.write_dataframe(frame, p)
    layer = load_layer(p, x="lon2", y="lat2")
    assert layer.frame.geometry.iloc[2].coords[0] == (3.0, 6.0)


def test_osm_pbf_layers(tmp_path, sha256):
    from pathlib import Path

    src = Path(pyogrio.__file__).parent / "tests" / "fixtures" / "sample.osm.pbf"
    if not src.exists():
        pytest.skip("no OSM PBF sample shipped with pyogrio")
    p = tmp_path / "sample.osm.pbf"
    p.write_bytes(src.read_bytes())
    before = sha256(p)
    names = [n for n, _ in list_layers(p)]
    assert names[:4] == ["points", "lines", "multilinestrings", "multipolygons"]
    layers = {L.layer: L for L in load_layers(p)}
    assert len(layers["points"].frame) > 0
    assert layers["multipolygons"].frame.geometry.iloc[0].geom_type == "MultiPolygon"
    assert all(L.frame.crs.to_epsg() == 4326 for L in layers.values())
    assert sha256(p) == before


def test_plain_parquet_with_lon_lat_columns(tmp_path):
    import pandas as pd

    p = tmp_path / "table.parquet"
    pd.DataFrame({"id": [1, 2], "lng": [112.56, 112.57], "lat": [37.88, None]}).to_parquet(p)
    layer = load_layer(p)
    assert len(layer.frame) == 1 and layer.report.rejected == {"missing coordinates": 1}
