"""What a database holds: tables and views with a geometry column, their size, SRID and index.

Every name sent to the server goes as a query parameter or a quoted identifier
(``psycopg.sql.Identifier``); nothing typed by a user is formatted into SQL text.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mapdesk.io.postgis.errors import DatabaseError, TableNotFound
from mapdesk.io.postgis.ref import TableRef

if TYPE_CHECKING:
    import psycopg

# Views and tables that were never analysed have no row estimate; they are counted, up to this
# many rows (a count of COUNT_CAP means "at least that many").
COUNT_CAP = 1_000_000


@dataclass
class TableInfo:
    """One geometry column of a table or view, as the server describes it."""

    ref: TableRef
    geometry: str
    geometry_type: str          # POINT, MULTIPOLYGON, GEOMETRY ... (PostGIS spelling)
    srid: int                   # 0 when unknown
    estimated_rows: int
    has_spatial_index: bool
    columns: dict[str, str] = field(default_factory=dict)  # name -> pg type, in table order
    kind: str = "table"         # "table" | "view"

    @property
    def attribute_columns(self) -> list[str]:
        """The columns other than the geometry column."""
        return [c for c in self.columns if c != self.geometry]


_KINDS = {"r": "table", "p": "table", "f": "table", "v": "view", "m": "view"}

# geometry_columns is PostGIS's own view of every geometry column of tables, views and
# materialized views the user may see.
_LIST_SQL = """
SELECT gc.f_table_schema, gc.f_table_name, gc.f_geometry_column, gc.type, gc.srid,
       c.reltuples::bigint, c.relkind::text, c.oid,
       EXISTS (SELECT 1 FROM pg_index i
                 JOIN pg_class ic ON ic.oid = i.indexrelid
                 JOIN pg_am am ON am.oid = ic.relam
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey)
                WHERE i.indrelid = c.oid AND am.amname IN ('gist', 'spgist', 'brin')
                  AND a.attname = gc.f_geometry_column::name) AS indexed
  FROM geometry_columns gc
  JOIN pg_namespace n ON n.nspname = gc.f_table_schema::name
  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = gc.f_table_name::name
  {where}
 ORDER BY gc.f_table_schema, gc.f_table_name,
          (SELECT attnum FROM pg_attribute WHERE attrelid = c.oid AND attname = gc.f_geometry_column::name)
"""

_COLUMNS_SQL = """
SELECT attname, format_type(atttypid, atttypmod)
  FROM pg_attribute
 WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped
 ORDER BY attnum
