"""Finding coordinate columns in tables and checking coordinate values.

Checks catch what real files do: axes swapped (lat, lon), values out of range, missing
values, numbers mangled by thousands separators ("461.993.881" for 46.1993881), and
projected coordinates in a file that says nothing about its CRS.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import shapely

from mapdesk.errors import LoadError
from mapdesk.io.crs import HOW_TO_GIVE_CRS
from mapdesk.io.report import LoadReport

LON_NAMES = ("lon", "lng", "long", "longitude", "x", "经度", "xcoord", "x_coord", "point_x", "lon_wgs84", "gps_lon")
LAT_NAMES = ("lat", "latitude", "y", "纬度", "ycoord", "y_coord", "point_y", "lat_wgs84", "gps_lat")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape", "location", "geo_point", "position")
_WKT_RE = re.compile(r"^\s*(SRID=\d+;\s*)?(MULTI)?(POINT|LINESTRING|POLYGON)|^\s*GEOMETRYCOLLECTION", re.I)
_PAIR_RE = re.compile(r"^\s*\(?\s*[-+]?\d+(\.\d+)?\s*,\s*[-+]?\d+(\.\d+)?\s*\)?\s*$")
_MANGLED_RE = re.compile(r"^\s*[-+]?\d{1,3}(\.\d{3}){2,}\s*$")
_COMMA_DECIMAL_RE = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-()（）/.,:]+", "", str(name)).lower()


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[^0-9a-z\u4e00-\u9fff]+", str(name).lower()) if t]


def find_xy_columns(columns) -> tuple[str, str] | None:
    """Return ``(x_column, y_column)`` found by name (English/Chinese), or ``None``.

    Exact (normalised) names win; then a name whose words include an alias, which finds
    headers such as ``"Coords, Lat"`` / ``"Coords, Long"``.
    """
    cols = [c for c in columns if c != "geometry"]

    def pick(names: tuple[str, ...]) -> str | None:
        wanted = [_norm(n) for n in names]
        for w in wanted:  # alias order is preference order
            for c in cols:
                if _norm(c) == w:
                    return c
        for c in cols:
            toks = _tokens(c)
            if any(n in toks for n in names if len(n) > 1) or any(n in str(c) for n in ("经度", "纬度") if n in names):
                return c
        return None

    x, y = pick(LON_NAMES), pick(LAT_NAMES)
    if x is None or y is None or x == y:
        return None
    return x, y


def _sample(series: pd.Series, n: int = 200) -> pd.Series:
    s = series.dropna()
    return s.iloc[:n]


def looks_like_wkt(series: pd.Series) -> bool:
    s = _sample(series)
    if s.empty or s.dtype.kind in "fiub":
        return False
    s = s.astype(str)
    return bool(s.str.match(_WKT_RE).mean() >= 0.8)


def looks_like_pair(series: pd.Series) -> bool:
    s = _sample(series)
    if s.empty or s.dtype.kind in "fiub":
        return False
    s = s.astype(str)
    return bool(s.str.match(_PAIR_RE).mean() >= 0.8)


def find_wkt_column(frame: pd.DataFrame) -> str | None:
    """A column holding WKT geometries: by name first, then by content."""
    by_name = [c for c in frame.columns if _norm(c) in WKT_NAMES]
    rest = [c for c in frame.columns if c not in by_name]
    for c in by_name + rest:
        if looks_like_wkt(frame[c]):
            return c
    return None


def find_pair_column(frame: pd.DataFrame) -> str | None:
    """A column holding ``"(lat, lon)"`` text pairs, as Socrata exports write them."""
    for c in frame.columns:
        if looks_like_pair(frame[c]):
            return c
    return None


def to_numbers(series: pd.Series, column: str) -> np.ndarray:
    """Parse a coordinate column to float64; text that is not a number becomes NaN.

    Parentheses and spaces around numbers are removed (split ``"(lat, lon)"`` pairs), and
    a column written with decimal commas (``46,19``) is read as such. A column whose values
    look mangled by thousands separators raises ``LoadError``: guessing where the decimal
    point belonged would place points wrongly.
    """
    if series.dtype.kind in "fiub":
        return series.to_numpy(dtype="float64", na_value=np.nan)
    s = series.astype("string")
    nonnull = s.dropna()
    nonnull = nonnull[nonnull.str.strip() != ""]
    if len(nonnull):
        sample = nonnull.iloc[:2000]
        mangled = sample.str.match(_MANGLED_RE).fillna(False)
        if mangled.mean() > 0.2:
            ex = ", ".join(repr(v) for v in sample[mangled].iloc[:3])
            raise LoadError(
                f"coordinates in column '{column}' look mangled by thousands separators "
                f"(e.g. {ex}): the decimal point is lost, so the points cannot be placed reliably; "
                "re-export the file with plain decimal numbers (e.g. 46.1993881)")
        if sample.str.match(_COMMA_DECIMAL_RE).fillna(False).mean() > 0.8:
            s = s.str.replace(",", ".", regex=False)
    s = s.str.strip().str.strip("()[] ")
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def split_pairs(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Split ``"(a, b)"`` text into two float arrays (NaN where unparsable)."""
    parts = series.astype("string").str.strip().str.strip("()").str.split(",", n=1, expand=True)
    if parts.shape[1] < 2:
        nan = np.full(len(series), np.nan)
        return nan, nan.copy()
    a = pd.to_numeric(parts[0].str.strip(), errors="coerce").to_numpy("float64", na_value=np.nan)
    b = pd.to_numeric(parts[1].str.strip(), errors="coerce").to_numpy("float64", na_value=np.nan)
    return a, b


