import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QRawFont

from mapdesk.render.fonts import FAMILY, ensure_fonts, ui_font
from mapdesk.render.qtarrays import qimage_to_rgba

TEXT = "古树保护"


def test_bundled_family_is_registered_and_has_cjk_glyphs():
    assert ensure_fonts() == FAMILY
    font = ui_font(12)
    assert font.family() == FAMILY
    raw = QRawFont.fromFont(font)
    assert raw.isValid()
    assert all(raw.supportsCharacter(ch) for ch in TEXT)
    assert all(i != 0 for i in raw.glyphIndexesForString(TEXT))


def test_chinese_text_really_renders():
    img = QImage(200, 60, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(QColor("white"))
    p = QPainter(img)
    font = ui_font(20)
    font.setPixelSize(32)
    p.setFont(font)
    p.setPen(QColor("black"))
    fm = QFontMetricsF(font)
    p.drawText(QPointF(10, 10 + fm.ascent()), TEXT)
    p.end()
    a = qimage_to_rgba(img)[:, :, :3].astype(int)
    dark = (a.sum(axis=2) < 300)
    w = fm.horizontalAdvance(TEXT)
    assert w > 100  # four full-width glyphs, not tofu of zero width
    box = dark[10:10 + int(fm.height()), 10:10 + int(w)]
    # every glyph cell has ink
    cells = np.array_split(box, 4, axis=1)
    assert all(c.sum() > 30 for c in cells)
    assert Qt.AlignmentFlag.AlignLeft  # keep Qt import used
