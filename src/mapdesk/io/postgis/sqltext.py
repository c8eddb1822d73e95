"""Small pieces for composing SQL safely with :mod:`psycopg.sql`.

Every query of this package is run with a parameter list (maybe empty), so a ``%`` inside a
quoted name must be doubled or psycopg would take it for a placeholder; :func:`ident` does that.
"""

from __future__ import annotations

from psycopg import sql

SqlWhere = tuple[sql.Composable, list]
"""A condition with ``%s`` placeholders and its parameters, in order."""


def ident(*names: str) -> sql.Composable:
    """A (qualified) identifier, quoted, safe to use in a query run with parameters."""
    quoted = sql.Identifier(*names).as_string(None)
    return sql.SQL(quoted.replace("%", "%%"))
