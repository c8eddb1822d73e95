"""Shared pieces of the tree-registry PDFs (the per-tree record and the census work list).

A4 pages drawn with QtGui on a ``QPdfWriter``: positions are given in millimetres and
converted with the writer's resolution, fonts are the bundled CJK family (so Chinese text
prints on a machine without CJK fonts) and text stays text (selectable, searchable).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from mapdesk.errors import ExportError
from mapdesk.render.fonts import ensure_fonts, ensure_qt_app

PAGE_W_MM = 210.0
PAGE_H_MM = 297.0
MARGIN_MM = 14.0
DPI = 300
FOOTER_H_MM = 11.0

#: Markers in a registry's own text that say its records are invented.
_SYNTHETIC_MARKERS = ("synthetic", "合成示例", "虚构", "模拟数据")


def is_zh(lang: str) -> bool:
    return str(lang).lower().startswith("zh")


def check_lang(lang: str) -> str:
    """``zh_CN``/``zh``/``en`` -> ``"zh"`` or ``"en"`` (the domain functions' codes)."""
    low = str(lang or "").lower().replace("-", "_")
    if low.startswith("zh"):
        return "zh"
    if low.startswith("en"):
        return "en"
    raise ExportError(f"unknown language {lang!r}: use zh_CN or en")


def page_font(size_pt: float, bold: bool = False, italic: bool = False) -> QFont:
    """The bundled CJK family at ``size_pt`` points (scaled by the device's resolution)."""
    font = QFont(ensure_fonts())
    font.setPointSizeF(float(size_pt))
    font.setBold(bold)
    font.setItalic(italic)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    # Noto CJK's 'locl' feature swaps some digits/hanzi for glyphs without a cmap entry, which
    # Qt's PDF engine then writes without ToUnicode: the text would not extract or search.
    font.setFeature(QFont.Tag("locl"), 0)
    return font


def registry_is_synthetic(frame: pd.DataFrame | None, project: Any = None) -> bool:
    """True when the registry (a text column such as 数据说明) or the project says its data are invented."""
    if project is not None and getattr(project, "is_synthetic", False):
        return True
    if frame is None or len(frame) == 0:
        return False
    head = frame.head(50)
    for col in head.columns:
        if col == "geometry":
            continue
        s = head[col]
        if not (pd.api.types.is_string_dtype(s.dtype) or pd.api.types.is_object_dtype(s.dtype)):
            continue
        text = " ".join(str(v) for v in s.dropna().astype(str).unique()[:20]).lower()
        if any(m in text for m in _SYNTHETIC_MARKERS):
            return True
    return False


def synthetic_note(lang: str) -> str:
    if is_zh(lang):
        return "合成示例数据（虚构，非真实记录） · SYNTHETIC sample data — not real records"
    return "SYNTHETIC sample data — invented records, not real · 合成示例数据（虚构）"


class PdfPages:
    """An A4 portrait PDF being drawn: ``mm()`` converts, ``new_page()`` starts the next page."""

    def __init__(self, path: Path, title: str) -> None:
        ensure_qt_app()
        ensure_fonts()
        self.writer = QPdfWriter(str(path))
        self.writer.setTitle(title)
        self.writer.setCreator("mapdesk")
        self.writer.setResolution(DPI)
        self.writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                              QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
        self.painter = QPainter()
        if not self.painter.begin(self.writer):
            raise ExportError(f"cannot write {path}: the PDF writer did not start")
        self.painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.pages = 1

    @property
    def k(self) -> float:
        """Device pixels per millimetre."""
        return DPI / 25.4

    def mm(self, v: float) -> float:
        return v * self.k

    def rect(self, x_mm: float, y_mm: float, w_mm: float, h_mm: float) -> QRectF:
        return QRectF(self.mm(x_mm), self.mm(y_mm), self.mm(w_mm), self.mm(h_mm))

    def new_page(self) -> None:
        if not self.writer.newPage():
            raise ExportError("the PDF writer could not start a new page (disk full?)")
        self.pages += 1

    def end(self) -> None:
        if self.painter.isActive():
            self.painter.end()

    # ---- text ------------------------------------------------------------------------------
    def text_height_mm(self, text: str, font: QFont, w_mm: float) -> float:
        """Height of ``text`` wrapped into ``w_mm``."""
        p = self.painter
        p.setFont(font)
        br = p.boundingRect(QRectF(0, 0, self.mm(w_mm), 1e7),
                            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                            | int(Qt.TextFlag.TextWordWrap), text or " ")
        return br.height() / self.k

    def text_width_mm(self, text: str, font: QFont) -> float:
        p = self.painter
        p.setFont(font)
        return p.boundingRect(QRectF(0, 0, 1e7, 1e7), int(Qt.AlignmentFlag.AlignLeft), text or " ").width() / self.k

    def draw_text(self, x_mm: float, y_mm: float, w_mm: float, h_mm: float, text: str, font: QFont,
                  color: str = "#222222", align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
                  wrap: bool = True) -> float:
        """Draw ``text`` into a box (top-aligned, wrapped); returns the height it used in mm."""
        p = self.painter
        p.setFont(font)
        p.setPen(QColor(color))
        flags = int(align | Qt.AlignmentFlag.AlignTop) | (int(Qt.TextFlag.TextWordWrap) if wrap else 0)
        used = p.boundingRect(self.rect(x_mm, y_mm, w_mm, h_mm), flags, text or " ")
        p.drawText(self.rect(x_mm, y_mm, w_mm, h_mm), flags, text)
        return used.height() / self.k

    def fit_text(self, text: str, font: QFont, w_mm: float) -> str:
        """``text`` shortened with an ellipsis to fit one line of ``w_mm``."""
        from PySide6.QtGui import QFontMetricsF

        fm = QFontMetricsF(font, self.writer)
        return fm.elidedText(text, Qt.TextElideMode.ElideRight, self.mm(w_mm))

    def hline(self, x_mm: float, y_mm: float, w_mm: float, color: str = "#999999", width_mm: float = 0.2) -> None:
        p = self.painter
        p.setPen(QPen(QColor(color), self.mm(width_mm)))
        p.drawLine(self.rect(x_mm, y_mm, w_mm, 0).topLeft(), self.rect(x_mm, y_mm, w_mm, 0).topRight())

    def fill(self, x_mm: float, y_mm: float, w_mm: float, h_mm: float, color: str) -> None:
        self.painter.fillRect(self.rect(x_mm, y_mm, w_mm, h_mm), QColor(color))

    def footer(self, page: int, total: int, left: str, synthetic: bool, lang: str) -> None:
        """Date/source at the left, "page i of n" at the right, the synthetic note below."""
        y = PAGE_H_MM - MARGIN_MM - FOOTER_H_MM + 2
        w = PAGE_W_MM - 2 * MARGIN_MM
        self.hline(MARGIN_MM, y - 1.2, w, "#bbbbbb", 0.15)
        f = page_font(7.5)
        pg = f"第 {page} 页，共 {total} 页" if is_zh(lang) else f"page {page} of {total}"
        pw = self.text_width_mm(pg, f) + 1
        self.draw_text(MARGIN_MM, y, w - pw - 4, 4, self.fit_text(left, f, w - pw - 4), f, "#555555", wrap=False)
        self.draw_text(MARGIN_MM + w - pw, y, pw, 4, pg, f, "#555555", Qt.AlignmentFlag.AlignRight, wrap=False)
        if synthetic:
            fb = page_font(7.5, bold=True)
            self.draw_text(MARGIN_MM, y + 4, w, 4, synthetic_note(lang), fb, "#b2182b", wrap=False)


def today_text() -> str:
    return _dt.date.today().isoformat()


@contextmanager
def pdf_document(path: Path, title: str) -> Iterator[PdfPages]:
    """Open a :class:`PdfPages` on ``path`` (a temporary file of ``atomic_path``) and finish it.

    After the painter ends, the ToUnicode maps are repaired
    (:func:`mapdesk.export.pdftext.fix_to_unicode`), so CJK text extracts as written.
    """
    doc = PdfPages(path, title)
    try:
        yield doc
    finally:
        doc.end()
        del doc.painter
        del doc.writer
    from mapdesk.export.pdftext import fix_to_unicode

    fix_to_unicode(path)
