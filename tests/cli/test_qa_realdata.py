"""QA on the real, messy public files in ../shared/realdata (skipped when absent)."""

from __future__ import annotations

import hashlib

import geopandas as gpd

from mapdesk.cli import main


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_baltimore_cctv_csv_against_violent_crimes(realdata, tmp_path, capsys):
    """Integer camera ids used to crash the coverage join (internal error)."""
    cams = realdata / "cctv" / "baltimore_CCTV_Locations.csv"
    inc = realdata / "crime" / "baltimore_violent_crime_2014.csv"
    before = (_sha(cams), _sha(inc))
    out = tmp_path / "cov.gpkg"
    rc = main(["cameras", "coverage", "--cameras", str(cams), "--incidents", str(inc),
               "--out", str(out), "--json"])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    assert len(gpd.read_file(out)) == 614
    assert (_sha(cams), _sha(inc)) == before


def test_trafford_cameras_against_baltimore_crimes_is_refused(realdata, tmp_path, capsys):
    rc = main(["cameras", "coverage",
               "--cameras", str(realdata / "cctv" / "trafford_cctv_cameras.geojson"),
               "--incidents", str(realdata / "crime" / "baltimore_CR_Property_2018.json"),
               "--out", str(tmp_path / "cov.gpkg")])
    err = capsys.readouterr().err
    assert rc == 2 and "km apart" in err and "not from the same area" in err
    assert not (tmp_path / "cov.gpkg").exists()


def test_property_json_renders_and_kml_shows_all_layers(realdata, tmp_path, capsys):
    assert main(["render", str(realdata / "crime" / "baltimore_CR_Property_2018.json"),
                 "--out", str(tmp_path / "p.png")]) == 0
    assert "6322 in view" in capsys.readouterr().out
    assert main(["render", str(realdata / "cctv" / "baltimore_cctv_cameras.kml"),
                 "--out", str(tmp_path / "k.png")]) == 0
    out = capsys.readouterr().out
    for n in (592, 18, 63):
        assert f": {n} in view" in out


def test_coverage_reads_every_folder_of_a_camera_kml(realdata, tmp_path, capsys):
    """Only the KML's first folder (592 of 673 cameras) used to be used, without a word."""
    out = tmp_path / "cov.gpkg"
    rc = main(["cameras", "coverage",
               "--cameras", str(realdata / "cctv" / "baltimore_cctv_cameras.kml"),
               "--incidents", str(realdata / "crime" / "baltimore_CR_Property_2018.json"),
               "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "read all 3 layers: 592 (Layer0) + 18 (Layer1) + 63 (Layer2)" in err
    assert len(gpd.read_file(out)) == 673
