"""The bundled fonts' cmap patch (numpy) keeps every mapping and rejects damaged files."""

from __future__ import annotations

import struct

import pytest

from mapdesk.render import fontfile
from mapdesk.render.fonts import FAMILY, FONT_DIR

REGULAR = FONT_DIR / "NotoSansSC-mapdesk-Regular.otf"


def _subtables(data: bytes) -> dict[int, dict[int, int]]:
    """format -> mapping of every (3, 1)/(3, 10) subtable."""
    off = fontfile._tables(data)[b"cmap"][1]
    _, n = struct.unpack_from(">HH", data, off)
    out = {}
    for i in range(n):
        plat, enc, sub = struct.unpack_from(">HHI", data, off + 4 + 8 * i)
        fmt = struct.unpack_from(">H", data, off + sub)[0]
        if plat == 3 and fmt == 4:
            out[4] = fontfile._read_format4(data, off + sub)
        elif plat == 3 and fmt == 12:
            out[12] = fontfile._read_format12(data, off + sub)
    return out


@pytest.mark.skipif(not REGULAR.exists(), reason="bundled font absent")
def test_patched_cmap_keeps_every_code_point_and_maps_tab_to_a_blank():
    data = REGULAR.read_bytes()
    before = _subtables(data)[4]
    assert before[ord("大")] and before[ord("A")] and 0x0009 not in before
    after = _subtables(fontfile.patched_font(data, FAMILY))
    expected = dict(before)
    expected[0x0009] = before[0x3000]  # the ideographic space's (blank) glyph
    assert after[12] == expected
    assert after[4] == before  # the old subtable is kept as it was
    # a handful of known mappings, spelled out
    assert after[12][ord(" ")] == before[ord(" ")] != expected[0x0009]


@pytest.mark.skipif(not REGULAR.exists(), reason="bundled font absent")
@pytest.mark.parametrize("extra", [40, 400, 4000])
def test_a_truncated_font_is_a_patch_error_not_a_crash(extra):
    data = REGULAR.read_bytes()
    cut = fontfile._tables(data)[b"cmap"][1] + extra
    with pytest.raises((fontfile.FontPatchError, struct.error)):
        fontfile.patched_font(data[:cut], FAMILY)
