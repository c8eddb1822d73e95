"""Text-encoding detection for files that do not declare one (CSV, a Shapefile without .cpg).

Order of belief: a BOM; valid UTF-8; GB18030 when the high bytes pair up the way GBK
Chinese text does; otherwise cp1252 (Western European, the usual "one odd byte" case).
"""

from __future__ import annotations

import codecs
import re

CANDIDATES = ("utf-8", "utf-8-sig", "gb18030", "gbk", "cp1252", "latin-1")

# A GBK double-byte character of GB2312's common range: lead 0xB0-0xF7, trail 0xA1-0xFE.
_GB_PAIR = re.compile(rb"[\xb0-\xf7][\xa1-\xfe]")
_HIGH = re.compile(rb"[\x80-\xff]")


def normalize_encoding(name: str) -> str:
    """Return Python's canonical codec name for ``name``; raise ``LookupError`` if unknown."""
    return codecs.lookup(name).name


def detect_encoding(data: bytes) -> str:
    """Guess the text encoding of ``data``.

    Returns one of ``utf-8-sig``, ``utf-8``, ``gb18030``, ``cp1252``. ASCII-only data is
    reported as ``utf-8``.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A truncated sample may cut a multi-byte character at its end.
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    high = len(_HIGH.findall(data))
    pairs = len(_GB_PAIR.findall(data))
    if high and 2 * pairs >= 0.8 * high:
        try:
            data.decode("gb18030")
            return "gb18030"
        except UnicodeDecodeError:
            pass
    return "cp1252"


def is_utf8(name: str | None) -> bool:
    return name is not None and normalize_encoding(name) in ("utf-8", "utf-8-sig")
