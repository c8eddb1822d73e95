"""Server-side grid and hexagon counts equal the in-memory references on the same points."""

import numpy as np
import psycopg
import pytest
import shapely
from pgread_data import incident_frame, make_info, write_frame
from psycopg import sql

import mapdesk.io.postgis.aggregate as agg
from mapdesk.analysis.bins import hex_bin_counts
from mapdesk.analysis.bins import hex_polygons as bins_hex_polygons
from mapdesk.io.postgis.aggregate import (
    AggregationCancelled,
    grid_counts,
    grid_counts_numpy,
    hex_counts,
    lonlat_to_mercator,
    mercator_to_lonlat,
)
from mapdesk.io.postgis.errors import ConnectionFailed, DatabaseError
from mapdesk.io.postgis.read import table_sql
from mapdesk.model import Filter
from mapdesk.model.sqlfilter import filter_to_sql

N_BIG = 20_000


@pytest.fixture(scope="module")
def db(pg_server):
    dsn = pg_server.create_database("t_aggregate_module")
    frame = incident_frame(3000, seed=5)
    with psycopg.connect(dsn) as conn:
        write_frame(conn, frame, "inc")
        write_frame(conn, frame, "inc_3857", srid=3857)
        write_frame(conn, frame, "inc_utm", srid=32649)
        # a bigger table (several hundred pages) so that it is split into page ranges
        conn.execute(f"""
            CREATE TABLE big AS SELECT i AS id,
              (ARRAY['ebike_theft','fraud','dog'])[1 + i % 3] AS type,
              timestamp '2025-01-01' + i * interval '17 minutes' AS time,
              ST_SetSRID(ST_MakePoint(112.55 + 0.05 * sin(i * 0.37) * sqrt((i % 97) / 97.0),
                                      37.87 + 0.04 * cos(i * 0.91) * sqrt((i % 89) / 89.0)),
                         4326)::geometry(Point, 4326) AS geom
            FROM generate_series(1, {N_BIG}) i""")
        conn.execute("CREATE INDEX ON big USING gist (geom)")
        conn.execute("ANALYZE big")
        conn.commit()
        yield dsn, conn, frame


def _server_xy(conn, info, where=None):
    """The EPSG:3857 coordinates the server computes for each row (the same SQL as the counts)."""
    xs, ys, params = agg._xy_sql(info)
    nxp = 1 if info.srid in (4326, 0) else 0
    q = sql.SQL("SELECT {}, {} FROM {}").format(xs, ys, table_sql(info))
    p = [*params[:nxp], *params[nxp:]]
    if where is not None:
        q += sql.SQL(" WHERE ") + where[0]
        p += where[1]
    rows = conn.execute(q, p).fetchall()
    conn.commit()
    arr = np.array(rows, dtype=float).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


def _extent(lon0, lat0, lon1, lat1):
    x, y = lonlat_to_mercator(np.array([lon0, lon1]), np.array([lat0, lat1]))
    return float(x[0]), float(y[0]), float(x[1]), float(y[1])


CITY = _extent(112.3, 37.6, 112.8, 38.1)  # contains every point: no && test
PART = _extent(112.52, 37.85, 112.57, 37.89)  # a district: && test


@pytest.mark.parametrize("table", ["inc", "inc_3857", "inc_utm", "big"])
@pytest.mark.parametrize("extent", [CITY, PART], ids=["city", "district"])
def test_grid_equals_numpy_reference(db, table, extent):
    dsn, conn, _ = db
    info = make_info(conn, table)
    x, y = _server_xy(conn, info)
    for cell in ((97.3, 250.0) if table == "inc" else (97.3,)):
        ref = grid_counts_numpy(x, y, extent_3857=extent, cell_3857=cell)
        got = grid_counts(lambda: psycopg.connect(dsn), info, extent_3857=extent, cell_3857=cell)
        assert got.counts.shape == ref.counts.shape
        assert np.array_equal(got.counts, ref.counts)
        assert (got.x0, got.y0, got.cell) == (ref.x0, ref.y0, ref.cell)
        assert got.total == ref.total > 0
        assert got.x0 == round(got.x0 / cell) * cell and got.x0 <= extent[0] < got.x0 + cell
        assert got.extent_3857[2] >= extent[2] and got.extent_3857[3] >= extent[3]
    if extent is CITY:
        assert got.total == len(x)


def test_grid_split_over_connections_and_grouped_on_server(db, monkeypatch):
    dsn, conn, _ = db
    info = make_info(conn, "big")
    assert len(agg._page_ranges(conn, info, 3)[0]) == 3
    conn.commit()
    x, y = _server_xy(conn, info)
    ref = grid_counts_numpy(x, y, extent_3857=PART, cell_3857=120.0)
    opened = []

    def connect():
        opened.append(psycopg.connect(dsn))
        return opened[-1]

    for parallel in (1, 2, 3):
        got = grid_counts(connect, info, extent_3857=PART, cell_3857=120.0, parallel=parallel)
        assert np.array_equal(got.counts, ref.counts)
    assert len(opened) == 6 and all(c.closed for c in opened)
    monkeypatch.setattr(agg, "RAW_MAX_ROWS", -1)  # big tables: GROUP BY on the server
    got = grid_counts(connect, info, extent_3857=CITY, cell_3857=120.0, parallel=2)
    assert np.array_equal(got.counts, grid_counts_numpy(x, y, extent_3857=CITY, cell_3857=120.0).counts)


