"""Basemaps: MBTiles (TMS/XYZ rows), tile folders, online XYZ against a local server only."""

from __future__ import annotations

import http.server
import sqlite3
import threading
import time

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from mapdesk.render.basemaps import basemap_from_arg, basemap_source, forget_sources
from mapdesk.render.job import render_image_with_report
from mapdesk.render.qtarrays import qimage_to_rgba
from mapdesk.render.tiles import USER_AGENT, TileSourceError, tile_range
from mapdesk.render.viewport import MapSettings, lonlat_to_mercator

LON, LAT = 112.56, 37.88
Z = 12


def png_bytes(color: str) -> bytes:
    img = QImage(256, 256, QImage.Format.Format_ARGB32)
    img.fill(QColor(color))
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return bytes(ba.data())


def center_tile():
    x, y = lonlat_to_mercator(LON, LAT)
    x0, y0, _, _ = tile_range((float(x), float(y), float(x), float(y)), Z)
    return x0, y0


def make_mbtiles(path, scheme="tms", color="#2040c0"):
    tx, ty = center_tile()
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    meta = {"name": "test", "format": "png", "minzoom": str(Z), "maxzoom": str(Z),
            "attribution": "test tiles"}
    if scheme == "xyz":
        meta["scheme"] = "xyz"
    db.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
    other = png_bytes("#c02020")
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            x, y = tx + dx, ty + dy
            row = (1 << Z) - 1 - y if scheme == "tms" else y
            db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                       (Z, x, row, png_bytes(color) if (dx, dy) == (0, 0) else other))
    db.commit()
    db.close()
    return path


@pytest.fixture(autouse=True)
def _fresh_sources():
    forget_sources()
    yield
    forget_sources()


def settings_at_center(size=64):
    # ~ one z12 tile's resolution: 38 m/px; a small view inside the centre tile
    x, y = lonlat_to_mercator(LON, LAT)
    x, y = float(x), float(y)
    return MapSettings((x - 300, y - 300, x + 300, y + 300), size, size)


def _project(make, spec):
    p = make.Project([])
    p.basemap = spec
    return p


@pytest.mark.parametrize("scheme", ["tms", "xyz"])
def test_mbtiles_rows_follow_scheme(tmp_path, make, scheme):
    path = make_mbtiles(tmp_path / f"t_{scheme}.mbtiles", scheme)
    proj = _project(make, basemap_from_arg(str(path)))
    img, report = render_image_with_report(proj, settings_at_center(), decorations=False)
    a = qimage_to_rgba(img)
    assert tuple(a[32, 32, :3]) == (0x20, 0x40, 0xc0)   # the centre tile, not its neighbour
    assert report.tiles_drawn >= 1 and report.tiles_missing == 0 and not report.tile_errors
    assert report.basemap == "test"


def test_mbtiles_missing_tiles_leave_map_usable(tmp_path, make):
    path = make_mbtiles(tmp_path / "t.mbtiles")
    proj = _project(make, {"kind": "mbtiles", "path": str(path)})
    s = MapSettings.from_wgs84_extent((112.3, 37.7, 112.8, 38.0), 200, 150)   # beyond the 3x3 tiles
    img, report = render_image_with_report(proj, s, decorations=False)
    assert report.tiles_drawn == 9 and report.tiles_missing > 0
    a = qimage_to_rgba(img)
    assert tuple(a[2, 2, :3]) == (0xf4, 0xf3, 0xef)  # background where there is no tile


@pytest.mark.parametrize("content,msg", [(b"", "empty"), (b"this is not sqlite" * 100, "not a valid MBTiles")])
def test_corrupt_or_empty_mbtiles_clear_error(tmp_path, make, content, msg):
    path = tmp_path / "bad.mbtiles"
    path.write_bytes(content)
    with pytest.raises(TileSourceError, match=msg):
        basemap_source({"kind": "mbtiles", "path": str(path)})
    proj = _project(make, {"kind": "mbtiles", "path": str(path), "name": "bad"})
    img, report = render_image_with_report(proj, settings_at_center(), decorations=False)
    assert not img.isNull() and msg in report.tile_errors[0]


def test_mbtiles_without_tiles_table_or_rows(tmp_path):
    p1 = tmp_path / "notiles.mbtiles"
    sqlite3.connect(p1).execute("CREATE TABLE foo (a)").connection.commit()
    with pytest.raises(TileSourceError, match="no 'tiles' table"):
        basemap_source({"kind": "mbtiles", "path": str(p1)})
    p2 = tmp_path / "zero.mbtiles"
    db = sqlite3.connect(p2)
    db.execute("CREATE TABLE tiles (zoom_level, tile_column, tile_row, tile_data)")
    db.commit()
    db.close()
    with pytest.raises(TileSourceError, match="no tiles"):
        basemap_source({"kind": "mbtiles", "path": str(p2)})


