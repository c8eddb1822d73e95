"""Patch the bundled OpenType fonts in memory so that Qt-made PDFs extract as written.

Qt's PDF engine writes an embedded font's ToUnicode map by asking the font engine, for every
code point from 0 upwards, which glyph it uses, and keeps the *first* code point per glyph.
Two things make that go wrong with Noto Sans CJK SC:

* A system copy of the font (Debian's ``fonts-noto-cjk``) under the same family name wins
  over the bundled one; its cmap also maps the Kangxi radicals and CJK radicals supplement
  (U+2E80-U+2FDF) to the ideographs' glyphs, so 大 extracts as ⼤ (U+2F24) and 门 as ⻔.
  The bundled subset has no such entries, so it is registered under its own family name
  (:data:`FAMILY_SUFFIX`), which guarantees that the bundled file is the one used.
* Qt's FreeType engine maps a tab to the space glyph when the font has no tab, and tab
  (U+0009) comes before space (U+0020): every space extracts as a tab. The patched cmap maps
  tab to the (blank) ideographic-space glyph instead, so the space glyph keeps U+0020.

Only the ``name`` and ``cmap`` tables change; the new tables are appended to the file and the
table directory points at them (glyphs, metrics and layout tables are untouched). The format
is the OpenType spec's (https://learn.microsoft.com/typography/opentype/spec/); no font
library is needed.
"""

from __future__ import annotations

import struct

import numpy as np

#: Appended to the bundled fonts' family name when registering them.
FAMILY_SUFFIX = " mapdesk"

_REPLACED_NAME_IDS = (1, 3, 4, 6, 16, 17)


class FontPatchError(ValueError):
    """The file is not an OpenType/TrueType font this module can patch."""


def _tables(data: bytes) -> dict[bytes, tuple[int, int, int]]:
    """``tag -> (directory record offset, table offset, table length)``."""
    if len(data) < 12 or data[:4] not in (b"OTTO", b"\x00\x01\x00\x00", b"true"):
        raise FontPatchError("not a single OpenType font")
    (n,) = struct.unpack_from(">H", data, 4)
    out = {}
    for i in range(n):
        rec = 12 + 16 * i
        tag, _, off, length = struct.unpack_from(">4sIII", data, rec)
        out[tag] = (rec, off, length)
    return out


