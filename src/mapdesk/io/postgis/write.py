"""Writing a layer to a PostGIS table in one transaction: all rows or none.

The rows go with a binary ``COPY`` (geometries as EWKB with their SRID); then a GiST index and
``ANALYZE``. ``replace`` drops the old table inside the same transaction, so a failure (a type
error, the connection lost, a cancel) leaves the old table as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from mapdesk.io.postgis.errors import TableNotFound, UnsafeName, WriteFailed
from mapdesk.io.postgis.ref import check_name

if TYPE_CHECKING:
    import geopandas
    import psycopg

MODES = ("create", "replace", "append")
CHUNK_ROWS = 5000

Progress = Callable[[int, int], Any]


def _pg_type(s: pd.Series) -> str:
    """The PostgreSQL type a column is written as."""
    dt = s.dtype
    if isinstance(dt, pd.CategoricalDtype):
        return _pg_type(pd.Series(dt.categories)) if len(dt.categories) else "text"
    if pd.api.types.is_bool_dtype(dt):
        return "boolean"
    if pd.api.types.is_integer_dtype(dt):
        np_dt = np.dtype(getattr(dt, "numpy_dtype", dt))
        fits_int4 = np_dt.itemsize < 4 or (np_dt.itemsize == 4 and np_dt.kind == "i")
        return "integer" if fits_int4 else "bigint"
    if pd.api.types.is_float_dtype(dt):
        return "double precision"
    if isinstance(dt, pd.DatetimeTZDtype):
        return "timestamp with time zone"
    if pd.api.types.is_datetime64_dtype(dt):
        return "timestamp without time zone"
    if pd.api.types.is_timedelta64_dtype(dt):
        return "interval"
    return "text"


_OIDS = {"boolean": "bool", "bigint": "int8", "integer": "int4", "double precision": "float8",
         "timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamp",
         "interval": "interval", "text": "text", "smallint": "int2", "real": "float4",
         "numeric": "numeric", "character varying": "varchar", "date": "date"}


def _values(s: pd.Series, pg_type: str) -> list:
    """The column as Python values psycopg dumps in binary as ``pg_type`` (None for missing)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(s.dtype.categories.dtype if len(s.dtype.categories) else object)
    missing = s.isna().to_numpy().tolist()
    values = s.tolist()

    def each(fn: Callable[[Any], Any]) -> list:
        return [None if m else fn(v) for v, m in zip(values, missing, strict=True)]

    if pg_type == "timestamp without time zone" and pd.api.types.is_datetime64_dtype(s.dtype):
        # numpy turns datetime64[us] into datetime objects in C (NaT becomes None)
        objs = s.to_numpy(dtype="datetime64[us]").astype(object).tolist()
        return [None if m else v for v, m in zip(objs, missing, strict=True)]
    if pg_type in ("timestamp with time zone", "timestamp without time zone"):
        aware = pg_type.endswith("with time zone")

        def stamp(v):
            ts = pd.Timestamp(v)
            if aware and ts.tzinfo is None:
                ts = ts.tz_localize("UTC")
            elif not aware and ts.tzinfo is not None:
                ts = ts.tz_convert("UTC").tz_localize(None)
            return ts.to_pydatetime()

        return each(stamp)
    if pg_type == "date":
        return each(lambda v: pd.Timestamp(v).date())
    if pg_type == "interval":
        return each(lambda v: pd.Timedelta(v).to_pytimedelta())
    if pg_type in ("bigint", "integer", "smallint"):
        return each(int)
    if pg_type in ("double precision", "real"):
        return each(float)
    if pg_type == "numeric":
        from decimal import Decimal

        return each(lambda v: Decimal(str(v)))
    if pg_type == "boolean":
        return each(bool)
    return each(lambda v: v if isinstance(v, str) else str(v))


def _geometry_type(geoms: np.ndarray) -> str:
    types = set(shapely.get_type_id(geoms[~shapely.is_missing(geoms)]).tolist())
    names = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
             6: "MultiPolygon", 7: "GeometryCollection"}
    if len(types) == 1 and next(iter(types)) in names:
        return names[next(iter(types))]
    return "Geometry"


def _srid(frame) -> tuple[Any, int]:
    """The frame in a CRS with an EPSG code (WGS 84 when its own has none) and that code."""
    crs = frame.crs
    if crs is None:
        raise WriteFailed("the layer has no coordinate system: nothing was written")
    code = crs.to_epsg()
    if code is None:
        frame = frame.to_crs(4326)
        code = 4326
    return frame, int(code)


class _Cancelled(Exception):
    pass


