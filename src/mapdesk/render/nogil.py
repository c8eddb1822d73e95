"""The heavy QPainter calls of a frame, made without holding Python's GIL.

PySide6 keeps the GIL for the whole of a QPainter call. Frames render in a worker thread, and
one ``drawPath`` of a few thousand polygons or one full-HD ``drawImage`` keeps the interpreter
for 5-12 ms (measured on 2 cores), during which the GUI thread cannot run a single Python slot:
the canvas stutters while a heavy frame renders. ctypes releases the GIL around every foreign
call, so the few calls that rasterise a lot go straight to Qt's exported C++ functions
(Itanium C++ ABI: Linux and macOS). Where the library or a symbol cannot be found, or
``MAPDESK_QT_NOGIL=0`` is set, PySide's own method is used: same pixels, GIL held.

The painter, path and image must stay referenced by the caller for the duration of the call
(they are: they are arguments) and must not be used by another thread meanwhile (a painter
belongs to the thread that renders the frame).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading

import shiboken6
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath

_SYMBOLS = {
    "draw_path": "_ZN8QPainter8drawPathERK12QPainterPath",
    "draw_image_at": "_ZN8QPainter9drawImageERK7QPointFRK6QImage",
}


class _PointF(ctypes.Structure):
    """Memory layout of ``QPointF`` (two doubles)."""

    _fields_ = [("x", ctypes.c_double), ("y", ctypes.c_double)]


_lock = threading.Lock()
_funcs: dict | None = None


def _qtgui_library() -> str | None:
    """Path of the QtGui shared library this process has loaded (the one PySide6 uses)."""
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/maps", encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    path = line.rsplit(" ", 1)[-1].strip()
                    if "/libQt6Gui.so" in path:
                        return path
        except OSError:
            return None
        return None
    if sys.platform == "darwin":
        import PySide6

        cand = os.path.join(os.path.dirname(PySide6.__file__), "Qt", "lib", "QtGui.framework", "QtGui")
        return cand if os.path.exists(cand) else None
    return None


def _load() -> dict:
    global _funcs
    with _lock:
        if _funcs is not None:
            return _funcs
        funcs: dict = {}
        path = None if os.environ.get("MAPDESK_QT_NOGIL", "1") == "0" else _qtgui_library()
        if path:
            try:
                lib = ctypes.CDLL(path)
                f = getattr(lib, _SYMBOLS["draw_path"])
                f.argtypes, f.restype = [ctypes.c_void_p, ctypes.c_void_p], None
                funcs["draw_path"] = f
                g = getattr(lib, _SYMBOLS["draw_image_at"])
                g.argtypes, g.restype = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p], None
                funcs["draw_image_at"] = g
            except (OSError, AttributeError):
                funcs = {}
        _funcs = funcs
        if funcs and not _self_test():
            _funcs = {}
        return _funcs


def _self_test() -> bool:
    """Draw a path and an image both ways on a tiny image; the pixels must agree."""
    img = QImage(8, 8, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(0)
    dot = QImage(2, 2, QImage.Format.Format_ARGB32_Premultiplied)
    dot.fill(QColor(0, 0, 255))
    path = QPainterPath()
    path.addRect(1, 1, 3, 3)
    p = QPainter(img)
    try:
        p.setPen(QColor(0, 0, 0, 0))
        p.setBrush(QColor(255, 0, 0))
        draw_path(p, path)
        draw_image(p, 5.0, 5.0, dot)
    finally:
        p.end()
    return (img.pixelColor(2, 2) == QColor(255, 0, 0) and img.pixelColor(6, 6) == QColor(0, 0, 255)
            and img.pixelColor(0, 0).alpha() == 0 and img.pixelColor(4, 6).alpha() == 0)


def available() -> bool:
    """True when painting goes through the GIL-free calls."""
    return bool(_load())


def draw_path(painter: QPainter, path: QPainterPath) -> None:
    """``painter.drawPath(path)``, releasing the GIL while Qt fills and strokes it."""
    f = (_funcs if _funcs is not None else _load()).get("draw_path")
    if f is None or sys.is_finalizing():
        painter.drawPath(path)
        return
    f(shiboken6.getCppPointer(painter)[0], shiboken6.getCppPointer(path)[0])


def draw_image(painter: QPainter, x: float, y: float, image: QImage) -> None:
    """``painter.drawImage(QPointF(x, y), image)``, releasing the GIL while Qt blends it."""
    f = (_funcs if _funcs is not None else _load()).get("draw_image_at")
    if f is None or sys.is_finalizing():
        painter.drawImage(QPointF(x, y), image)
        return
    pt = _PointF(float(x), float(y))
    f(shiboken6.getCppPointer(painter)[0], ctypes.byref(pt), shiboken6.getCppPointer(image)[0])
