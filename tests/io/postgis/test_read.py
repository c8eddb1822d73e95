"""read_table / count_rows / distinct_values / value_range against a real PostGIS."""

import numpy as np
import pandas as pd
import psycopg
import pytest
import shapely
from pgread_data import incident_frame, make_info, write_frame

from mapdesk.io.postgis.errors import ConnectionFailed, DatabaseError, TableNotFound
from mapdesk.io.postgis.read import (
    ReadCancelled,
    count_rows,
    distinct_values,
    read_table,
    value_range,
)
from mapdesk.model import Filter, filter_mask
from mapdesk.model.sqlfilter import filter_to_sql

BBOX = (112.53, 37.85, 112.58, 37.89)


@pytest.fixture(scope="module")
def db(pg_server):
    dsn = pg_server.create_database("t_read_module")
    frame = incident_frame(3000, seed=11)
    with psycopg.connect(dsn) as conn:
        write_frame(conn, frame, "inc")
        write_frame(conn, frame, "inc_utm", srid=32649)
        poly = frame.iloc[:50].copy()
        poly["geometry"] = poly.geometry.to_crs(32649).buffer(100).to_crs(4326)
        write_frame(conn, poly, "zones")
        yield conn, frame, make_info(conn, "inc")


def _in_bbox(frame, bbox):
    x, y = frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()
    return (x >= bbox[0]) & (x <= bbox[2]) & (y >= bbox[1]) & (y <= bbox[3])


def test_reads_the_view_and_filter_only(db):
    conn, frame, info = db
    flt = Filter(categories={"type": ["fraud", "dog"]}, date_from="2025-03-10", hour_from=20, hour_to=4)
    where = filter_to_sql(flt, info.columns, "time")
    res = read_table(conn, info, bbox_wgs84=BBOX, where=where)
    expected = frame[_in_bbox(frame, BBOX) & filter_mask(flt, frame, time_col="time")]
    assert not res.truncated and res.total == len(expected) > 50
    got = res.frame.sort_values("id").reset_index(drop=True)
    assert got.id.tolist() == sorted(expected.id)
    assert res.frame.crs.to_epsg() == 4326
    exp = expected.sort_values("id")
    assert np.array_equal(got.geometry.x.to_numpy(), exp.geometry.x.to_numpy())
    assert np.array_equal(got.geometry.y.to_numpy(), exp.geometry.y.to_numpy())
    # column types survive: timestamps, ints, floats with NaN, strings with missing values
    assert pd.api.types.is_datetime64_any_dtype(got.time)
    assert got.time.tolist() == exp.time.tolist()
    assert got.n.dtype == np.int64 and got.n.tolist() == exp.n.tolist()
    assert np.allclose(got.v, exp.v.to_numpy(), equal_nan=True)
    assert got["type"].tolist() == exp["type"].tolist()
    assert count_rows(conn, info, bbox_wgs84=BBOX, where=where) == len(expected)


def test_limit_truncates_and_counts(db):
    conn, frame, info = db
    n_view = int(_in_bbox(frame, BBOX).sum())
    seen = []
    res = read_table(conn, info, bbox_wgs84=BBOX, limit=100, columns=["id", "type"], progress=seen.append,
                     chunk_rows=40)
    assert len(res.frame) == 100 and res.truncated and res.total == n_view
    assert list(res.frame.columns) == ["id", "type", "geometry"]
    assert seen[-1] == 1.0 and len(seen) >= 3
    res = read_table(conn, info, bbox_wgs84=BBOX, limit=100, count_total=False)
    assert res.truncated and res.total is None
    res = read_table(conn, info, bbox_wgs84=BBOX, limit=n_view)
    assert not res.truncated and res.total == n_view == len(res.frame)


def test_other_srid_is_transformed_to_wgs84(db):
    conn, frame, _ = db
    info = make_info(conn, "inc_utm")
    assert info.srid == 32649
    res = read_table(conn, info, bbox_wgs84=BBOX)
    exp = frame[_in_bbox(frame, BBOX)].sort_values("id")
    got = res.frame.sort_values("id")
    # the envelope is transformed, so a point on the view's edge may differ; compare the inside
    assert abs(len(got) - len(exp)) <= 3
    common = got.merge(exp[["id", "geometry"]], on="id", suffixes=("", "_exp"))
    assert len(common) >= len(exp) - 3
    d = shapely.distance(common.geometry.values, common.geometry_exp.values)
    assert float(np.max(d)) < 1e-7


