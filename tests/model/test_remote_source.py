"""Database layers in project files and the pure parts of the remote-layer logic (no server)."""

from __future__ import annotations

import json

import pytest

from mapdesk.model import Layer, Project
from mapdesk.model import remote as rm


def test_project_keeps_the_table_reference_and_never_a_password(tmp_path):
    proj = Project("db")
    by_uri = Layer("incidents", source="postgresql://ana:s3cret@db.example:5433/city?table=police.incidents")
    by_name = Layer("trees", source="pg:citydb/registry.trees?geom=geom")
    proj.add_layer(by_uri)
    proj.add_layer(by_name)
    path = tmp_path / "p.mapdesk.json"
    proj.save(path)
    text = path.read_text(encoding="utf-8")
    assert "s3cret" not in text
    doc = json.loads(text)
    sources = [d["source"] for d in doc["layers"]]
    assert sources[0] == "postgresql://ana@db.example:5433/city?table=police.incidents"
    assert sources[1] == "pg:citydb/registry.trees?geom=geom"
    assert not (tmp_path / "p.data").exists()       # database layers are not copied to files

    back = Project.load(path, load_data=False)
    assert [lyr.source for lyr in back.layers] == sources   # not turned into file paths
    assert all(lyr.status == "unloaded" for lyr in back.layers)


def test_unreachable_server_marks_the_layer_and_keeps_it(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    rm.set_password_prompt(None)
    # a port nobody listens on: a clear message, no exception, the layer stays
    lyr = Layer("x", source="postgresql://nobody@127.0.0.1:9/nodb?table=public.t&connect_timeout=2")
    lyr.load()
    assert lyr.status == "error"
    assert "127.0.0.1" in lyr.error
    assert lyr.frame is None
    assert lyr.remote is None


def test_nice_cell_sizes_are_round():
    assert rm.nice_cell_m(16_000, 160) == 100
    assert rm.nice_cell_m(50_000, 160) == 500
    assert rm.nice_cell_m(3_000, 160) == 20
    assert rm.nice_cell_m(10, 160) >= 1


def test_mercator_round_trip():
    x, y = rm.lonlat_to_mercator(112.55, 37.87)
    lon, lat = rm.mercator_to_lonlat(x, y)
    assert lon == pytest.approx(112.55)
    assert lat == pytest.approx(37.87)


def test_session_passwords_are_keyed_by_connection_or_server():
    from mapdesk.io.postgis import TableRef

    rm.forget_session_passwords()
    a = TableRef("public", "t", connection="city")
    b = TableRef("other", "u", connection="city")
    c = TableRef("public", "t", conninfo="postgresql://ana@h:5432/db")
    rm.remember_password(a, "pw1")
    assert rm.session_password(b) == "pw1"          # same connection, another table
    assert rm.session_password(c) is None
    from mapdesk.io.postgis.connections import ConnectionSpec

    assert rm.session_password(ConnectionSpec(name="city", host="h")) == "pw1"   # the same key
    rm.forget_session_passwords()
    assert rm.session_password(a) is None


def test_role_units():
    assert rm.role_units("incidents") == "incidents per cell"
    assert rm.role_units("generic") == "features per cell"
    assert "案件" in rm.role_units("incidents", "zh")


def test_layer_names_from_sources():
    from mapdesk.model.layer import _default_name

    assert _default_name("postgresql://ana@db:5432/gis?table=police.incidents") == "incidents"
    assert _default_name("postgresql://?service=city&table=trees") == "trees"
    assert _default_name("pg:city/public.cameras?geom=location") == "cameras"
    assert _default_name("/data/incidents 2025.gpkg") == "incidents 2025"
