"""Database layers against a real PostGIS server: small tables load whole, big ones stay on the
server and give per-view points or server density, filters go into SQL, a stopped server marks
the layer, projects reopen and render headless."""

from __future__ import annotations

import pytest

from mapdesk.model import Filter, Layer, Project
from mapdesk.model import remote as rm

psycopg = pytest.importorskip("psycopg")

TYPES = ("ebike_theft", "other_theft", "fraud", "dispute")


def make_incidents(dsn: str, n: int, table: str = "incidents", index: bool = True) -> None:
    """``n`` points on a regular lattice near Taiyuan (100 per row, 0.001° × 0.0005° apart)."""
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f"""CREATE TABLE public.{table} (
            id serial PRIMARY KEY, incident_id text, type text, time timestamp, status text,
            loss_yuan double precision, geom geometry(Point, 4326))""")
        con.execute(f"""INSERT INTO public.{table} (incident_id, type, time, status, loss_yuan, geom)
            SELECT 'I' || g, (ARRAY['ebike_theft','other_theft','fraud','dispute'])[1 + g %% 4],
                   timestamp '2026-03-01' + g * interval '17 minutes',
                   CASE WHEN g %% 3 = 0 THEN 'cleared' ELSE 'reported' END, (g %% 50) * 10.0,
                   ST_SetSRID(ST_MakePoint(112.5 + (g %% 100) * 0.001, 37.85 + (g / 100) * 0.0005), 4326)
            FROM generate_series(0, %s - 1) g""", (n,))
        if index:
            con.execute(f"CREATE INDEX {table}_geom_idx ON public.{table} USING gist (geom)")
        con.execute(f"ANALYZE public.{table}")


def sql_count(dsn: str, where: str = "TRUE", params: tuple = ()) -> int:
    with psycopg.connect(dsn) as con:
        return con.execute(f"SELECT count(*) FROM public.incidents WHERE {where}", params).fetchone()[0]


def count_in_view(dsn: str, ext_3857, where: str = "TRUE") -> int:
    """Rows inside a Web Mercator view (what the renderer asks for)."""
    x0, y0, x1, y1 = ext_3857
    return sql_count(dsn, f"{where} AND ST_Transform(geom, 3857) && ST_MakeEnvelope(%s, %s, %s, %s, 3857)",
                     (x0, y0, x1, y1))


def mercator_box(lon0, lat0, lon1, lat1):
    x0, y0 = rm.lonlat_to_mercator(lon0, lat0)
    x1, y1 = rm.lonlat_to_mercator(lon1, lat1)
    return (x0, y0, x1, y1)


