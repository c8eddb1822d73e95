"""Reading features of a PostGIS table: only the rows in the view and the filter.

The bounding box and the filter condition go into the SQL (``&&`` against an envelope in the
table's SRID, so a GiST index is used; the filter as a parameterised condition from
:func:`mapdesk.model.sqlfilter.filter_to_sql`); rows come through a server-side cursor in binary
chunks. Points travel as two floats (``ST_X``/``ST_Y``, transformed to EPSG:4326 by the server
when the table has another SRID), other geometries as WKB.

Every name is sent as a quoted identifier and every value as a parameter.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from mapdesk.io.postgis.errors import ConnectionFailed, DatabaseError, TableNotFound
from mapdesk.io.postgis.sqltext import SqlWhere, ident

if TYPE_CHECKING:
    from mapdesk.io.postgis.catalog import TableInfo

__all__ = ["ReadCancelled", "ReadResult", "count_rows", "distinct_values", "read_table",
           "value_range"]

CHUNK_ROWS = 50_000
_WEB_MERCATOR_MAX_LAT = 85.0511287798066
_cursor_ids = itertools.count(1)


class ReadCancelled(DatabaseError):
    """The user cancelled a read; nothing was returned."""


@dataclass
class ReadResult:
    """Rows read from a table.

    Attributes
    ----------
    frame
        The features, EPSG:4326.
    total
        Rows matching the view and filter when known (always when not truncated; when truncated
        only if counted), for "N of M" messages.
    truncated
        True when ``limit`` cut the result.
    """

    frame: gpd.GeoDataFrame
    total: int | None
    truncated: bool


# ---- shared SQL pieces (also used by aggregate.py) ------------------------------------------
def table_sql(info: TableInfo) -> sql.Composable:
    return ident(info.ref.schema, info.ref.table)


def is_lonlat(srid: int) -> bool:
    """SRID 4326 (and 0, unknown, taken as longitude/latitude) need no transformation."""
    return srid in (4326, 0)


def is_point_table(info: TableInfo) -> bool:
    return re.sub(r"\s*(ZM|Z|M)$", "", str(info.geometry_type).upper().strip()) == "POINT"


def bbox_condition(info: TableInfo, bbox_wgs84: Sequence[float]) -> SqlWhere:
    """``geom && envelope`` in the table's SRID (index-assisted)."""
    x0, y0, x1, y1 = (float(v) for v in bbox_wgs84)
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)) or x0 > x1 or y0 > y1:
        raise DatabaseError(f"invalid view extent {tuple(bbox_wgs84)} (need xmin, ymin, xmax, ymax "
                            "in degrees)")
    geom = ident(info.geometry)
    if is_lonlat(info.srid):
        cond = sql.SQL("{} && ST_MakeEnvelope(%s, %s, %s, %s, %s)").format(geom)
        params = [x0, y0, x1, y1, int(info.srid)]
        if is_point_table(info):
            # the index compares float4 boxes (rounded outwards): make the edge exact
            cond += sql.SQL(" AND ST_X({g}) BETWEEN %s AND %s AND ST_Y({g}) BETWEEN %s AND %s").format(
                g=geom)
            params += [x0, x1, y0, y1]
        return cond, params
    lim = _WEB_MERCATOR_MAX_LAT if info.srid == 3857 else 89.999
    y0, y1 = max(y0, -lim), min(y1, lim)
    x0, x1 = max(x0, -180.0), min(x1, 180.0)
    # densified before the transformation: the envelope's edges are curves in most projections
    seg = max(x1 - x0, y1 - y0, 1e-9) / 32
    cond = sql.SQL("{} && ST_Transform(ST_Segmentize(ST_MakeEnvelope(%s, %s, %s, %s, 4326), %s), %s)"
                   ).format(geom)
    params = [x0, y0, x1, y1, seg, int(info.srid)]
    if is_point_table(info):
        cond += sql.SQL(" AND ST_Intersects(ST_Transform({}, 4326), ST_MakeEnvelope(%s, %s, %s, %s, 4326))"
                        ).format(geom)
        params += [x0, y0, x1, y1]
    return cond, params


def where_clause(conds: list[SqlWhere | None]) -> SqlWhere:
    """`` WHERE a AND b`` (or nothing) from conditions, skipping None."""
    parts = [c for c in conds if c is not None]
    if not parts:
        return sql.SQL(""), []
    params: list = []
    for _, p in parts:
        params.extend(p)
    return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(c for c, _ in parts), params


def _where_text(conds: list[SqlWhere | None]) -> str:
    return "view and filter" if any(c is not None for c in conds) else "table"


