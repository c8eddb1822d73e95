"""``mapdesk db``: PostGIS connections, the tables of a database, and copying layers in and out.

- ``mapdesk db connections list|add|remove|test``
- ``mapdesk db tables CONNECTION_OR_URI``
- ``mapdesk db create-index SOURCE``
- ``mapdesk db import FILE --to SOURCE [--mode create|replace|append]``
- ``mapdesk db export SOURCE --out FILE``

SOURCE is ``pg:CONNECTION/schema.table`` or ``postgresql://user@host:port/db?table=schema.table``.
Any other command takes a SOURCE where it takes an input file. Passwords are never printed and
never written to a file: they come from the system keyring, ``PGPASSWORD``/``~/.pgpass``/a
service file, or a prompt on the terminal.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path
from typing import Any

from mapdesk.cli._common import guarded, print_json, terminal_prompt
from mapdesk.errors import MapdeskError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "db", help="PostGIS: saved connections, tables, import/export",
        description="Work with PostGIS databases. A table is named pg:CONNECTION/schema.table (a saved "
                    "connection) or postgresql://user@host:port/db?table=schema.table; any mapdesk "
                    "command accepts such a source where it takes an input file.")
    sub = p.add_subparsers(dest="db_command", metavar="ACTION")
    p.set_defaults(handler=lambda args: _usage(p))

    c = sub.add_parser("connections", help="list, add, remove or test saved connections",
                       description="Saved connections live in $XDG_CONFIG_HOME/mapdesk/connections.json "
                                   "(no passwords there: those go to the system keyring when there is one).")
    csub = c.add_subparsers(dest="conn_command", metavar="ACTION")
    c.set_defaults(handler=lambda args: _usage(c))

    cl = csub.add_parser("list", help="list the saved connections")
    cl.add_argument("--json", action="store_true", help="print one JSON document")
    cl.set_defaults(handler=run_list)

    ca = csub.add_parser("add", help="save a connection (replaces one of the same name)",
                         description="Save a connection. Only the parameters given are stored; libpq "
                                     "fills in the others from PGHOST, PGPORT, PGDATABASE, PGUSER, "
                                     "a service file (--service) and its defaults.")
    ca.add_argument("name", metavar="NAME", help="the name used in pg:NAME/schema.table")
    ca.add_argument("--host", help="server host name or address")
    ca.add_argument("--port", type=int, help="server port (default 5432)")
    ca.add_argument("--dbname", help="database name")
    ca.add_argument("--user", help="user name")
    ca.add_argument("--service", help="a service name from ~/.pg_service.conf or PGSERVICEFILE")
    ca.add_argument("--sslmode", choices=("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
                    help="libpq sslmode")
    ca.add_argument("--timeout-s", type=int, default=5, help="connect timeout in seconds (default 5)")
    ca.add_argument("--password-prompt", action="store_true",
                    help="ask for the password and keep it in the system keyring (if there is one)")
    ca.add_argument("--test", action="store_true", help="connect once to check the connection")
    ca.set_defaults(handler=run_add)

    cr = csub.add_parser("remove", help="forget a saved connection (and its keyring password)")
    cr.add_argument("name", metavar="NAME")
    cr.set_defaults(handler=run_remove)

    ct = csub.add_parser("test", help="connect and report the server and PostGIS versions")
    ct.add_argument("target", metavar="CONNECTION_OR_URI")
    ct.set_defaults(handler=run_test)

    t = sub.add_parser("tables", help="list the tables and views with a geometry column",
                       description="List every table and view with a geometry column: rows (estimate), "
                                   "geometry type, SRID and whether it has a spatial index.")
    t.add_argument("target", metavar="CONNECTION_OR_URI")
    t.add_argument("--json", action="store_true", help="print one JSON document")
    t.set_defaults(handler=run_tables)

    ix = sub.add_parser("create-index", help="create a spatial (GiST) index on a table's geometry column")
    ix.add_argument("source", metavar="SOURCE")
    ix.set_defaults(handler=run_create_index)

    im = sub.add_parser("import", help="write a file (or an analysis result) to a table",
                        description="Load FILE as mapdesk does and write it to the table SOURCE in one "
                                    "transaction: all rows or, on any failure, nothing.")
    im.add_argument("file", metavar="FILE", help="any layer mapdesk reads (or another database SOURCE)")
    im.add_argument("--to", required=True, metavar="SOURCE",
                    help="the table: pg:CONNECTION/schema.table or postgresql://...?table=schema.table "
                         "(&geom=COLUMN names the geometry column, default geom)")
    im.add_argument("--mode", default="create", choices=("create", "replace", "append"),
                    help="create (default; the table must not exist), replace it, or append rows")
    im.add_argument("--layer", help="layer or sheet of FILE")
    im.add_argument("--encoding", help="text encoding of a CSV")
    im.add_argument("--coords", default="wgs84", choices=("wgs84", "gcj02", "bd09"),
                    help="datum of lon/lat values (gcj02/bd09 are converted to WGS 84)")
    im.add_argument("--x", metavar="COL", help="x / longitude column of a table (with --y)")
    im.add_argument("--y", metavar="COL", help="y / latitude column of a table (with --x)")
    im.add_argument("--wkt", metavar="COL", help="column of WKT geometries")
    im.add_argument("--crs", help="coordinate system when the file gives none")
    im.add_argument("--canonical", action="store_true",
                    help="rename the detected fields to mapdesk's canonical names (time, type, species ...)")
    im.set_defaults(handler=guarded(run_import))

    ex = sub.add_parser("export", help="write a table to a file (GeoPackage, GeoJSON, CSV ...)")
    ex.add_argument("source", metavar="SOURCE")
    ex.add_argument("--out", "-o", required=True, help="output file: .gpkg .geojson .fgb .parquet .csv .xlsx .shp")
    ex.add_argument("--bbox", help="minlon,minlat,maxlon,maxlat: only the rows in this box")
    ex.add_argument("--limit", type=int, help="at most this many rows")
    ex.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    ex.set_defaults(handler=guarded(run_export))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


# --------------------------------------------------------------------------- connections

def _describe(spec, has_password: bool | None = None) -> dict[str, Any]:
    d = spec.to_dict()
    d["server"] = spec.describe()
    if has_password is not None:
        d["password_in_keyring"] = has_password
    return d


def run_list(args: argparse.Namespace) -> int:
    from mapdesk.io.postgis.connections import ConnectionStore, stored_password

    store = ConnectionStore()
    specs = store.list()
    docs = [_describe(s, stored_password(s) is not None) for s in specs]
    if args.json:
        print_json({"store": str(store.path), "connections": docs})
        return 0
    if not specs:
        print(f"no saved connections ({store.path}); add one with "
              "`mapdesk db connections add NAME --host HOST --dbname DB --user USER`")
        return 0
    for d in docs:
        extra = []
        if d.get("sslmode"):
            extra.append(f"sslmode={d['sslmode']}")
        extra.append("password in keyring" if d["password_in_keyring"] else "password asked / from libpq")
        print(f"{d['name']}: {d['server']} ({', '.join(extra)})")
    return 0


def _read_password(name: str) -> str | None:
    if sys.stdin and sys.stdin.isatty():
        return terminal_prompt(f"Password for connection {name!r}:")
    line = sys.stdin.readline() if sys.stdin else ""
    return line.rstrip("\r\n") or None


def run_add(args: argparse.Namespace) -> int:
    from mapdesk.io.postgis.connections import (
        ConnectionSpec,
        ConnectionStore,
        connect,
        store_password,
    )

    spec = ConnectionSpec(args.name, host=args.host, port=args.port, dbname=args.dbname, user=args.user,
                          service=args.service, sslmode=args.sslmode, connect_timeout_s=args.timeout_s)
    password = None
    if args.password_prompt:
        password = _read_password(args.name)
        if not password:
            raise MapdeskError("no password given (nothing was saved)")
    if args.test:
        with connect(spec, password=password, prompt=terminal_prompt) as conn:
            print(f"ok: {spec.describe()}: {_check_postgis(conn, spec.describe())}")
    store = ConnectionStore()
    store.save(spec)
    print(f"saved connection {spec.name!r}: {spec.describe()} (in {store.path})")
    if password is not None:
        if store_password(spec, password):
            print("password stored in the system keyring")
        else:
            print("no system keyring is available: the password was NOT saved; mapdesk will ask for it "
                  "each time (or set PGPASSWORD, or put it in ~/.pgpass)")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from mapdesk.io.postgis.connections import ConnectionStore, forget_password

    store = ConnectionStore()
    spec = store.get(args.name)
    store.remove(args.name)
    forget_password(spec)
    print(f"removed connection {args.name!r}")
    return 0


def _check_postgis(conn, where: str) -> str:
    version = conn.execute("SHOW server_version").fetchone()[0]
    row = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'postgis'").fetchone()
    if not conn.autocommit:
        conn.rollback()
    if row is None:
        return f"PostgreSQL {version}, but PostGIS is not installed in this database (CREATE EXTENSION postgis)"
    return f"PostgreSQL {version}, PostGIS {row[0]}"


def run_test(args: argparse.Namespace) -> int:
    from mapdesk.io.postgis.connections import connect, resolve

    t0 = time.perf_counter()
    where = resolve(args.target).where
    with connect(args.target) as conn:
        text = _check_postgis(conn, where)
        user = conn.info.user
    print(f"ok: {where} as {user}: {text} ({(time.perf_counter() - t0) * 1000:.0f} ms)")
    return 0


# --------------------------------------------------------------------------- tables

def run_tables(args: argparse.Namespace) -> int:
    from mapdesk.io.postgis.catalog import list_tables
    from mapdesk.io.postgis.connections import connect

    with connect(args.target) as conn:
        template = _template(args.target)
        infos = list_tables(conn, template)
    per_table: dict[tuple[str, str], int] = {}
    for i in infos:
        per_table[(i.ref.schema, i.ref.table)] = per_table.get((i.ref.schema, i.ref.table), 0) + 1

    def source(i) -> str:  # ?geom= only where a table has several geometry columns
        if per_table[(i.ref.schema, i.ref.table)] == 1:
            return dataclasses.replace(i.ref, geometry=None).to_source()
        return i.ref.to_source()

    docs = [{"source": source(i), "schema": i.ref.schema, "table": i.ref.table,
             "geometry": i.geometry, "geometry_type": i.geometry_type, "srid": i.srid,
             "rows": i.estimated_rows, "kind": i.kind,
             "spatial_index": i.has_spatial_index if i.kind == "table" else None,
             "columns": i.columns} for i in infos]
    if args.json:
        print_json({"tables": docs})
    elif not docs:
        print("no tables with a geometry column in this database")
    else:
        rows = [("table", "geometry", "type", "SRID", "rows", "spatial index")]
        for d in docs:
            idx = "—" if d["kind"] == "view" else ("yes" if d["spatial_index"] else "NO")
            name = f"{d['schema']}.{d['table']}" + (" (view)" if d["kind"] == "view" else "")
            rows.append((name, d["geometry"], d["geometry_type"], str(d["srid"]), f"{d['rows']:,}", idx))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            print("  ".join(v.ljust(w) if i in (0, 1, 2) else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths, strict=True))).rstrip())
    missing = [d for d in docs if d["kind"] == "table" and not d["spatial_index"]]
    for d in missing:
        print(f"mapdesk: warning: {d['schema']}.{d['table']} has no spatial index on {d['geometry']}: "
              f"map views will be slow; create one with `mapdesk db create-index {_quote(d['source'])}`",
              file=sys.stderr)
    return 0


def _template(target: str):
    """A TableRef carrying the connection (name or URI) of ``target``, for the listed sources."""
    from mapdesk.io.postgis.connections import resolve
    from mapdesk.io.postgis.ref import TableRef, is_db_source, parse_source

    if target.startswith("pg:") and is_db_source(target):
        ref, _ = parse_source(target)
        return TableRef("public", "t", connection=ref.connection)
    if not target.startswith(("postgresql://", "postgres://")) and "=" not in target:
        return TableRef("public", "t", connection=target)  # a saved connection's name
    return TableRef("public", "t", conninfo=resolve(target).conninfo)


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def run_create_index(args: argparse.Namespace) -> int:
    from mapdesk.io.postgis.catalog import create_spatial_index, table_info
    from mapdesk.io.postgis.connections import connect

    ref, password = _table_source(args.source)
    with connect(ref, password=password) as conn:
        info = table_info(conn, ref)
        if info.has_spatial_index:
            print(f"{ref.qualified} already has a spatial index on {info.geometry}")
            return 0
        t0 = time.perf_counter()
        name = create_spatial_index(conn, info)
    print(f"created spatial index {name} on {ref.qualified} ({info.geometry}) in "
          f"{time.perf_counter() - t0:.1f} s")
    return 0


def _table_source(source: str):
    from mapdesk.io.postgis.ref import is_db_source, parse_source

    if not is_db_source(source):
        raise MapdeskError(f"{source!r} is not a table: use pg:CONNECTION/schema.table or "
                           "postgresql://user@host:port/db?table=schema.table")
    return parse_source(source)


# --------------------------------------------------------------------------- import / export

def run_import(args: argparse.Namespace) -> int:
    from mapdesk.io import load_layer
    from mapdesk.io.postgis.connections import connect
    from mapdesk.io.postgis.ref import is_db_source
    from mapdesk.io.postgis.write import write_table
    from mapdesk.io.schema import to_canonical

    ref, password = _table_source(args.to)
    if not is_db_source(args.file) and not Path(args.file).exists():
        raise MapdeskError(f"file not found: {args.file}")
    opts = {k: getattr(args, k) for k in ("encoding", "x", "y", "wkt", "crs") if getattr(args, k) is not None}
    loaded = load_layer(args.file, args.layer, coords=args.coords, **opts)
    for w in loaded.report.warnings:
        print(f"mapdesk: note: {w}", file=sys.stderr)
    if loaded.report.rejected:
        why = ", ".join(f"{n} {r}" for r, n in loaded.report.rejected.items())
        print(f"mapdesk: warning: {loaded.report.rejected_rows} row(s) not written ({why})", file=sys.stderr)
    frame = to_canonical(loaded.frame, loaded.field_map) if args.canonical else loaded.frame
    if len(frame) == 0:
        raise MapdeskError(f"{args.file} has no rows with a location: nothing to write")
    show = sys.stderr.isatty()
    t0 = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if show:
            print(f"\r  {done:,} / {total:,} rows", end="", file=sys.stderr, flush=True)

    with connect(ref, password=password) as conn:
        n = write_table(conn, frame, ref.schema, ref.table, mode=args.mode, geometry=ref.geometry or "geom",
                        progress=progress)
    if show:
        print(file=sys.stderr)
    print(f"wrote {n:,} rows to {ref.to_source()} ({args.mode}, {time.perf_counter() - t0:.1f} s)")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from mapdesk.cli.render import parse_extent
    from mapdesk.errors import ExportError
    from mapdesk.io import save_layer
    from mapdesk.io.postgis.load import load_table

    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise ExportError(f"{out} already exists (use --overwrite to replace it)")
    _table_source(args.source)
    bbox = parse_extent(args.bbox) if args.bbox else None
    loaded = load_table(args.source, bbox=bbox, limit=args.limit)
    for w in loaded.report.warnings:
        print(f"mapdesk: note: {w}", file=sys.stderr)
    save_layer(loaded.frame, out, overwrite=args.overwrite)
    print(f"wrote {out} ({len(loaded.frame):,} rows from {loaded.source})")
    return 0
