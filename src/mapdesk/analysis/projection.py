"""Put a layer into a metric CRS before any distance is computed.

Analyses never measure in degrees: a geographic layer (or one without a CRS whose
coordinates look like longitude/latitude) is reprojected to the local UTM zone chosen
from the data (zone 49N for Taiyuan); a projected layer must use metres.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from mapdesk.errors import AnalysisError


def _looks_like_degrees(frame: gpd.GeoDataFrame) -> bool:
    if frame.empty:
        return False
    minx, miny, maxx, maxy = frame.total_bounds
    return bool(np.isfinite([minx, miny, maxx, maxy]).all()
                and -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90)


def crs_is_metric(crs: CRS | str | None) -> bool:
    """True when ``crs`` is projected with metre axes."""
    if crs is None:
        return False
    crs = CRS.from_user_input(crs)
    if not crs.is_projected:
        return False
    units = {(a.unit_name or "").lower() for a in crs.axis_info[:2]}
    return units <= {"metre", "meter", "m"}


def require_metric(crs: CRS | str | None, what: str = "this analysis") -> CRS:
    """Return ``crs`` as a pyproj CRS, or raise :class:`AnalysisError` if it is not metric.

    Used where a distance parameter is about to be applied, so that a distance can never
    silently be taken in degrees.
    """
    if not crs_is_metric(crs):
        name = "no CRS" if crs is None else CRS.from_user_input(crs).name
        raise AnalysisError(f"{what} needs coordinates in metres, but the data are in {name}; "
                            "reproject first (mapdesk does this automatically with to_metric)")
    return CRS.from_user_input(crs)


def local_utm_crs(frame: gpd.GeoDataFrame) -> CRS:
    """The UTM zone (WGS 84) covering the centre of ``frame``'s extent."""
    geo = frame if frame.crs is not None else frame.set_crs(4326)
    crs = geo.estimate_utm_crs()
    if crs is None:  # pragma: no cover - pyproj returns None only outside UTM coverage
        raise AnalysisError("could not choose a UTM zone for this data")
    return crs


def to_metric(frame: gpd.GeoDataFrame, crs: CRS | str | None = None) -> gpd.GeoDataFrame:
    """Return ``frame`` in a metric CRS (no copy when it already is one).

    Parameters
    ----------
    frame
        Any GeoDataFrame. Without a CRS, coordinates inside ±180/±90 are taken as
        WGS 84 longitude/latitude; other coordinates without a CRS are refused.
    crs
        Target metric CRS; default: the local UTM zone of the data.

    Returns
    -------
    GeoDataFrame
        With ``attrs["reprojected_from"]`` set to the source CRS name when it was reprojected.
    """
    src = frame.crs
    if src is None:
        if not _looks_like_degrees(frame):
            raise AnalysisError("the layer has no CRS and its coordinates are not longitude/latitude; "
                                "set its CRS before analysing it")
        frame = frame.set_crs(4326)
        src = frame.crs
    if crs is not None:
        target = require_metric(crs)
        if CRS.from_user_input(src) == target:
            return frame
    elif crs_is_metric(src):
        return frame
    else:
        target = local_utm_crs(frame)
    out = frame.to_crs(target)
    out.attrs = dict(frame.attrs)
    out.attrs["reprojected_from"] = CRS.from_user_input(src).name
    return out


def point_coords(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y of each feature (points as they are, other shapes by centroid) and a mask of the
    rows that have a usable location (not missing, not empty, finite)."""
    geom = np.asarray(frame.geometry.array, dtype=object)
    missing = shapely.is_missing(geom) | shapely.is_empty(geom)
    is_point = shapely.get_type_id(geom) == 0
    pts = geom.copy()
    other = ~is_point & ~missing
    if other.any():
        pts[other] = shapely.centroid(geom[other])
    x = np.full(len(frame), np.nan)
    y = np.full(len(frame), np.nan)
    ok = ~missing
    x[ok] = shapely.get_x(pts[ok])
    y[ok] = shapely.get_y(pts[ok])
    ok &= np.isfinite(x) & np.isfinite(y)
    return x, y, ok


def _wgs84_bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    geo = frame if frame.crs is not None else frame.set_crs(4326, allow_override=True)
    if geo.crs is not None and not CRS.from_user_input(geo.crs).equals(CRS.from_epsg(4326)):
        geo = geo.to_crs(4326)
    geom = np.asarray(geo.geometry.array, dtype=object)
    geom = geom[~(shapely.is_missing(geom) | shapely.is_empty(geom))]
    if len(geom) == 0:
        return None
    b = shapely.total_bounds(geom)
    return tuple(float(v) for v in b) if np.isfinite(b).all() else None


def require_same_area(layers: dict[str, gpd.GeoDataFrame | None], max_gap_m: float = 50_000.0) -> None:
    """Refuse layers that lie far apart (files from different cities mixed up).

    Parameters
    ----------
    layers
        Name (as the user knows it, e.g. ``"cameras"``) → layer; ``None`` or empty layers
        are skipped.
    max_gap_m
        Largest allowed distance between the layers' bounding boxes, in metres.

    Raises
    ------
    AnalysisError
        Naming both layers, their centres and the distance between them, so that a
        result of "0 % covered" never comes from comparing two different places.
    """
    from pyproj import Geod

    boxes = {name: b for name, f in layers.items()
             if f is not None and len(f) and (b := _wgs84_bounds(f)) is not None}
    names = list(boxes)
    geod = Geod(ellps="WGS84")
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            ax0, ay0, ax1, ay1 = boxes[a]
            bx0, by0, bx1, by1 = boxes[b]
            # closest points of the two boxes (0 gap when they overlap)
            ax = min(max(bx0, ax0), ax1)
            bx = min(max(ax, bx0), bx1)
            ay = min(max(by0, ay0), ay1)
            by = min(max(ay, by0), by1)
            gap_m = geod.inv(ax, ay, bx, by)[2]
            if gap_m > max_gap_m:
                ca = ((ax0 + ax1) / 2, (ay0 + ay1) / 2)
                cb = ((bx0 + bx1) / 2, (by0 + by1) / 2)
                raise AnalysisError(
                    f"the {a} (around {ca[0]:.3f}, {ca[1]:.3f}) and the {b} (around "
                    f"{cb[0]:.3f}, {cb[1]:.3f}) are {gap_m / 1000:,.0f} km apart: they are not "
                    "from the same area; check that you chose the right files (or their "
                    "coordinate system)")


def metric_points(points, weight_field: str | None = None):
    """Incident positions in metres and optional non-negative weights, for the kernels.

    Returns ``(metric_frame, x, y, weights | None, n_skipped)``: rows without a usable
    location or weight are left out and counted.
    """
    import numpy as np

    from mapdesk.errors import AnalysisError

    metric = to_metric(points)
    x, y, ok = point_coords(metric)
    w = None
    if weight_field:
        if weight_field not in metric.columns:
            raise AnalysisError(f"weight field {weight_field!r} is not a column of the layer")
        w = np.asarray(metric[weight_field].astype("float64").to_numpy(na_value=np.nan), dtype=float)
        if (w[np.isfinite(w)] < 0).any():
            raise AnalysisError(f"weight field {weight_field!r} has negative values")
        ok &= np.isfinite(w)
    n_skipped = int((~ok).sum())
    x, y = x[ok], y[ok]
    if w is not None:
        w = w[ok]
    if x.size == 0:
        raise AnalysisError("no incident has a usable location")
    return metric, x, y, w, n_skipped
