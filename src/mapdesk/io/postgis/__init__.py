"""PostGIS tables as layers: connections, a table browser, reads that push the view and the filter
into SQL, server-side grid/hex aggregation for big tables, and transactional writes.

No Qt here: the GUI and the command line share this package. Modules: ``ref`` (naming a table),
``connections`` (saved connections, passwords, ``connect``), ``catalog`` (``list_tables``,
``table_info``, spatial indexes), ``read`` (``read_table`` with the view and filter in SQL),
``aggregate`` (server-side ``grid_counts``/``hex_counts``), ``write`` (``write_table``, one
transaction), ``load`` (``load_table``: a table as a layer, like a file). Only ``ref`` and
``errors`` are imported here, so naming a source costs no database driver import.
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
