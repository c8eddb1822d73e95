"""Helpers for the tree-registry PDF tests (not a conftest: other helpers own that name here)."""

from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from mapdesk.io import load_layer
from mapdesk.io.schema import to_canonical

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


@functools.cache
def load_sample_registry():
    """The 400 synthetic sample trees with canonical column names (a GeoDataFrame, WGS 84)."""
    loaded = load_layer(str(SAMPLE / "trees.csv"))
    return to_canonical(loaded.frame, loaded.field_map)


# Simplified hanzi whose glyph Qt's PDF engine may map back to a CJK radical-supplement code
# point (no NFKC decomposition); mapdesk.export.pdftext (export helper) repairs the files.
_RADICALS = str.maketrans({"⻚": "页", "⻋": "车", "⻓": "长", "⻔": "门", "⻛": "风", "⻜": "飞",
                           "⻢": "马", "⻅": "见", "⻉": "贝", "⻘": "青", "⻥": "鱼", "⻦": "鸟"})


def norm(text: str) -> str:
    """NFKC plus the radical repair: compare PDF text and expected text with this."""
    return unicodedata.normalize("NFKC", text).translate(_RADICALS)


def pdf_pages_text(path: Path) -> list[str]:
    """Text of every page, normalised with :func:`norm` (Qt may write ⽊ for 木, ⻚ for 页)."""
    import pypdf

    reader = pypdf.PdfReader(str(path))
    return [norm(p.extract_text() or "") for p in reader.pages]


def squash(text: str) -> str:
    """Text without whitespace (extracted words are split by tabs and newlines)."""
    return "".join(text.split())


def render_page(path: Path, page: int, dpi: int = 50) -> np.ndarray:
    """Page ``page`` (1-based) as an RGB array via ``pdftoppm`` (skips the test without it)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.skip("pdftoppm is not installed")
    out = subprocess.run([exe, "-r", str(dpi), "-f", str(page), "-l", str(page), str(path)],
                         capture_output=True, check=True).stdout
    # binary PPM: "P6\n<w> <h>\n255\n" then RGB bytes
    parts = out.split(b"\n", 3)
    w, h = (int(v) for v in parts[1].split())
    return np.frombuffer(parts[3][: w * h * 3], dtype=np.uint8).reshape(h, w, 3)
