"""GIL-free QPainter calls: same pixels as PySide's, and the GIL really is released."""

from __future__ import annotations

import sys
import threading
import time

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage, QPainter

from mapdesk.render import nogil
from mapdesk.render.fonts import ensure_qt_app
from mapdesk.render.qtarrays import path_from_rings, qimage_to_rgba


def _hexes(n: int, size: int) -> tuple:
    rng = np.random.default_rng(3)
    cx, cy = rng.uniform(0, size, n), rng.uniform(0, size, n)
    a = np.radians(np.arange(7) * 60)
    x = (cx[:, None] + 9 * np.cos(a)).ravel()
    y = (cy[:, None] + 7 * np.sin(a)).ravel()
    return path_from_rings(x, y, np.arange(0, 7 * n + 1, 7))


def _draw(fn, size=200) -> np.ndarray:
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(0)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setBrush(QColor(200, 30, 30))
    p.setPen(QColor(0, 0, 0))
    fn(p)
    p.end()
    return qimage_to_rgba(img)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ctypes symbols checked on Linux")
def test_available_on_linux():
    ensure_qt_app()
    assert nogil.available()


def test_same_pixels_as_pyside():
    ensure_qt_app()
    path = _hexes(300, 200)
    assert np.array_equal(_draw(lambda p: nogil.draw_path(p, path)), _draw(lambda p: p.drawPath(path)))
    src = QImage(50, 40, QImage.Format.Format_ARGB32_Premultiplied)
    src.fill(QColor(10, 120, 200, 128))
    from PySide6.QtCore import QPointF

    a = _draw(lambda p: nogil.draw_image(p, 17.0, 33.0, src))
    b = _draw(lambda p: p.drawImage(QPointF(17.0, 33.0), src))
    assert np.array_equal(a, b) and a[40, 20, 3] > 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ctypes symbols checked on Linux")
def test_gil_is_released_while_qt_paints():
    """Another Python thread runs in the middle of fills: it could not if the calls held the
    GIL (it needs the GIL to take a timestamp). The other thread may also run just before a
    call starts or after it ends, or get no CPU on a busy machine: several calls are made
    and three must have a timestamp in their middle half."""
    ensure_qt_app()
    path = _hexes(3000, 600)
    img = QImage(600, 600, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(0)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setBrush(QColor(200, 30, 30))
    ring = np.zeros(1 << 20)          # the other thread's latest timestamps
    done = threading.Event()

    def spin():
        i, mask, clock = 0, (1 << 20) - 1, time.perf_counter
        while not done.is_set():
            ring[i & mask] = clock()
            i += 1

    old = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    th = threading.Thread(target=spin)
    hits = 0
    try:
        th.start()
        for _ in range(40):
            t0 = time.perf_counter()
            nogil.draw_path(p, path)
            t1 = time.perf_counter()
            q = (t1 - t0) / 4
            seen = ring.copy()
            hits += bool(np.any((seen > t0 + q) & (seen < t1 - q)))
            if hits >= 3:
                break
    finally:
        done.set()
        th.join()
        sys.setswitchinterval(old)
        p.end()
    assert hits >= 3