def test_grid_with_filter_pushed_down(db):
    dsn, conn, frame = db
    info = make_info(conn, "inc")
    flt = Filter(categories={"type": ["fraud", "dog"]}, date_from="2025-03-05", date_to="2025-04-10")
    where = filter_to_sql(flt, info.columns, "time")
    x, y = _server_xy(conn, info, where)
    ref = grid_counts_numpy(x, y, extent_3857=CITY, cell_3857=150.0)
    got = grid_counts(lambda: psycopg.connect(dsn), info, extent_3857=CITY, cell_3857=150.0, where=where)
    assert np.array_equal(got.counts, ref.counts)
    assert 0 < got.total < len(frame)


def test_skips_the_bbox_test_only_when_the_view_holds_the_table(db):
    _, conn, _ = db
    conn.autocommit = True
    try:
        info = make_info(conn, "inc")
        assert agg._view_condition(conn, info, CITY) is None
        assert agg._view_condition(conn, info, PART) is not None
        view = make_info(conn, "inc")
        view.kind = "view"
        assert agg._view_condition(conn, view, CITY) is not None
    finally:
        conn.autocommit = False


@pytest.mark.parametrize("table", ["inc", "inc_utm", "big"])
def test_hexagons_equal_analysis_bins(db, table):
    dsn, conn, _ = db
    info = make_info(conn, table)
    x, y = _server_xy(conn, info)
    size = 180.0
    for extent in ((CITY, PART) if table == "inc" else (PART,)):
        got = hex_counts(lambda: psycopg.connect(dsn), info, extent_3857=extent, size_3857=size)
        r, q, n = hex_bin_counts(x, y, size)
        cx = (q + 0.5 * (r & 1)) * size
        cy = r * size * np.sqrt(3.0) / 2.0
        inside = (cx >= extent[0]) & (cx <= extent[2]) & (cy >= extent[1]) & (cy <= extent[3])
        ref = {(int(a), int(b)): int(c) for a, b, c in zip(r[inside], q[inside], n[inside], strict=True)}
        mine = {(int(a), int(b)): int(c) for a, b, c in zip(got.r, got.q, got["count"], strict=True)}
        assert mine == ref and len(mine) > 10
        assert got.crs.to_epsg() == 3857 and got.attrs["total"] == sum(ref.values())
        exp_poly = bins_hex_polygons(*agg.hex_centers(got.r.to_numpy(), got.q.to_numpy(), size), size)
        assert shapely.equals_exact(got.geometry.values, exp_poly, tolerance=0).all()
        # every point lies in its hexagon's polygon
        cxs, cys = agg.hex_centers(r, q, size)
        polys = bins_hex_polygons(cxs[:5], cys[:5], size)
        assert all(p.area == pytest.approx(np.sqrt(3) / 2 * size**2) for p in polys)


def test_mercator_matches_postgis_and_pyproj(db):
    _, conn, _ = db
    from pyproj import Transformer

    info = make_info(conn, "inc")
    x, y = _server_xy(conn, info)
    tx, ty = np.array(conn.execute(
        "SELECT ST_X(ST_Transform(geom, 3857)), ST_Y(ST_Transform(geom, 3857)) FROM inc").fetchall()).T
    conn.commit()
    assert np.abs(x - tx).max() < 1e-6 and np.abs(y - ty).max() < 1e-6
    lon, lat = conn.execute("SELECT array_agg(ST_X(geom)), array_agg(ST_Y(geom)) FROM inc").fetchone()
    conn.commit()
    px, py = Transformer.from_crs(4326, 3857, always_xy=True).transform(lon, lat)
    mx, my = lonlat_to_mercator(lon, lat)
    assert np.abs(mx - px).max() < 1e-6 and np.abs(my - py).max() < 1e-6
    blon, blat = mercator_to_lonlat(mx, my)
    assert np.abs(blon - lon).max() < 1e-10 and np.abs(blat - lat).max() < 1e-10


def test_bad_requests_are_refused(db):
    dsn, conn, _ = db
    info = make_info(conn, "inc")

    def connect():
        return psycopg.connect(dsn)

    with pytest.raises(DatabaseError, match="too many"):
        grid_counts(connect, info, extent_3857=CITY, cell_3857=2.0)
    with pytest.raises(DatabaseError, match="at least 1 m"):
        grid_counts(connect, info, extent_3857=CITY, cell_3857=0.1)
    with pytest.raises(DatabaseError, match="invalid view extent"):
        grid_counts(connect, info, extent_3857=(1, 1, 0, 0), cell_3857=100)
    with pytest.raises(DatabaseError, match="too many"):
        hex_counts(connect, info, extent_3857=CITY, size_3857=2.0)


def test_cancel_stops_the_server_queries(db):
    dsn, conn, _ = db
    info = make_info(conn, "big")
    slow = (sql.SQL("pg_sleep(5) IS NOT NULL"), [])
    with pytest.raises(AggregationCancelled):
        grid_counts(lambda: psycopg.connect(dsn), info, extent_3857=CITY, cell_3857=100.0,
                    where=slow, cancel=lambda: True)
    with psycopg.connect(dsn) as c:  # nothing left running
        n = c.execute("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(5)%' "
                      "AND pid <> pg_backend_pid()").fetchone()[0]
        assert n == 0


def test_server_gone(db):
    _, conn, _ = db
    info = make_info(conn, "inc")

    def refused():
        return psycopg.connect("postgresql://mapdesk:x@127.0.0.1:1/none", connect_timeout=2)

    with pytest.raises(ConnectionFailed, match="cannot connect"):
        grid_counts(refused, info, extent_3857=CITY, cell_3857=100.0)
