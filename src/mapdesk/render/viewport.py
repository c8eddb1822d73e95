"""Map settings: the value that says what part of the world is painted at which size.

As QGIS's ``QgsMapSettings``, a :class:`MapSettings` is an immutable value: the canvas makes
a new one on every zoom or pan and hands it to a render job. The display CRS is Web Mercator
(EPSG:3857); the extent always has the aspect ratio of the output, so one map unit per pixel
holds in both directions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from mapdesk.errors import MapdeskError

#: Half the width of the Web Mercator world in metres (EPSG:3857 units).
HALF_WORLD = 20037508.342789244
#: The latitude where Web Mercator's square world ends.
MAX_LAT = 85.05112877980659
EARTH_RADIUS_M = 6378137.0
#: Metres per inch, for scale denominators.
_M_PER_INCH = 0.0254
#: Size (ground metres) given to an extent that has no area, e.g. a single point.
POINT_EXTENT_M = 1000.0


def lonlat_to_mercator(lon, lat):
    """WGS 84 longitude/latitude (degrees) to EPSG:3857 metres (vectorised)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.clip(np.asarray(lat, dtype=float), -MAX_LAT, MAX_LAT)
    x = np.radians(lon) * EARTH_RADIUS_M
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * EARTH_RADIUS_M
    return x, y


def mercator_to_lonlat(x, y):
    """EPSG:3857 metres to WGS 84 longitude/latitude in degrees (vectorised)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    lon = np.degrees(x / EARTH_RADIUS_M)
    lat = np.degrees(2 * np.arctan(np.exp(y / EARTH_RADIUS_M)) - np.pi / 2)
    return lon, lat


def mercator_scale_factor(y: float) -> float:
    """Web Mercator units per ground metre at northing ``y`` (= 1 / cos(latitude))."""
    _, lat = mercator_to_lonlat(0.0, y)
    return 1.0 / math.cos(math.radians(float(lat)))


Extent = tuple[float, float, float, float]


def _check_extent(extent) -> Extent:
    try:
        minx, miny, maxx, maxy = (float(v) for v in extent)
    except (TypeError, ValueError) as exc:
        raise MapdeskError(f"invalid extent {extent!r}: need four numbers minx,miny,maxx,maxy") from exc
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        raise MapdeskError(f"invalid extent {extent!r}: coordinates must be finite")
    if maxx < minx or maxy < miny:
        raise MapdeskError(f"invalid extent {extent!r}: minimum is larger than maximum")
    return minx, miny, maxx, maxy


def _normalise(extent: Extent, width_px: int, height_px: int) -> Extent:
    """Grow ``extent`` about its centre to the output's aspect ratio; give a point some area."""
    minx, miny, maxx, maxy = extent
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w, h = maxx - minx, maxy - miny
    if w <= 0 and h <= 0:
        # A single point (one feature, or a user typo): show a 1 km square around it.
        w = h = POINT_EXTENT_M * mercator_scale_factor(cy)
    aspect = width_px / height_px
    if w <= 0 or (h > 0 and w / h < aspect):
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


