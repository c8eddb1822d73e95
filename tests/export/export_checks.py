"""Shared checks for export tests: PDF pages to images, pixel counts, the web page probe."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def qimage_to_array(img) -> np.ndarray:
    from PySide6.QtGui import QImage

    img = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=bpl * h).reshape(h, bpl)
    return buf[:, : w * 3].reshape(h, w, 3).copy()


def load_png(path: Path) -> np.ndarray:
    from PySide6.QtGui import QImage

    img = QImage(str(path))
    assert not img.isNull(), f"cannot read {path}"
    return qimage_to_array(img)


def pdf_page_png(pdf: Path, out_dir: Path, dpi: int = 50, page: int = 1) -> np.ndarray:
    """Rasterise one PDF page with poppler's pdftoppm (the test skips without it)."""
    import pytest

    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    prefix = out_dir / f"{pdf.stem}-p{page}"
    subprocess.run([exe, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(prefix)], check=True, capture_output=True, timeout=60)
    return load_png(prefix.with_suffix(".png"))


def non_white_fraction(arr: np.ndarray, box: tuple[float, float, float, float]) -> float:
    """Fraction of non-white pixels in ``box`` given as fractions (x0, y0, x1, y1) of the image."""
    h, w, _ = arr.shape
    x0, y0, x1, y1 = int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)
    sub = arr[y0:y1, x0:x1].astype(int)
    return float((sub.sum(axis=2) < 3 * 245).mean())


def open_in_webengine(html: Path, wait_s: float = 40.0) -> dict:
    """Open ``html`` in QtWebEngine offscreen (a separate process) and return its report."""
    import pytest

    try:
        import PySide6.QtWebEngineCore  # noqa: F401
    except ImportError:
        pytest.skip("QtWebEngine (PySide6-Addons) is not installed")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1")
    res = subprocess.run([sys.executable, str(HERE / "webcheck.py"), str(html), str(wait_s)],
                         capture_output=True, text=True, timeout=wait_s + 60, env=env)
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout.strip().splitlines()[-1])