"""


def _ref_like(schema: str, table: str, geometry: str | None, template: TableRef | None,
              conn=None) -> TableRef:
    if template is not None:
        return TableRef(schema, table, geometry, connection=template.connection, conninfo=template.conninfo)
    target = getattr(conn, "_mapdesk_target", None)  # set by mapdesk.io.postgis.connections
    if target is not None and target.spec is not None:
        return TableRef(schema, table, geometry, connection=target.spec.name)
    if target is not None:
        return TableRef(schema, table, geometry, conninfo=target.conninfo)
    from mapdesk.io.postgis.connections import uri_from_params

    params = conn.info.get_parameters() if conn is not None else {}
    return TableRef(schema, table, geometry, conninfo=uri_from_params(params))


@contextmanager
def _reading(conn):
    """End the transaction a catalog query opened (a later write must not become a savepoint)."""
    import psycopg

    idle = conn.autocommit or conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    try:
        yield
    finally:
        if idle and not conn.autocommit and not conn.closed \
                and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            try:
                conn.rollback()
            except psycopg.Error:
                pass


def _rows(conn: psycopg.Connection, where: str = "", params: tuple = ()) -> list[tuple]:
    from psycopg import sql

    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL(_LIST_SQL.format(where=where)), params)  # where: fixed text only
            return cur.fetchall()
    except Exception as exc:
        _raise_db(conn, exc, "cannot list the tables")
        raise


def _raise_db(conn, exc: Exception, what: str) -> None:
    import psycopg

    if not isinstance(exc, psycopg.Error):
        return
    if not conn.autocommit and not conn.closed:
        try:
            conn.rollback()
        except psycopg.Error:
            pass
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, psycopg.errors.UndefinedTable) and "geometry_columns" in text:
        raise DatabaseError(f"{what}: PostGIS is not installed in this database "
                            "(CREATE EXTENSION postgis)") from None
    if isinstance(exc, psycopg.OperationalError) or conn.closed:
        from mapdesk.io.postgis.errors import ConnectionFailed

        raise ConnectionFailed(f"{what}: the connection to the server was lost ({text})") from None
    raise DatabaseError(f"{what}: {text}") from None


def _info_from_row(conn, row: tuple, template: TableRef | None) -> TableInfo:
    schema, table, geom, gtype, srid, reltuples, relkind, oid, indexed = row
    with conn.cursor() as cur:
        cur.execute(_COLUMNS_SQL, (oid,))
        columns = {name: typ for name, typ in cur.fetchall()}
    kind = _KINDS.get(relkind, "table")
    ref = _ref_like(schema, table, geom, template, conn)
    info = TableInfo(ref=ref, geometry=geom, geometry_type=str(gtype or "GEOMETRY").upper(),
                     srid=int(srid or 0), estimated_rows=int(reltuples),
                     has_spatial_index=bool(indexed), columns=columns, kind=kind)
    return info


def _count(conn, info: TableInfo) -> int:
    from psycopg import sql

    q = sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {}.{} LIMIT %s) AS t").format(
        sql.Identifier(info.ref.schema), sql.Identifier(info.ref.table))
    with conn.cursor() as cur:
        cur.execute(q, (COUNT_CAP,))
        return int(cur.fetchone()[0])


def _sample_type(conn, info: TableInfo) -> None:
    """A column declared without SRID: take the SRID from one row."""
    from psycopg import sql

    q = sql.SQL("SELECT ST_SRID({g}) FROM {s}.{t} WHERE {g} IS NOT NULL LIMIT 1").format(
        g=sql.Identifier(info.geometry), s=sql.Identifier(info.ref.schema), t=sql.Identifier(info.ref.table))
    with conn.cursor() as cur:
        cur.execute(q)
        row = cur.fetchone()
    if row is None:
        return
    if info.srid == 0 and row[0]:
        info.srid = int(row[0])


def _complete(conn, info: TableInfo) -> TableInfo:
    if info.estimated_rows < 0 or info.kind == "view":
        info.estimated_rows = _count(conn, info)
    if info.srid == 0:
        _sample_type(conn, info)
    return info


def list_tables(conn: psycopg.Connection, template: TableRef | None = None) -> list[TableInfo]:
    """Every table and view with a geometry column (one entry per geometry column).

    ``template`` gives the connection name / URI put into each entry's ``ref`` (so that
    ``info.ref.to_source()`` can be used as a layer source).
    """
    try:
        with _reading(conn):
            rows = _rows(conn)
            return [_complete(conn, _info_from_row(conn, r, template)) for r in rows]
    except DatabaseError:
        raise
    except Exception as exc:
        _raise_db(conn, exc, "cannot describe the tables")
        raise


def table_info(conn: psycopg.Connection, ref: TableRef) -> TableInfo:
    """Describe ``ref``'s table; :class:`TableNotFound` naming the tables/columns that exist.

    ``ref.geometry`` None picks the table's first geometry column.
    """
    try:
        with _reading(conn):
            rows = _rows(conn, "WHERE gc.f_table_schema = %s AND gc.f_table_name = %s",
                         (ref.schema, ref.table))
            if not rows:
                _explain_missing(conn, ref)
            if ref.geometry is not None:
                match = [r for r in rows if r[2] == ref.geometry]
                if not match:
                    known = ", ".join(r[2] for r in rows)
                    raise TableNotFound(f"{ref.qualified} has no geometry column {ref.geometry!r}; "
                                        f"its geometry columns: {known}")
                rows = match
            return _complete(conn, _info_from_row(conn, rows[0], ref))
    except DatabaseError:
        raise
    except Exception as exc:
        _raise_db(conn, exc, f"cannot read {ref.qualified}")
        raise


def _explain_missing(conn, ref: TableRef) -> None:
    with conn.cursor() as cur:
        cur.execute("SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r','p','v','m','f')",
                    (ref.schema, ref.table))
        found = cur.fetchone()
        if found is not None:
            cur.execute(_COLUMNS_SQL, (found[0],))
            cols = ", ".join(r[0] for r in cur.fetchall())
            raise TableNotFound(f"{ref.qualified} has no geometry column (columns: {cols}); "
                                "mapdesk reads tables with a PostGIS geometry column")
        cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (ref.schema,))
        schema_exists = cur.fetchone() is not None
        cur.execute("SELECT DISTINCT f_table_schema || '.' || f_table_name FROM geometry_columns "
                    "ORDER BY 1 LIMIT 21")
        known = [r[0] for r in cur.fetchall()]
    listed = ", ".join(known[:20]) + (" …" if len(known) > 20 else "") if known else "none"
    where = "" if schema_exists else f" (there is no schema {ref.schema!r})"
    raise TableNotFound(f"no table {ref.qualified} in this database{where}; tables with a geometry "
                        f"column: {listed}")


def create_spatial_index(conn: psycopg.Connection, info: TableInfo) -> str:
    """Create a GiST index on the geometry column (and ANALYZE); returns the index name.

    Runs in its own transaction (committed), or in a savepoint of one the caller has open.
    """
    import psycopg
    from psycopg import sql

    if info.kind == "view":
        raise DatabaseError(f"{info.ref.qualified} is a view: create the index on the table it reads")
    s, t, g = (sql.Identifier(x) for x in (info.ref.schema, info.ref.table, info.geometry))
    try:
        with conn.transaction():
            conn.execute(sql.SQL("CREATE INDEX ON {}.{} USING GIST ({})").format(s, t, g))
            conn.execute(sql.SQL("ANALYZE {}.{}").format(s, t))
            name = spatial_index_name(conn, info)
    except psycopg.Error as exc:
        _raise_db(conn, exc, f"cannot create a spatial index on {info.ref.qualified}")
        raise
    info.has_spatial_index = True
    return name or ""


def spatial_index_name(conn: psycopg.Connection, info: TableInfo) -> str | None:
    """The name of a GiST/SP-GiST/BRIN index on the geometry column, or None."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT ic.relname FROM pg_index i
              JOIN pg_class c ON c.oid = i.indrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_class ic ON ic.oid = i.indexrelid
              JOIN pg_am am ON am.oid = ic.relam
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey)
             WHERE n.nspname = %s AND c.relname = %s AND a.attname = %s
               AND am.amname IN ('gist', 'spgist', 'brin')
             ORDER BY ic.oid DESC LIMIT 1""", (info.ref.schema, info.ref.table, info.geometry))
        row = cur.fetchone()
    return row[0] if row else None
