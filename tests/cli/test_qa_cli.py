"""QA: the command line used as a user would, on small files and bad input.

Each test pins one problem found by hand: the command must give a correct result or one
clear ``mapdesk: error:`` line (exit 2), never a traceback, and never touch the source files.
"""

from __future__ import annotations

import hashlib
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from mapdesk.cli import main

X0, Y0 = 500_000.0, 4_190_000.0  # UTM 49N, Taiyuan


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _incidents(tmp_path, n=200, start="2026-01-01", days=60, crs="EPSG:32649", x0=X0, y0=Y0):
    r = np.random.default_rng(3)
    xy = r.normal(0, 150, (n, 2))
    t = pd.Timestamp(start) + pd.to_timedelta(r.uniform(0, days, n), unit="D")
    frame = gpd.GeoDataFrame({"incident_id": [f"I{i}" for i in range(n)],
                              "type": r.choice(["ebike_theft", "fraud"], n), "time": t},
                             geometry=gpd.points_from_xy(xy[:, 0] + x0, xy[:, 1] + y0), crs=crs)
    path = tmp_path / "incidents.gpkg"
    frame.to_crs(4326).to_file(path)
    return path


def _cameras_geojson(tmp_path, ids, lon, lat, name="cams.geojson"):
    feats = [{"type": "Feature", "properties": {"camera_id": i},
              "geometry": {"type": "Point", "coordinates": [x, y]}}
             for i, x, y in zip(ids, lon, lat, strict=True)]
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return path


def _centre_lonlat():
    pt = gpd.GeoSeries(gpd.points_from_xy([X0], [Y0]), crs=32649).to_crs(4326)[0]
    return pt.x, pt.y


# --------------------------------------------------------------------------- cameras

