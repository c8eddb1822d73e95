"""Writing layers to PostGIS: types, modes, all-or-nothing on errors, lost connections, cancel."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapdesk.io.postgis import TableRef, UnsafeName, WriteFailed
from mapdesk.io.postgis.catalog import table_info
from mapdesk.io.postgis.connections import connect
from mapdesk.io.postgis.write import write_table

EVIL = 'x"; drop table y; --'


def _frame(n: int = 10) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(1)
    return gpd.GeoDataFrame({
        "incident_id": np.arange(n, dtype="int64"),
        "type": pd.Categorical(["ebike_theft", "fraud"] * (n // 2)),
        "note": pd.array(["电动车被盗", None] * (n // 2), dtype="string"),
        "score": rng.random(n),
        "solved": [True, False] * (n // 2),
        "time": pd.date_range("2024-03-01 08:00", periods=n, freq="h"),
        "small": np.arange(n, dtype="int32"),
        "maybe": pd.array([1, None] * (n // 2), dtype="Int64"),
    }, geometry=gpd.points_from_xy(112.5 + rng.random(n) * 0.1, 37.8 + rng.random(n) * 0.1), crs=4326)


def _count(dsn, table, schema="public"):
    with connect(dsn) as c:
        return c.execute("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                         "WHERE n.nspname = %s AND c.relname = %s", (schema, table)).fetchone()[0]


def test_create_types_values_index(pg_dsn):
    f = _frame()
    with connect(pg_dsn) as c:
        assert write_table(c, f, "public", "incidents") == 10
        info = table_info(c, TableRef("public", "incidents", conninfo="postgresql://"))
        assert info.columns == {"incident_id": "bigint", "type": "text", "note": "text",
                                "score": "double precision", "solved": "boolean",
                                "time": "timestamp without time zone", "small": "integer",
                                "maybe": "bigint", "geom": "geometry(Point,4326)"}
        assert info.has_spatial_index and info.estimated_rows == 10 and info.srid == 4326
        rows = c.execute("SELECT incident_id, type, note, score, solved, time, maybe, ST_X(geom), ST_Y(geom) "
                         "FROM incidents ORDER BY incident_id").fetchall()
    assert rows[0][:3] == (0, "ebike_theft", "电动车被盗") and rows[1][2] is None and rows[1][6] is None
    assert rows[3][5] == pd.Timestamp("2024-03-01 11:00").to_pydatetime()
    assert rows[2][3] == pytest.approx(f["score"][2])
    assert rows[4][7:] == pytest.approx((f.geometry.x[4], f.geometry.y[4]))


def test_modes(pg_dsn):
    f = _frame()
    with connect(pg_dsn) as c:
        write_table(c, f, "public", "t")
        with pytest.raises(WriteFailed, match="already exists.*replace"):
            write_table(c, f, "public", "t")
        assert write_table(c, f.iloc[:4], "public", "t", mode="replace") == 4
        # append: fewer columns, another CRS → transformed to the table's SRID
        g = f.iloc[:2][["incident_id", "geometry"]].to_crs(32649)
        assert write_table(c, g, "public", "t", mode="append") == 2
        rows = c.execute("SELECT count(*), count(note), max(ST_SRID(geom)) FROM t").fetchone()
        assert rows == (6, 2, 4326)
        x = c.execute("SELECT ST_X(geom) FROM t WHERE incident_id = 1 ORDER BY ST_X(geom)").fetchall()
        assert x[0][0] == pytest.approx(x[1][0], abs=1e-7)
        with pytest.raises(WriteFailed, match="no column.*other"):
            write_table(c, f.assign(other=1), "public", "t", mode="append")
        with pytest.raises(WriteFailed, match="no such table"):
            write_table(c, f, "public", "absent", mode="append")
        with pytest.raises(WriteFailed, match="no schema 'nowhere'"):
            write_table(c, f, "nowhere", "t")
        with pytest.raises(WriteFailed, match="unknown write mode"):
            write_table(c, f, "public", "t", mode="upsert")
        assert c.execute("SELECT count(*) FROM t").fetchone() == (6,)


def test_append_type_mismatch_writes_nothing(pg_dsn):
    with connect(pg_dsn) as c:
        write_table(c, _frame(), "public", "t")
        bad = _frame().assign(incident_id=["a"] * 10)  # text into bigint
        with pytest.raises(WriteFailed, match="nothing was written"):
            write_table(c, bad, "public", "t", mode="append")
        assert c.execute("SELECT count(*) FROM t").fetchone() == (10,)


def test_polygons_mixed_and_projected(pg_dsn):
    polys = gpd.GeoDataFrame({"name": ["a", "b"]},
                             geometry=[shapely.box(0, 0, 10, 10), shapely.MultiPolygon([shapely.box(20, 0, 30, 5)])],
                             crs=32649)
    with connect(pg_dsn) as c:
        write_table(c, polys, "public", "zones", geometry="shape")
        info = table_info(c, TableRef("public", "zones", conninfo="postgresql://"))
        assert (info.geometry, info.geometry_type, info.srid) == ("shape", "GEOMETRY", 32649)
        assert c.execute("SELECT ST_Area(shape) FROM zones ORDER BY name").fetchall() == [(100.0,), (50.0,)]


def test_names_are_quoted(pg_dsn):
    f = _frame().rename(columns={"note": 'n"; drop table y; --', "score": "Score Value"})
    with connect(pg_dsn) as c:
        c.execute("CREATE TABLE y (id int)")
        c.commit()
        write_table(c, f, "public", EVIL)
        info = table_info(c, TableRef("public", EVIL, conninfo="postgresql://"))
        assert 'n"; drop table y; --' in info.columns and "Score Value" in info.columns
        assert c.execute("SELECT count(*) FROM y").fetchone() == (0,)
        with pytest.raises(UnsafeName):
            write_table(c, f, "public", "bad\x00name")
        with pytest.raises(UnsafeName, match="already has a column"):
            write_table(c, f.assign(geom=1), "public", "t2")


def test_replace_failure_keeps_the_old_table(pg_dsn):
    with connect(pg_dsn) as c:
        write_table(c, _frame(), "public", "t")

        def stop_after_first_chunk():
            return True

        with pytest.raises(WriteFailed, match="cancelled"):
            write_table(c, _frame(), "public", "t", mode="replace", cancel=stop_after_first_chunk)
        assert c.execute("SELECT count(*) FROM t").fetchone() == (10,)
        with pytest.raises(WriteFailed, match="cancelled"):
            write_table(c, _frame(), "public", "new", cancel=lambda: True)
    assert _count(pg_dsn, "new") == 0


@pytest.fixture
def small_chunks(monkeypatch):
    from mapdesk.io.postgis import write

    monkeypatch.setattr(write, "CHUNK_ROWS", 1000)


def test_connection_lost_mid_copy(pg_dsn, small_chunks):
    f = _frame(3000)
    calls = []
    with connect(pg_dsn) as c, connect(pg_dsn, autocommit=True) as killer:
        pid = c.info.backend_pid

        def progress(done, total):
            calls.append(done)
            if len(calls) == 1:
                killer.execute("SELECT pg_terminate_backend(%s)", (pid,))

        with pytest.raises(WriteFailed, match="connection was lost.*nothing was written"):
            write_table(c, f, "public", "lost", progress=progress)
        assert calls[0] == 1000  # the server went away while the COPY was open
    assert _count(pg_dsn, "lost") == 0
    with connect(pg_dsn) as c:  # a closed connection is refused clearly
        c.close()
        with pytest.raises(WriteFailed, match="closed"):
            write_table(c, f, "public", "lost")


def test_progress_reaches_total(pg_dsn, small_chunks):
    seen = []
    with connect(pg_dsn) as c:
        write_table(c, _frame(2500), "public", "big", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1000, 2500), (2000, 2500), (2500, 2500), (2500, 2500)]