def _valid(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (np.abs(x) <= 180) & (np.abs(y) <= 90)


def check_lonlat(x: np.ndarray, y: np.ndarray, report: LoadReport, *, swap_axes: bool | None = None,
                 evidence: tuple[np.ndarray, np.ndarray] | None = None,
                 assumed: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Check lon/lat values; return ``(x, y, keep, swapped)``, axes fixed when that is unambiguous.

    ``evidence`` is an independent (lon, lat) pair from the same rows (e.g. Latitude and
    Longitude columns next to a WKT column), which proves a swap when the values match
    crosswise. ``assumed`` says the CRS was not declared: then a layer whose values are
    mostly not lon/lat is refused (it is projected) instead of rejected row by row.
    Rows with missing or out-of-range values are counted in ``report`` and ``keep`` is False.
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    finite = np.isfinite(x) & np.isfinite(y)
    all_finite = bool(finite.all())
    n_ok = len(x) if all_finite else int(finite.sum())
    valid = _valid(x, y)  # False for NaN
    if swap_axes is None and n_ok:
        xf, yf = (x, y) if all_finite else (x[finite], y[finite])
        as_is = valid if all_finite else valid[finite]
        if evidence is not None:
            ex, ey = (np.asarray(v, dtype="float64")[finite] for v in evidence)
            both = np.isfinite(ex) & np.isfinite(ey)
            if both.any():
                same = np.nanmean((np.abs(xf - ex) < 1e-6) & (np.abs(yf - ey) < 1e-6))
                cross = np.nanmean((np.abs(xf - ey) < 1e-6) & (np.abs(yf - ex) < 1e-6))
                if cross > 0.9 and same < 0.1:
                    swap_axes = True
                    report.warn("axes looked swapped (lat, lon): the values match the latitude/longitude "
                                "columns crosswise; swapped back")
        if swap_axes is None:
            all_valid = bool(as_is.all())
            if not all_valid and (~as_is).mean() >= 0.5 and _valid(yf, xf).all():
                swap_axes = True
                report.warn("axes looked swapped (lat, lon): latitudes beyond ±90 are valid as longitudes; "
                            "swapped back (use swap_axes=False / --no-swap to keep them)")
            elif all_valid and yf.max() < -60 and np.abs(xf).max() <= 60:
                raise LoadError(
                    "every point would lie in Antarctica (latitude below -60): the axes are probably "
                    "swapped (lat, lon); choose the columns with --x LON --y LAT or pass --swap-axes")
    if swap_axes:
        x, y = y, x
        valid = _valid(x, y)
    keep = valid
    if n_ok and not keep.all():
        bad = finite & ~valid
        if assumed and bad.sum() > 0.5 * n_ok:
            i = int(np.flatnonzero(bad)[0])
            raise LoadError(
                f"the coordinates are not longitude/latitude (e.g. x={x[i]:g}, y={y[i]:g} in row {i + 1}) "
                f"and the file does not say its coordinate system: {HOW_TO_GIVE_CRS}")
        report.reject("missing coordinates", np.flatnonzero(~finite))
        report.reject("longitude out of range", np.flatnonzero(finite & (np.abs(x) > 180)))
        report.reject("latitude out of range", np.flatnonzero(finite & (np.abs(x) <= 180) & (np.abs(y) > 90)))
    elif not n_ok:
        report.reject("missing coordinates", np.flatnonzero(~finite))
    return x, y, keep, bool(swap_axes)


def swap_geometries(geoms: np.ndarray) -> np.ndarray:
    """Swap x and y of every vertex."""
    return shapely.transform(geoms, lambda c: c[:, ::-1])
