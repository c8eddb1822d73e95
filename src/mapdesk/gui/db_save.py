"""Layer ▸ Save to database…: write a layer (an analysis result, a camera plan, a tree
registry) to a PostGIS table in one transaction.

The write runs in a background job with progress and Cancel. *Create* refuses an existing
table, *Replace* swaps its rows, *Append* adds to it; whatever goes wrong (a wrong password,
the connection lost, Cancel), the database is left as it was and the message says why.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from mapdesk.gui.workers import JobManager

MODES = ("create", "replace", "append")


def table_name_for(name: str) -> str:
    """A lower-case table name from a layer name (letters, digits, underscores; CJK kept)."""
    s = re.sub(r"[^\w]+", "_", name.strip().lower(), flags=re.UNICODE).strip("_")
    if not s or s[0].isdigit():
        s = f"layer_{s}" if s else "layer"
    while len(s.encode()) > 63:
        s = s[:-1]
    return s


class SaveToDatabaseDialog(QDialog):
    """Connection, schema, table and mode; Save writes in the background."""

    saved = Signal(str, int)       # source string of the table, rows written
    failed = Signal(str)

    def __init__(self, layer: Any, store: Any = None, parent: QWidget | None = None, *,
                 connection: str | None = None) -> None:
        super().__init__(parent)
        from mapdesk.io.postgis.connections import ConnectionStore

        self.setObjectName("db_save_dialog")
        self.layer = layer
        self.store = store if store is not None else ConnectionStore()
        self.jobs = JobManager(self)
        self.job: Any = None
        self.result_source: str | None = None
        self.setWindowTitle(self.tr("Save {0} to database").format(layer.name))

        self.connection = QComboBox()
        self.connection.setObjectName("connection")
        try:
            self.connection.addItems([s.name for s in self.store.list()])
        except Exception:
            pass
        if connection:
            i = self.connection.findText(connection)
            if i >= 0:
                self.connection.setCurrentIndex(i)
        self.schema = QLineEdit("public")
        self.schema.setObjectName("schema")
        self.table = QLineEdit(table_name_for(layer.name))
        self.table.setObjectName("table")
        self.mode_group = QButtonGroup(self)
        mrow = QHBoxLayout()
        self.mode_buttons: dict[str, QRadioButton] = {}
        for i, (key, text, tip) in enumerate((
                ("create", self.tr("Create"), self.tr("A new table; refused if it exists")),
                ("replace", self.tr("Replace"), self.tr("Replace the rows (and columns) of the table")),
                ("append", self.tr("Append"), self.tr("Add the rows to the existing table")))):
            b = QRadioButton(text)
            b.setObjectName(f"mode_{key}")
            b.setToolTip(tip)
            self.mode_group.addButton(b, i)
            self.mode_buttons[key] = b
            mrow.addWidget(b)
        self.mode_buttons["create"].setChecked(True)
        shown, total = layer.feature_count() if hasattr(layer, "feature_count") else (0, 0)
        self.only_filtered = QCheckBox(self.tr("Only the features passing the filter ({0} of {1})")
                                       .format(f"{shown:,}", f"{total:,}"))
        self.only_filtered.setChecked(shown != total)
        self.only_filtered.setVisible(shown != total)
        self.add_layer = QCheckBox(self.tr("Add the table to the map afterwards"))
        form = QFormLayout()
        form.addRow(self.tr("Connection"), self.connection)
        form.addRow(self.tr("Schema"), self.schema)
        form.addRow(self.tr("Table"), self.table)
        form.addRow(self.tr("If the table exists"), mrow)
        form.addRow("", self.only_filtered)
        form.addRow("", self.add_layer)
        note = QLabel(self.tr("Written in one transaction: on any error or Cancel the database "
                              "stays as it was."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton(self.tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("button_save")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.cancel_or_close)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)
        self.resize(480, self.sizeHint().height())

    def mode(self) -> str:
        return next(k for k, b in self.mode_buttons.items() if b.isChecked())

    def set_mode(self, mode: str) -> None:
        self.mode_buttons[mode].setChecked(True)

    def frame(self) -> Any:
        f = self.layer.filtered_frame() if self.only_filtered.isChecked() else self.layer.frame
        return f

    # ---- writing -------------------------------------------------------------------------------
    def start(self) -> None:
        """Write the layer in the background (progress bar, Cancel stops and rolls back)."""
        from mapdesk.io.postgis import TableRef
        from mapdesk.io.postgis.ref import check_name

        name = self.connection.currentText().strip()
        schema, table = self.schema.text().strip(), self.table.text().strip()
        try:
            if not name:
                raise ValueError(self.tr("Choose a connection (Database ▸ Connections… adds one)."))
            check_name(schema, "schema name")
            check_name(table, "table name")
            spec = self.store.get(name)
        except Exception as exc:
            self._fail(str(exc))
            return
        frame = self.frame()
        if frame is None or len(frame) == 0:
            self._fail(self.tr("The layer has no features to save."))
            return
        mode = self.mode()
        self.result_source = TableRef(schema, table, connection=name).to_source()
        self.save_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Writing {0} rows…").format(f"{len(frame):,}"))

        # Cancel goes to write_table only (not to the job): a write that already committed
        # then reports "saved", one stopped in time reports "nothing was written".
        stop = threading.Event()
        self._stop = stop

        def job(progress: Any, cancelled: Any) -> int:
            from mapdesk.io.postgis.write import write_table
            from mapdesk.model.remote import open_connection

            conn, _ = open_connection(spec)
            try:
                return int(write_table(conn, frame, schema, table, mode=mode, geometry="geom",
                                       progress=progress, cancel=stop.is_set))
            finally:
                conn.close()

        self.job = self.jobs.start(job, self.tr("Saving {0}").format(self.layer.name),
                                   on_done=self._done, on_error=lambda msg, tb: self._fail(msg),
                                   on_cancel=self._cancelled)
        self.job.signals.progress.connect(self._progress, Qt.ConnectionType.QueuedConnection)

    def _progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        if message:
            self.status.setText(message)

    def _done(self, rows: int) -> None:
        self.job = None
        self.progress.setValue(1000)
        self.save_button.setEnabled(True)
        self.status.setStyleSheet("color: #2e7d32;")
        self.status.setText(self.tr("Saved {0} rows to {1}.").format(f"{rows:,}", self.result_source))
        self.saved.emit(self.result_source or "", rows)
        self.accept()

    def _cancelled(self) -> None:
        self.job = None
        self.save_button.setEnabled(True)
        self.progress.hide()
        self._fail(self.tr("Cancelled: nothing was written."))

    def _fail(self, message: str) -> None:
        self.job = None
        self.save_button.setEnabled(True)
        self.progress.hide()
        self.status.setStyleSheet("color: #c62828;")
        self.status.setText(message)
        self.failed.emit(message)

    def cancel_or_close(self) -> None:
        """Cancel a running write (it rolls back), else close the dialog."""
        if self.job is not None:
            self._stop.set()
            self.status.setText(self.tr("Cancelling…"))
            return
        self.reject()

    def done(self, result: int) -> None:  # noqa: D102 - Qt API
        if getattr(self, "_stop", None) is not None:
            self._stop.set()
        self.jobs.cancel_all(5000)
        super().done(result)