@dataclass(frozen=True)
class MapSettings:
    """What to paint: an EPSG:3857 extent at a pixel size and resolution.

    Parameters
    ----------
    extent
        ``(minx, miny, maxx, maxy)`` in EPSG:3857 metres. It is grown about its centre to
        the aspect ratio of ``width_px`` x ``height_px``; an extent without area becomes a
        1 km square (ground metres) around its centre.
    width_px, height_px
        Output size in device pixels.
    dpi
        Device resolution; decides how many pixels a point (1/72 inch) of symbol size is.
    background
        Colour of the map where nothing is drawn.
    """

    extent: Extent
    width_px: int
    height_px: int
    dpi: float = 96.0
    background: str = "#f4f3ef"

    def __post_init__(self) -> None:
        if int(self.width_px) <= 0 or int(self.height_px) <= 0:
            raise MapdeskError(f"invalid map size {self.width_px}x{self.height_px} px")
        if not (self.dpi > 0):
            raise MapdeskError(f"invalid dpi {self.dpi}")
        object.__setattr__(self, "width_px", int(self.width_px))
        object.__setattr__(self, "height_px", int(self.height_px))
        ext = _normalise(_check_extent(self.extent), self.width_px, self.height_px)
        object.__setattr__(self, "extent", ext)

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def from_wgs84_extent(cls, extent_wgs84, width_px: int, height_px: int, dpi: float = 96.0,
                          background: str = "#f4f3ef", margin: float = 0.0) -> MapSettings:
        """Settings showing a WGS 84 box ``(minlon, minlat, maxlon, maxlat)``.

        ``margin`` adds that fraction of the box's size on every side.
        """
        minlon, minlat, maxlon, maxlat = _check_extent(extent_wgs84)
        if minlon < -180 or maxlon > 180 or minlat < -90 or maxlat > 90:
            raise MapdeskError(f"invalid WGS 84 extent {extent_wgs84!r}: longitude must be in "
                               "-180..180 and latitude in -90..90")
        xs, ys = lonlat_to_mercator([minlon, maxlon], [minlat, maxlat])
        ext = (float(xs[0]), float(ys[0]), float(xs[1]), float(ys[1]))
        return cls(_grow(ext, margin), width_px, height_px, dpi, background)

    def fit(self, extent: Extent, margin: float = 0.0) -> MapSettings:
        """The same output showing all of ``extent`` (EPSG:3857), keeping the aspect ratio."""
        return replace(self, extent=_grow(_check_extent(extent), margin))

    def with_size(self, width_px: int, height_px: int) -> MapSettings:
        """Resize the output keeping the centre and the map units per pixel."""
        cx, cy = self.center
        upp = self.units_per_pixel
        w, h = width_px * upp, height_px * upp
        return replace(self, extent=(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2),
                       width_px=width_px, height_px=height_px)

    # ---- geometry -----------------------------------------------------------------------
    @property
    def units_per_pixel(self) -> float:
        """EPSG:3857 units per device pixel (the same in x and y)."""
        return (self.extent[2] - self.extent[0]) / self.width_px

    @property
    def center(self) -> tuple[float, float]:
        minx, miny, maxx, maxy = self.extent
        return (minx + maxx) / 2, (miny + maxy) / 2

    @property
    def center_lonlat(self) -> tuple[float, float]:
        lon, lat = mercator_to_lonlat(*self.center)
        return float(lon), float(lat)

    @property
    def extent_wgs84(self) -> Extent:
        """The extent as ``(minlon, minlat, maxlon, maxlat)``."""
        lon, lat = mercator_to_lonlat([self.extent[0], self.extent[2]],
                                      [self.extent[1], self.extent[3]])
        return float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1])

    def ground_m_per_pixel(self) -> float:
        """Ground metres covered by one pixel at the map's centre latitude."""
        return self.units_per_pixel / mercator_scale_factor(self.center[1])

    def scale_denominator(self) -> float:
        """The map scale 1:N at the centre latitude for this DPI."""
        return self.ground_m_per_pixel() / (_M_PER_INCH / self.dpi)

    def px_per_pt(self) -> float:
        """Device pixels per typographic point (1/72 inch)."""
        return self.dpi / 72.0

    def map_to_pixel(self, x, y):
        """EPSG:3857 coordinates to pixel coordinates (origin top-left, y down); vectorised."""
        minx, _, _, maxy = self.extent
        k = 1.0 / self.units_per_pixel
        # Two passes per axis (multiply, then add in place): this runs on millions of points.
        px = np.multiply(x, k, dtype=float)
        px -= minx * k
        py = np.multiply(y, -k, dtype=float)
        py += maxy * k
        return px, py

    def pixel_to_map(self, px, py):
        """Pixel coordinates to EPSG:3857 (inverse of :meth:`map_to_pixel`)."""
        minx, _, _, maxy = self.extent
        upp = self.units_per_pixel
        return minx + np.asarray(px, dtype=float) * upp, maxy - np.asarray(py, dtype=float) * upp

    def pixel_to_lonlat(self, px, py):
        return mercator_to_lonlat(*self.pixel_to_map(px, py))

    # ---- navigation ---------------------------------------------------------------------
    def zoom(self, factor: float, anchor_px: tuple[float, float] | None = None) -> MapSettings:
        """Zoom in by ``factor`` (> 1 in, < 1 out) keeping the map point under ``anchor_px``."""
        if not (factor > 0):
            raise ValueError("zoom factor must be positive")
        if anchor_px is None:
            anchor_px = (self.width_px / 2, self.height_px / 2)
        ax, ay = (float(v) for v in self.pixel_to_map(*anchor_px))
        upp = self.units_per_pixel / factor
        # Do not zoom beyond the whole world or below a centimetre per pixel.
        upp = min(max(upp, 0.01), 4 * HALF_WORLD / self.width_px)
        minx = ax - anchor_px[0] * upp
        maxy = ay + anchor_px[1] * upp
        return replace(self, extent=(minx, maxy - self.height_px * upp,
                                     minx + self.width_px * upp, maxy))

    def pan(self, dx_px: float, dy_px: float) -> MapSettings:
        """Move the map content by ``(dx_px, dy_px)`` pixels (as when dragging it)."""
        upp = self.units_per_pixel
        minx, miny, maxx, maxy = self.extent
        dx, dy = -dx_px * upp, dy_px * upp
        return replace(self, extent=(minx + dx, miny + dy, maxx + dx, maxy + dy))

    def center_on(self, x: float, y: float) -> MapSettings:
        cx, cy = self.center
        minx, miny, maxx, maxy = self.extent
        return replace(self, extent=(minx + x - cx, miny + y - cy, maxx + x - cx, maxy + y - cy))


def _grow(extent: Extent, margin: float) -> Extent:
    minx, miny, maxx, maxy = extent
    dx, dy = (maxx - minx) * margin, (maxy - miny) * margin
    return minx - dx, miny - dy, maxx + dx, maxy + dy
