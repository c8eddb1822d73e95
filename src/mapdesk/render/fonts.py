"""The bundled CJK font and a headless Qt application.

A fresh machine has no CJK font: Chinese text silently disappears or becomes boxes in a
Qt-made PNG or PDF. mapdesk therefore registers its own Noto Sans CJK SC subset once per
process and asks for it by family name everywhere it draws text.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

FONT_DIR = Path(__file__).resolve().parents[1] / "resources" / "fonts"
#: The family name the bundled fonts register under.
FAMILY = "Noto Sans CJK SC"

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
            return _family
        ensure_qt_app()
        families: list[str] = []
        for path in sorted(FONT_DIR.glob("*.otf")) + sorted(FONT_DIR.glob("*.ttf")):
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id >= 0:
                families.extend(QFontDatabase.applicationFontFamilies(font_id))
        if FAMILY in families:
            _family = FAMILY
        elif families:
            _family = families[0]
        else:
            _family = QGuiApplication.font().family()
        return _family


def ui_font(size_pt: float, bold: bool = False) -> QFont:
    """A font of the bundled CJK family at ``size_pt`` points (falls back per glyph)."""
    family = ensure_fonts()
    font = QFont(family)
    font.setPointSizeF(float(size_pt))
    font.setBold(bold)
    # Latin glyphs come from the same family; other scripts fall back to system fonts.
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    return font
