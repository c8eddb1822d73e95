"""numpy -> Qt without per-point Python loops.

``drawPoints(list[QPointF])`` costs about a second per million points just to build the list;
filling a ``QPolygonF``'s own buffer from numpy costs ~15 ms per million.
"""

from __future__ import annotations

import ctypes

import numpy as np
import shiboken6
from PySide6.QtCore import QByteArray, QDataStream, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPainterPath, QPolygonF


def polygon_from_xy(x: np.ndarray, y: np.ndarray) -> QPolygonF:
    """A ``QPolygonF`` whose points are ``(x[i], y[i])``, written straight into its buffer."""
    n = int(len(x))
    poly = QPolygonF()
    if n == 0:
        return poly
    poly.resize(n)
    # data() returns a wrapper of the first QPointF; its C++ address is the buffer start.
    addr = shiboken6.getCppPointer(poly.data())[0]
    buf = np.frombuffer((ctypes.c_double * (2 * n)).from_address(addr), dtype=np.float64)
    view = buf.reshape(n, 2)
    view[:, 0] = x
    view[:, 1] = y
    return poly


_PATH_ELEMENT = np.dtype([("type", ">i4"), ("x", ">f8"), ("y", ">f8")])


def path_from_rings(x: np.ndarray, y: np.ndarray, offsets: np.ndarray,
                    fill_rule: Qt.FillRule = Qt.FillRule.WindingFill) -> QPainterPath:
    """One ``QPainterPath`` of many closed rings (ring ``i`` is ``x[offsets[i]:offsets[i+1]]``).

    Built by deserialising Qt's own stream format (element count; per element type, x, y;
    the current subpath start; the fill rule), which numpy writes in one go, as pyqtgraph's
    ``arrayToQPath`` does: no Python call per ring or vertex.
    """
    n = int(len(x))
    path = QPainterPath()
    if n == 0:
        path.setFillRule(fill_rule)
        return path
    elements = np.empty(n, dtype=_PATH_ELEMENT)
    elements["type"] = 1                                   # LineToElement
    starts = np.asarray(offsets[:-1], dtype=np.int64)
    elements["type"][starts[starts < n]] = 0               # MoveToElement opens each ring
    elements["x"] = x
    elements["y"] = y
    tail = np.array([int(starts[-1]) if starts.size else 0, int(fill_rule.value)], dtype=">i4")
    data = np.array([n], dtype=">i4").tobytes() + elements.tobytes() + tail.tobytes()
    stream = QDataStream(QByteArray(data))
    stream >> path
    return path


def polygon_to_xy(poly: QPolygonF) -> tuple[np.ndarray, np.ndarray]:
    """The points of ``poly`` as two numpy arrays (a copy)."""
    n = poly.size()
    if n == 0:
        return np.empty(0), np.empty(0)
    addr = shiboken6.getCppPointer(poly.constData())[0]
    buf = np.frombuffer((ctypes.c_double * (2 * n)).from_address(addr), dtype=np.float64)
    arr = buf.reshape(n, 2).copy()
    return arr[:, 0], arr[:, 1]


def qimage_from_rgba(rgba: np.ndarray) -> QImage:
    """A premultiplied RGBA8888 ``QImage`` copied from an ``(h, w, 4)`` uint8 array."""
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    h, w = rgba.shape[:2]
    img = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888_Premultiplied)
    # QImage does not own numpy's buffer; copy so the array may be freed.
    return img.copy()


def qimage_to_rgba(img: QImage) -> np.ndarray:
    """An ``(h, w, 4)`` uint8 copy of ``img`` in RGBA8888 (not premultiplied) order."""
    img = img.convertToFormat(QImage.Format.Format_RGBA8888)
    h, w = img.height(), img.width()
    arr = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.sizeInBytes())
    return arr.reshape(h, img.bytesPerLine())[:, : 4 * w].reshape(h, w, 4).copy()


#: Pixels per QPainter call when drawing a large image (see :func:`draw_image_banded`).
BAND_PIXELS = 120_000


def draw_image_banded(painter: QPainter, x: float, y: float, img: QImage) -> None:
    """Draw ``img`` 1:1 at ``(x, y)`` in horizontal bands.

    PySide6 keeps the GIL during a QPainter call; one call blending a full-HD image holds
    it for several milliseconds. Frames render in a worker thread: where Qt can be called
    without the GIL (:mod:`mapdesk.render.nogil`) the image is drawn in one call; otherwise
    bands of ~120k pixels let the GUI thread run between them.
    """
    from mapdesk.render import nogil

    if nogil.available():
        nogil.draw_image(painter, x, y, img)
        return
    w, h = img.width(), img.height()
    band = max(1, BAND_PIXELS // max(w, 1))
    for top in range(0, h, band):
        bh = min(band, h - top)
        painter.drawImage(QRectF(x, y + top, w, bh), img, QRectF(0, top, w, bh))
