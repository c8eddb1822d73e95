"""Offline interactive HTML: opened in QtWebEngine offscreen, no request leaves file:/data:,
no JavaScript error, the Leaflet map and its layers exist; styles and filters applied."""

from __future__ import annotations

import re

import pytest
from export_checks import open_in_webengine
from export_factories import make_incidents, make_project

from mapdesk.errors import ExportError
from mapdesk.export.html import export_html
from mapdesk.export.webassets import assert_offline, inline_assets
from mapdesk.model import Filter, Layer, Project

INC_FIELDS = {"incident_id": "incident_id", "type": "type", "time": "time", "status": "status"}


def _errors(report: dict) -> list[dict]:
    # Console levels: 0 info, 1 warning, 2 error.
    return [m for m in report["console"] if m["level"] >= 2]


def test_html_opens_offline_with_all_layers(tmp_path):
    proj = make_project()
    inc = next(lyr for lyr in proj.layers if lyr.role == "incidents")
    inc.set_filter(Filter(categories={"type": ["ebike_theft"]}))
    out = tmp_path / "map.html"
    info = export_html(proj, out, title="离线地图 Offline")
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", html)
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html and "code.jquery" not in html
    kinds = {d["name"]: d for d in info["layers"]}
    n_ebike = int((inc.frame["type"] == "ebike_theft").sum())
    assert kinds["Incidents 警情"]["features"] == n_ebike
    assert kinds["Cameras — field of view"]["kind"] == "polygons"
    assert kinds["Density 密度"]["kind"] == "raster"

    report = open_in_webengine(out)
    assert report["loaded"] is True
    assert all(u.startswith(("file:", "data:")) for u in report["requests"]), report["requests"]
    assert _errors(report) == []
    probe = report["probe"]
    assert probe["leaflet"] and probe["maps"] == 1
    assert probe["canvases"] >= 1 and probe["overlays"] == 1
    assert probe["layer_control_items"] == len(info["layers"])
    counts = {d["name"]: d["count"] for d in probe["layers"]}
    assert counts["Incidents 警情"] == n_ebike and counts["Trees 古树"] == 60
    assert probe["legend"] and probe["title"] == "离线地图 Offline"
    # The page's Chinese is drawn with the embedded subset of the bundled font.
    assert '"mapdesk-cjk":loaded' in probe["fonts"] or "mapdesk-cjk:loaded" in probe["fonts"], probe["fonts"]


def test_large_layer_is_clustered_and_opens(tmp_path):
    proj = Project("big")
    proj.add_layer(Layer.from_frame("Incidents", make_incidents(30_000), role="incidents",
                                    field_map=INC_FIELDS))
    out = tmp_path / "big.html"
    info = export_html(proj, out, cluster_threshold=20_000)
    assert info["layers"][0]["clustered"] is True
    report = open_in_webengine(out)
    assert _errors(report) == []
    assert all(u.startswith(("file:", "data:")) for u in report["requests"])
    assert report["probe"]["clusters"] > 0
    assert report["probe"]["layers"][0]["count"] == 30_000


def test_existing_html_needs_overwrite(tmp_path):
    out = tmp_path / "map.html"
    out.write_text("keep")
    with pytest.raises(ExportError, match="already exists"):
        export_html(make_project(), out)
    assert out.read_text() == "keep"
    export_html(make_project(), out, overwrite=True)
    assert "leaflet" in out.read_text(encoding="utf-8").lower()
    with pytest.raises(ExportError, match="does not exist"):
        export_html(make_project(), tmp_path / "nope" / "map.html")


def test_remote_references_are_refused():
    page = '<html><head><script src="https://cdn.example.org/leaflet.js"></script>' \
           '<script src="https://cdn.example.org/unknown-plugin.js"></script>' \
           '<img src="https://tiles.example.org/1/2/3.png"></head></html>'
    with pytest.raises(ExportError, match="network"):
        inline_assets(page)
    ok = inline_assets(page.replace('<img src="https://tiles.example.org/1/2/3.png">', ""))
    assert "unknown-plugin" not in ok and "Leaflet" in ok and "<script src" not in ok
    assert_offline('<script>var a = 1;</script>')


def test_online_tiles_only_when_asked(tmp_path):
    out = tmp_path / "tiles.html"
    export_html(make_project(with_raster=False), out, tiles="https://tile.example.org/{z}/{x}/{y}.png",
                tiles_attribution="© example")
    assert "tile.example.org" in out.read_text(encoding="utf-8")
