"""``mapdesk hotspots --compare / --compare-this-month / --before-after``."""

import hashlib
import json
import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from mapdesk.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from hotspots_synthetic import make_incidents  # noqa: E402


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = tmp_path_factory.mktemp("cmp") / "incidents.gpkg"
    frame = make_incidents()  # 2026-09-01 .. 2026-10-30
    frame.to_file(path, driver="GPKG")
    return path, frame


def _sha(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def _run(capsys, *argv):
    rc = main(list(map(str, argv)))
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def _n_between(frame, a, b):
    d = frame["time"].dt.normalize()
    return int(((d >= pd.Timestamp(a)) & (d <= pd.Timestamp(b))).sum())


def test_kde_compare_geotiffs_share_scale_and_difference(source, tmp_path, capsys):
    path, frame = source
    before = _sha(path)
    out = tmp_path / "cmp.tif"
    rc, stdout, err = _run(capsys, "hotspots", path, "--method", "kde", "--cell-m", "25",
                           "--bandwidth-m", "200", "--compare", "2026-09-01..2026-09-30",
                           "2026-10-01..2026-10-30", "--out", out, "--json")
    assert rc == 0, err
    doc = json.loads(stdout)
    s = doc["summary"]
    na = _n_between(frame, "2026-09-01", "2026-09-30")
    nb = _n_between(frame, "2026-10-01", "2026-10-30")
    assert s["period_a"] == {"from": "2026-09-01", "to": "2026-09-30", "days": 30, "n_incidents": na}
    assert s["period_b"]["n_incidents"] == nb and s["period_b"]["days"] == 30
    assert s["change"]["n"] == nb - na
    assert s["change"]["percent"] == pytest.approx(round(100 * (nb - na) / na, 1))
    assert doc["params"]["bandwidth_m"] == 200 and doc["params"]["cell_m"] == 25
    import rasterio

    arrays = {}
    for key in ("a", "b", "diff"):
        with rasterio.open(tmp_path / f"cmp_{key}.tif") as src:
            assert src.crs.to_epsg() == 32649
            arrays[key] = src.read(1).astype(float)
            tags = src.tags()
            assert float(tags["vmax"]) == pytest.approx(s["vmax"])
    assert arrays["a"].shape == arrays["b"].shape == arrays["diff"].shape
    assert max(arrays["a"].max(), arrays["b"].max()) == pytest.approx(s["vmax"], rel=1e-6)
    np.testing.assert_allclose(arrays["diff"], arrays["b"] - arrays["a"], atol=1e-3 * s["vmax"])
    assert np.abs(arrays["diff"]).max() == pytest.approx(s["diff_max"], rel=1e-6)
    # both periods integrate to their counts (incidents per km² over the cells' km²)
    cell_km2 = 25 * 25 / 1e6
    assert arrays["a"].sum() * cell_km2 == pytest.approx(na, rel=0.02)
    assert arrays["b"].sum() * cell_km2 == pytest.approx(nb, rel=0.02)
    assert _sha(path) == before


def test_grid_compare_gpkg_three_layers(source, tmp_path, capsys):
    path, frame = source
    out = tmp_path / "cmp.gpkg"
    rc, stdout, err = _run(capsys, "hotspots", path, "--method", "grid", "--cell-m", "200",
                           "--compare", "2026-09-01..2026-09-15", "2026-10-01..2026-10-15",
                           "--type", "ebike_theft", "--out", out, "--json")
    assert rc == 0, err
    doc = json.loads(stdout)
    import pyogrio

    assert sorted(n for n, _ in pyogrio.list_layers(out)) == ["difference", "period_a", "period_b"]
    a = gpd.read_file(out, layer="period_a")
    b = gpd.read_file(out, layer="period_b")
    d = gpd.read_file(out, layer="difference")
    assert len(a) == len(b) == len(d)
    ebike = frame[frame["type"] == "ebike_theft"]
    assert a["count"].sum() == _n_between(ebike, "2026-09-01", "2026-09-15") == doc["summary"]["period_a"]["n_incidents"]
    assert b["count"].sum() == doc["summary"]["period_b"]["n_incidents"]
    assert (d["diff"] == d["count_b"] - d["count_a"]).all()
    assert doc["summary"]["vmax"] == max(a["count"].max(), b["count"].max())
    assert doc["summary"]["diff_max"] == d["diff"].abs().max()
    assert doc["filter"] == "type in ebike_theft"


def test_this_month_defaults_to_last_data_day(source, tmp_path, capsys):
    path, frame = source
    rc, stdout, err = _run(capsys, "hotspots", path, "--method", "hex", "--cell-m", "150",
                           "--compare-this-month", "--out", tmp_path / "m.csv", "--json")
    assert rc == 0, err
    s = json.loads(stdout)["summary"]
    assert (s["period_a"]["from"], s["period_a"]["to"]) == ("2026-09-01", "2026-09-30")
    assert (s["period_b"]["from"], s["period_b"]["to"]) == ("2026-10-01", "2026-10-30")
    for key in ("a", "b", "diff"):
        assert (tmp_path / f"m_{key}.csv").exists()
    rc, stdout, err = _run(capsys, "hotspots", path, "--method", "hex", "--cell-m", "150",
                           "--compare-this-month", "--as-of", "2026-10-12", "--out", tmp_path / "m.csv", "--json")
    s = json.loads(stdout)["summary"]
    assert (s["period_a"]["from"], s["period_a"]["to"]) == ("2026-09-01", "2026-09-12")
    assert (s["period_b"]["from"], s["period_b"]["to"]) == ("2026-10-01", "2026-10-12")
    assert s["period_b"]["n_incidents"] == _n_between(frame, "2026-10-01", "2026-10-12")


def test_before_after_equal_windows(source, tmp_path, capsys):
    path, frame = source
    rc, stdout, err = _run(capsys, "hotspots", path, "--method", "grid", "--cell-m", "300",
                           "--before-after", "2026-10-10", "--out", tmp_path / "ba.geojson", "--json")
    assert rc == 0, err
    s = json.loads(stdout)["summary"]
    # the data end on 2026-10-30: 21 days from the date on, so 21 days before
    assert s["period_a"] == {"from": "2026-09-19", "to": "2026-10-09", "days": 21,
                             "n_incidents": _n_between(frame, "2026-09-19", "2026-10-09")}
    assert (s["period_b"]["from"], s["period_b"]["to"], s["period_b"]["days"]) == ("2026-10-10", "2026-10-30", 21)
    rc, stdout, err = _run(capsys, "hotspots", path, "--method", "kde", "--before-after", "2026-10-10",
                           "--window-days", "7", "--out", tmp_path / "ba.tif", "--json")
    assert rc == 0, err
    s = json.loads(stdout)["summary"]
    assert (s["period_a"]["from"], s["period_b"]["to"]) == ("2026-10-03", "2026-10-16")


def test_png_figures_have_shared_legend_and_diverging_difference(source, tmp_path, capsys):
    path, _ = source
    out = tmp_path / "fig.png"
    rc, stdout, err = _run(capsys, "hotspots", path, "--method", "kde", "--cell-m", "30",
                           "--compare", "2026-09-01..2026-09-30", "2026-10-01..2026-10-30", "--out", out)
    assert rc == 0, err
    from PySide6.QtGui import QImage

    from mapdesk.render.fonts import ensure_fonts

    ensure_fonts()
    imgs = {}
    for name in ("fig.png", "fig_a.png", "fig_b.png", "fig_diff.png"):
        img = QImage(str(tmp_path / name))
        assert not img.isNull() and img.width() >= 600 and img.height() >= 600
        imgs[name] = img
    assert imgs["fig.png"].width() == 3 * imgs["fig_a.png"].width()

    def colours(img):
        ptr = img.convertToFormat(QImage.Format.Format_RGB888)
        arr = np.frombuffer(ptr.constBits(), np.uint8).reshape(ptr.height(), ptr.bytesPerLine())
        return arr[:, : ptr.width() * 3].reshape(ptr.height(), ptr.width(), 3).astype(int)

    diff = colours(imgs["fig_diff.png"])
    blue = (diff[..., 2] > diff[..., 0] + 60).sum()
    red = (diff[..., 0] > diff[..., 2] + 60).sum()
    assert blue > 500 and red > 100  # fewer thefts in October at the clusters, some more elsewhere
    a = colours(imgs["fig_a.png"])
    assert ((a[..., 0] > 150) & (a[..., 2] < 80)).sum() > 1000  # warm ramp drawn
    # the text (title, units, parameters) is drawn: dark pixels in the top and bottom bands
    assert (a[:40].sum(axis=2) < 200).sum() > 50
    assert (a[-60:].sum(axis=2) < 200).sum() > 50


@pytest.mark.parametrize("extra, msg", [
    (["--method", "gistar", "--compare", "2026-09-01..2026-09-30", "2026-10-01..2026-10-30",
      "--out", "x.gpkg"], "kde, grid or hex"),
    (["--compare", "2026-09-01", "2026-10-01..2026-10-30", "--out", "x.tif"], "FROM..TO"),
    (["--compare", "2026-09-30..2026-09-01", "2026-10-01..2026-10-30", "--out", "x.tif"], "ends before"),
    (["--compare", "2026-09-01..2026-09-30", "2026-10-01..2026-10-30", "--from", "2026-09-01",
      "--out", "x.tif"], "--from/--to"),
    (["--compare", "2026-09-01..2026-09-30", "2026-10-01..2026-10-30", "--out", "x.gpkg"], r"\.tif"),
    (["--compare", "2025-01-01..2025-01-31", "2025-02-01..2025-02-28", "--out", "x.tif"], "no incidents in either"),
    (["--before-after", "2026-12-01", "--out", "x.tif"], "no days on both sides"),
    (["--before-after", "2026-10-01", "--window-days", "0", "--out", "x.tif"], "at least 1 day"),
    (["--compare-this-month", "--as-of", "soon", "--out", "x.tif"], "not a date"),
    (["--as-of", "2026-10-01", "--out", "x.tif"], "--as-of"),
])
def test_bad_comparisons(source, tmp_path, capsys, extra, msg):
    path, _ = source
    argv = [a if a not in ("x.tif", "x.gpkg") else tmp_path / a for a in extra]
    rc, _, err = _run(capsys, "hotspots", path, *argv)
    assert rc == 2
    assert err.startswith("mapdesk: error:") and re.search(msg, err), err


def test_single_result_figure(source, tmp_path, capsys):
    path, _ = source
    out = tmp_path / "one.png"
    rc, stdout, err = _run(capsys, "hotspots", path, "--method", "hex", "--cell-m", "150", "--figure",
                           "--out", out, "--json")
    assert rc == 0, err
    assert json.loads(stdout)["summary"]["n_cells"] > 0
    from PySide6.QtGui import QImage

    img = QImage(str(out))
    assert not img.isNull() and img.width() == 640
    rc, _, err = _run(capsys, "hotspots", path, "--method", "gistar", "--figure", "--out", tmp_path / "g.png")
    assert rc == 2 and "--figure" in err
    rc, _, err = _run(capsys, "hotspots", path, "--method", "kde", "--figure", "--out", tmp_path / "k.tif")
    assert rc == 2 and "--figure" in err
