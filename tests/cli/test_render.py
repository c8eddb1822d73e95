"""``mapdesk render``: headless PNG/PDF/SVG, extents, basemaps, clear errors."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PySide6.QtGui import QImage

from mapdesk.cli import main
from mapdesk.render.qtarrays import qimage_to_rgba


@pytest.fixture
def files(tmp_path):
    inc = tmp_path / "incidents.csv"
    rng = np.random.default_rng(3)
    rows = ["incident_id,type,time,lon,lat"]
    types = ["ebike_theft", "fraud", "dispute", "dog"]
    for i in range(200):
        rows.append(f"I{i},{types[i % 4]},2024-03-0{1 + i % 9} 08:30,{112.56 + rng.normal(0, 0.005):.6f},"
                    f"{37.88 + rng.normal(0, 0.004):.6f}")
    inc.write_text("\n".join(rows) + "\n", encoding="utf-8")
    beats = tmp_path / "beats.geojson"
    gpd.GeoDataFrame({"name": ["北区", "南区"]},
                     geometry=[shapely.box(112.55, 37.88, 112.57, 37.89), shapely.box(112.55, 37.87, 112.57, 37.88)],
                     crs="EPSG:4326").to_file(beats)
    return inc, beats


def test_render_png_from_files(files, tmp_path, capsys):
    inc, beats = files
    before = hashlib.sha256(inc.read_bytes()).hexdigest()
    out = tmp_path / "map.png"
    assert main(["render", str(beats), str(inc), "--out", str(out), "--width", "500", "--height", "400"]) == 0
    img = QImage(str(out))
    assert (img.width(), img.height()) == (500, 400)
    a = qimage_to_rgba(img)
    assert len(np.unique(a.reshape(-1, 4)[::97], axis=0)) > 20   # a real map, not a blank page
    text = capsys.readouterr().out
    assert "wrote" in text and "1:" in text and "incidents" in text
    assert hashlib.sha256(inc.read_bytes()).hexdigest() == before     # input untouched
    assert not list(tmp_path.glob(".map.*"))                           # no temp file left


@pytest.mark.parametrize("suffix", [".pdf", ".svg"])
def test_render_vector_formats(files, tmp_path, suffix):
    inc, beats = files
    out = tmp_path / f"map{suffix}"
    assert main(["render", str(beats), str(inc), "--out", str(out), "--dpi", "150",
                 "--extent", "112.54,37.86,112.58,37.90", "--no-decorations"]) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF") if suffix == ".pdf" else b"<svg" in data[:2000]


@pytest.mark.parametrize("extent,msg", [
    ("112.5,37.8,112.5,37.9", "no area"),
    ("1,2,3", "four numbers"),
    ("a,b,c,d", "four numbers"),
    ("200,10,210,20", "longitude"),
])
def test_bad_extent_is_a_clear_error(files, tmp_path, capsys, extent, msg):
    inc, _ = files
    out = tmp_path / "x.png"
    assert main(["render", str(inc), "--out", str(out), "--extent", extent]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mapdesk: error:") and msg in err and "Traceback" not in err
    assert not out.exists()


def test_bad_basemap_and_output(files, tmp_path, capsys):
    inc, _ = files
    bad = tmp_path / "broken.mbtiles"
    bad.write_bytes(b"garbage" * 50)
    assert main(["render", str(inc), "--out", str(tmp_path / "a.png"), "--basemap", str(bad)]) == 2
    assert "not a valid MBTiles" in capsys.readouterr().err
    assert main(["render", str(inc), "--out", str(tmp_path / "a.png"), "--basemap", "osm"]) == 2
    assert "MAPDESK_NO_NETWORK" in capsys.readouterr().err
    assert main(["render", str(inc), "--out", str(tmp_path / "a.gif")]) == 2
    assert "unknown format" in capsys.readouterr().err
    assert main(["render", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "a.png")]) == 2
    assert "not found" in capsys.readouterr().err


def test_render_project_file(files, tmp_path):
    from mapdesk.model import Project

    inc, beats = files
    proj = Project("cli test")
    proj.add_layer_from_file(beats)
    proj.add_layer_from_file(inc)
    path = tmp_path / "p.mapdesk.json"
    proj.save(path)
    out = tmp_path / "p.png"
    assert main(["render", str(path), "--out", str(out), "--width", "300", "--height", "200",
                 "--basemap", "none"]) == 0
    assert QImage(str(out)).width() == 300
