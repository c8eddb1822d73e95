"""Start the desktop application: QApplication, fonts, translators, the main window.

``run_app`` is what ``mapdesk gui`` calls; with ``screenshot`` it opens the project, waits for
the map to render (or a timeout), saves ``window.grab()`` and returns.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox

from mapdesk.gui import i18n, recovery, settings
from mapdesk.render.fonts import FAMILY, ensure_fonts

SCREENSHOT_TIMEOUT_MS = 8000
SCREENSHOT_PNG_QUALITY = 80


def sample_project_path() -> Path:
    """``sample_data/sample.mapdesk.json`` of the source tree (editable install)."""
    return Path(__file__).resolve().parents[3] / "sample_data" / "sample.mapdesk.json"


def setup_fonts(app: QApplication) -> str:
    """Register the bundled CJK font and use it as the UI font's fallback; returns its family."""
    family = ensure_fonts() or FAMILY
    font = QFont(app.font())
    base = font.family()
    # Latin text keeps the platform font; Chinese glyphs come from the bundled font.
    font.setFamilies([base, family] if base != family else [family])
    if font.pointSizeF() < 9:
        font.setPointSizeF(9.5)
    app.setFont(font)
    return family


def make_app(argv: Sequence[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv or ["mapdesk"]))
    app.setApplicationName("mapdesk")
    app.setOrganizationName(settings.ORG)
    from mapdesk import __version__

    app.setApplicationVersion(__version__)
    setup_fonts(app)
    return app


def offer_recovery(window: object) -> bool:
    """After a crash, offer the autosaved copy; True when it was restored."""
    path = recovery.recovery_path(settings.settings_dir())
    info = recovery.recovery_info(path)
    if info is None:
        return False
    btn = QMessageBox.question(
        window, QCoreApplication.translate("App", "Restore unsaved work?"),
        QCoreApplication.translate("App", "mapdesk did not close properly. An autosaved copy of your project from {0} "
                  "exists. Restore it?").format(info.get("saved_at", "?")),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
    if btn != QMessageBox.StandardButton.Yes:
        recovery.discard(path)
        return False
    try:
        project = recovery.restore(path)
    except Exception as exc:
        QMessageBox.warning(window, QCoreApplication.translate("App", "Cannot restore"), str(exc))
        return False
    window.set_project(project)
    return True


def wait_rendered(window: object, timeout_ms: int = SCREENSHOT_TIMEOUT_MS) -> bool:
    """Process events until background loads end and the canvas has rendered the project as it
    is now (its ``rendered`` signal after the last change), or until ``timeout_ms``."""
    app = QApplication.instance()
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 30)
        if window.map_is_current():
            app.processEvents()
            return True
        time.sleep(0.005)
    return False


def _non_interactive_dialogs() -> None:
    """For ``--screenshot``: message boxes print to stderr instead of waiting for a click."""

    def printer(kind: str, answer: QMessageBox.StandardButton) -> object:
        def show(parent: object, title: str, text: str = "", *args: object, **kw: object) -> object:
            print(f"mapdesk: {kind}: {title}: {text}", file=sys.stderr)
            return answer
        return staticmethod(show)

    for kind in ("warning", "critical", "information"):
        setattr(QMessageBox, kind, printer(kind, QMessageBox.StandardButton.Ok))
    QMessageBox.question = printer("question", QMessageBox.StandardButton.No)
    QMessageBox.exec = lambda self: print(f"mapdesk: {self.windowTitle()}: {self.text()}",  # type: ignore[method-assign]
                                          file=sys.stderr) or 0
    QMessageBox.show = lambda self: print(f"mapdesk: {self.windowTitle()}: {self.text()} "  # type: ignore[method-assign]
                                          f"{self.informativeText()}", file=sys.stderr)


def run_app(argv: Sequence[str] | None = None, project_path: str | None = None,
            files: Sequence[str] = (), lang: str | None = None, screenshot: str | None = None) -> int:
    """Open the main window on ``project_path`` (or the sample project) plus ``files``.

    Returns the exit code. With ``screenshot``, saves the rendered window to that PNG and exits.
    """
    app = make_app(argv or sys.argv[:1])
    if screenshot:
        _non_interactive_dialogs()
    i18n.install_language(i18n.detect_language(lang))
    from mapdesk.gui.main_window import MainWindow

    window = MainWindow(autosave_s=0 if screenshot else None, remember_layout=not screenshot)
    if not screenshot and offer_recovery(window):
        pass
    elif project_path:
        window.open_project(project_path, ask_save=False, background=not (files or screenshot))
    elif not files:
        sample = sample_project_path()
        if sample.exists():
            window.open_project(sample, ask_save=False, background=not screenshot)
        else:
            window.statusBar().showMessage(
                QCoreApplication.translate("App", "The sample project {0} is not there; starting with an empty project.")
                .format(sample), 10000)
    if files:
        window.add_layer_files(list(files))
    if screenshot:
        window.resize(1440, 900)
        window.show()
        return _save_screenshot(window, Path(screenshot))
    window.show()
    return int(app.exec())


def _save_screenshot(window: object, out: Path) -> int:
    """Wait for the map, save the window to ``out`` (atomically: the file appears complete or
    not at all) and close the window; the exit code."""
    from mapdesk.io.atomic import atomic_path

    wait_rendered(window)
    image = window.grab()
    out.parent.mkdir(parents=True, exist_ok=True)
    ok = False
    try:
        with atomic_path(out) as tmp:
            # lossless either way; Qt maps quality 80 to zlib level 1: half the time of the
            # default level for the same size (a 1440x900 window: ~45 instead of ~90 ms)
            ok = image.save(str(tmp), "PNG", SCREENSHOT_PNG_QUALITY)
            if not ok:
                raise OSError("Qt could not write the image")
    except Exception as exc:  # unwritable folder, full disk
        print(f"mapdesk: error: cannot write screenshot {out}: {exc}", file=sys.stderr)
    window.jobs.cancel_all(5000)
    window.project.set_dirty(False)
    window.close()
    return 0 if ok else 2
