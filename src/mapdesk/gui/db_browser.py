"""Database ▸ Add PostGIS layer…: browse the schemas and tables of a connection, add layers.

Every table or view with a geometry column is listed by schema with its estimated row count,
geometry type, SRID and whether it has a spatial index. Tables without one get a warning and
a *Create index* button (a GiST index; reading a view of a big table is slow without it).
Catalogue queries run in the background; the window stays usable.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mapdesk.gui.workers import JobManager

COLUMNS = ("table", "geometry", "type", "srid", "rows", "index")


def split_uri(text: str) -> tuple[str, str | None]:
    """``(conninfo without password, password or None)`` of a typed ``postgresql://`` URI."""
    parts = urlsplit(text.strip())
    pw = parts.password
    netloc = parts.netloc
    if pw is not None:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.split(':', 1)[0]}@{hostport}"
    return urlunsplit(("postgresql", netloc, parts.path, parts.query, "")), pw


class DbBrowser(QDialog):
    """Pick tables of a connection; ``refs()`` are the chosen tables after ``accept()``."""

    listed = Signal(int)          # number of tables shown (tests wait for it)
    failed = Signal(str)
    index_created = Signal(str)

    def __init__(self, store: Any = None, parent: QWidget | None = None, *,
                 connection: str | None = None) -> None:
        super().__init__(parent)
        from mapdesk.io.postgis.connections import ConnectionStore

        self.setObjectName("db_browser")
        self.setWindowTitle(self.tr("Add PostGIS layer"))
        self.store = store if store is not None else ConnectionStore()
        self.jobs = JobManager(self)
        self.tables: list[Any] = []
        self._target: Any = None

        self.connection = QComboBox()
        self.connection.setObjectName("connection")
        self.connection.setEditable(True)
        self.connection.setMinimumWidth(280)
        self.connection.setToolTip(self.tr("A saved connection, or a postgresql://user@host:port/db URI"))
        self.manage = QPushButton(self.tr("Connections…"))
        self.manage.clicked.connect(self._manage)
        self.refresh_button = QPushButton(self.tr("Connect"))
        self.refresh_button.setObjectName("button_connect")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Connection")))
        top.addWidget(self.connection, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.manage)

        self.tree = QTreeWidget()
        self.tree.setObjectName("tables")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels([self.tr("Table"), self.tr("Geometry column"), self.tr("Type"),
                                   self.tr("SRID"), self.tr("Rows (estimated)"), self.tr("Spatial index")])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemDoubleClicked.connect(lambda *_: self.accept())

        self.warning = QLabel()
        self.warning.setObjectName("index_warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #8a5300;")
        self.create_index = QPushButton(self.tr("Create index"))
        self.create_index.setObjectName("button_create_index")
        self.create_index.clicked.connect(self.create_indexes)
        wrow = QHBoxLayout()
        wrow.addWidget(self.warning, 1)
        wrow.addWidget(self.create_index)

        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton(self.tr("Add layers"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setObjectName("button_add")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.tree, 1)
        lay.addLayout(wrow)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)
        self.resize(760, 460)
        self._fill_connections(connection)
        self._selection_changed()

    # ---- connections -------------------------------------------------------------------------
    def _fill_connections(self, select: str | None = None) -> None:
        current = select or self.connection.currentText()
        self.connection.clear()
        try:
            names = [s.name for s in self.store.list()]
        except Exception as exc:
            names = []
            self.status.setText(str(exc))
        self.connection.addItems(names)
        if current:
            i = self.connection.findText(current)
            if i >= 0:
                self.connection.setCurrentIndex(i)
            else:
                self.connection.setEditText(current)

    def _manage(self) -> None:
        from mapdesk.gui.db_connections import ConnectionsDialog
        from mapdesk.gui.db_password import PasswordPrompt

        dlg = ConnectionsDialog(self.store, self, prompt=PasswordPrompt(self))
        dlg.exec()
        self._fill_connections()

    def target(self) -> Any:
        """The chosen connection: a ConnectionSpec, or a conninfo string for a typed URI."""
        text = self.connection.currentText().strip()
        if not text:
            from mapdesk.io.postgis import DatabaseError

            raise DatabaseError(self.tr("Choose a connection (Connections… adds one)."))
        if text.startswith(("postgresql://", "postgres://")):
            conninfo, pw = split_uri(text)
            from mapdesk.io.postgis import TableRef

            probe = TableRef("public", "x", conninfo=conninfo)
            if pw:
                from mapdesk.model.remote import remember_password

                remember_password(probe, pw)
            return probe
        return self.store.get(text)

    # ---- listing -------------------------------------------------------------------------
    def refresh(self) -> None:
        """List the tables of the chosen connection (in the background)."""
        try:
            target = self.target()
        except Exception as exc:
            self._fail(str(exc))
            return
        self._target = target
        self.status.setText(self.tr("Connecting…"))
        self.refresh_button.setEnabled(False)

        def job(progress: Any, cancelled: Any) -> list:
            from mapdesk.io.postgis.catalog import list_tables
            from mapdesk.model.remote import open_connection

            conn, _ = open_connection(target)
            try:
                return list_tables(conn)
            finally:
                conn.close()

        self.jobs.start(job, self.tr("Listing tables"), on_done=self._listed,
                        on_error=lambda msg, tb: self._fail(msg))

    def _listed(self, tables: list) -> None:
        self.refresh_button.setEnabled(True)
        self.tables = list(tables)
        self.tree.clear()
        schemas: dict[str, QTreeWidgetItem] = {}
        for i, t in enumerate(self.tables):
            sch = t.ref.schema
            if sch not in schemas:
                it = QTreeWidgetItem([sch])
                it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                self.tree.addTopLevelItem(it)
                schemas[sch] = it
            rows = int(t.estimated_rows) if t.estimated_rows is not None and t.estimated_rows >= 0 else None
            idx = self.tr("yes") if t.has_spatial_index else self.tr("no")
            name = t.ref.table + (f" ({self.tr('view')})" if getattr(t, "kind", "table") == "view" else "")
            item = QTreeWidgetItem([name, t.geometry, t.geometry_type, str(t.srid),
                                    f"{rows:,}" if rows is not None else "?", idx])
            item.setData(0, Qt.ItemDataRole.UserRole, i)
            item.setTextAlignment(4, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if not t.has_spatial_index and getattr(t, "kind", "table") == "table":
                item.setForeground(5, Qt.GlobalColor.darkRed)
            schemas[sch].addChild(item)
        self.tree.expandAll()
        for c in range(len(COLUMNS)):
            self.tree.resizeColumnToContents(c)
        n = len(self.tables)
        self.status.setStyleSheet("")
        self.status.setText(self.tr("{0} tables with geometry.").format(n) if n else
                            self.tr("No table with a geometry column in this database."))
        self._selection_changed()
        self.listed.emit(n)

    def _fail(self, message: str) -> None:
        self.refresh_button.setEnabled(True)
        self.status.setStyleSheet("color: #c62828;")
        self.status.setText(message)
        self.failed.emit(message)

    # ---- selection, index --------------------------------------------------------------------
    def selected(self) -> list[Any]:
        """The TableInfo of every selected table."""
        out = []
        for it in self.tree.selectedItems():
            i = it.data(0, Qt.ItemDataRole.UserRole)
            if i is not None:
                out.append(self.tables[int(i)])
        return out

    def select_table(self, schema: str, table: str) -> bool:
        """Select ``schema.table`` in the list (tests, a remembered choice)."""
        for i, t in enumerate(self.tables):
            if (t.ref.schema, t.ref.table) == (schema, table):
                for top in range(self.tree.topLevelItemCount()):
                    parent = self.tree.topLevelItem(top)
                    for c in range(parent.childCount()):
                        it = parent.child(c)
                        if it.data(0, Qt.ItemDataRole.UserRole) == i:
                            self.tree.clearSelection()
                            it.setSelected(True)
                            self.tree.setCurrentItem(it)
                            return True
        return False

    def _selection_changed(self) -> None:
        sel = self.selected()
        self.add_button.setEnabled(bool(sel))
        missing = [t for t in sel if not t.has_spatial_index and getattr(t, "kind", "table") == "table"]
        if missing:
            names = ", ".join(t.ref.qualified for t in missing)
            self.warning.setText(self.tr("No spatial index on {0}: every view of the map reads the "
                                         "whole table. Create one (a GiST index) to make it fast.")
                                 .format(names))
        self.warning.setVisible(bool(missing))
        self.create_index.setVisible(bool(missing))

    def create_indexes(self) -> None:
        """Create a GiST index on each selected table that has none (in the background)."""
        todo = [t for t in self.selected() if not t.has_spatial_index]
        if not todo or self._target is None:
            return
        target = self._target
        self.create_index.setEnabled(False)
        self.status.setText(self.tr("Creating the spatial index…"))

        def job(progress: Any, cancelled: Any) -> list[str]:
            from mapdesk.io.postgis.catalog import create_spatial_index
            from mapdesk.model.remote import open_connection

            conn, _ = open_connection(target)
            try:
                return [create_spatial_index(conn, t) for t in todo]
            finally:
                conn.close()

        def done(names: list[str]) -> None:
            self.create_index.setEnabled(True)
            text = ", ".join(names)
            self.index_created.emit(text)
            self.refresh()
            self.status.setText(self.tr("Created {0}.").format(text))

        def failed(msg: str, tb: str) -> None:
            self.create_index.setEnabled(True)
            self._fail(self.tr("The index could not be created: {0}").format(msg))
            QMessageBox.warning(self, self.tr("Create index"), msg)

        self.jobs.start(job, self.tr("Creating index"), on_done=done, on_error=failed)

    # ---- result ------------------------------------------------------------------------------
    def sources(self) -> list[tuple[str, str]]:
        """``(layer name, source string)`` of each selected table, by connection name (never a
        password) or by the typed URI without its password."""
        from mapdesk.io.postgis import TableRef

        out = []
        target = self._target
        seen: dict[tuple[str, str], int] = {}
        for t in self.tables:
            seen[(t.ref.schema, t.ref.table)] = seen.get((t.ref.schema, t.ref.table), 0) + 1
        for t in self.selected():
            # name the geometry column only when the table has several
            geom = t.geometry if seen.get((t.ref.schema, t.ref.table), 0) > 1 else None
            if isinstance(target, TableRef):
                ref = TableRef(t.ref.schema, t.ref.table, geom, conninfo=target.conninfo)
            else:
                ref = TableRef(t.ref.schema, t.ref.table, geom, connection=target.name)
            name = t.ref.table if geom is None else f"{t.ref.table} ({geom})"
            out.append((name, ref.to_source()))
        return out

    def done(self, result: int) -> None:  # noqa: D102 - Qt API
        self.jobs.cancel_all(3000)
        super().done(result)
