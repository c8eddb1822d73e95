"""Make the text of Qt-made PDFs extract as what was written.

Qt's PDF engine writes each embedded font's ToUnicode map by asking, for every code point from
0 upwards, which glyph the font would use, and keeps the *first* code point per glyph. The
font engine maps CJK radicals (U+2E80–U+2FDF) to the glyph of the ideograph they look like, and
tab to the space glyph, so 车 extracts as ⻋ (U+2ECB), 日 as ⽇ (U+2F47) and every space as a
tab; ligature glyphs extract as U+FB01 … instead of their letters. :func:`fix_to_unicode`
rewrites those entries of the ToUnicode maps (only those) so that copying text from the PDF
and searching it work. Uses pypdf when installed; without it the PDF is left as Qt wrote it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

_LIGATURES = {0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "st", 0xFB06: "st"}
_ARRAY = re.compile(r"\[([^\]]*)\]")
_BFCHAR = re.compile(r"beginbfchar(.*?)endbfchar", re.DOTALL)
_HEX = re.compile(r"<([0-9A-Fa-f]{4})>")


@functools.cache
def _radical_map() -> dict[int, str]:
    """Radical code point -> the unified ideograph the bundled font draws for it."""
    from PySide6.QtGui import QRawFont

    from mapdesk.export.text import page_font

    raw = QRawFont.fromFont(page_font(12))
    unified = [chr(c) for c in range(0x4E00, 0xA000)]
    gids = raw.glyphIndexesForString("".join(unified))
    by_gid: dict[int, str] = {}
    for ch, g in zip(unified, gids, strict=False):
        if g and g not in by_gid:
            by_gid[g] = ch
    radicals = [chr(c) for c in range(0x2E80, 0x2FE0)]
    out = {}
    for ch, g in zip(radicals, raw.glyphIndexesForString("".join(radicals)), strict=False):
        if g and g in by_gid:
            out[ord(ch)] = by_gid[g]
    return out


def _dest(cp: int, radicals: dict[int, str]) -> str | None:
    if cp == 0x0009:
        text = " "
    elif cp in _LIGATURES:
        text = _LIGATURES[cp]
    elif cp in radicals:
        text = radicals[cp]
    else:
        return None
    return "<" + "".join(f"{ord(c):04X}" for c in text) + ">"


def _fix_cmap(text: str, radicals: dict[int, str]) -> str:
    def fix_tokens(seg: str) -> str:
        return _HEX.sub(lambda m: _dest(int(m.group(1), 16), radicals) or m.group(0), seg)

    text = _ARRAY.sub(lambda m: "[" + fix_tokens(m.group(1)) + "]", text)

    def bfchar(m: re.Match) -> str:
        lines = []
        for line in m.group(1).split("\n"):
            toks = _HEX.findall(line)
            if len(toks) == 2:
                new = _dest(int(toks[1], 16), radicals)
                if new:
                    line = f"<{toks[0]}> {new}"
            lines.append(line)
        return "beginbfchar" + "\n".join(lines) + "endbfchar"

    return _BFCHAR.sub(bfchar, text)


def fix_to_unicode(path: str | Path) -> bool:
    """Rewrite the ToUnicode maps of the PDF at ``path`` in place; True if anything changed."""
    try:
        from pypdf import PdfWriter
    except ImportError:
        return False
    path = Path(path)
    radicals = _radical_map()
    writer = PdfWriter(clone_from=str(path))
    changed = False
    done: set[int] = set()
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            tu = font.get("/ToUnicode")
            if tu is None:
                continue
            stream = tu.get_object()
            if id(stream) in done:
                continue
            done.add(id(stream))
            old = stream.get_data().decode("latin-1")
            new = _fix_cmap(old, radicals)
            if new != old:
                stream.set_data(new.encode("latin-1"))
                changed = True
    if changed:
        tmp = path.with_name(path.name + ".fix")
        try:
            with open(tmp, "wb") as fh:
                writer.write(fh)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
    return changed
