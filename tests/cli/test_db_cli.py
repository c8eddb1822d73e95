"""``mapdesk db`` and database tables as the input of the other commands (real PostGIS server)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from mapdesk import cli
from mapdesk.cli import main

SAMPLE_INCIDENTS = cli.__file__.rsplit("/src/", 1)[0] + "/sample_data/incidents.gpkg"
EVIL = 'x"; drop table y; --'


@pytest.fixture(autouse=True)
def _db_cli(tmp_path, monkeypatch):
    """`db` registered (until it is in COMMAND_MODULES), a private connection store, no PG* env."""
    from mapdesk.io.postgis import connections

    if "db" not in cli.COMMAND_MODULES:
        monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "db"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for var in ("PGPASSWORD", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE", "PGSERVICEFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    monkeypatch.setattr(connections, "_session_passwords", {})
    yield
    connections.set_default_prompt(None)


def _add(dsn: str, name: str = "city", *extra: str) -> list[str]:
    u = urlsplit(dsn)
    return ["db", "connections", "add", name, "--host", u.hostname, "--port", str(u.port),
            "--dbname", u.path.lstrip("/"), "--user", u.username, *extra]


def test_connections_add_list_remove_without_keyring(pg_server, pg_dsn, tmp_path, monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(pg_server.password + "\n"))
    assert main(_add(pg_dsn, "city", "--password-prompt", "--test")) == 0
    out = capsys.readouterr().out
    assert "saved connection 'city'" in out and "NOT saved" in out
    stored = (tmp_path / "config" / "mapdesk" / "connections.json").read_text()
    assert pg_server.password not in stored and "password" not in json.loads(stored)["connections"][0]
    assert main(["db", "connections", "list", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["connections"][0]["name"] == "city" and doc["connections"][0]["password_in_keyring"] is False
    # no keyring, no terminal: the password comes from PGPASSWORD
    monkeypatch.setenv("PGPASSWORD", pg_server.password)
    assert main(["db", "connections", "test", "city"]) == 0
    assert "PostGIS 3" in capsys.readouterr().out
    assert main(["db", "connections", "remove", "city"]) == 0
    assert main(["db", "connections", "remove", "city"]) == 2
    assert "no saved connection named 'city'" in capsys.readouterr().err


def test_password_to_keyring(pg_server, pg_dsn, monkeypatch, capsys):
    import io

    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1
        items: dict = {}

        def get_password(self, s, u):
            return self.items.get((s, u))

        def set_password(self, s, u, p):
            self.items[(s, u)] = p

        def delete_password(self, s, u):
            self.items.pop((s, u), None)

    old = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        monkeypatch.setattr("sys.stdin", io.StringIO(pg_server.password + "\n"))
        assert main(_add(pg_dsn, "kr", "--password-prompt")) == 0
        assert "stored in the system keyring" in capsys.readouterr().out
        assert main(["db", "connections", "test", "kr"]) == 0  # no PGPASSWORD: the keyring's
        assert main(["db", "connections", "remove", "kr"]) == 0
        assert Memory.items == {}
    finally:
        keyring.set_keyring(old)


def test_wrong_password_clear_message_no_traceback(pg_dsn, capsys):
    bad = pg_dsn.replace("mapdesk-test-pw", "Zz-wrong-pw")
    assert main(["db", "tables", bad]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mapdesk: error: the server at ") and "refused the login" in err
    assert "Traceback" not in err and "Zz-wrong-pw" not in err
    assert main(["info", bad + "?table=public.x"]) == 2
    err = capsys.readouterr().err
    assert "refused the login" in err and "Traceback" not in err


def test_import_tables_index_info_export_analysis(pg_server, pg_dsn, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PGPASSWORD", pg_server.password)
    assert main(_add(pg_dsn)) == 0
    assert main(["db", "import", SAMPLE_INCIDENTS, "--to", "pg:city/public.incidents"]) == 0
    assert "wrote 3,025 rows to pg:city/public.incidents (create" in capsys.readouterr().out
    assert main(["db", "import", SAMPLE_INCIDENTS, "--to", "pg:city/public.incidents"]) == 2
    assert "already exists" in capsys.readouterr().err
    # a table without spatial index is flagged, and fixed
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as c:
        c.execute("CREATE TABLE bare AS SELECT * FROM incidents LIMIT 5")
    assert main(["db", "tables", "city"]) == 0
    cap = capsys.readouterr()
    assert "public.incidents" in cap.out and "3,025" in cap.out and "POINT" in cap.out
    assert "public.bare has no spatial index" in cap.err and "create-index pg:city/public.bare" in cap.err
    assert main(["db", "create-index", "pg:city/public.bare"]) == 0
    assert "created spatial index" in capsys.readouterr().out
    assert main(["db", "tables", pg_dsn, "--json"]) == 0
    cap = capsys.readouterr()
    doc = json.loads(cap.out)
    assert {t["table"]: t["spatial_index"] for t in doc["tables"]} == {"bare": True, "incidents": True}
    assert "mapdesk-test-pw" not in cap.out and cap.err == ""
    # the same analysis from the file and from the table
    assert main(["temporal", SAMPLE_INCIDENTS, "--json", "--out", str(tmp_path / "a.csv")]) == 0
    from_file = json.loads(capsys.readouterr().out)
    assert main(["temporal", "pg:city/public.incidents", "--json", "--out", str(tmp_path / "b.csv")]) == 0
    from_table = json.loads(capsys.readouterr().out)
    assert from_table["input"]["field_map"] == from_file["input"]["field_map"]
    assert from_table["params"] == from_file["params"]
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    assert main(["info", "pg:city/public.incidents", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)["layers"][0]
    assert info["role"] == "incidents"
    # a URI typed with its password: the password is used, never printed
    assert main(["info", pg_dsn + "?table=public.incidents", "--json"]) == 0
    cap = capsys.readouterr()
    assert json.loads(cap.out)["layers"][0]["feature_count"] == 3025
    assert "mapdesk-test-pw" not in cap.out + cap.err
    out = tmp_path / "back.gpkg"
    assert main(["db", "export", "pg:city/public.incidents", "--out", str(out), "--limit", "100"]) == 0
    assert "100 rows" in capsys.readouterr().out
    import pyogrio

    assert pyogrio.read_info(out)["features"] == 100
    assert main(["db", "export", "pg:city/public.incidents", "--out", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_injection_names_round_trip(pg_server, pg_dsn, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PGPASSWORD", pg_server.password)
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as c:
        c.execute("CREATE TABLE y (id int)")
    csv = tmp_path / "pts.csv"
    csv.write_text("name,lon,lat\na,112.5,37.8\nb,112.6,37.9\n")
    assert main(_add(pg_dsn)) == 0
    source = f"pg:city/public.{EVIL}"
    assert main(["db", "import", str(csv), "--to", source]) == 0
    capsys.readouterr()
    assert main(["info", source, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["layers"][0]["feature_count"] == 2
    with psycopg.connect(pg_dsn) as c:
        assert c.execute("SELECT count(*) FROM y").fetchone() == (0,)
    assert main(["info", "pg:city/public.no_such", "--json"]) == 2
    assert "no table public.no_such" in capsys.readouterr().err


def test_server_down_then_back(pg_server, pg_dsn, monkeypatch, capsys):
    monkeypatch.setenv("PGPASSWORD", pg_server.password)
    assert main(["db", "connections", "test", pg_dsn]) == 0
    capsys.readouterr()
    pg_server.restart_stopped()
    try:
        assert main(["db", "tables", pg_dsn]) == 2
        err = capsys.readouterr().err
        assert "cannot connect to mapdesk@127.0.0.1" in err and "running" in err and "Traceback" not in err
    finally:
        pg_server.start_again()
    assert main(["db", "connections", "test", pg_dsn]) == 0


def test_db_usage_and_bad_sources(capsys):
    assert main(["db"]) == 2
    assert main(["db", "create-index", "not-a-table"]) == 2
    assert "is not a table" in capsys.readouterr().err
    assert main(["info", "postgresql://u@127.0.0.1:1/db"]) == 2
    assert "?table=schema.name" in capsys.readouterr().err


def test_render_and_export_database_layers(pg_server, pg_dsn, tmp_path, monkeypatch, capsys):
    pytest.importorskip("mapdesk.model.remote", reason="database layers in the model (pggui) not merged yet")
    monkeypatch.setenv("PGPASSWORD", pg_server.password)
    assert main(_add(pg_dsn)) == 0
    assert main(["db", "import", SAMPLE_INCIDENTS, "--to", "pg:city/public.incidents"]) == 0
    # a table as the input of render
    png = tmp_path / "table.png"
    assert main(["render", "pg:city/public.incidents", "--out", str(png), "--width", "300",
                 "--height", "200"]) == 0
    assert png.stat().st_size > 1000
    # a project whose layer is a database table (by connection name, no password in the file)
    proj = tmp_path / "db.mapdesk.json"
    proj.write_text(json.dumps({"mapdesk_project": 1, "title": "db", "layers": [
        {"name": "incidents", "kind": "vector", "source": "pg:city/public.incidents", "role": "incidents"}]}))
    out = tmp_path / "proj.png"
    assert main(["render", str(proj), "--out", str(out), "--width", "300", "--height", "200"]) == 0
    assert out.stat().st_size > 1000
    capsys.readouterr()
    exp = tmp_path / "proj_export.png"
    assert main(["export", str(proj), "--out", str(exp), "--dpi", "50"]) == 0
    cap = capsys.readouterr()
    assert exp.exists() and "layer not drawn" not in cap.err
    assert main(["info", str(proj), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["layers"][0]["feature_count"] == 3025


def test_hotspot_cells_written_to_a_table(pg_server, pg_dsn, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PGPASSWORD", pg_server.password)
    assert main(_add(pg_dsn)) == 0
    gpkg = tmp_path / "cells.gpkg"
    assert main(["hotspots", SAMPLE_INCIDENTS, "--method", "hex", "--cell-m", "300", "--out", str(gpkg)]) == 0
    assert main(["hotspots", SAMPLE_INCIDENTS, "--method", "hex", "--cell-m", "300",
                 "--out", "pg:city/results.hex"]) == 2
    assert "no schema 'results'" in capsys.readouterr().err
    for _ in range(2):  # a second run replaces the table
        assert main(["hotspots", SAMPLE_INCIDENTS, "--method", "hex", "--cell-m", "300",
                     "--out", pg_dsn + "?table=public.hex", "--json"]) == 0
        cap = capsys.readouterr()
        assert json.loads(cap.out)["output"].endswith("table=public.hex")
        assert "mapdesk-test-pw" not in cap.out
    import psycopg
    import pyogrio

    with psycopg.connect(pg_dsn) as c:
        n, total, srid = c.execute("SELECT count(*), sum(count)::bigint, max(ST_SRID(geom)) FROM hex").fetchone()
    file_cells = pyogrio.read_dataframe(gpkg)
    assert n == len(file_cells) and total == int(file_cells["count"].sum()) and srid == 32649
    assert main(["hotspots", SAMPLE_INCIDENTS, "--method", "kde", "--out", "pg:city/public.k"]) == 2
    assert "holds cells" in capsys.readouterr().err


def test_any_command_asks_for_a_missing_password_on_the_terminal(pg_server, pg_dsn, monkeypatch, capsys):
    """`mapdesk info pg:…` (not only `mapdesk db …`) asks on the terminal, once, when no keyring,
    PGPASSWORD or ~/.pgpass has the password; a script without a terminal gets a clear error."""
    import getpass
    import io

    assert main(_add(pg_dsn, "city")) == 0
    assert main(["db", "import", SAMPLE_INCIDENTS, "--to", "pg:city/public.incidents"]) == 2  # no password yet
    capsys.readouterr()

    class Tty(io.StringIO):
        def isatty(self):
            return True

    asked = []
    monkeypatch.setattr("sys.stdin", Tty())
    monkeypatch.setattr(getpass, "getpass", lambda msg="": asked.append(msg) or pg_server.password)
    assert main(["db", "import", SAMPLE_INCIDENTS, "--to", "pg:city/public.incidents"]) == 0
    capsys.readouterr()
    connections_mod = __import__("mapdesk.io.postgis.connections", fromlist=["x"])
    monkeypatch.setattr(connections_mod, "_session_passwords", {})
    connections_mod.set_default_prompt(None)  # `info` alone must install the terminal prompt
    asked.clear()
    assert main(["info", "pg:city/public.incidents", "--json"]) == 0
    assert len(asked) == 1 and json.loads(capsys.readouterr().out)
    monkeypatch.setattr(connections_mod, "_session_passwords", {})
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["info", "pg:city/public.incidents"]) == 2
    assert "password" in capsys.readouterr().err.lower()
