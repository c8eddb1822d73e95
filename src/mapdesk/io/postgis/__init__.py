"""PostGIS tables as layers: connections, a table browser, reads that push the view and the filter
into SQL, server-side grid/hex aggregation for big tables, and transactional writes.

No Qt here: the GUI and the command line share this package.
"""

from mapdesk.io.postgis.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    DatabaseError,
    TableNotFound,
    UnsafeName,
    WriteFailed,
)
from mapdesk.io.postgis.ref import TableRef, is_db_source, parse_source

__all__ = [
    "AuthenticationFailed", "ConnectionFailed", "DatabaseError", "TableNotFound", "UnsafeName",
    "WriteFailed", "TableRef", "is_db_source", "parse_source",
]
