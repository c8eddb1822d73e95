import hashlib
import json
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from mapdesk.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from hotspots_synthetic import make_incidents  # noqa: E402


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory):
    path = tmp_path_factory.mktemp("in") / "incidents.gpkg"
    f = make_incidents()
    # Chinese column names, as police exports have them
    f = f.rename(columns={"type": "案件类型", "time": "发生时间", "community": "社区"})
    f.to_file(path, driver="GPKG")
    return path


def _sha(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def _run(capsys, *argv):
    rc = main(list(map(str, argv)))
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_kde_tif_and_png(gpkg, tmp_path, capsys):
    before = _sha(gpkg)
    out = tmp_path / "kde.tif"
    rc, stdout, err = _run(capsys, "hotspots", gpkg, "--method", "kde", "--cell-m", "20", "--out", out, "--json")
    assert rc == 0, err
    doc = json.loads(stdout)
    assert doc["params"]["kernel"] == "quartic" and doc["params"]["cell_m"] == 20
    assert doc["params"]["bandwidth_m"] > 0 and doc["params"]["bandwidth_source"].startswith("ArcGIS")
    assert doc["summary"]["n_incidents"] == 600 and doc["summary"]["max_density"] > 0
    import rasterio

    with rasterio.open(out) as src:
        assert src.crs.to_epsg() == 32649
    png = tmp_path / "kde.png"
    rc, _, err = _run(capsys, "hotspots", gpkg, "--out", png, "--bandwidth-m", "150", "--kernel", "gaussian",
                      "--units", "count")
    assert rc == 0, err
    assert png.stat().st_size > 0
    assert _sha(gpkg) == before


def test_gistar_gpkg_with_filters(gpkg, tmp_path, capsys):
    out = tmp_path / "gi.gpkg"
    rc, stdout, err = _run(capsys, "hotspots", gpkg, "--method", "gistar", "--cell-m", "100", "--fdr",
                           "--type", "电动车被盗", "other_theft", "--from", "2026-09-01", "--to", "2026-10-31",
                           "--out", out, "--json")
    assert rc == 0, err
    doc = json.loads(stdout)
    assert doc["params"]["fdr"] is True and doc["params"]["distance_m"] > 0
    assert "ebike_theft" in doc["filter"]
    assert doc["summary"]["n_hot"] > 0
    cells = gpd.read_file(out)
    assert {"count", "gi_z", "gi_p", "gi_bin", "gi_class", "geometry"} <= set(cells.columns)
    assert len(cells) == doc["summary"]["n_cells"]
    assert set(cells.gi_class) <= {"Hot 99%", "Hot 95%", "Hot 90%", "Not significant", "Cold 90%", "Cold 95%", "Cold 99%"}
    assert doc["params"]["include_empty"] is True and (cells["count"] == 0).any()
    out2 = tmp_path / "gi2.gpkg"
    rc, stdout, err = _run(capsys, "hotspots", gpkg, "--method", "gistar", "--cell-m", "100", "--knn", "8",
                           "--nonempty-only", "--out", out2, "--json")
    assert rc == 0, err
    doc = json.loads(stdout)
    assert doc["params"]["knn"] == 8 and doc["params"]["include_empty"] is False
    assert (gpd.read_file(out2)["count"] > 0).all()


def test_grid_hex_csv_geojson(gpkg, tmp_path, capsys):
    out = tmp_path / "grid.csv"
    rc, stdout, err = _run(capsys, "hotspots", gpkg, "--method", "grid", "--cell-m", "200", "--out", out, "--json")
    assert rc == 0, err
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert table["count"].sum() == 600 and {"center_lon", "center_lat", "wkt"} <= set(table.columns)
    out = tmp_path / "hex.geojson"
    rc, stdout, err = _run(capsys, "hotspots", gpkg, "--method", "hex", "--cell-m", "150",
                           "--where", "status == 'reported'", "--out", out, "--json")
    assert rc == 0, err
    doc = json.loads(stdout)
    hexes = gpd.read_file(out)
    assert hexes.crs.to_epsg() == 4326 and hexes["count"].sum() == doc["summary"]["n_incidents"] < 600


@pytest.mark.parametrize("argv,msg", [
    (["--where", "status === 2"], "bad --where expression"),
    (["--from", "2031-01-01"], "no incidents left after filtering"),
    (["--cell-m", "0.05", "--bandwidth-m", "300"], "largest allowed"),
    (["--method", "gistar", "--type", "dog"], "no incidents left|at least 30 incidents"),
    (["--method", "gistar", "--distance-m", "100", "--knn", "4"], "not both"),
])
def test_bad_input_messages(gpkg, tmp_path, capsys, argv, msg):
    import re

    suffix = ".gpkg" if "gistar" in argv else ".tif"
    rc, _, err = _run(capsys, "hotspots", gpkg, *argv, "--out", tmp_path / f"x{suffix}")
    assert rc == 2
    assert err.startswith("mapdesk: error:") and re.search(msg, err), err
    assert "Traceback" not in err


def test_wrong_output_suffix(gpkg, tmp_path, capsys):
    rc, _, err = _run(capsys, "hotspots", gpkg, "--method", "kde", "--out", tmp_path / "x.gpkg")
    assert rc == 2 and ".tif" in err
    rc, _, err = _run(capsys, "hotspots", tmp_path / "missing.gpkg", "--out", tmp_path / "x.tif")
    assert rc == 2 and "no such file" in err


def test_temporal_csv_png(gpkg, tmp_path, capsys):
    out = tmp_path / "hw.csv"
    daily = tmp_path / "daily.png"
    rc, stdout, err = _run(capsys, "temporal", gpkg, "--out", out, "--daily", daily, "--json")
    assert rc == 0, err
    doc = json.loads(stdout)
    assert doc["summary"]["n_used"] == 600 and doc["summary"]["n_missing_time"] == 0
    assert doc["summary"]["peak"]["hour"] >= 12
    table = pd.read_csv(out, index_col=0, encoding="utf-8-sig")
    assert table.shape == (7, 24) and table.to_numpy().sum() == pytest.approx(600)
    assert daily.stat().st_size > 0
    png = tmp_path / "hw.png"
    rc, _, err = _run(capsys, "temporal", gpkg, "--out", png, "--lang", "zh", "--type", "ebike_theft")
    assert rc == 0, err
    assert png.stat().st_size > 0


def test_temporal_reports_missing_times(tmp_path, capsys):
    f = make_incidents(n_background=30, n_cluster=5)
    f["time"] = f["time"].astype(object)
    f.loc[f.index[:10], "time"] = None
    path = tmp_path / "in.geojson"
    f.to_file(path, driver="GeoJSON")
    rc, stdout, err = _run(capsys, "temporal", path, "--out", tmp_path / "t.csv", "--json")
    assert rc == 0, err
    assert json.loads(stdout)["summary"]["n_missing_time"] == 10
    g = f.copy()
    g["time"] = None
    g.to_file(tmp_path / "none.geojson", driver="GeoJSON")
    rc, _, err = _run(capsys, "temporal", tmp_path / "none.geojson", "--out", tmp_path / "t2.csv")
    assert rc == 2 and "time" in err
