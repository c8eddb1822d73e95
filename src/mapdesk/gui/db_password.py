"""Asking for a database password: a small dialog, callable from any thread.

The password goes to :func:`mapdesk.io.postgis.connections.connect` (as its ``prompt=``) and,
when it works, stays in memory for this session only (:mod:`mapdesk.model.remote`); it is
never written to a project or settings file.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


class PasswordDialog(QDialog):
    """"Password for …" with a hidden entry."""

    def __init__(self, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("db_password_dialog")
        self.setWindowTitle(self.tr("Database password"))
        lay = QVBoxLayout(self)
        self.message = QLabel(message)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.note = QLabel(self.tr("The password is kept in memory until mapdesk closes; "
                                   "it is never saved in the project."))
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        self.edit = QLineEdit()
        self.edit.setObjectName("password")
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(self.message)
        lay.addWidget(self.edit)
        lay.addWidget(self.note)
        lay.addWidget(buttons)
        self.resize(420, self.sizeHint().height())

    def password(self) -> str:
        return self.edit.text()


def ask_password(parent: QWidget | None, message: str) -> str | None:
    """Show the dialog (GUI thread); the password, or None when cancelled or empty."""
    dlg = PasswordDialog(message, parent)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    return dlg.password() or None


class PasswordPrompt(QObject):
    """A ``prompt(message) -> password | None`` usable from worker threads too.

    Off the GUI thread the question is queued to the GUI thread and the caller waits for the
    answer (a worker loading a project, the render thread reconnecting).
    """

    _ask = Signal(str, object)

    #: How long a worker waits for the user before giving up (seconds).
    timeout_s = 600.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._parent = parent
        self._ask.connect(self._on_ask, Qt.ConnectionType.QueuedConnection)

    def __call__(self, message: str) -> str | None:
        app = QApplication.instance()
        if app is None or QThread.currentThread() is app.thread():
            return ask_password(self._parent, message)
        box: dict[str, Any] = {"done": threading.Event(), "answer": None}
        self._ask.emit(message, box)
        box["done"].wait(self.timeout_s)
        return box["answer"]

    def _on_ask(self, message: str, box: dict) -> None:
        try:
            box["answer"] = ask_password(self._parent, message)
        finally:
            box["done"].set()
