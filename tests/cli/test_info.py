import json

import pytest

from mapdesk.cli import main

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Folder><name>a</name><Placemark><name>p1</name><Point><coordinates>112.56,37.88</coordinates></Point></Placemark></Folder>
<Folder><name>b</name><Placemark><name>p2</name><Point><coordinates>112.57,37.89</coordinates></Point></Placemark>
<Placemark><name>p3</name><Point><coordinates>112.58,37.90</coordinates></Point></Placemark></Folder>
</Document></kml>
"""


@pytest.fixture
def incidents_csv(tmp_path):
    p = tmp_path / "incidents.csv"
    p.write_text("incident_id,type,time,lon,lat\nI1,ebike_theft,2024-03-05 08:30,112.562,37.888\n"
                 "I2,fraud,2024-03-06 09:00,,\nI3,dog,not a date,112.563,37.889\n", encoding="utf-8")
    return p


def test_info_text(incidents_csv, capsys):
    assert main(["info", str(incidents_csv)]) == 0
    out = capsys.readouterr().out
    assert "Layer: incidents" in out
    assert "geometry: Point" in out
    assert "CRS: EPSG:4326 (WGS 84)" in out
    assert "features: 2 of 3 rows" in out
    assert "role: incidents" in out
    assert "type <- type" in out
    assert "time: datetime64" in out
    assert "1 missing coordinates (e.g. rows 2)" in out
    assert "unparsed dates: 1 in 'time'" in out
    assert "bounds: 112.562000, 37.888000 .. 112.563000, 37.889000" in out


def test_info_json(incidents_csv, capsys):
    assert main(["info", str(incidents_csv), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (layer,) = doc["layers"]
    assert layer["feature_count"] == 2
    assert layer["role"] == "incidents"
    assert layer["field_map"]["time"] == "time"
    assert layer["report"]["rejected"] == {"missing coordinates": 1}
    assert layer["report"]["unparsed_dates"] == {"time": 1}
    assert {"name": "type", "dtype": "str"} in layer["fields"]
    assert layer["bounds"] == pytest.approx([112.562, 37.888, 112.563, 37.889])


def test_info_every_layer_and_one_layer(tmp_path, capsys):
    p = tmp_path / "cams.kml"
    p.write_text(KML, encoding="utf-8")
    assert main(["info", str(p), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(L["layer"], L["feature_count"]) for L in doc["layers"]] == [("a", 1), ("b", 2)]
    assert main(["info", str(p), "--layer", "b"]) == 0
    out = capsys.readouterr().out
    assert "(layer 'b')" in out and "features: 2 of 2" in out


def test_info_options(tmp_path, capsys):
    p = tmp_path / "odd.csv"
    p.write_text("名称,east,north\n大北门,112.562027,37.888507\n", encoding="gbk")
    assert main(["info", str(p), "--x", "east", "--y", "north", "--encoding", "gbk", "--coords", "gcj02",
                 "--role", "cameras", "--json"]) == 0
    layer = json.loads(capsys.readouterr().out)["layers"][0]
    assert layer["role"] == "cameras"
    assert layer["report"]["datum"] == "gcj02"
    assert layer["report"]["encoding"] == "gbk"
    assert layer["fields"][0]["name"] == "名称"
    assert layer["bounds"][0] == pytest.approx(112.5557, abs=1e-3)  # ~550 m west of the GCJ-02 value


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.gpkg"], "file not found"),
        (["bad.xyz"], "unknown file type"),
        (["nocoords.csv"], "no coordinate columns"),
        (["utm.csv"], "--crs EPSG"),
        (["utm.csv", "--crs", "EPSG:nope"], "unknown coordinate system"),
        (["nocoords.csv", "--x", "a", "--y", "zz"], "no column 'zz'"),
        (["empty.csv"], "empty"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.xyz").write_text("x")
    (tmp_path / "nocoords.csv").write_text("a,b\n1,2\n")
    (tmp_path / "utm.csv").write_text("x,y\n655000,4195000\n")
    (tmp_path / "empty.csv").write_bytes(b"")
    assert main(["info", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mapdesk: error: ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_bad_option_value_exits_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["info", "x.csv", "--coords", "mars"])
    assert exc.value.code == 2


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_one_bad_layer_does_not_hide_the_others(tmp_path, capsys):
    import geopandas as gpd
    import pyogrio

    p = tmp_path / "two.gpkg"
    good = gpd.GeoDataFrame({"n": [1]}, geometry=gpd.points_from_xy([112.5], [37.8]), crs=4326)
    pyogrio.write_dataframe(good, p, layer="good")
    pyogrio.write_dataframe(good.set_crs(None, allow_override=True).assign(
        geometry=gpd.points_from_xy([655000], [4195000])), p, layer="utm_without_crs")
    assert main(["info", str(p)]) == 2
    cap = capsys.readouterr()
    assert "Layer: two – good" in cap.out
    assert cap.err.strip().startswith("mapdesk: error: layer utm_without_crs:") and "--crs" in cap.err
