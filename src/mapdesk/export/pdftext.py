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


#: CJK Radicals Supplement -> the unified ideograph it looks like (Unicode's
#: EquivalentUnifiedIdeograph for the radicals Noto Sans CJK SC draws).
_SUPPLEMENT = ("2E82乛2E83乚2E85亻2E89刂2E8F尣2E90尢2E92巳2E93幺2E94彑2E95彐2E96忄2E98扌2E99攵2E9B旡2E9E歺"
               "2E9F母2EA0民2EA1氵2EA3灬2EA4爫2EA6丬2EA8犭2EAD礻2EAF糹2EB0纟2EB1罓2EB9耂2EBA肀2EBE艹2EC2衤"
               "2EC5见2EC6角2EC8讠2EC9贝2ECB车2ECC辶2ED0钅2ED1長2ED2镸2ED3长2ED4门2ED6阝2ED8青2ED9韦2EDA页"
               "2EDB风2EDC飞2EDD食2EDF飠2EE0饣2EE2马2EE3骨2EE4鬼2EE5鱼2EE6鸟2EE7卤2EE8麦2EE9黄2EEA黾2EEB斉"
               "2EEC齐2EEE齿2EEF竜2EF0龙2EF1龜2EF2亀2EF3龟")


@functools.cache
def _radical_map() -> dict[int, str]:
    """Radical code point -> the unified ideograph (Kangxi radicals decompose under NFKC)."""
    import unicodedata

    out = {int(m.group(1), 16): m.group(2) for m in re.finditer(r"([0-9A-F]{4})(.)", _SUPPLEMENT)}
    for cp in range(0x2F00, 0x2FD6):
        norm = unicodedata.normalize("NFKC", chr(cp))
        if norm != chr(cp):
            out[cp] = norm
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
            # Identify streams by object number: id() of pypdf's wrappers can be reused.
            key = getattr(tu, "idnum", None)
            stream = tu.get_object()
            if key is not None and key in done:
                continue
            if key is not None:
                done.add(key)
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
