"""Paper sizes (ISO 216 and US Letter) in millimetres, and their Qt page sizes."""

from __future__ import annotations

from PySide6.QtGui import QPageSize

from mapdesk.errors import ExportError

#: Portrait width x height in millimetres.
PAPER_MM: dict[str, tuple[float, float]] = {
    "A4": (210.0, 297.0),
    "A3": (297.0, 420.0),
    "A2": (420.0, 594.0),
    "Letter": (215.9, 279.4),
}

_QT_IDS = {"A4": QPageSize.PageSizeId.A4, "A3": QPageSize.PageSizeId.A3,
           "A2": QPageSize.PageSizeId.A2, "Letter": QPageSize.PageSizeId.Letter}


def normalise_paper(name: str) -> str:
    """``"a4"`` → ``"A4"``; raise :class:`ExportError` for an unknown paper name."""
    for key in PAPER_MM:
        if key.lower() == str(name).strip().lower():
            return key
    raise ExportError(f"unknown paper size {name!r}: choose one of {', '.join(PAPER_MM)}")


def page_size_mm(paper: str, landscape: bool) -> tuple[float, float]:
    """Width and height of the sheet in millimetres as it will be printed."""
    w, h = PAPER_MM[normalise_paper(paper)]
    return (h, w) if landscape else (w, h)


def qt_page_size(paper: str) -> QPageSize:
    return QPageSize(_QT_IDS[normalise_paper(paper)])
