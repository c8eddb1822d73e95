"""Test data for the PostGIS read/aggregate/filter tests: one incident frame with every kind of
column and missing value, written to a table with COPY, and the table's TableInfo."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

PG_TYPES = {"id": "integer", "type": "text", "time": "timestamp without time zone",
            "time_start": "timestamp without time zone", "n": "integer", "v": "double precision",
            "flag": "boolean", "note": "character varying(40)", "day": "date"}


def incident_frame(n: int = 3000, seed: int = 7) -> gpd.GeoDataFrame:
    """Incidents around Taiyuan with missing values in every column but id."""
    rng = np.random.default_rng(seed)
    types = np.array(["ebike_theft", "fraud", "dog", "other", "O'Brien's"], dtype=object)
    t = pd.Timestamp("2025-03-01") + pd.to_timedelta(rng.integers(0, 60 * 86400, n), unit="s")
    time = pd.Series(t).where(rng.random(n) > 0.1)  # 10% missing: window-only incidents
    start = pd.Series(t - pd.Timedelta(hours=2))
    start = start.where(time.isna() | (rng.random(n) > 0.5))
    tcol = pd.Series(types[rng.integers(0, len(types), n)], dtype=object)
    tcol[rng.random(n) < 0.05] = None
    v = rng.normal(50, 20, n).round(3)
    v[rng.random(n) < 0.05] = np.nan
    flag = pd.Series(rng.random(n) > 0.5, dtype=object)
    flag[rng.random(n) < 0.05] = None
    note = pd.Series(rng.choice(["", "a", "b c", "100%"], n), dtype=object)
    note[rng.random(n) < 0.05] = None
    frame = pd.DataFrame({
        "id": np.arange(n, dtype=np.int64),
        "type": pd.Series(tcol, dtype="str"),
        "time": pd.to_datetime(time), "time_start": pd.to_datetime(start),
        "n": rng.integers(0, 10, n).astype(np.int64), "v": v, "flag": flag,
        "note": pd.Series(note, dtype="str"),
        "day": pd.to_datetime(pd.Series(t).dt.normalize()),
    })
    x = 112.55 + rng.normal(0, 0.04, n)
    y = 37.87 + rng.normal(0, 0.03, n)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(x, y), crs=4326)


def _plain(v):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, np.generic):
        return v.item()
    return v


def write_frame(conn: psycopg.Connection, frame: gpd.GeoDataFrame, table: str = "incidents",
                srid: int = 4326, geometry: str = "geom", index: bool = True) -> None:
    """Create ``public.<table>`` from ``frame`` (columns of PG_TYPES) with COPY."""
    cols = [c for c in frame.columns if c != "geometry"]
    defs = [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(PG_TYPES.get(c, "text"))) for c in cols]
    kinds = set(frame.geom_type.dropna())
    gtype = kinds.pop() if len(kinds) == 1 else "Geometry"
    defs.append(sql.SQL("{} geometry({}, {})").format(sql.Identifier(geometry), sql.SQL(gtype),
                                                      sql.Literal(srid)))
    conn.execute(sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(table), sql.SQL(", ").join(defs)))
    geo = frame.geometry.to_crs(srid) if srid not in (0, 4326) else frame.geometry
    wkt = [None if g is None else f"SRID={srid};{g.wkt}" for g in geo]
    names = sql.SQL(", ").join(sql.Identifier(c) for c in [*cols, geometry])
    with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), names)) as cp:
        values = [frame[c].astype(object).tolist() for c in cols]
        for i in range(len(frame)):
            cp.write_row([_plain(v[i]) for v in values] + [wkt[i]])
    if index:
        conn.execute(sql.SQL("CREATE INDEX ON {} USING gist ({})").format(
            sql.Identifier(table), sql.Identifier(geometry)))
    conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
    conn.commit()


def make_info(conn: psycopg.Connection, table: str, schema: str = "public"):
    """The table's TableInfo from geometry_columns (the real class of pgio's catalog)."""
    from mapdesk.io.postgis.catalog import TableInfo
    from mapdesk.io.postgis.ref import TableRef

    geom, gtype, srid = conn.execute(
        "SELECT f_geometry_column, type, srid FROM geometry_columns "
        "WHERE f_table_schema = %s AND f_table_name = %s", [schema, table]).fetchone()
    cols = dict(conn.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        [sql.Identifier(schema, table).as_string(conn)]).fetchall())
    rows = conn.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                        [sql.Identifier(schema, table).as_string(conn)]).fetchone()[0]
    conn.commit()
    ref = TableRef(schema, table, geometry=geom, conninfo="postgresql://mapdesk@127.0.0.1/x")
    return TableInfo(ref=ref, geometry=geom, geometry_type=gtype, srid=srid,
                     estimated_rows=max(int(rows), 0), has_spatial_index=True, columns=cols,
                     kind="table")