def write_table(conn: psycopg.Connection, frame: geopandas.GeoDataFrame, schema: str, table: str, *,
                mode: str = "create", geometry: str = "geom", progress: Progress | None = None,
                cancel: Callable[[], bool] | None = None) -> int:
    """Write ``frame`` to ``schema.table`` in one transaction; returns the number of rows written.

    Parameters
    ----------
    conn : an open connection (its own transaction is used; if the caller has one open, the
        write is a savepoint of it and the caller commits).
    frame : the layer; its active geometry column becomes ``geometry`` (EWKB with the frame's
        EPSG code; a CRS without code is converted to WGS 84). Categoricals, strings, integers,
        floats, booleans and datetimes become text, bigint/integer, double precision, boolean and
        timestamp(tz) columns; other values are written as text. Other geometry columns as WKT.
    mode : ``create`` (the table must not exist), ``replace`` (drop and create it) or ``append``
        (the table must exist and have the frame's columns; geometries are transformed to its SRID).
    progress : ``progress(rows_done, rows_total)`` after each chunk.
    cancel : returns True to stop; nothing is written then.

    Raises
    ------
    WriteFailed
        The transaction was rolled back (the table is as before, or absent): name clash, type
        mismatch, permission, connection lost, cancelled.
    UnsafeName
        A schema, table or column name PostgreSQL cannot take.
    """
    import psycopg
    from psycopg import sql

    if mode not in MODES:
        raise WriteFailed(f"unknown write mode {mode!r}; use one of {', '.join(MODES)}")
    check_name(schema, "schema name")
    check_name(table, "table name")
    check_name(geometry, "geometry column name")
    where = f"{schema}.{table}"
    frame, srid = _srid(frame)
    geo_name = frame.geometry.name
    attrs = [c for c in frame.columns if c != geo_name]
    for c in attrs:
        if not isinstance(c, str):
            raise UnsafeName(f"column name {c!r} is not text")
        check_name(c, "column name")
    if geometry in attrs:
        raise UnsafeName(f"the layer already has a column named {geometry!r}: choose another geometry "
                         "column name")
    if len(set(attrs)) != len(attrs):
        raise UnsafeName("the layer has duplicate column names")
    total = len(frame)
    if conn.closed or conn.broken:
        raise WriteFailed(f"cannot write {where}: the connection to the server is closed; nothing was written")

    ident = sql.Identifier(schema), sql.Identifier(table)
    try:
        with conn.transaction():
            exists = _table_exists(conn, schema, table)
            if mode == "create" and exists:
                raise WriteFailed(f"{where} already exists: nothing was written (use mode replace to "
                                  "overwrite it or append to add rows)")
            if mode == "append":
                if not exists:
                    raise TableNotFound(f"cannot append to {where}: there is no such table "
                                        "(use mode create)")
                types, target_srid = _append_types(conn, schema, table, geometry, attrs, where)
                if target_srid and target_srid != srid:
                    frame = frame.to_crs(target_srid)
                    srid = target_srid
            else:
                if mode == "replace" and exists:
                    conn.execute(sql.SQL("DROP TABLE {}.{}").format(*ident))
                types = {c: _pg_type(frame[c]) for c in attrs}
                gtype = _geometry_type(np.asarray(frame.geometry.array))
                cols = [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(types[c])) for c in attrs]
                cols.append(sql.SQL("{} geometry({}, {})").format(
                    sql.Identifier(geometry), sql.SQL(gtype), sql.Literal(srid)))
                conn.execute(sql.SQL("CREATE TABLE {}.{} ({})").format(*ident, sql.SQL(", ").join(cols)))
            _copy(conn, frame, attrs, types, geometry, srid, ident, progress, cancel)
            if mode != "append" or not _has_gist(conn, schema, table, geometry):
                conn.execute(sql.SQL("CREATE INDEX ON {}.{} USING GIST ({})").format(
                    *ident, sql.Identifier(geometry)))
            conn.execute(sql.SQL("ANALYZE {}.{}").format(*ident))
    except (WriteFailed, TableNotFound, UnsafeName) as exc:
        if isinstance(exc, WriteFailed):
            raise
        raise WriteFailed(str(exc)) from None
    except _Cancelled:
        raise WriteFailed(f"writing {where} was cancelled: nothing was written") from None
    except psycopg.OperationalError as exc:
        raise WriteFailed(f"the connection was lost while writing {where}: nothing was written "
                          f"(the server rolled the transaction back; {_line(exc)})") from None
    except psycopg.Error as exc:
        if conn.broken or conn.closed:
            raise WriteFailed(f"the connection was lost while writing {where}: nothing was written "
                              f"({_line(exc)})") from None
        raise WriteFailed(f"cannot write {where}: {_line(exc)}; nothing was written") from None
    if progress is not None:
        progress(total, total)
    return total