def test_coverage_with_numeric_and_missing_camera_ids(tmp_path, capsys):
    """Numeric ids (read as float because one is missing) used to crash the join with an
    'internal error: merge on float64 and str'; a camera without an id showed as '?'."""
    inc = _incidents(tmp_path)
    lon, lat = _centre_lonlat()
    cams = _cameras_geojson(tmp_path, [1001, None, 1003], [lon, lon + 0.001, lon - 0.001],
                            [lat, lat, lat])
    before = _sha(cams)
    out = tmp_path / "cov.gpkg"
    rc = main(["cameras", "coverage", "--cameras", str(cams), "--incidents", str(inc),
               "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "?" not in err and "row 2" in err
    cov = gpd.read_file(out)
    assert sorted(cov["camera_id"]) == ["1001", "1003", "row 2"]
    assert cov["incidents_seen"].notna().all()
    assert _sha(cams) == before


def test_coverage_refuses_layers_from_different_cities(tmp_path, capsys):
    """Cameras in Manchester against incidents in Taiyuan: one clear error, not '0 % covered'."""
    inc = _incidents(tmp_path)
    cams = _cameras_geojson(tmp_path, ["A", "B"], [-2.35, -2.34], [53.42, 53.43])
    out = tmp_path / "cov.gpkg"
    rc = main(["cameras", "coverage", "--cameras", str(cams), "--incidents", str(inc),
               "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("mapdesk: error: the cameras") and "km apart" in err
    assert not out.exists()


def test_coverage_nearby_layers_are_fine(tmp_path, capsys):
    inc = _incidents(tmp_path)
    lon, lat = _centre_lonlat()
    cams = _cameras_geojson(tmp_path, ["A"], [lon + 0.2], [lat])  # ~18 km east: same city
    rc = main(["cameras", "coverage", "--cameras", str(cams), "--incidents", str(inc),
               "--out", str(tmp_path / "cov.gpkg")])
    assert rc == 0, capsys.readouterr().err


@pytest.mark.parametrize("flag,value", [("--default-range-m", "-5"), ("--default-range-m", "0"),
                                        ("--default-fov-deg", "-10")])
def test_coverage_refuses_bad_camera_defaults(tmp_path, capsys, flag, value):
    inc = _incidents(tmp_path)
    lon, lat = _centre_lonlat()
    cams = _cameras_geojson(tmp_path, ["A"], [lon], [lat])
    out = tmp_path / "cov.gpkg"
    rc = main(["cameras", "coverage", "--cameras", str(cams), "--incidents", str(inc),
               flag, value, "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("mapdesk: error: default")
    assert not out.exists()


def test_tree_conflicts_refuse_far_away_features(tmp_path, capsys):
    trees = tmp_path / "trees.csv"
    lon, lat = _centre_lonlat()
    trees.write_text(f"tree_id,species,age_years,lon,lat\nT1,槐树,320,{lon},{lat}\n", encoding="utf-8")
    cams = _cameras_geojson(tmp_path, ["A"], [-76.6], [39.3])
    rc = main(["trees", "conflicts", str(trees), "--against", str(cams),
               "--out", str(tmp_path / "c.gpkg")])
    err = capsys.readouterr().err
    assert rc == 2 and "km apart" in err


# --------------------------------------------------------------------------- render / export / info

def _records_json(tmp_path):
    """A JSON record list (not a project), as open-data portals publish."""
    lon, lat = _centre_lonlat()
    rows = [{"Description": "BURGLARY", "Longitude": lon + 0.001 * i, "Latitude": lat + 0.0005 * i}
            for i in range(20)]
    path = tmp_path / "crimes.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def test_render_and_export_read_a_json_record_list(tmp_path, capsys):
    """A .json data file used to be refused as 'not a mapdesk project'."""
    src = _records_json(tmp_path)
    before = _sha(src)
    assert main(["render", str(src), "--out", str(tmp_path / "m.png")]) == 0
    assert main(["export", str(src), "--out", str(tmp_path / "m.html")]) == 0
    out = capsys.readouterr().out
    assert "crimes: 20 in view" in out
    assert (tmp_path / "m.png").stat().st_size > 0 and (tmp_path / "m.html").stat().st_size > 0
    assert _sha(src) == before


def _two_layer_gpkg(tmp_path):
    lon, lat = _centre_lonlat()
    path = tmp_path / "two.gpkg"
    for name, n in (("first", 3), ("second", 5)):
        gpd.GeoDataFrame({"k": range(n)},
                         geometry=gpd.points_from_xy(lon + 0.001 * np.arange(n), [lat] * n),
                         crs=4326).to_file(path, layer=name)
    return path


def test_render_draws_every_layer_of_a_multi_layer_file(tmp_path, capsys):
    """A KML with three folders used to render only its first folder."""
    src = _two_layer_gpkg(tmp_path)
    assert main(["render", str(src), "--out", str(tmp_path / "m.png")]) == 0
    out = capsys.readouterr().out
    assert "two – first: 3 in view" in out and "two – second: 5 in view" in out


def test_render_and_export_refuse_a_folder(tmp_path, capsys):
    folder = tmp_path / "data"
    folder.mkdir()
    assert main(["render", str(folder), "--out", str(tmp_path / "m.png")]) == 2
    assert main(["export", str(folder), "--out", str(tmp_path / "m.pdf")]) == 2
    err = capsys.readouterr().err
    assert err.count("is a folder") == 2 and "Traceback" not in err


def test_info_on_a_project_lists_its_layers_and_the_missing_one(tmp_path, sample_dir, capsys):
    """``info`` on a project used to fail with a GDAL 'not recognized as GeoJSON' message."""
    import shutil

    for f in ("sample.mapdesk.json", "beats.geojson", "trees.csv"):
        shutil.copy(sample_dir / f, tmp_path / f)
    rc = main(["info", str(tmp_path / "sample.mapdesk.json"), "--json"])
    cap = capsys.readouterr()
    assert rc == 2  # layers are missing: reported, not hidden
    doc = json.loads(cap.out)
    by_name = {d["name"]: d for d in doc["layers"]}
    trees = next(d for n, d in by_name.items() if "trees" in n.lower())
    assert trees["feature_count"] == 400 and trees["role"] == "trees"
    missing = [d for d in doc["layers"] if "error" in d]
    assert missing and all("file not found" in d["error"] for d in missing)
    assert "Traceback" not in cap.err


# --------------------------------------------------------------------------- temporal

def test_briefing_outside_the_data_says_so(tmp_path, capsys):
    """A day after the data ends used to print 0 / 0.00 as if nothing had happened."""
    inc = _incidents(tmp_path, start="2026-01-01", days=60)
    assert main(["temporal", str(inc), "--briefing", "2027-05-01"]) == 0
    err = capsys.readouterr().err
    assert "2027-05-01 is outside the data" in err
    assert main(["temporal", str(inc), "--briefing", "2026-01-10"]) == 0
    assert "baseline starts on 2025-12-13, before the data" in capsys.readouterr().err
    assert main(["temporal", str(inc), "--briefing", "2026-02-20"]) == 0
    assert "warning" not in capsys.readouterr().err


# --------------------------------------------------------------------------- loader options

def test_incident_commands_take_coordinate_and_field_options(tmp_path, capsys):
    """hotspots/temporal could not read a table whose columns are not auto-detected (only
    ``info`` had --x/--y/--crs), and the 'map a time column' advice had no CLI form."""
    r = np.random.default_rng(1)
    n = 80
    src = tmp_path / "odd.csv"
    pd.DataFrame({"east": X0 + r.normal(0, 100, n), "north": Y0 + r.normal(0, 100, n),
                  "when": pd.Timestamp("2026-03-01") + pd.to_timedelta(r.uniform(0, 30, n), unit="D")}
                 ).to_csv(src, index=False)
    before = _sha(src)
    assert main(["temporal", str(src), "--out", str(tmp_path / "t.csv")]) == 2
    assert "--x COLUMN --y COLUMN" in capsys.readouterr().err
    base = ["--x", "east", "--y", "north", "--crs", "EPSG:32649"]
    assert main(["temporal", str(src), *base, "--out", str(tmp_path / "t.csv")]) == 2
    assert "--field time=COLUMN" in capsys.readouterr().err
    assert main(["temporal", str(src), *base, "--field", "time=when", "--json",
                 "--out", str(tmp_path / "t.csv")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["params"]["n_used"] == n
    out = tmp_path / "g.geojson"
    assert main(["hotspots", str(src), *base, "--field", "time=when", "--method", "grid",
                 "--cell-m", "50", "--out", str(out)]) == 0
    assert gpd.read_file(out)["count"].sum() == n
    assert main(["hotspots", str(src), *base, "--field", "time", "--out", str(tmp_path / "k.tif")]) == 2
    assert "use NAME=COLUMN" in capsys.readouterr().err
    assert _sha(src) == before


# --------------------------------------------------------------------------- trees / info

def test_trees_refuse_a_table_that_is_not_a_registry(tmp_path, capsys):
    """An air-quality station list used to be 'graded' as 2,016 trees."""
    lon, lat = _centre_lonlat()
    src = tmp_path / "stations.csv"
    src.write_text(f"监测点编码,监测点名称,经度,纬度\n1001A,万柏林,{lon},{lat}\n", encoding="utf-8")
    out = tmp_path / "g.csv"
    assert main(["trees", "grade", str(src), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "does not look like a tree registry" in err and "监测点名称" in err
    assert not out.exists()


def test_grade_summary_says_why_trees_cannot_be_graded(tmp_path, capsys):
    lon, lat = _centre_lonlat()
    src = tmp_path / "street_trees.csv"
    src.write_text("treeID,species,lon,lat\n" + "".join(
        f"T{i},Tilia cordata,{lon + i * 1e-4},{lat}\n" for i in range(5)), encoding="utf-8")
    assert main(["trees", "grade", str(src), "--out", str(tmp_path / "g.csv")]) == 0
    out = capsys.readouterr().out
    assert "cannot grade 5: age missing 5" in out


def test_info_hints_at_gcj02_for_points_in_china(tmp_path, capsys):
    src = tmp_path / "stations.csv"
    src.write_text("name,lat,lng\n大北门,37.8826,112.5636\n", encoding="utf-8")
    assert main(["info", str(src)]) == 0
    assert "--coords gcj02" in capsys.readouterr().out
    assert main(["info", str(src), "--coords", "gcj02"]) == 0
    assert "hint:" not in capsys.readouterr().out
    far = tmp_path / "far.csv"
    far.write_text("name,lat,lon\nx,53.4,-2.3\n", encoding="utf-8")
    assert main(["info", str(far)]) == 0
    assert "hint:" not in capsys.readouterr().out


# --------------------------------------------------------------------------- outputs

@pytest.mark.parametrize("argv", [
    ["trees", "grade", "{trees}", "--out", "{trees}"],
    ["hotspots", "{incidents}", "--method", "grid", "--out", "{incidents}"],
    ["cameras", "coverage", "--cameras", "{cameras}", "--incidents", "{incidents}", "--out", "{cameras}"],
])
def test_output_never_replaces_an_input_file(tmp_path, sample_dir, capsys, argv):
    """``--out`` naming the input used to silently replace the user's source file."""
    import shutil

    names = {"trees": "trees.csv", "incidents": "incidents.gpkg", "cameras": "cameras.geojson"}
    paths = {}
    for key, name in names.items():
        shutil.copy(sample_dir / name, tmp_path / name)
        paths[key] = str(tmp_path / name)
    before = {k: _sha(tmp_path / n) for k, n in names.items()}
    rc = main([a.format(**paths) for a in argv])
    err = capsys.readouterr().err
    assert rc == 2 and "is one of the input files" in err
    assert {k: _sha(tmp_path / n) for k, n in names.items()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names.values())  # no temp file left


def test_atomic_path_refuses_a_folder(tmp_path):
    from mapdesk.errors import ExportError
    from mapdesk.io.atomic import write_text_atomic

    (tmp_path / "out.csv").mkdir()
    with pytest.raises(ExportError, match="is a folder"):
        write_text_atomic(tmp_path / "out.csv", "x")


def test_unknown_type_lists_the_types_and_own_types_match_any_case(tmp_path, capsys):
    """A type filter matching nothing used to say only 'no incidents left'; a city's own type
    ('ROBBERY - STREET') matched only when typed in the file's exact case."""
    lon, lat = _centre_lonlat()
    src = tmp_path / "crimes.csv"
    src.write_text("Description,CrimeDate,Longitude,Latitude\n" + "".join(
        f"{'ROBBERY - STREET' if i % 3 else 'ARSON'},2014-01-{1 + i % 20:02d},{lon + i * 1e-4},{lat}\n"
        for i in range(30)), encoding="utf-8")
    out = tmp_path / "g.csv"
    assert main(["hotspots", str(src), "--type", "nonsense", "--method", "grid", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "the types in the file are: ROBBERY - STREET (20), ARSON (10)" in err
    assert main(["hotspots", str(src), "--type", "robbery - street", "--method", "grid",
                 "--json", "--out", str(out)]) == 0
    assert pd.read_csv(out)["count"].sum() == 20


def test_cameras_from_every_layer_of_a_multi_layer_file(tmp_path, capsys):
    lon, lat = _centre_lonlat()
    inc = _incidents(tmp_path)
    src = tmp_path / "cams.gpkg"
    for name, ids in (("existing", ["A", "B"]), ("new", ["C"])):
        gpd.GeoDataFrame({"camera_id": ids},
                         geometry=gpd.points_from_xy([lon] * len(ids), [lat] * len(ids)),
                         crs=4326).to_file(src, layer=name)
    out = tmp_path / "cov.gpkg"
    assert main(["cameras", "coverage", "--cameras", str(src), "--incidents", str(inc),
                 "--out", str(out)]) == 0
    assert "read all 2 layers: 2 (existing) + 1 (new)" in capsys.readouterr().err
    assert sorted(gpd.read_file(out)["camera_id"]) == ["A", "B", "C"]


@pytest.mark.parametrize("vmax", ["-1", "0", "nan"])
def test_hotspots_refuses_a_bad_vmax(tmp_path, capsys, vmax):
    inc = _incidents(tmp_path)
    out = tmp_path / "k.png"
    assert main(["hotspots", str(inc), "--method", "kde", "--vmax", vmax, "--out", str(out)]) == 2
    assert "--vmax must be a positive number" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("name,text,expected", [
    ("empty.json", "[]", "holds no records"),
    ("empty.geojson", '{"type": "FeatureCollection", "features": []}', "holds no incidents with a location"),
    ("nocoord.csv", "lon,lat,time\n,,2026-01-01\n", "rows not placed: 1 missing coordinates"),
])
def test_empty_incident_files_say_so(tmp_path, capsys, name, text, expected):
    """These used to say 'no incidents left after filtering (all incidents)' or list no columns."""
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    assert main(["hotspots", str(src), "--out", str(tmp_path / "k.tif")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mapdesk: error:") and expected in err


def test_rows_left_out_of_an_analysis_are_reported(tmp_path, capsys):
    """Rows without coordinates vanished from temporal counts without a word."""
    lon, lat = _centre_lonlat()
    src = tmp_path / "mixed.csv"
    src.write_text("lon,lat,time\n" + "".join(
        f"{lon if i < 4 else ''},{lat if i < 4 else ''},2026-01-0{1 + i}\n" for i in range(9)),
        encoding="utf-8")
    assert main(["temporal", str(src), "--out", str(tmp_path / "t.csv")]) == 0
    err = capsys.readouterr().err
    assert "5 of 9 rows of mixed.csv are left out (5 missing coordinates)" in err


def test_pdf_briefing_outside_the_data_says_so(tmp_path, capsys):
    inc = _incidents(tmp_path, start="2026-01-01", days=60)
    out = tmp_path / "b.pdf"
    assert main(["briefing", "--incidents", str(inc), "--date", "2027-05-01", "--out", str(out)]) == 0
    assert "2027-05-01 is outside the data (the incidents run from 2026-01-01" in capsys.readouterr().err


def test_layers_of_one_file_get_distinct_colours(tmp_path):
    """The three folders of a KML were drawn (and listed in the legend) in one colour."""
    from mapdesk.cli.render import load_inputs

    project = load_inputs([str(_two_layer_gpkg(tmp_path))])
    colours = [lyr.style.color for lyr in project.layers]
    assert len(colours) == 2 and len(set(colours)) == 2
    lon, lat = _centre_lonlat()
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for f in (a, b):
        f.write_text(f"name,lon,lat\nx,{lon},{lat}\n", encoding="utf-8")
    project = load_inputs([str(a), str(b)])
    assert len({lyr.style.color for lyr in project.layers}) == 2


def test_compare_period_after_the_data_is_flagged(tmp_path, capsys):
    """Period B after the last incident gave 'change −100 %' without a word."""
    inc = _incidents(tmp_path, n=300, start="2026-01-01", days=60)
    out = tmp_path / "c.csv"
    assert main(["hotspots", str(inc), "--method", "grid", "--compare", "2026-01-01..2026-01-31",
                 "2026-04-01..2026-04-30", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "period B (2026-04-01 to 2026-04-30) reaches outside the data" in err
    assert "period A" not in err
    assert main(["hotspots", str(inc), "--method", "grid", "--compare", "2026-01-01..2026-01-31",
                 "2026-02-01..2026-02-28", "--out", str(out)]) == 0
    assert "warning" not in capsys.readouterr().err