@pytest.fixture
def clean_env(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    rm.forget_session_passwords()
    rm.set_password_prompt(None)
    yield
    rm.forget_session_passwords()
    rm.set_password_prompt(None)


def source(dsn: str, table: str = "incidents") -> str:
    return f"{dsn}?table=public.{table}"


def test_small_table_loads_whole_as_a_file_layer(pg_dsn, clean_env):
    make_incidents(pg_dsn, 300)
    lyr = Layer("incidents", source=source(pg_dsn))
    lyr.load()
    assert lyr.status == "ok", lyr.error
    assert lyr.remote is None
    assert len(lyr.frame) == 300
    assert lyr.role == "incidents"
    assert lyr.field_map.get("type") == "type"
    lyr.set_filter(Filter(categories={"type": ["fraud"]}))
    assert lyr.feature_count() == (sql_count(pg_dsn, "type = 'fraud'"), 300)


def test_big_table_stays_on_the_server(pg_dsn, clean_env, monkeypatch):
    make_incidents(pg_dsn, 3000)
    monkeypatch.setenv("MAPDESK_REMOTE_THRESHOLD", "1000")
    lyr = Layer("incidents", source=source(pg_dsn))
    lyr.load()
    assert lyr.status == "ok", lyr.error
    r = lyr.remote
    assert r is not None
    assert 2000 <= r.info.estimated_rows <= 4000
    assert len(lyr.frame) <= rm.SAMPLE_ROWS            # a sample for fields and values
    assert r.extent_wgs84 is not None
    assert r.extent_wgs84[0] == pytest.approx(112.5, abs=0.01)

    # street level: only the visible points come back
    box = mercator_box(112.5205, 37.85125, 112.5295, 37.85575)
    view = r.fetch(box, width_px=800)
    expected = sql_count(pg_dsn, "geom && ST_MakeEnvelope(112.5205, 37.85125, 112.5295, 37.85575, 4326)")
    assert view.mode == "points"
    assert len(view.frame) == expected
    assert view.frame.crs.to_epsg() == 4326
    assert r.fetch(box, width_px=800) is view        # cached per (extent, filter)

    # the whole table with a small point budget: server density
    r.point_budget = 500
    whole = mercator_box(112.49, 37.84, 112.61, 37.87)
    dens = r.fetch(whole, width_px=800)
    assert dens.mode == "density"
    assert dens.grid.total == 3000
    assert dens.grid.values.shape[0] >= 2
    import numpy as np

    assert np.nansum(dens.grid.values) == 3000
    assert dens.grid.cell_m in (1, 2, 5, 10, 20, 50, 100, 200, 500)

    # a filter is pushed into SQL
    key, where = r.sql_filter(Filter(categories={"type": ["fraud"]}), lyr.field_map)
    assert key and where is not None
    fv = r.fetch(box, filter_key=key, where=where, width_px=800)
    assert set(fv.frame["type"].astype(str)) == {"fraud"}
    assert len(fv.frame) == sql_count(
        pg_dsn, "type = 'fraud' AND geom && ST_MakeEnvelope(112.5205, 37.85125, 112.5295, 37.85575, 4326)")
    fd = r.fetch(whole, filter_key=key, where=where, width_px=800)
    assert fd.grid.total == sql_count(pg_dsn, "type = 'fraud'")
    r.close()


def test_whole_table_cell_counts_run_on_the_server(pg_dsn, clean_env, monkeypatch):
    """The Hotspots tool's square/hexagon counts of a table kept on the server count every row
    that passes the filter (not the rows fetched for the view), in true-size cells."""
    import numpy as np
    import shapely

    make_incidents(pg_dsn, 3000)
    monkeypatch.setenv("MAPDESK_REMOTE_THRESHOLD", "1000")
    lyr = Layer("incidents", source=source(pg_dsn))
    lyr.load()
    r = lyr.remote
    flt = Filter(categories={"type": ["fraud", "dispute"]})
    n = sql_count(pg_dsn, "type IN ('fraud', 'dispute')")
    for method, area in (("square", 100.0 * 100.0), ("hex", np.sqrt(3) / 2 * 100.0 * 100.0)):
        cells = r.cell_counts(method, 100.0, flt, lyr.field_map)
        assert int(cells["count"].sum()) == n and (cells["count"] > 0).all()
        assert cells.crs.to_epsg() == 3857 and cells.attrs["params"]["method"] == method
        assert cells["density_per_km2"].iloc[0] == pytest.approx(cells["count"].iloc[0] / (area / 1e6))
        true_area = cells.to_crs(cells.estimate_utm_crs()).area.median()
        assert true_area == pytest.approx(area, rel=0.01)  # cell_m metres across on the ground
        assert shapely.get_num_coordinates(cells.geometry.iloc[0]) == (5 if method == "square" else 7)
    assert int(r.cell_counts("hex", 100.0)["count"].sum()) == 3000
    r.close()


def test_filter_injection_text_never_reaches_sql(pg_dsn, clean_env, monkeypatch):
    from mapdesk.model.filter import FilterError

    make_incidents(pg_dsn, 1500)
    monkeypatch.setenv("MAPDESK_REMOTE_THRESHOLD", "1000")
    lyr = Layer("incidents", source=source(pg_dsn))
    lyr.load()
    assert lyr.remote is not None
    with pytest.raises(FilterError):
        lyr.set_filter(Filter(expression="type == 'x'; DROP TABLE incidents"))
    assert lyr.filter.is_empty()                       # the old filter stays
    # a value with quotes is a parameter, not SQL
    lyr.set_filter(Filter(categories={"type": ["fraud'; DROP TABLE incidents; --"]}))
    key, where = lyr.remote.sql_filter(lyr.filter, lyr.field_map)
    view = lyr.remote.fetch(mercator_box(112.49, 37.84, 112.61, 37.87), filter_key=key, where=where)
    assert view.total == 0
    assert sql_count(pg_dsn) == 1500
    lyr.remote.close()


def test_render_and_project_round_trip_headless(pg_dsn, clean_env, monkeypatch, tmp_path, qapp):
    from mapdesk.render.job import render_image_with_report
    from mapdesk.render.viewport import MapSettings

    make_incidents(pg_dsn, 3000)
    monkeypatch.setenv("MAPDESK_REMOTE_THRESHOLD", "1000")
    proj = Project("db")
    lyr = Layer("incidents", source=source(pg_dsn))
    lyr.load()
    proj.add_layer(lyr)
    lyr.remote.point_budget = 500
    settings = MapSettings.from_wgs84_extent((112.49, 37.84, 112.61, 37.87), 400, 300)
    img, report = render_image_with_report(proj, settings)
    lr = report.layer(lyr.id)
    assert lr.drawn, lr.message
    assert lr.mode == "server-density"
    assert lr.n_features == 3000

    path = tmp_path / "db.mapdesk.json"
    proj.save(path)
    assert "mapdesk-test-pw" not in path.read_text()
    lyr.remote.close()
    # reopened without a password anywhere: the layer is marked, the project opens
    rm.forget_session_passwords()
    back = Project.load(path)
    assert back.layers[0].status == "error"
    assert "password" in back.layers[0].error.lower()
    # libpq's own PGPASSWORD is honoured; the prompt is asked otherwise
    asked = []
    rm.set_password_prompt(lambda msg: asked.append(msg) or "mapdesk-test-pw")
    back = Project.load(path)
    assert back.layers[0].status == "ok", back.layers[0].error
    assert back.layers[0].remote is not None
    assert asked
    street = MapSettings.from_wgs84_extent((112.5205, 37.85125, 112.5295, 37.85575), 400, 300)
    img, report = render_image_with_report(back, street)
    lr = report.layer(back.layers[0].id)
    assert lr.mode.startswith("server-") and lr.mode != "server-density"
    assert lr.n_features == count_in_view(pg_dsn, street.extent)
    back.layers[0].remote.close()


def test_server_down_marks_the_error_and_reload_recovers(pg_server, pg_dsn, clean_env, monkeypatch):
    make_incidents(pg_dsn, 1500)
    monkeypatch.setenv("MAPDESK_REMOTE_THRESHOLD", "1000")
    lyr = Layer("incidents", source=source(pg_dsn))
    lyr.load()
    r = lyr.remote
    box = mercator_box(112.5205, 37.85125, 112.5295, 37.85575)
    r.fetch(box)
    pg_server.restart_stopped()
    try:
        from mapdesk.io.postgis import ConnectionFailed

        with pytest.raises(ConnectionFailed):
            r.fetch(mercator_box(112.5005, 37.85125, 112.5095, 37.85575))
        assert r.last_error
        rm.mark_unreachable(lyr, r.last_error)
        assert lyr.status == "error"
        lyr.load()                                 # Reload while down: still marked, no exception
        assert lyr.status == "error"
    finally:
        pg_server.start_again()
    lyr.load()
    assert lyr.status == "ok", lyr.error
    assert lyr.remote is not None
    assert lyr.remote.fetch(box).mode == "points"
    lyr.remote.close()


def test_graded_registry_in_a_database_reopens_graded(pg_dsn, clean_env):
    """A tree registry kept in a (small) table gets its derived columns back on load, like a file."""
    from pathlib import Path

    from mapdesk.io.postgis.write import write_table

    trees = Layer.from_file(str(Path(__file__).resolve().parents[2] / "sample_data" / "trees.csv"))
    with psycopg.connect(pg_dsn) as con:
        write_table(con, trees.frame, "public", "trees")
    lyr = Layer("trees", source=source(pg_dsn, "trees"))
    lyr.derived = {"tree_grades": {"as_of": "2026-11-28"}}  # as a reopened project sets it
    lyr.load()
    assert lyr.status == "ok", lyr.error
    assert lyr.role == "trees" and "grade_computed" in lyr.frame.columns
    assert lyr.frame["grade_computed"].notna().sum() > 0