@contextlib.contextmanager
def db_errors(conn: psycopg.Connection, info: TableInfo, what: str) -> Iterator[None]:
    """Driver errors -> mapdesk's user-facing errors naming the table and the server."""
    try:
        yield
    except DatabaseError:
        raise
    except psycopg.errors.UndefinedTable as exc:
        raise TableNotFound(f"table {info.ref.qualified} does not exist any more on "
                            f"{_where(conn)}") from exc
    except psycopg.errors.UndefinedColumn as exc:
        raise TableNotFound(f"{what}: a column of {info.ref.qualified} is missing on "
                            f"{_where(conn)}: {_first_line(exc)}") from exc
    except psycopg.errors.QueryCanceled as exc:
        raise DatabaseError(f"{what} on {info.ref.qualified} was cancelled by the server "
                            f"(statement timeout?): {_first_line(exc)}") from exc
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        raise ConnectionFailed(f"{what}: lost the connection to {_where(conn)} — is the server "
                               f"running and reachable? ({_first_line(exc)})") from exc
    except psycopg.Error as exc:
        raise DatabaseError(f"{what} on {info.ref.qualified} failed: {_first_line(exc)}") from exc


def _where(conn: psycopg.Connection) -> str:
    try:
        i = conn.info
        return f"{i.host}:{i.port}/{i.dbname}"
    except Exception:  # noqa: BLE001 - only for a message, the connection may be gone
        return "the database server"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _attribute_columns(info: TableInfo, columns: Sequence[str] | None) -> list[str]:
    names = [c for c in info.columns if c != info.geometry]
    if columns is None:
        return names
    unknown = [c for c in columns if c not in info.columns]
    if unknown:
        raise TableNotFound(f"{info.ref.qualified} has no column {', '.join(map(repr, unknown))} "
                            f"(columns: {', '.join(names)})")
    return [c for c in columns if c != info.geometry]


# ---- reads -----------------------------------------------------------------------------------
def count_rows(conn: psycopg.Connection, info: TableInfo, *,
               bbox_wgs84: Sequence[float] | None = None, where: SqlWhere | None = None) -> int:
    """Number of rows in the view (``bbox_wgs84`` = lon/lat xmin, ymin, xmax, ymax) and filter."""
    conds = [bbox_condition(info, bbox_wgs84) if bbox_wgs84 is not None else None, where]
    wsql, params = where_clause(conds)
    q = sql.SQL("SELECT count(*) FROM {}").format(table_sql(info)) + wsql
    with db_errors(conn, info, "counting rows"):
        return int(conn.execute(q, params).fetchone()[0])


def read_table(conn: psycopg.Connection, info: TableInfo, *,
               bbox_wgs84: Sequence[float] | None = None, where: SqlWhere | None = None,
               columns: list[str] | None = None, limit: int | None = None,
               progress: Callable[[float], None] | None = None,
               cancel: Callable[[], bool] | None = None, count_total: bool = True,
               chunk_rows: int = CHUNK_ROWS) -> ReadResult:
    """Read the features of ``info`` in the view and filter.

    Parameters
    ----------
    bbox_wgs84
        Lon/lat view extent (xmin, ymin, xmax, ymax); None reads the whole table.
    where
        A condition from :func:`mapdesk.model.sqlfilter.filter_to_sql`.
    columns
        Attribute columns to fetch (default all).
    limit
        At most this many rows; ``truncated`` tells whether more matched.
    progress
        Called with a fraction 0..1 after each chunk.
    cancel
        Polled between chunks; returning True raises :class:`ReadCancelled`.
    count_total
        When the limit cuts the result, count the matching rows for ``total`` (one more query).
    """
    if limit is not None and limit < 0:
        raise DatabaseError(f"row limit must be 0 or more, not {limit}")
    attrs = _attribute_columns(info, columns)
    geom = ident(info.geometry)
    points = is_point_table(info)
    g4326 = geom if is_lonlat(info.srid) else sql.SQL("ST_Transform({}, 4326)").format(geom)
    if points:
        gsel = sql.SQL("ST_X({g}), ST_Y({g})").format(g=g4326)
    else:
        gsel = sql.SQL("ST_AsBinary({})").format(g4326)
    sel = sql.SQL(", ").join([gsel, *[ident(c) for c in attrs]])
    conds = [bbox_condition(info, bbox_wgs84) if bbox_wgs84 is not None else None, where]
    wsql, params = where_clause(conds)
    q = sql.SQL("SELECT {} FROM {}").format(sel, table_sql(info)) + wsql
    if limit is not None:
        q += sql.SQL(" LIMIT %s")
        params = [*params, int(limit) + 1]
    expected = max(1, min(limit + 1 if limit is not None else 1 << 62,
                          int(getattr(info, "estimated_rows", 0) or 0) or 1))
    rows: list[tuple] = []
    with db_errors(conn, info, "reading features"), conn.transaction():
        with conn.cursor(name=f"mapdesk_read_{next(_cursor_ids)}", binary=True) as cur:
            cur.execute(q, params)
            while True:
                if cancel is not None and cancel():
                    raise ReadCancelled(f"reading {info.ref.qualified} was cancelled")
                chunk = cur.fetchmany(chunk_rows)
                rows.extend(chunk)
                if progress is not None:
                    progress(min(1.0, len(rows) / expected))
                if len(chunk) < chunk_rows:
                    break
    truncated = limit is not None and len(rows) > limit
    if truncated:
        del rows[limit:]
    frame = _to_frame(rows, attrs, info, points, _session_tz(conn))
    total: int | None = len(rows)
    if truncated:
        total = count_rows(conn, info, bbox_wgs84=bbox_wgs84, where=where) if count_total else None
    if progress is not None:
        progress(1.0)
    return ReadResult(frame=frame, total=total, truncated=truncated)


