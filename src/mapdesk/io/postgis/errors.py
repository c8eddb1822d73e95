"""Errors of the PostGIS source: every one is a user-facing :class:`MapdeskError` with a message
that says what to do, never a driver traceback."""

from __future__ import annotations

from mapdesk.errors import LoadError


class DatabaseError(LoadError):
    """A database operation failed (base class)."""


class ConnectionFailed(DatabaseError):
    """The server cannot be reached, refused the connection, or went away."""


class AuthenticationFailed(ConnectionFailed):
    """Wrong user name or password (or no password available)."""


class TableNotFound(DatabaseError):
    """The table, its schema or its geometry column does not exist."""


class UnsafeName(DatabaseError):
    """A schema, table or column name that mapdesk will not send to the server."""


class WriteFailed(DatabaseError):
    """A write was rolled back; the database is as it was before."""