def test_tile_folder(tmp_path, make):
    tx, ty = center_tile()
    d = tmp_path / "tiles" / str(Z) / str(tx)
    d.mkdir(parents=True)
    (d / f"{ty}.png").write_bytes(png_bytes("#10a010"))
    spec = basemap_from_arg(str(tmp_path / "tiles"))
    assert spec["kind"] == "tiles_dir"
    img, report = render_image_with_report(_project(make, spec), settings_at_center(), decorations=False)
    assert tuple(qimage_to_rgba(img)[32, 32, :3]) == (0x10, 0xa0, 0x10)


def test_online_sources_refused_without_network(make):
    spec = basemap_from_arg("osm")
    with pytest.raises(TileSourceError, match="MAPDESK_NO_NETWORK"):
        basemap_source(spec)
    with pytest.raises(TileSourceError, match="key"):
        basemap_source(basemap_from_arg("tianditu"))
    with pytest.raises(Exception, match="unknown basemap"):
        basemap_from_arg("gaode")
    img, report = render_image_with_report(_project(make, spec), settings_at_center(), decorations=False)
    assert "MAPDESK_NO_NETWORK" in report.tile_errors[0]


class _Handler(http.server.BaseHTTPRequestHandler):
    agents: list[str] = []

    def do_GET(self):  # noqa: N802
        _Handler.agents.append(self.headers.get("User-Agent", ""))
        if self.path.startswith("/slow/"):
            time.sleep(1.5)
        if self.path.startswith("/garbage/"):
            body, ctype = b"<html>oops</html>", "image/png"
        elif self.path.startswith("/ok/"):
            body, ctype = png_bytes("#804020"), "image/png"
        elif self.path.startswith("/missing/"):
            self.send_error(404)
            return
        else:
            body, ctype = png_bytes("#000000"), "image/png"
        try:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def _xyz(base, kind):
    return {"kind": "xyz", "url": f"{base}/{kind}/{{z}}/{{x}}/{{y}}.png", "name": f"local-{kind}",
            "attribution": "local"}


def test_local_server_tiles_cached_with_user_agent(server, make, tmp_path, monkeypatch):
    monkeypatch.setenv("MAPDESK_CACHE_DIR", str(tmp_path / "cache"))
    proj = _project(make, _xyz(server, "ok"))
    img, report = render_image_with_report(proj, settings_at_center(), decorations=False, tile_wait_s=5)
    assert tuple(qimage_to_rgba(img)[32, 32, :3]) == (0x80, 0x40, 0x20)
    assert not report.tile_errors
    assert _Handler.agents and _Handler.agents[-1] == USER_AGENT and USER_AGENT.startswith("mapdesk/")
    assert list((tmp_path / "cache").rglob("*.tile"))


def test_garbage_and_404_tiles_reported_map_renders(server, make):
    for kind, msg in (("garbage", "did not return an image"), ("missing", "HTTP 404")):
        proj = _project(make, _xyz(server, kind))
        img, report = render_image_with_report(proj, settings_at_center(), decorations=False, tile_wait_s=5)
        assert not img.isNull()
        assert report.tiles_missing >= 1 and any(msg in e for e in report.tile_errors), report.tile_errors
        assert tuple(qimage_to_rgba(img)[32, 32, :3]) == (0xf4, 0xf3, 0xef)


def test_slow_server_times_out_without_blocking_long(server, make):
    spec = _xyz(server, "slow")
    src = basemap_source(spec)
    src.timeout_s = 0.3
    proj = _project(make, spec)
    t0 = time.perf_counter()
    img, report = render_image_with_report(proj, settings_at_center(), decorations=False, tile_wait_s=0.5)
    assert time.perf_counter() - t0 < 1.4
    assert report.tiles_missing >= 1 and not img.isNull()
    # the canvas passes wait 0: returns at once and repaints when tiles arrive
    t0 = time.perf_counter()
    render_image_with_report(proj, settings_at_center(), decorations=False, tile_wait_s=0)
    assert time.perf_counter() - t0 < 0.3
    deadline = time.time() + 3
    while not src.errors and time.time() < deadline:
        time.sleep(0.05)
    assert any("timed out" in e for e in src.errors), src.errors
