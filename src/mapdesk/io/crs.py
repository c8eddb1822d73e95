"""CRS helpers: parse a user-given CRS, describe one, and decide when WGS 84 may be assumed."""

from __future__ import annotations

from pyproj import CRS
from pyproj.exceptions import CRSError

from mapdesk.errors import LoadError

WGS84 = CRS.from_epsg(4326)

HOW_TO_GIVE_CRS = "give the coordinate system with --crs EPSG:xxxx (crs= in Python), e.g. --crs EPSG:32649 for UTM 49N"


def parse_crs(value) -> CRS:
    """A ``pyproj.CRS`` from ``EPSG:4326``, ``4326``, WKT, PROJ text or a CRS; ``LoadError`` if invalid."""
    if isinstance(value, CRS):
        return value
    try:
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            return CRS.from_epsg(int(value))
        return CRS.from_user_input(value)
    except CRSError as exc:
        raise LoadError(f"unknown coordinate system {value!r}: {exc}; use e.g. EPSG:4326") from None


def crs_label(crs) -> str:
    """Short human text for a CRS: ``EPSG:4326 (WGS 84)``, or its name when it has no code."""
    if crs is None:
        return ""
    crs = CRS.from_user_input(crs)
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def is_geographic(crs) -> bool:
    return crs is not None and CRS.from_user_input(crs).is_geographic