def _checksum(table: bytes) -> int:
    padded = table + b"\0" * (-len(table) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def _read_format4(data: bytes, off: int) -> dict[int, int]:
    # numpy over every code point of every segment: ~20,000 in the bundled subset, a
    # Python loop over them cost ~15 ms of every start per font
    seg2 = struct.unpack_from(">H", data, off + 6)[0]
    segs = seg2 // 2
    ends = np.frombuffer(data, ">u2", segs, off + 14).astype(np.int64)
    starts = np.frombuffer(data, ">u2", segs, off + 16 + seg2).astype(np.int64)
    deltas = np.frombuffer(data, ">i2", segs, off + 16 + 2 * seg2).astype(np.int64)
    ro_base = off + 16 + 3 * seg2
    range_offsets = np.frombuffer(data, ">u2", segs, ro_base).astype(np.int64)
    keep = (starts != 0xFFFF) & (ends >= starts)
    seg = np.flatnonzero(keep)
    counts = ends[seg] - starts[seg] + 1
    which = np.repeat(seg, counts)  # the segment of each code point
    cps = starts[which] + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
    delta, ro = deltas[which], range_offsets[which]
    gids = (cps + delta) & 0xFFFF
    indexed = ro != 0
    if indexed.any():
        addr = ro_base + 2 * which[indexed] + ro[indexed] + 2 * (cps[indexed] - starts[which[indexed]])
        raw = np.frombuffer(data, np.uint8)
        glyph = (raw[addr].astype(np.int64) << 8) | raw[addr + 1]
        gids[indexed] = np.where(glyph != 0, (glyph + delta[indexed]) & 0xFFFF, 0)
    found = gids != 0
    return dict(zip(cps[found].tolist(), gids[found].tolist(), strict=True))


def _read_format12(data: bytes, off: int) -> dict[int, int]:
    (n,) = struct.unpack_from(">I", data, off + 12)
    groups = np.frombuffer(data, ">u4", 3 * n, off + 16).astype(np.int64).reshape(n, 3)
    first, last, gid0 = groups[:, 0], groups[:, 1], groups[:, 2]
    counts = np.maximum(last - first + 1, 0)
    step = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    cps = np.repeat(first, counts) + step
    gids = np.repeat(gid0, counts) + step
    return dict(zip(cps.tolist(), gids.tolist(), strict=True))


def _read_cmap(data: bytes, cmap_off: int) -> tuple[dict[int, int], list[tuple[int, int, int]]]:
    """The Unicode mapping (best subtable) and the encoding records ``(platform, encoding, offset)``."""
    _, n = struct.unpack_from(">HH", data, cmap_off)
    records = [struct.unpack_from(">HHI", data, cmap_off + 4 + 8 * i) for i in range(n)]
    best: dict[int, int] | None = None
    for plat, enc, sub in sorted(records, key=lambda r: (r[0], r[1]) not in ((3, 10), (0, 4))):
        if (plat, enc) not in ((3, 10), (0, 4), (3, 1), (0, 3)):
            continue
        fmt = struct.unpack_from(">H", data, cmap_off + sub)[0]
        try:
            if fmt == 12:
                best = _read_format12(data, cmap_off + sub)
            elif fmt == 4:
                best = _read_format4(data, cmap_off + sub)
        except (IndexError, ValueError) as exc:  # offsets or lengths beyond the file
            raise FontPatchError(f"damaged cmap subtable: {exc}") from exc
        if best is not None:
            break
    if best is None:
        raise FontPatchError("no Unicode cmap")
    return best, records


def _format12(mapping: dict[int, int]) -> bytes:
    cps = np.fromiter(mapping.keys(), np.int64, len(mapping))
    gids = np.fromiter(mapping.values(), np.int64, len(mapping))
    order = np.argsort(cps, kind="stable")
    cps, gids = cps[order], gids[order]
    # a group runs while code points are consecutive and glyph ids rise with them
    same = np.zeros(len(cps), bool)
    same[1:] = (np.diff(cps) == 1) & (np.diff(gids - cps) == 0)
    first = np.flatnonzero(~same)
    last = np.append(first[1:], len(cps)) - 1
    body = np.stack([cps[first], cps[last], gids[first]], axis=1).astype(">u4").tobytes()
    return struct.pack(">HHIII", 12, 0, 16 + len(body), 0, len(first)) + body


def _new_cmap(data: bytes, cmap_off: int, cmap_len: int) -> bytes:
    """The old cmap's subtables plus a (3, 10) format 12 subtable FreeType prefers."""
    mapping, records = _read_cmap(data, cmap_off)
    space = mapping.get(0x3000) or mapping.get(0x2003)
    if space and 0x0009 not in mapping:
        mapping[0x0009] = space
    sub12 = _format12(mapping)
    old = [(p, e, o) for p, e, o in records if (p, e) != (3, 10)]
    n = len(old) + 1
    header = 4 + 8 * n
    shift = header - (4 + 8 * len(records))
    old_body = data[cmap_off + 4 + 8 * len(records): cmap_off + cmap_len]
    new_off = header + len(old_body) + (-len(old_body) % 4)
    recs = [(p, e, o + shift) for p, e, o in old] + [(3, 10, new_off)]
    recs.sort(key=lambda r: (r[0], r[1]))
    out = struct.pack(">HH", 0, n) + b"".join(struct.pack(">HHI", *r) for r in recs)
    out += old_body + b"\0" * (-len(old_body) % 4) + sub12
    return out


def _new_name(data: bytes, name_off: int, family: str, bold: bool) -> bytes:
    fmt, n, storage = struct.unpack_from(">HHH", data, name_off)
    style = "Bold" if bold else "Regular"
    ps = family.replace(" ", "") + "-" + style
    new_strings = {1: family, 3: f"mapdesk;{ps}", 4: f"{family} {style}" if bold else family, 6: ps}
    records: list[tuple[int, int, int, int, bytes]] = []
    for i in range(n):
        plat, enc, lang, nid, length, off = struct.unpack_from(">HHHHHH", data, name_off + 6 + 12 * i)
        raw = data[name_off + storage + off: name_off + storage + off + length]
        if nid in _REPLACED_NAME_IDS:
            if nid not in new_strings or plat not in (1, 3):
                continue
            text = new_strings[nid]
            raw = text.encode("utf-16-be") if plat == 3 else text.encode("mac-roman", "replace")
        records.append((plat, enc, lang, nid, raw))
    records.sort(key=lambda r: r[:4])
    strings = b""
    packed = b""
    for plat, enc, lang, nid, raw in records:
        packed += struct.pack(">HHHHHH", plat, enc, lang, nid, len(raw), len(strings))
        strings += raw
    return struct.pack(">HHH", 0, len(records), 6 + 12 * len(records)) + packed + strings


def patched_font(data: bytes, family: str, bold: bool = False) -> bytes:
    """``data`` (an OpenType font file) with its family renamed to ``family`` and the cmap
    fixed for PDF text extraction (see the module docstring)."""
    tables = _tables(data)
    if b"cmap" not in tables or b"name" not in tables:
        raise FontPatchError("font has no cmap or name table")
    out = bytearray(data)
    for tag, build in ((b"cmap", lambda o, n: _new_cmap(data, o, n)),
                       (b"name", lambda o, n: _new_name(data, o, family, bold))):
        rec, off, length = tables[tag]
        table = build(off, length)
        out += b"\0" * (-len(out) % 4)
        new_off = len(out)
        out += table
        struct.pack_into(">4sIII", out, rec, tag, _checksum(table), new_off, len(table))
    out += b"\0" * (-len(out) % 4)
    return bytes(out)
