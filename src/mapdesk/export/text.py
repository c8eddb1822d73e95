"""Fonts for page text and the check for characters the bundled font cannot draw.

A fresh machine has no CJK font, so every page is set in the bundled Noto Sans CJK SC subset
(registered by :func:`mapdesk.render.fonts.ensure_fonts`). Characters outside that subset
would fall back to whatever the system has — usually nothing, i.e. empty boxes — so the
layout collects them and the writers report them as a warning instead of failing silently.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QRawFont,
    QTextLayout,
    QTextOption,
)

from mapdesk.render.fonts import ensure_fonts

_raw_cache: dict[bool, QRawFont] = {}


def page_font(size_pt: float, bold: bool = False) -> QFont:
    """The bundled CJK family at ``size_pt`` points; sizes scale with the device's DPI."""
    font = QFont(ensure_fonts())
    font.setPointSizeF(float(size_pt))
    font.setBold(bold)
    # Kerning and hinting differ between PDF and raster devices; no hinting keeps the text
    # the same width everywhere so what fits in the preview fits on paper.
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    # Noto CJK's 'locl' substitutes digits (after Latin text) and some hanzi with glyphs that
    # have no cmap entry: Qt's PDF engine then writes no ToUnicode for them and the text
    # extracts as garbage ("2026" -> control characters, 车 -> ⻋). The SC defaults are what
    # we want anyway.
    font.setFeature(QFont.Tag("locl"), 0)
    return font


def _raw(bold: bool) -> QRawFont:
    if bold not in _raw_cache:
        _raw_cache[bold] = QRawFont.fromFont(page_font(12, bold))
    return _raw_cache[bold]


def missing_characters(texts: Iterable[str], bold: bool = False) -> list[str]:
    """Characters of ``texts`` the bundled font has no glyph for (sorted, unique).

    Whitespace and control characters are ignored.
    """
    raw = _raw(bold)
    seen: set[str] = set()
    for text in texts:
        for ch in text or "":
            if ch in seen or ch.isspace() or not ch.isprintable():
                continue
            seen.add(ch)
    return sorted(ch for ch in seen if not raw.supportsCharacter(ord(ch)))


def missing_warning(chars: list[str]) -> str | None:
    """A one-line warning naming ``chars`` (``None`` when the list is empty)."""
    if not chars:
        return None
    listed = " ".join(f"{c} (U+{ord(c):04X})" for c in chars[:20])
    more = f" and {len(chars) - 20} more" if len(chars) > 20 else ""
    return (f"{len(chars)} character(s) are not in the bundled font and may print as empty "
            f"boxes: {listed}{more}")


def _wants_paths(painter: QPainter) -> bool:
    # An SVG names its fonts; a viewer on a machine without Noto Sans CJK would substitute
    # boxes for Chinese. Glyph outlines draw everywhere, so SVG text is written as paths.
    from PySide6.QtSvg import QSvgGenerator

    return isinstance(painter.device(), QSvgGenerator)


def draw_text(painter: QPainter, rect: QRectF, flags: int, text: str) -> None:
    """``painter.drawText(rect, flags, text)``, or the same text as filled glyph outlines on
    devices that cannot be trusted to have the font (SVG)."""
    if not text:
        return
    if not _wants_paths(painter):
        painter.drawText(rect, flags, text)
        return
    font = painter.font()
    fm = QFontMetricsF(font, painter.device())
    wrap = bool(flags & int(Qt.TextFlag.TextWordWrap))
    lines: list[tuple[float, list]] = []  # (width, glyph runs)
    for para in text.split("\n"):
        layout = QTextLayout(para, font, painter.device())
        opt = QTextOption()
        opt.setWrapMode(QTextOption.WrapMode.WordWrap if wrap else QTextOption.WrapMode.NoWrap)
        layout.setTextOption(opt)
        layout.beginLayout()
        y = 0.0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(rect.width() if wrap else 1e6)
            line.setPosition(QPointF(0, y))
            y += line.height()
        layout.endLayout()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            lines.append((line.naturalTextWidth(), line.glyphRuns(), line.y(), line.ascent()))
        if not para:
            lines.append((0.0, [], 0.0, fm.ascent()))
    line_h = fm.lineSpacing()
    total_h = line_h * len(lines)
    if flags & int(Qt.AlignmentFlag.AlignBottom):
        top = rect.bottom() - total_h
    elif flags & int(Qt.AlignmentFlag.AlignVCenter):
        top = rect.top() + (rect.height() - total_h) / 2
    else:
        top = rect.top()
    path = QPainterPath()
    for n, (width, runs, line_y, _ascent) in enumerate(lines):
        if flags & int(Qt.AlignmentFlag.AlignRight):
            left = rect.right() - width
        elif flags & int(Qt.AlignmentFlag.AlignHCenter):
            left = rect.left() + (rect.width() - width) / 2
        else:
            left = rect.left()
        base_y = top + n * line_h
        for run in runs:
            raw = run.rawFont()
            for gid, pos in zip(run.glyphIndexes(), run.positions(), strict=False):
                # positions are in paragraph coordinates, y on the baseline
                path.addPath(raw.pathForGlyph(gid).translated(left + pos.x(), base_y + pos.y() - line_y))
    painter.save()
    painter.setBrush(painter.pen().color())
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawPath(path)
    painter.restore()
