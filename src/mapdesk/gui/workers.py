"""Long jobs off the GUI thread: progress, cancel, errors as dialogs.

A job is a plain function ``fn(progress, cancelled) -> result`` where ``progress(fraction,
message="")`` reports and ``cancelled()`` tells the job to stop (it raises or returns early).
The analysis functions take the same two callables, so they run unchanged in scripts and here.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

ProgressFn = Callable[..., None]
JobFn = Callable[[ProgressFn, Callable[[], bool]], Any]


class JobCancelled(Exception):
    """Raised inside a job (by :meth:`Job.check`) when the user cancelled it."""


class _Signals(QObject):
    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(str, str)  # message, traceback
    cancelled = Signal()


class Job(QRunnable):
    """One background job; connect to ``signals`` before starting it."""

    def __init__(self, fn: JobFn, title: str) -> None:
        super().__init__()
        self.fn = fn
        self.title = title
        self.signals = _Signals()
        self._cancel = threading.Event()
        self.done = threading.Event()
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, fraction: float, message: str = "") -> None:
        if self._cancel.is_set():
            raise JobCancelled()
        self.signals.progress.emit(float(fraction), str(message))

    def run(self) -> None:
        try:
            result = self.fn(self._progress, self.is_cancelled)
        except JobCancelled:
            self.signals.cancelled.emit()
        except Exception as exc:
            if self._cancel.is_set() or type(exc).__name__ == "AnalysisCancelled":
                self.signals.cancelled.emit()
            else:
                self.signals.failed.emit(str(exc) or type(exc).__name__, traceback.format_exc())
        else:
            if self._cancel.is_set():
                self.signals.cancelled.emit()
            else:
                self.signals.finished.emit(result)
        finally:
            self.done.set()


class JobManager(QObject):
    """Starts jobs on a thread pool and tracks the running ones."""

    job_started = Signal(object)
    job_ended = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.running: list[Job] = []

    def start(self, fn: JobFn, title: str, on_done: Callable[[Any], None] | None = None,
              on_error: Callable[[str, str], None] | None = None,
              on_cancel: Callable[[], None] | None = None) -> Job:
        job = Job(fn, title)
        conn = Qt.ConnectionType.QueuedConnection

        def finish(result: Any) -> None:
            self._end(job)
            if on_done:
                on_done(result)

        def fail(msg: str, tb: str) -> None:
            self._end(job)
            if on_error:
                on_error(msg, tb)

        def cancelled() -> None:
            self._end(job)
            if on_cancel:
                on_cancel()

        job.signals.finished.connect(finish, conn)
        job.signals.failed.connect(fail, conn)
        job.signals.cancelled.connect(cancelled, conn)
        self.running.append(job)
        self.job_started.emit(job)
        self.pool.start(job)
        return job

    def _end(self, job: Job) -> None:
        if job in self.running:
            self.running.remove(job)
            self.job_ended.emit(job)

    def busy(self) -> bool:
        return bool(self.running)

    def cancel_all(self, wait_ms: int = 10000) -> bool:
        """Cancel every job and wait for the threads; True when all stopped in time."""
        for job in list(self.running):
            job.cancel()
        return self.pool.waitForDone(wait_ms)


class JobProgress(QWidget):
    """Status-bar widget: title, progress bar and Cancel button of the newest running job."""

    def __init__(self, manager: JobManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setMaximumWidth(180)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel_current)
        lay.addWidget(self.label)
        lay.addWidget(self.bar)
        lay.addWidget(self.cancel_button)
        self.job: Job | None = None
        manager.job_started.connect(self._started)
        manager.job_ended.connect(self._ended)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop the running job"))

    def changeEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    #: jobs that end sooner than this never flash a progress bar
    show_delay_ms = 300

    def _started(self, job: Job) -> None:
        self.job = job
        self.label.setText(job.title)
        self.bar.setRange(0, 0)  # busy until the job reports progress
        job.signals.progress.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        if self.isVisible():
            return
        from PySide6.QtCore import QTimer

        QTimer.singleShot(self.show_delay_ms, self, lambda: self._show_if_running(job))

    def _show_if_running(self, job: Job) -> None:
        if self.job is not None and job in self.manager.running:
            self.show()

    def _progress(self, fraction: float, message: str) -> None:
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1000)
        self.bar.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        if message and self.job is not None:
            self.label.setText(f"{self.job.title}: {message}")

    def _ended(self, job: Job) -> None:
        if self.manager.running:
            self._started(self.manager.running[-1])
        else:
            self.job = None
            self.hide()

    def cancel_current(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.label.setText(self.tr("Cancelling…"))
