"""The table browser: geometry tables and views, row estimates, SRID, spatial index, names."""

from __future__ import annotations

import pytest

from mapdesk.io.postgis import TableNotFound, TableRef
from mapdesk.io.postgis.catalog import create_spatial_index, list_tables, table_info
from mapdesk.io.postgis.connections import connect

EVIL = 'x"; drop table y; --'


@pytest.fixture
def db(pg_dsn):
    with connect(pg_dsn, autocommit=True) as c:
        c.execute("CREATE SCHEMA city")
        c.execute("CREATE TABLE y (id int)")
        c.execute("CREATE TABLE city.incidents (id serial PRIMARY KEY, kind text, at timestamp, "
                  "geom geometry(Point, 4326))")
        c.execute("INSERT INTO city.incidents (kind, at, geom) SELECT 'theft', now(), "
                  "ST_SetSRID(ST_MakePoint(112.5 + i * 1e-4, 37.8), 4326) FROM generate_series(1, 50) i")
        c.execute("CREATE INDEX ON city.incidents USING GIST (geom)")
        c.execute("ANALYZE city.incidents")
        c.execute("CREATE TABLE public.parcels (name text, shape geometry(MultiPolygon, 32649), "
                  "centre geometry)")
        c.execute("INSERT INTO public.parcels VALUES ('a', ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(5e5, 4.2e6), "
                  "32649), 10)), ST_SetSRID(ST_MakePoint(5e5, 4.2e6), 32649))")
        c.execute("CREATE VIEW city.thefts AS SELECT * FROM city.incidents WHERE kind = 'theft'")
        c.execute("CREATE TABLE public.plain (a int)")
        c.execute(f'CREATE TABLE public."{EVIL.replace(chr(34), chr(34) * 2)}" (g geometry(Point, 4326))')
    return pg_dsn


def test_list_tables(db):
    with connect(db) as c:
        infos = list_tables(c)
    by = {(i.ref.schema, i.ref.table, i.geometry): i for i in infos}
    assert set(by) == {("city", "incidents", "geom"), ("city", "thefts", "geom"),
                       ("public", "parcels", "shape"), ("public", "parcels", "centre"),
                       ("public", EVIL, "g")}
    inc = by[("city", "incidents", "geom")]
    assert (inc.geometry_type, inc.srid, inc.estimated_rows, inc.has_spatial_index, inc.kind) == \
        ("POINT", 4326, 50, True, "table")
    assert list(inc.columns) == ["id", "kind", "at", "geom"]
    assert inc.columns["at"] == "timestamp without time zone"
    assert inc.attribute_columns == ["id", "kind", "at"]
    view = by[("city", "thefts", "geom")]
    assert view.kind == "view" and view.estimated_rows == 50 and not view.has_spatial_index
    parcels = by[("public", "parcels", "shape")]
    assert (parcels.geometry_type, parcels.srid, parcels.has_spatial_index, parcels.estimated_rows) == \
        ("MULTIPOLYGON", 32649, False, 1)
    centre = by[("public", "parcels", "centre")]
    assert centre.geometry_type == "GEOMETRY" and centre.srid == 32649  # taken from the data
    # the refs name the server the way the connection was given, without the password
    assert "mapdesk-test-pw" not in inc.ref.to_source()
    assert "table=city.incidents" in inc.ref.to_source()


def test_table_info_and_missing_things(db):
    with connect(db) as c:
        ref = TableRef("city", "incidents", conninfo="postgresql://x@h/db")
        info = table_info(c, ref)
        assert info.ref.qualified == "city.incidents" and info.ref.conninfo == ref.conninfo and info.geometry == "geom"
        assert table_info(c, TableRef("public", "parcels", "centre", conninfo="postgresql://")).geometry == "centre"
        with pytest.raises(TableNotFound, match="no table city.nope .*city.incidents"):
            table_info(c, TableRef("city", "nope", conninfo="postgresql://"))
        with pytest.raises(TableNotFound, match="no schema 'nowhere'"):
            table_info(c, TableRef("nowhere", "incidents", conninfo="postgresql://"))
        with pytest.raises(TableNotFound, match="public.plain has no geometry column.*a"):
            table_info(c, TableRef("public", "plain", conninfo="postgresql://"))
        with pytest.raises(TableNotFound, match="no geometry column 'geom'.*shape, centre"):
            table_info(c, TableRef("public", "parcels", "geom", conninfo="postgresql://"))
        # the connection is still usable after the errors and not left in a transaction
        assert c.info.transaction_status.name == "IDLE"
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_injection_in_names_is_quoted_never_executed(db):
    with connect(db) as c:
        info = table_info(c, TableRef("public", EVIL, conninfo="postgresql://"))
        assert info.ref.table == EVIL and info.geometry == "g"
        with pytest.raises(TableNotFound):
            table_info(c, TableRef("public", "y; drop table y", conninfo="postgresql://"))
        with pytest.raises(TableNotFound):
            table_info(c, TableRef('public"; drop table y; --', "t", conninfo="postgresql://"))
        assert c.execute("SELECT count(*) FROM y").fetchone() == (0,)  # y still exists


def test_create_spatial_index(db):
    with connect(db) as c:
        info = table_info(c, TableRef("public", "parcels", "shape", conninfo="postgresql://"))
        assert not info.has_spatial_index
        name = create_spatial_index(c, info)
        assert name and info.has_spatial_index
        assert table_info(c, info.ref).has_spatial_index
        evil = table_info(c, TableRef("public", EVIL, conninfo="postgresql://"))
        assert create_spatial_index(c, evil)
    with connect(db) as c2:  # committed
        assert table_info(c2, TableRef("public", EVIL, conninfo="postgresql://")).has_spatial_index
        view = table_info(c2, TableRef("city", "thefts", conninfo="postgresql://"))
        with pytest.raises(Exception, match="is a view"):
            create_spatial_index(c2, view)


def test_connection_lost_is_connection_failed(db):
    from mapdesk.io.postgis import ConnectionFailed

    with connect(db) as c, connect(db, autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", (c.info.backend_pid,))
        with pytest.raises(ConnectionFailed, match="connection to the server was lost"):
            list_tables(c)