def _line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _table_exists(conn, schema: str, table: str) -> bool:
    row = conn.execute("SELECT c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = %s AND c.relname = %s", (schema, table)).fetchone()
    if row is None:
        if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is None:
            raise WriteFailed(f"there is no schema {schema!r} in this database: nothing was written "
                              f"(create it with CREATE SCHEMA, or write to public)")
        return False
    if row[0] not in ("r", "p"):
        raise WriteFailed(f"{schema}.{table} is not a table (a view or other object): nothing was written")
    return True


def _append_types(conn, schema, table, geometry, attrs, where) -> tuple[dict[str, str], int]:
    rows = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, NULL), t.typname, "
        "       CASE WHEN t.typname = 'geometry' THEN postgis_typmod_srid(a.atttypmod) END "
        "  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "  JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid "
        " WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped",
        (schema, table)).fetchall()
    have = {r[0]: (r[1], r[2], r[3]) for r in rows}
    if geometry not in have or have[geometry][1] != "geometry":
        geoms = [n for n, v in have.items() if v[1] == "geometry"]
        raise WriteFailed(f"cannot append to {where}: it has no geometry column {geometry!r}"
                          + (f" (its geometry column: {', '.join(geoms)})" if geoms else ""))
    missing = [c for c in attrs if c not in have]
    if missing:
        raise WriteFailed(f"cannot append to {where}: it has no column(s) {', '.join(missing)} "
                          f"(its columns: {', '.join(have)})")
    types = {}
    for c in attrs:
        t = have[c][0]
        if t not in _OIDS:
            t = "text"  # sent as text; the server casts or refuses (then nothing is written)
        types[c] = t
    return types, int(have[geometry][2] or 0)


def _has_gist(conn, schema, table, geometry) -> bool:
    row = conn.execute(
        "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_class ic ON ic.oid = i.indexrelid "
        "JOIN pg_am am ON am.oid = ic.relam "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey) "
        "WHERE n.nspname = %s AND c.relname = %s AND a.attname = %s AND am.amname = 'gist'",
        (schema, table, geometry)).fetchone()
    return row is not None


def _ewkb_dumper(conn):
    """A binary dumper sending bytes as the ``geometry`` type (PostGIS reads EWKB in binary COPY)."""
    from psycopg.adapt import Dumper
    from psycopg.pq import Format
    from psycopg.types import TypeInfo

    info = TypeInfo.fetch(conn, "geometry")
    if info is None:
        raise WriteFailed("PostGIS is not installed in this database (CREATE EXTENSION postgis)")

    class EwkbDumper(Dumper):
        format = Format.BINARY
        oid = info.oid

        def dump(self, obj):
            return bytes(obj)

    conn.adapters.register_dumper(None, EwkbDumper)  # by oid only (used by set_types)
    return info.oid


def _copy(conn, frame, attrs, types, geometry, srid, ident, progress, cancel) -> None:
    from psycopg import sql

    total = len(frame)
    geom_oid = _ewkb_dumper(conn)
    geoms = np.asarray(frame.geometry.array)
    geoms = shapely.set_srid(geoms, srid)
    ewkb = shapely.to_wkb(geoms, include_srid=True, flavor="extended").tolist()  # None stays None
    columns = []
    for c in attrs:
        s = frame[c]
        if hasattr(s, "geom_type") and hasattr(s, "to_wkt"):  # another geometry column: WKT
            s = s.to_wkt()
        try:
            columns.append(_values(s, types[c]))
        except (ValueError, TypeError, OverflowError) as exc:
            raise WriteFailed(f"cannot write column {c!r} as {types[c]} ({exc}): nothing was written") from None
    names = [sql.Identifier(c) for c in attrs] + [sql.Identifier(geometry)]
    q = sql.SQL("COPY {}.{} ({}) FROM STDIN (FORMAT BINARY)").format(*ident, sql.SQL(", ").join(names))
    type_names = [_OIDS.get(types[c], "text") for c in attrs]
    oids = [conn.adapters.types[t].oid for t in type_names] + [geom_oid]
    with conn.cursor() as cur, cur.copy(q) as copy:
        copy.set_types(oids)
        for start in range(0, total, CHUNK_ROWS):
            if cancel is not None and cancel():
                raise _Cancelled()
            stop = min(total, start + CHUNK_ROWS)
            for row in zip(*(col[start:stop] for col in columns), ewkb[start:stop], strict=True):
                copy.write_row(row)
            if progress is not None:
                progress(stop, total)
        if cancel is not None and cancel():
            raise _Cancelled()
