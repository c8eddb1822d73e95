"""The database dialogs driven for real against a PostGIS server: add a connection, test it
(right and wrong password), browse tables, create a missing spatial index, add layers (small:
loaded whole; big: drawn from the server, filtered in SQL), save a layer to a table and read it
back, and a server that stops while the window is open."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from mapdesk.model import Filter, Layer
from mapdesk.model import remote as rm

psycopg = pytest.importorskip("psycopg")

PW = "mapdesk-test-pw"


def make_incidents(dsn: str, n: int, table: str = "incidents", index: bool = True) -> None:
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f"""CREATE TABLE public.{table} (
            id serial PRIMARY KEY, incident_id text, type text, time timestamp, status text,
            geom geometry(Point, 4326))""")
        con.execute(f"""INSERT INTO public.{table} (incident_id, type, time, status, geom)
            SELECT 'I' || g, (ARRAY['ebike_theft','other_theft','fraud','dispute'])[1 + g %% 4],
                   timestamp '2026-03-01' + g * interval '17 minutes',
                   CASE WHEN g %% 3 = 0 THEN 'cleared' ELSE 'reported' END,
                   ST_SetSRID(ST_MakePoint(112.5 + (g %% 100) * 0.001, 37.85 + (g / 100) * 0.0005), 4326)
            FROM generate_series(0, %s - 1) g""", (n,))
        if index:
            con.execute(f"CREATE INDEX {table}_geom_idx ON public.{table} USING gist (geom)")
        con.execute(f"ANALYZE public.{table}")


def incidents_frame(n: int):
    import geopandas as gpd
    import numpy as np

    rng = np.random.default_rng(n)
    types = np.array(["ebike_theft", "other_theft", "fraud", "dispute"])
    return gpd.GeoDataFrame(
        {"incident_id": [f"I{i}" for i in range(n)], "type": types[np.arange(n) % 4],
         "loss_yuan": rng.integers(0, 5000, n).astype(float)},
        geometry=gpd.points_from_xy(112.55 + rng.random(n) * 0.03, 37.87 + rng.random(n) * 0.02),
        crs="EPSG:4326")


def count(dsn: str, sql: str) -> int:
    with psycopg.connect(dsn) as con:
        return con.execute(sql).fetchone()[0]


@pytest.fixture
def store(tmp_path, monkeypatch):
    from mapdesk.io.postgis.connections import ConnectionStore

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    rm.forget_session_passwords()
    yield ConnectionStore(tmp_path / "config" / "mapdesk" / "connections.json")
    rm.forget_session_passwords()
    rm.set_password_prompt(None)


def dsn_parts(dsn: str) -> dict:
    from psycopg.conninfo import conninfo_to_dict

    return conninfo_to_dict(dsn)


def add_connection(qtbot, store, dsn: str, name: str = "city", password: str | None = PW):
    """Fill the connections dialog like a user and press Save; returns the dialog."""
    from mapdesk.gui.db_connections import ConnectionsDialog

    p = dsn_parts(dsn)
    dlg = ConnectionsDialog(store)
    qtbot.addWidget(dlg)
    dlg.new()
    qtbot.keyClicks(dlg.name, name)
    qtbot.keyClicks(dlg.host, p["host"])
    dlg.port.setValue(int(p["port"]))
    qtbot.keyClicks(dlg.dbname, p["dbname"])
    qtbot.keyClicks(dlg.user, p["user"])
    if password:
        qtbot.keyClicks(dlg.password, password)
    qtbot.mouseClick(dlg.buttons["save"], Qt.MouseButton.LeftButton)
    return dlg


def test_connections_dialog_saves_tests_and_refuses_a_wrong_password(qtbot, store, pg_dsn, dialogs,
                                                                     tmp_path):
    dlg = add_connection(qtbot, store, pg_dsn)
    spec = store.get("city")
    assert spec.port == int(dsn_parts(pg_dsn)["port"])
    saved = (tmp_path / "config" / "mapdesk" / "connections.json").read_text()
    assert "city" in saved and PW not in saved
    # no keyring here: kept for the session only, and the dialog says so
    assert "keyring" in dlg.status.text()
    assert rm.session_password(spec) == PW
    with qtbot.waitSignal(dlg.tested, timeout=15000) as sig:
        qtbot.mouseClick(dlg.buttons["test"], Qt.MouseButton.LeftButton)
    assert sig.args[0] is True
    assert "PostgreSQL 15" in dlg.status.text() and "PostGIS" in dlg.status.text()

    qtbot.keyClicks(dlg.password, "wrong-password")
    with qtbot.waitSignal(dlg.tested, timeout=15000) as sig:
        qtbot.mouseClick(dlg.buttons["test"], Qt.MouseButton.LeftButton)
    assert sig.args[0] is False
    assert "password" in sig.args[1].lower()
    assert ("warning", "Connection failed", sig.args[1]) in dialogs.calls
    assert "wrong-password" not in sig.args[1]


def test_browse_index_add_filter(qtbot, store, pg_dsn, window, monkeypatch):
    from mapdesk.gui.db_browser import DbBrowser

    make_incidents(pg_dsn, 400, "small_incidents")
    make_incidents(pg_dsn, 3000, "incidents", index=False)
    add_connection(qtbot, store, pg_dsn)
    window.db._store = store

    dlg = DbBrowser(store, window, connection="city")
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.listed, timeout=15000):
        dlg.refresh()
    names = {t.ref.table: t for t in dlg.tables}
    assert set(names) >= {"incidents", "small_incidents"}
    assert names["incidents"].has_spatial_index is False
    assert dlg.select_table("public", "incidents")
    assert dlg.warning.isVisibleTo(dlg) and dlg.create_index.isVisibleTo(dlg)
    assert "incidents" in dlg.warning.text()
    rows_text = dlg.tree.selectedItems()[0].text(4)
    assert rows_text.replace(",", "").isdigit() and 2000 <= int(rows_text.replace(",", "")) <= 4000
    with qtbot.waitSignal(dlg.listed, timeout=20000):
        qtbot.mouseClick(dlg.create_index, Qt.MouseButton.LeftButton)
    assert {t.ref.table: t for t in dlg.tables}["incidents"].has_spatial_index is True

    # small table: loaded whole
    dlg.select_table("public", "small_incidents")
    sources = dlg.sources()
    assert sources == [("small_incidents", "pg:city/public.small_incidents")]
    with qtbot.waitSignal(window.layer_loaded, timeout=20000) as sig:
        window.db.add_sources(sources)
    small = sig.args[0]
    assert small.remote is None and len(small.frame) == 400
    assert small.role == "incidents"

    # big table: drawn from the server; the filter goes into SQL
    monkeypatch.setenv("MAPDESK_REMOTE_THRESHOLD", "1000")
    dlg.select_table("public", "incidents")
    with qtbot.waitSignal(window.layer_loaded, timeout=20000) as sig:
        window.db.add_sources(dlg.sources())
    big = sig.args[0]
    assert big.remote is not None
    # the filter panel offers the whole table's values with their counts (not the sample's)
    window.layer_panel.set_current_layer(big)
    box = window.filter_panel.categories["type"]
    got = {box.list.item(i).data(Qt.ItemDataRole.UserRole): box.list.item(i).text()
           for i in range(box.list.count())}
    assert set(got) == {"ebike_theft", "other_theft", "fraud", "dispute"}
    n_fraud = count(pg_dsn, "SELECT count(*) FROM public.incidents WHERE type = 'fraud'")
    assert got["fraud"].endswith(f"({n_fraud:,})")
    # ... and the whole table's time span (the 3,000 rows run 17 minutes apart from 1 March)
    with psycopg.connect(pg_dsn) as con:
        last = con.execute("SELECT max(time) FROM public.incidents").fetchone()[0]
    d = window.filter_panel.date_to.date()
    assert (d.year(), d.month(), d.day()) == (last.year, last.month, last.day)
    assert window.time_slider.t1 == last
    window.canvas.set_extent_wgs84((112.5205, 37.85125, 112.5295, 37.85575))
    assert window.canvas.wait_rendered(20)
    qtbot.waitUntil(lambda: bool(big.remote.last_view is not None and getattr(big, "_rows_key", None)),
                    timeout=10000)
    x0, y0, x1, y1 = big.remote.last_view.extent_3857
    in_view = f"ST_Transform(geom, 3857) && ST_MakeEnvelope({x0}, {y0}, {x1}, {y1}, 3857)"
    assert len(big.frame) == count(pg_dsn, f"SELECT count(*) FROM public.incidents WHERE {in_view}")
    assert window.table.model.rowCount() == len(big.frame)     # the table shows the fetched rows

    big.set_filter(Filter(categories={"type": ["fraud"]}))
    window.canvas.refresh()
    qtbot.waitUntil(lambda: set(big.frame["type"].astype(str)) == {"fraud"}, timeout=15000)
    assert len(big.frame) == count(
        pg_dsn, f"SELECT count(*) FROM public.incidents WHERE type = 'fraud' AND {in_view}")
    report = window.canvas.last_report.layer(big.id)
    assert report.drawn and report.mode.startswith("server-")
    big.remote.close()


def test_save_layer_to_database_and_read_back(qtbot, store, pg_dsn, window):
    from mapdesk.gui.db_save import SaveToDatabaseDialog


    add_connection(qtbot, store, pg_dsn)
    layer = Layer.from_frame("Hotspot result 1", incidents_frame(120), role="incidents",
                             field_map={"type": "type"})
    dlg = SaveToDatabaseDialog(layer, store, window, connection="city")
    qtbot.addWidget(dlg)
    assert dlg.table.text() == "hotspot_result_1"
    with qtbot.waitSignal(dlg.saved, timeout=20000) as sig:
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert sig.args == ["pg:city/public.hotspot_result_1", 120]
    assert count(pg_dsn, "SELECT count(*) FROM public.hotspot_result_1") == 120
    assert count(pg_dsn, "SELECT count(*) FROM public.hotspot_result_1 WHERE type = 'fraud'") == \
        int((incidents_frame(120)["type"] == "fraud").sum())

    # create again: refused with a message, the table untouched
    dlg2 = SaveToDatabaseDialog(layer.__class__.from_frame("x", incidents_frame(10)), store, window,
                                connection="city")
    qtbot.addWidget(dlg2)
    dlg2.table.setText("hotspot_result_1")
    with qtbot.waitSignal(dlg2.failed, timeout=20000) as sig:
        qtbot.mouseClick(dlg2.save_button, Qt.MouseButton.LeftButton)
    assert "hotspot_result_1" in sig.args[0]
    assert count(pg_dsn, "SELECT count(*) FROM public.hotspot_result_1") == 120
    # append adds, then the table reads back as a layer
    dlg2.set_mode("append")
    with qtbot.waitSignal(dlg2.saved, timeout=20000):
        qtbot.mouseClick(dlg2.save_button, Qt.MouseButton.LeftButton)
    assert count(pg_dsn, "SELECT count(*) FROM public.hotspot_result_1") == 130
    # Cancel while writing: nothing written (the message says so), the table untouched
    dlg3 = SaveToDatabaseDialog(Layer.from_frame("big", incidents_frame(60_000)), store, window,
                                connection="city")
    qtbot.addWidget(dlg3)
    dlg3.set_mode("replace")
    dlg3.table.setText("hotspot_result_1")
    with qtbot.waitSignals([dlg3.failed], timeout=30000) as sig:
        qtbot.mouseClick(dlg3.save_button, Qt.MouseButton.LeftButton)
        dlg3.cancel_or_close()
    assert "nothing was written" in dlg3.status.text()
    assert count(pg_dsn, "SELECT count(*) FROM public.hotspot_result_1") == 130
    back = Layer("back", source="pg:city/public.hotspot_result_1")
    back.load()
    assert back.status == "ok", back.error
    assert len(back.frame) == 130


def test_server_stopped_marks_the_layer_and_the_window_stays_usable(qtbot, store, pg_server, pg_dsn,
                                                                     window, monkeypatch):
    make_incidents(pg_dsn, 1500)
    add_connection(qtbot, store, pg_dsn)
    window.db._store = store
    monkeypatch.setenv("MAPDESK_REMOTE_THRESHOLD", "1000")
    with qtbot.waitSignal(window.layer_loaded, timeout=20000) as sig:
        window.db.add_sources([("incidents", "pg:city/public.incidents")])
    lyr = sig.args[0]
    window.canvas.set_extent_wgs84((112.5205, 37.85125, 112.5295, 37.85575))
    assert window.canvas.wait_rendered(20)
    pg_server.restart_stopped()
    try:
        window.canvas.set_extent_wgs84((112.5005, 37.85125, 112.5095, 37.85575))
        qtbot.waitUntil(lambda: lyr.status == "error", timeout=15000)
        assert "Reload" in lyr.error or "server" in lyr.error.lower() or "connect" in lyr.error.lower()
        # still usable: another layer can be added and drawn
        window.add_layer(Layer.from_frame("local", incidents_frame(50)))
        assert window.canvas.wait_rendered(20)
        assert window.canvas.last_report.layer(lyr.id).mode == "skipped"
    finally:
        pg_server.start_again()
    with qtbot.waitSignal(lyr.changed, timeout=20000):
        window.db.reload_layer(lyr)
    assert lyr.status == "ok", lyr.error
    assert lyr.remote is not None
    lyr.remote.close()


def test_database_menu_and_context_entries(window):
    titles = [a.text() for a in window.menus["database"].actions() if a.text()]
    assert any("Connections" in t for t in titles)
    assert any("PostGIS" in t for t in titles)
    assert "action_db_save_layer" in {a.objectName() for a in window.menus["database"].actions()}
    assert window.db._context_entries in window.layer_panel.context_hooks


def test_project_with_a_database_layer_asks_the_password_once(qtbot, store, pg_dsn, window, tmp_path,
                                                              monkeypatch):
    """Reopening a project: the password is asked (from the loading thread, shown on the GUI
    thread) once, then remembered for the session; the project file never holds it."""
    from mapdesk.gui import db_password
    from mapdesk.model import Project

    make_incidents(pg_dsn, 200)
    add_connection(qtbot, store, pg_dsn, password=None)
    proj = Project("db")
    proj.add_layer(Layer("incidents", source="pg:city/public.incidents"))
    path = tmp_path / "db.mapdesk.json"
    proj.save(path)
    assert PW not in path.read_text()

    asked: list[str] = []
    monkeypatch.setattr(db_password, "ask_password",
                        lambda parent, message: asked.append(message) or PW)
    with qtbot.waitSignal(window.project_opened, timeout=20000):
        window.open_project(path, ask_save=False, background=True)
    lyr = window.project.layers[0]
    assert lyr.status == "ok", lyr.error
    assert len(lyr.frame) == 200
    assert len(asked) == 1 and ("city" in asked[0] or "127.0.0.1" in asked[0])
    with qtbot.waitSignal(window.project_opened, timeout=20000):
        window.open_project(path, ask_save=False, background=True)
    assert window.project.layers[0].status == "ok"
    assert len(asked) == 1                                  # remembered for the session


def test_hotspot_cells_of_a_server_table_count_the_whole_table(qtbot, store, pg_dsn, window,
                                                               monkeypatch):
    """Hexagon counts in the analysis dock on a table kept on the server run on the server over
    every row passing the filter; KDE says it uses the rows fetched for the view."""
    make_incidents(pg_dsn, 3000)
    monkeypatch.setenv("MAPDESK_REMOTE_THRESHOLD", "1000")
    lyr = Layer("incidents", source=f"{pg_dsn}?table=public.incidents")
    lyr.load()
    assert lyr.remote is not None and len(lyr.frame) < 3000
    window.add_layer(lyr)
    lyr.set_filter(Filter(categories={"type": ["fraud"]}))
    page = window.analysis.pages[0]
    page.layer_combo.refresh()
    page.layer_combo.setCurrentIndex(page.layer_combo.findData(lyr.id))
    page.method.setCurrentIndex(page.method.findData("hex"))
    n_before = len(window.project.layers)
    page.run()
    qtbot.waitUntil(lambda: len(window.project.layers) > n_before, timeout=20000)
    cells = window.project.layers[-1].frame
    assert int(cells["count"].sum()) == count(pg_dsn, "SELECT count(*) FROM public.incidents WHERE type = 'fraud'")
    assert "server" in cells.attrs["params"]["computed_by"]
    lyr.remote.close()


def test_renaming_a_connection_keeps_the_old_one_and_says_why(qtbot, store, pg_dsn):
    dlg = add_connection(qtbot, store, pg_dsn, name="city", password=None)
    assert [s.name for s in store.list()] == ["city"]
    dlg.name.clear()
    qtbot.keyClicks(dlg.name, "city2")
    qtbot.mouseClick(dlg.buttons["save"], Qt.MouseButton.LeftButton)
    assert sorted(s.name for s in store.list()) == ["city", "city2"]
    assert "city is kept" in dlg.status.text()


def test_opening_a_server_table_from_the_command_line(qtbot, store, pg_dsn, window, monkeypatch):
    """`mapdesk gui postgresql://…?table=…`: the layer is named after its table, and the sample
    read on opening is not reported as lost rows."""
    make_incidents(pg_dsn, 3000)
    monkeypatch.setenv("MAPDESK_REMOTE_THRESHOLD", "1000")
    lyr = Layer.from_file(f"{pg_dsn}?table=public.incidents")
    assert lyr.name == "incidents" and lyr.remote is not None
    window.add_layer(lyr)
    window.last_report_box = None
    window.show_load_report(lyr)
    assert window.last_report_box is None
    assert "kept on the database server" in window.statusBar().currentMessage()
    lyr.remote.close()
