"""CSV/TSV/Excel/JSON tables with coordinate columns: finding them and checking the values."""

import numpy as np
import pandas as pd
import pytest

from mapdesk.errors import LoadError
from mapdesk.io import load_layer

CSV = "name,lon,lat\na,112.56,37.88\nb,112.57,37.89\nc,112.58,37.90\n"


def test_plain_csv_loads_with_assumed_wgs84(write_bytes, sha256):
    p = write_bytes("pts.csv", CSV)
    before = sha256(p)
    layer = load_layer(p)
    assert len(layer.frame) == 3
    assert layer.frame.crs.to_epsg() == 4326
    assert list(layer.frame.columns) == ["name", "lon", "lat", "geometry"]
    assert layer.frame.geometry.iloc[1].x == pytest.approx(112.57)
    assert layer.report.x_column == "lon" and layer.report.y_column == "lat"
    assert any("assumed WGS 84" in w for w in layer.report.warnings)
    assert layer.report.rejected == {}
    assert sha256(p) == before


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_delimiters_are_sniffed(write_bytes, sep):
    text = CSV.replace(",", sep)
    p = write_bytes("pts.tsv" if sep == "\t" else "pts.csv", text)
    layer = load_layer(p)
    assert len(layer.frame) == 3
    assert layer.frame.geometry.iloc[2].y == pytest.approx(37.90)


def test_semicolon_csv_with_decimal_commas(write_bytes):
    p = write_bytes("eu.csv", "name;lon;lat\na;112,56;37,88\nb;112,57;37,89\n")
    layer = load_layer(p)
    assert layer.frame.geometry.iloc[0].x == pytest.approx(112.56)
    assert layer.frame.geometry.iloc[0].y == pytest.approx(37.88)


def test_chinese_headers_in_gbk_without_declared_encoding(write_bytes, sha256):
    text = "监测点名称,城市,经度,纬度\n上兰,太原,112.434,38.0135\n晋源区,太原,112.4784,37.7264\n"
    p = write_bytes("stations.csv", text, encoding="gbk")
    before = sha256(p)
    layer = load_layer(p)
    assert layer.report.encoding in ("gb18030", "gbk")
    assert list(layer.frame["监测点名称"]) == ["上兰", "晋源区"]
    assert (layer.report.x_column, layer.report.y_column) == ("经度", "纬度")
    assert any("encoding detected" in w for w in layer.report.warnings)
    assert sha256(p) == before


def test_encoding_override(write_bytes):
    p = write_bytes("stations.csv", "名称,lon,lat\n国槐,112.5,37.8\n", encoding="gbk")
    layer = load_layer(p, encoding="gbk")
    assert layer.frame["名称"].iloc[0] == "国槐"
    with pytest.raises(LoadError, match="unknown text encoding"):
        load_layer(p, encoding="klingon")


def test_utf8_bom_and_cp1252_byte(write_bytes):
    p = write_bytes("bom.csv", "\ufeff名称,lon,lat\n国槐,112.5,37.8\n")
    layer = load_layer(p)
    assert "名称" in layer.frame.columns
    p2 = write_bytes("cp.csv", "Location,lon,lat\nCAFÉ,-76.6,39.3\nplain,-76.5,39.2\n".encode("cp1252"))
    layer2 = load_layer(p2)
    assert layer2.frame["Location"].iloc[0] == "CAFÉ"
    assert layer2.report.encoding == "cp1252"


def test_cp1252_byte_late_in_a_large_utf8_looking_file(write_bytes):
    rows = "".join(f"row{i},-76.6,39.3\n" for i in range(60000))
    data = ("Location,lon,lat\n" + rows).encode() + "CAFÉ,-76.5,39.2\n".encode("cp1252")
    layer = load_layer(write_bytes("late.csv", data))
    assert len(layer.frame) == 60001
    assert layer.frame["Location"].iloc[-1] == "CAFÉ"


def test_csv_without_coordinate_columns_is_refused(write_bytes):
    p = write_bytes("nocoords.csv", "name,value\na,1\nb,2\n")
    with pytest.raises(LoadError, match=r"no coordinate columns.*--x COLUMN --y COLUMN"):
        load_layer(p)


def test_explicit_columns(write_bytes):
    p = write_bytes("odd.csv", "name,east,north\na,112.5,37.8\n")
    layer = load_layer(p, x="east", y="north")
    assert layer.frame.geometry.iloc[0].coords[0] == (112.5, 37.8)
    with pytest.raises(LoadError, match="no column 'nope'"):
        load_layer(p, x="nope", y="north")
    with pytest.raises(LoadError, match="give both"):
        load_layer(p, x="east")


def test_swapped_axes_are_swapped_back_when_unambiguous(write_bytes):
    # lat/lon written into lon/lat columns: "latitudes" of 112 cannot be latitudes.
    p = write_bytes("swapped.csv", "name,lon,lat\na,37.88,112.56\nb,37.89,112.57\n")
    layer = load_layer(p)
    assert layer.frame.geometry.iloc[0].coords[0] == pytest.approx((112.56, 37.88))
    assert any("swapped" in w for w in layer.report.warnings)
    with pytest.raises(LoadError, match="not longitude/latitude"):
        load_layer(p, swap_axes=False)


def test_ambiguous_swap_is_an_error_with_the_fix(write_bytes):
    # Baltimore as (lat, lon): both orders are in range; as given every point is in Antarctica.
    p = write_bytes("wkt.csv", 'id,Location\n1,"POINT (39.31 -76.64)"\n2,"POINT (39.29 -76.60)"\n')
    with pytest.raises(LoadError, match="swap"):
        load_layer(p)
    layer = load_layer(p, swap_axes=True)
    assert layer.frame.geometry.iloc[0].coords[0] == pytest.approx((-76.64, 39.31))


