"""Database ▸ Connections…: saved PostGIS connections (add, edit, remove, test).

A connection is a name plus host, port, database, user (or a libpq service). Its password is
never written to the connections file: it goes to the system keyring when one is available,
otherwise it is kept in memory for this session and asked again next time.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mapdesk.gui.workers import JobManager

SSL_MODES = ("", "disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def server_version(conn: Any) -> str:
    """"PostgreSQL 15.x, PostGIS 3.3.x" of an open connection."""
    with conn.cursor() as cur:
        cur.execute("SELECT current_setting('server_version')")
        pg = cur.fetchone()[0]
        try:
            cur.execute("SELECT postgis_lib_version()")
            gis = cur.fetchone()[0]
        except Exception:
            conn.rollback()
            gis = None
    return f"PostgreSQL {pg}" + (f", PostGIS {gis}" if gis else ", no PostGIS")


class ConnectionsDialog(QDialog):
    """List of saved connections on the left, the selected one's settings on the right."""

    connections_changed = Signal()
    tested = Signal(bool, str)   # ok, message (tests wait for it)

    def __init__(self, store: Any = None, parent: QWidget | None = None, prompt: Any = None) -> None:
        super().__init__(parent)
        from mapdesk.io.postgis.connections import ConnectionStore

        self.setObjectName("db_connections_dialog")
        self.store = store if store is not None else ConnectionStore()
        self.prompt = prompt
        self.jobs = JobManager(self)
        self.setWindowTitle(self.tr("Database connections"))

        self.list = QListWidget()
        self.list.setObjectName("connections")
        self.list.currentTextChanged.connect(self._show)
        self.name = QLineEdit()
        self.host = QLineEdit()
        self.host.setPlaceholderText(self.tr("localhost (or PGHOST)"))
        self.port = QSpinBox()
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText(self.tr("default"))
        self.dbname = QLineEdit()
        self.user = QLineEdit()
        self.service = QLineEdit()
        self.service.setPlaceholderText(self.tr("optional: a name from pg_service.conf"))
        self.sslmode = QComboBox()
        for m in SSL_MODES:
            self.sslmode.addItem(m or self.tr("default"), m)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("leave empty to use the keyring, ~/.pgpass or to be asked"))
        self.keep = QCheckBox(self.tr("Save the password in the system keyring"))
        self.keep.setChecked(True)
        form = QFormLayout()
        for label, w in ((self.tr("Name"), self.name), (self.tr("Host"), self.host),
                         (self.tr("Port"), self.port), (self.tr("Database"), self.dbname),
                         (self.tr("User"), self.user), (self.tr("Service"), self.service),
                         (self.tr("SSL mode"), self.sslmode), (self.tr("Password"), self.password)):
            form.addRow(label, w)
        form.addRow("", self.keep)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)

        self.buttons: dict[str, QPushButton] = {}
        brow = QHBoxLayout()
        for key, text, slot in (("new", self.tr("New"), self.new),
                                ("save", self.tr("Save"), self.save),
                                ("remove", self.tr("Remove"), self.remove),
                                ("test", self.tr("Test"), self.test)):
            b = QPushButton(text)
            b.setObjectName(f"button_{key}")
            b.clicked.connect(lambda checked=False, s=slot: s())
            self.buttons[key] = b
            brow.addWidget(b)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        right = QVBoxLayout()
        right.addLayout(form)
        right.addLayout(brow)
        right.addWidget(self.status)
        right.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addLayout(right, 2)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(close)
        self.resize(640, 380)
        self._shown_name: str | None = None  # the saved connection the form shows, if any
        self.reload()
        if self.list.count() == 0:
            self.new()

    # ---- list ------------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        names = [s.name for s in self.store.list()]
        self.list.addItems(names)
        self.list.blockSignals(False)
        if select in names:
            self.list.setCurrentRow(names.index(select))
        elif names:
            self.list.setCurrentRow(0)
        self.buttons["remove"].setEnabled(bool(names))

    def _show(self, name: str) -> None:
        if not name:
            return
        try:
            spec = self.store.get(name)
        except Exception:
            return
        self._shown_name = spec.name
        self.name.setText(spec.name)
        self.host.setText(spec.host or "")
        self.port.setValue(int(spec.port or 0))
        self.dbname.setText(spec.dbname or "")
        self.user.setText(spec.user or "")
        self.service.setText(spec.service or "")
        i = self.sslmode.findData(spec.sslmode or "")
        self.sslmode.setCurrentIndex(max(0, i))
        self.password.clear()
        self.status.clear()

    def new(self) -> None:
        self._shown_name = None
        self.list.clearSelection()
        for w in (self.name, self.host, self.dbname, self.user, self.service, self.password):
            w.clear()
        self.port.setValue(0)
        self.sslmode.setCurrentIndex(0)
        self._say(self.tr("A new connection: fill in the fields and press Save."))
        self.name.setFocus()

    def spec(self) -> Any:
        """The connection described by the form (no password in it)."""
        from mapdesk.io.postgis.connections import ConnectionSpec

        return ConnectionSpec(name=self.name.text().strip(), host=self.host.text().strip() or None,
                              port=self.port.value() or None, dbname=self.dbname.text().strip() or None,
                              user=self.user.text().strip() or None,
                              service=self.service.text().strip() or None,
                              sslmode=self.sslmode.currentData() or None)

    # ---- actions ---------------------------------------------------------------------------
    def save(self) -> bool:
        spec = self.spec()
        if not spec.name or "/" in spec.name:
            self._fail(self.tr("Give the connection a name (without '/')."))
            return False
        if not (spec.host or spec.dbname or spec.service):
            self._fail(self.tr("Fill in at least a host, a database or a service."))
            return False
        try:
            self.store.save(spec)
        except Exception as exc:
            self._fail(self.tr("The connection could not be saved: {0}").format(exc))
            return False
        shown = self._shown_name
        if shown and shown != spec.name:
            # projects name their connection: renaming would cut their layers off
            note = self.tr("Saved {0} as a new connection; {1} is kept, since projects refer to "
                           "connections by name (remove it if nothing uses it).").format(spec.name, shown)
        else:
            note = self.tr("Saved {0}.").format(spec.name)
        pw = self.password.text()
        if pw:
            note += " " + self._keep_password(spec, pw)
            self.password.clear()
        self.reload(spec.name)
        self._say(note)
        self.connections_changed.emit()
        return True

    def _keep_password(self, spec: Any, pw: str) -> str:
        from mapdesk.io.postgis.connections import store_password
        from mapdesk.model.remote import remember_password

        remember_password(spec, pw)
        if self.keep.isChecked():
            try:
                if store_password(spec, pw):
                    return self.tr("The password is in the system keyring.")
            except Exception:
                pass
            return self.tr("No system keyring is available: the password is kept until mapdesk "
                           "closes and asked again next time.")
        return self.tr("The password is kept until mapdesk closes.")

    def remove(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        name = item.text()
        if QMessageBox.question(self, self.tr("Remove connection"),
                                self.tr("Remove the connection {0}? Layers using it stay in their "
                                        "projects but cannot load until it exists again.").format(name)) \
                != QMessageBox.StandardButton.Yes:
            return
        try:
            spec = self.store.get(name)
            from mapdesk.io.postgis.connections import forget_password

            try:
                forget_password(spec)
            except Exception:
                pass
            self.store.remove(name)
        except Exception as exc:
            self._fail(str(exc))
            return
        self.reload()
        self._say(self.tr("Removed {0}.").format(name))
        self.connections_changed.emit()

    def test(self) -> None:
        """Connect with the form's settings in the background and say what happened."""
        from mapdesk.io.postgis.connections import connect
        from mapdesk.model.remote import session_password

        spec = self.spec()
        if not spec.name:
            spec.name = "test"
        typed = self.password.text() or None
        password = typed or session_password(spec)
        prompt = None if typed else self.prompt
        self._say(self.tr("Connecting…"))
        self.buttons["test"].setEnabled(False)

        def job(progress: Any, cancelled: Any) -> str:
            conn = connect(spec, password=password, prompt=prompt)
            try:
                return server_version(conn)
            finally:
                conn.close()

        self.jobs.start(job, self.tr("Testing {0}").format(spec.name),
                        on_done=self._tested_ok, on_error=lambda msg, tb: self._tested_fail(msg))

    def _tested_ok(self, version: str) -> None:
        self.buttons["test"].setEnabled(True)
        msg = self.tr("Connected: {0}").format(version)
        self._say(msg, "#2e7d32")
        self.tested.emit(True, msg)

    def _tested_fail(self, message: str) -> None:
        self.buttons["test"].setEnabled(True)
        self._fail(self.tr("Cannot connect: {0}").format(message))
        QMessageBox.warning(self, self.tr("Connection failed"), message)
        self.tested.emit(False, message)

    def _fail(self, message: str) -> None:
        self._say(message, "#c62828")

    def _say(self, message: str, color: str = "") -> None:
        self.status.setStyleSheet(f"color: {color};" if color else "")
        self.status.setText(message)

    def done(self, result: int) -> None:  # noqa: D102 - Qt API
        self.jobs.cancel_all(3000)
        super().done(result)