def test_polygons_come_as_wkb(db):
    conn, frame, _ = db
    info = make_info(conn, "zones")
    res = read_table(conn, info)
    assert len(res.frame) == 50
    assert set(res.frame.geom_type) == {"Polygon"}
    area = res.frame.to_crs(32649).area.sum()
    assert area == pytest.approx(50 * np.pi * 100**2, rel=0.02)


def test_empty_view(db):
    conn, _, info = db
    res = read_table(conn, info, bbox_wgs84=(0, 0, 1, 1))
    assert len(res.frame) == 0 and res.total == 0 and not res.truncated
    assert "id" in res.frame.columns and res.frame.crs.to_epsg() == 4326


def test_cancel_between_chunks(db):
    conn, _, info = db
    calls = []
    with pytest.raises(ReadCancelled):
        read_table(conn, info, chunk_rows=100, cancel=lambda: calls.append(1) or len(calls) > 2)
    assert len(calls) == 3
    assert read_table(conn, info, limit=5).frame.shape[0] == 5  # the connection stays usable


def test_distinct_values_and_range(db):
    conn, frame, info = db
    assert distinct_values(conn, info, "type") == sorted(frame["type"].dropna().unique())
    assert distinct_values(conn, info, "type", limit=2) == sorted(frame["type"].dropna().unique())[:2]
    lo, hi = value_range(conn, info, "time")
    assert pd.Timestamp(lo) == frame.time.min() and pd.Timestamp(hi) == frame.time.max()
    assert value_range(conn, info, "n") == (frame.n.min(), frame.n.max())


def test_bad_names_and_bbox(db):
    conn, _, info = db
    with pytest.raises(TableNotFound, match="no column 'x; drop table inc'"):
        read_table(conn, info, columns=["id", "x; drop table inc"])
    with pytest.raises(TableNotFound, match="no column"):
        distinct_values(conn, info, 'type" FROM inc; --')
    with pytest.raises(DatabaseError, match="invalid view extent"):
        read_table(conn, info, bbox_wgs84=(1, 1, 0, 0))
    assert count_rows(conn, info) == 3000


def test_missing_table_and_lost_connection(pg_server, db):
    conn, _, info = db
    import dataclasses

    gone = dataclasses.replace(info, ref=dataclasses.replace(info.ref, table="nope")) \
        if dataclasses.is_dataclass(info) else None
    if gone is not None:
        with pytest.raises(TableNotFound, match="public.nope does not exist"):
            count_rows(conn, gone)
        conn.rollback()
    other = psycopg.connect(pg_server.dsn("t_read_module"))
    pid = other.info.backend_pid
    conn.execute("SELECT pg_terminate_backend(%s)", [pid])
    conn.commit()
    with pytest.raises(ConnectionFailed, match="lost the connection to 127.0.0.1"):
        read_table(other, info, limit=3)
    other.close()


def test_timestamptz_in_session_zone_filters_like_the_frame(db):
    conn, _, _ = db
    conn.execute("SET TimeZone = 'Asia/Shanghai'")
    conn.execute("CREATE TABLE tz (id int, t timestamptz, geom geometry(Point, 4326))")
    conn.execute("INSERT INTO tz SELECT i, timestamptz '2025-03-01 00:00+00' + i * interval '37 minutes', "
                 "ST_SetSRID(ST_MakePoint(112.5, 37.8), 4326) FROM generate_series(1, 500) i")
    conn.commit()
    info = make_info(conn, "tz")
    frame = read_table(conn, info).frame
    assert str(frame.t.dt.tz) == "Asia/Shanghai"
    for flt in (Filter(hour_from=22, hour_to=2), Filter(date_from="2025-03-05", date_to="2025-03-06"),
                Filter(weekdays=[6])):
        expected = sorted(frame.id[filter_mask(flt, frame, time_col="t")])
        got = sorted(read_table(conn, info, where=filter_to_sql(flt, info.columns, "t")).frame.id)
        assert got == expected and 0 < len(got) < 500
    conn.execute("RESET TimeZone")
    conn.commit()
