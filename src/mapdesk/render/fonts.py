"""The bundled CJK font and a headless Qt application.

A fresh machine has no CJK font: Chinese text silently disappears or becomes boxes in a
Qt-made PNG or PDF. mapdesk therefore registers its own Noto Sans CJK SC subset once per
process and asks for it by family name everywhere it draws text.
"""

from __future__ import annotations

import os
import struct
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QThread
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from mapdesk.render.fontfile import FAMILY_SUFFIX, FontPatchError, patched_font

FONT_DIR = Path(__file__).resolve().parents[1] / "resources" / "fonts"
#: The family name inside the bundled font files.
SOURCE_FAMILY = "Noto Sans CJK SC"
#: The family name the bundled fonts register under: renamed, so a system copy of Noto Sans
#: CJK SC (whose cmap breaks PDF text extraction, see :mod:`mapdesk.render.fontfile`) never
#: stands in for them.
FAMILY = SOURCE_FAMILY + FAMILY_SUFFIX
#: OpenType features switched off in every font the renderer makes. ``locl`` (localised
#: forms) swaps Latin digits for glyphs without a Unicode mapping, so "50 m" extracted from
#: a PDF as "64 m"; ligatures extract as U+FB01 ... instead of their letters.
DISABLED_FEATURES = ("locl", "liga")

_lock = threading.Lock()
_family: str | None = None
_app: QCoreApplication | None = None  # keeps a headless application alive for the process


def ensure_qt_app() -> QCoreApplication:
    """Return the running Qt application, creating a ``QGuiApplication`` if there is none.

    Headless use (CLI, tests, export) needs a GUI application for fonts and painting. With no
    display (no ``DISPLAY``/``WAYLAND_DISPLAY``) the offscreen platform is chosen, so Qt does
    not abort looking for an X server. If the process has loaded QtWidgets, a
    ``QApplication`` is created instead (a ``QGuiApplication`` cannot host widgets).
    """
    global _app
    app = QCoreApplication.instance()
    if app is not None:
        return app
    if (sys.platform.startswith("linux") and "QT_QPA_PLATFORM" not in os.environ
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # A process that has loaded QtWidgets (the GUI, pytest-qt) may create widgets later, which
    # a bare QGuiApplication cannot host (Qt aborts): give it a QApplication then. The
    # renderer itself never imports QtWidgets.
    widgets = sys.modules.get("PySide6.QtWidgets")
    app_class = getattr(widgets, "QApplication", None) or QGuiApplication
    _app = app_class(sys.argv[:1] or ["mapdesk"])
    return _app


def ensure_fonts() -> str:
    """Register the bundled fonts (once) and return the family name to use for text.

    Falls back to the application's default family when the files are missing, so text
    still draws (without CJK glyphs) rather than failing.
    """
    global _family
    with _lock:
        if _family is not None:
            _configure_app_font()
            return _family
        ensure_qt_app()
        families: list[str] = []
        for path in sorted(FONT_DIR.glob("*.otf")) + sorted(FONT_DIR.glob("*.ttf")):
            font_id = _register(path)
            if font_id >= 0:
                families.extend(QFontDatabase.applicationFontFamilies(font_id))
        _configure_app_font()
        if FAMILY in families:
            _family = FAMILY
        elif families:
            _family = families[0]
        else:
            _family = QGuiApplication.font().family()
        return _family


def _register(path: Path) -> int:
    """Register one bundled font file, renamed and with a fixed cmap (the file as it is if it
    cannot be patched); the Qt font id, -1 on failure."""
    try:
        data = patched_font(path.read_bytes(), FAMILY, bold="bold" in path.stem.lower())
    except (OSError, FontPatchError, struct.error):
        return QFontDatabase.addApplicationFont(str(path))
    return QFontDatabase.addApplicationFontFromData(QByteArray(data))


def _configure_app_font() -> None:
    """Switch the features off in the application's default font too: a ``QFont(family)``
    made anywhere (charts, export pages) inherits them when a painter resolves it. Only on the
    application's own thread (Qt's application font is not thread-safe)."""
    app = QCoreApplication.instance()
    if isinstance(app, QGuiApplication) and QThread.currentThread() is app.thread():
        font = QGuiApplication.font()
        # Checked on every call: the first call may come from a render worker, and the GUI
        # may set another application font later.
        if not all(font.isFeatureSet(QFont.Tag(t)) for t in DISABLED_FEATURES):
            QGuiApplication.setFont(configure_font(font))


def configure_font(font: QFont) -> QFont:
    """Switch off the OpenType features that break PDF text extraction (in place)."""
    for tag in DISABLED_FEATURES:
        font.setFeature(QFont.Tag(tag), 0)
    return font


def make_font(family: str | None = None) -> QFont:
    """A ``QFont`` of ``family`` (default: the bundled family) configured for map text."""
    return configure_font(QFont(family or ensure_fonts()))


def ui_font(size_pt: float, bold: bool = False) -> QFont:
    """A font of the bundled CJK family at ``size_pt`` points (falls back per glyph)."""
    font = make_font()
    font.setPointSizeF(float(size_pt))
    font.setBold(bold)
    # Latin glyphs come from the same family; other scripts fall back to system fonts.
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    return font
