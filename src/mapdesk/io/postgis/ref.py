"""Naming a database table: :class:`TableRef` and the two spellings users type.

- ``postgresql://user@host:5432/db?table=schema.name[&geom=column]`` — a libpq URI (any libpq
  parameter works, e.g. ``?service=city&table=public.incidents``); a password in it is accepted
  for the command line but never written to a project file.
- ``pg:CONNECTION/schema.name[?geom=column]`` — a connection saved by name (see
  :mod:`mapdesk.io.postgis.connections`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from mapdesk.io.postgis.errors import UnsafeName

# Names are quoted as identifiers when sent (psycopg.sql.Identifier); this check only refuses
# what no real table is called (control characters, NUL, over-long names) with a clear message.
_NAME_MAX = 63


def check_name(name: str, what: str = "name") -> str:
    """Return ``name`` if it can be a PostgreSQL identifier; raise :class:`UnsafeName` otherwise."""
    if not isinstance(name, str) or not name or len(name.encode()) > _NAME_MAX:
        raise UnsafeName(f"invalid {what} {name!r}: 1–{_NAME_MAX} bytes")
    if re.search(r"[\x00-\x1f\x7f]", name):
        raise UnsafeName(f"invalid {what} {name!r}: control characters are not allowed")
    return name


@dataclass(frozen=True)
class TableRef:
    """One table (or view) with a geometry column, on one server.

    ``conninfo`` is a libpq URI without password (``postgresql://user@host:port/db`` or with
    ``?service=``); ``connection`` the name of a saved connection. Exactly one of the two is set.
    ``geometry`` None means: the table's only (or first) geometry column.
    """

    schema: str
    table: str
    geometry: str | None = None
    connection: str | None = None
    conninfo: str | None = None

    def __post_init__(self) -> None:
        check_name(self.schema, "schema name")
        check_name(self.table, "table name")
        if self.geometry is not None:
            check_name(self.geometry, "geometry column name")
        if (self.connection is None) == (self.conninfo is None):
            raise ValueError("TableRef needs exactly one of connection= or conninfo=")

    @property
    def qualified(self) -> str:
        """``schema.table`` for messages (not for SQL: use psycopg.sql.Identifier)."""
        return f"{self.schema}.{self.table}"

    def to_source(self) -> str:
        """The string stored in project files and accepted by :func:`parse_source` (no password)."""
        q = {"geom": self.geometry} if self.geometry else {}
        if self.connection is not None:
            return f"pg:{self.connection}/{self.qualified}" + (f"?{urlencode(q)}" if q else "")
        parts = urlsplit(self.conninfo)
        query = dict(parse_qsl(parts.query))
        query["table"] = self.qualified
        query.update(q)
        return _uri(parts.netloc, parts.path, urlencode(query))


def is_db_source(source: object) -> bool:
    """True for strings naming a database table rather than a file."""
    return isinstance(source, str) and (source.startswith(("postgresql://", "postgres://"))
                                        or (source.startswith("pg:") and "/" in source))


def _split_table(qualified: str) -> tuple[str, str]:
    if "." in qualified:
        schema, table = qualified.split(".", 1)
    else:
        schema, table = "public", qualified
    return schema, table


def parse_source(source: str) -> tuple[TableRef, str | None]:
    """Parse a database source string.

    Returns
    -------
    (TableRef, password or None)
        The password only when the URI carried one (command line use); the TableRef never has it.
    """
    if source.startswith("pg:"):
        body, _, query = source[3:].partition("?")
        conn, _, qualified = body.partition("/")
        if not conn or not qualified:
            raise UnsafeName(f"a named-connection source is pg:CONNECTION/schema.table, not {source!r}")
        schema, table = _split_table(qualified)
        geom = dict(parse_qsl(query)).get("geom")
        return TableRef(schema, table, geom, connection=conn), None
    parts = urlsplit(source)
    query = dict(parse_qsl(parts.query))
    qualified = query.pop("table", None)
    if not qualified:
        raise UnsafeName(f"say which table to read: add ?table=schema.name to {_redact(source)}")
    geom = query.pop("geom", None)
    password = parts.password
    netloc = parts.netloc
    if password is not None:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.split(':', 1)[0]}@{hostport}"
    conninfo = _uri(netloc, parts.path, urlencode(query))
    schema, table = _split_table(qualified)
    return TableRef(schema, table, geom, conninfo=conninfo), password


def _uri(netloc: str, path: str, query: str) -> str:
    # built by hand: urlunsplit drops the "//" of a URI without host (postgresql://?service=x),
    # which libpq and is_db_source would then not recognise
    return "postgresql://" + netloc + path + (f"?{query}" if query else "")


def _redact(source: str) -> str:
    parts = urlsplit(source)
    if parts.password is None:
        return source
    return source.replace(f":{parts.password}@", ":***@")