def _session_tz(conn: psycopg.Connection):
    try:
        return conn.info.timezone
    except Exception:  # noqa: BLE001 - an unknown zone name: UTC
        return "UTC"


def _to_frame(rows: list[tuple], attrs: list[str], info: TableInfo, points: bool,
              tz: Any = "UTC") -> gpd.GeoDataFrame:
    ngeo = 2 if points else 1
    cols = list(zip(*rows, strict=True)) if rows else [()] * (ngeo + len(attrs))
    if points:
        x = np.fromiter((np.nan if v is None else v for v in cols[0]), float, len(rows))
        y = np.fromiter((np.nan if v is None else v for v in cols[1]), float, len(rows))
        geometry = shapely.points(x, y)
        geometry[np.isnan(x)] = None
    else:
        geometry = shapely.from_wkb(np.array(cols[0], dtype=object))
    data = {}
    for name, values in zip(attrs, cols[ngeo:], strict=True):
        data[name] = _column_values(values, str(info.columns.get(name, "")), tz)
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=4326), crs=4326)


def _column_values(values: Sequence[Any], pg_type: str, tz: Any = "UTC") -> pd.Series | list:
    t = pg_type.lower()
    s = pd.Series(list(values), dtype=object)
    if t.startswith(("numeric", "decimal")):
        return pd.to_numeric(s, errors="coerce")
    if t.startswith(("timestamp", "date")):
        if "with time zone" in t or t == "timestamptz":
            # in the session's time zone, the zone the server's filters (hour of day, dates) use
            return pd.to_datetime(s, errors="coerce", utc=True).dt.tz_convert(tz)
        return pd.to_datetime(s, errors="coerce")
    if t in ("smallint", "integer", "bigint", "int2", "int4", "int8"):
        return s.astype("Int64") if s.isna().any() else s.astype("int64")
    if t in ("real", "double precision", "float4", "float8"):
        return s.astype(float)
    if t in ("boolean", "bool"):
        return s.astype("boolean") if s.isna().any() else s.astype(bool)
    if t in ("text", "name", "citext") or t.startswith(("character", "varchar", "char", "bpchar")):
        return s.astype("str")
    return s.infer_objects()


def distinct_values(conn: psycopg.Connection, info: TableInfo, column: str,
                    limit: int = 200) -> list:
    """Up to ``limit`` distinct non-missing values of ``column``, sorted (for filter panels)."""
    _attribute_columns(info, [column])
    q = sql.SQL("SELECT DISTINCT {c} FROM {t} WHERE {c} IS NOT NULL ORDER BY 1 LIMIT %s").format(
        c=ident(column), t=table_sql(info))
    with db_errors(conn, info, f"listing the values of {column}"):
        return [r[0] for r in conn.execute(q, [int(limit)]).fetchall()]


def value_range(conn: psycopg.Connection, info: TableInfo, column: str) -> tuple[Any, Any]:
    """(min, max) of ``column`` over the table, (None, None) when it has no values."""
    _attribute_columns(info, [column])
    q = sql.SQL("SELECT min({c}), max({c}) FROM {t}").format(c=ident(column), t=table_sql(info))
    with db_errors(conn, info, f"reading the range of {column}"):
        lo, hi = conn.execute(q, []).fetchone()
    return lo, hi