def test_wkt_swapped_proved_by_lat_lon_columns(write_bytes):
    p = write_bytes(
        "cams.csv",
        'ID,Latitude,Longitude,Location\n1,39.31,-76.64,POINT (39.31 -76.64)\n2,39.29,-76.60,POINT (39.29 -76.60)\n')
    layer = load_layer(p, wkt="Location")
    assert layer.frame.geometry.iloc[1].coords[0] == pytest.approx((-76.60, 39.29))
    assert any("swapped" in w for w in layer.report.warnings)
    # By default the Latitude/Longitude columns are used directly.
    assert load_layer(p).report.x_column == "Longitude"


def test_nan_missing_and_out_of_range_rows_are_counted(write_bytes):
    text = ("name,lon,lat\na,112.5,37.8\nb,,37.8\nc,NaN,NaN\nd,112.6,95.0\ne,250,37.0\n"
            "f,abc,37.0\ng,112.7,37.9\n")
    p = write_bytes("bad.csv", text)
    layer = load_layer(p)
    rep = layer.report
    assert rep.total_rows == 7 and rep.loaded_rows == 2 == len(layer.frame)
    assert rep.rejected == {"missing coordinates": 3, "longitude out of range": 1, "latitude out of range": 1}
    assert rep.rejected_examples["missing coordinates"] == [2, 3, 6]
    assert rep.rejected_examples["latitude out of range"] == [4]
    assert list(layer.frame["name"]) == ["a", "g"]
    assert "rejected 3: missing coordinates" in rep.summary()


def test_projected_values_without_crs_are_refused(write_bytes):
    p = write_bytes("utm.csv", "name,x,y\na,655000,4195000\nb,656000,4196000\n")
    with pytest.raises(LoadError, match=r"--crs EPSG:"):
        load_layer(p)
    layer = load_layer(p, crs="EPSG:32649")
    assert layer.frame.crs.to_epsg() == 32649
    assert layer.frame.geometry.iloc[0].x == 655000
    with pytest.raises(LoadError, match="unknown coordinate system"):
        load_layer(p, crs="EPSG:999999999")


def test_thousands_separator_mangled_coordinates_are_refused(write_bytes):
    p = write_bytes("geneva.csv", "id;lat;lon\n1;461.993.881;61.418.784\n2;462.289.778;61.225.376\n")
    with pytest.raises(LoadError, match="thousands separators"):
        load_layer(p)


def test_lat_lon_pair_columns(write_bytes):
    # Socrata's "(lat, lon)" split over two header columns by an unquoted comma.
    text = ('CrimeDate,Description,"Coords, Lat","Coords, Long"\n'
            "1/1/14,ROBBERY,(39.333252, -76.635818)\n1/2/14,ASSAULT,,\n")
    layer = load_layer(write_bytes("crime.csv", text))
    assert layer.frame.geometry.iloc[0].coords[0] == pytest.approx((-76.635818, 39.333252))
    assert layer.report.rejected == {"missing coordinates": 1}
    # A single "(lat, lon)" column.
    layer2 = load_layer(write_bytes("pair.csv", 'id,Location 1\n1,"(39.3, -76.6)"\n2,"(39.2, -76.5)"\n'))
    assert layer2.frame.geometry.iloc[1].coords[0] == pytest.approx((-76.5, 39.2))


def test_malformed_rows_are_counted(write_bytes):
    p = write_bytes("ragged.csv", "name,lon,lat\na,112.5,37.8\nb,112.5,37.8,extra,fields\nc,112.6,37.9\n")
    layer = load_layer(p)
    assert len(layer.frame) == 2
    assert layer.report.rejected == {"malformed row (wrong number of fields)": 1}
    assert layer.report.total_rows == 3


def test_header_only_csv_gives_empty_layer(write_bytes):
    layer = load_layer(write_bytes("empty_rows.csv", "name,lon,lat\n"))
    assert len(layer.frame) == 0 and layer.frame.crs is not None


def test_excel_sheets(tmp_path):
    p = tmp_path / "book.xlsx"
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"名称": ["国槐"], "经度": [112.56], "纬度": [37.89]}).to_excel(xw, sheet_name="古树", index=False)
        pd.DataFrame({"id": [1, 2], "lng": [112.5, 112.6], "lat": [37.8, np.nan]}).to_excel(xw, sheet_name="cams", index=False)
    from mapdesk.io import list_layers, load_layers

    assert list_layers(p) == [("古树", "Point"), ("cams", "Point")]
    first = load_layer(p)
    assert first.layer == "古树" and first.frame["名称"].iloc[0] == "国槐"
    assert any("2 sheets" in w for w in first.report.warnings)
    both = load_layers(p)
    assert [len(L.frame) for L in both] == [1, 1]
    assert both[1].report.rejected == {"missing coordinates": 1}
    with pytest.raises(LoadError, match="no sheet"):
        load_layer(p, "nope")


def test_json_records_with_epoch_ms(write_bytes):
    text = ('[{"CrimeDate":1546214400000,"CrimeTime":"13:30:00","Description":"BURGLARY",'
            '"Longitude":-76.58,"Latitude":39.29},'
            '{"CrimeDate":1546128000000,"CrimeTime":"07:35:00","Description":"ARSON",'
            '"Longitude":null,"Latitude":null}]')
    layer = load_layer(write_bytes("crimes.json", text))
    assert layer.role == "incidents"
    assert layer.frame["CrimeDate"].iloc[0] == pd.Timestamp("2018-12-31 13:30:00")
    assert layer.report.rejected == {"missing coordinates": 1}
