"""Conflicts between protection zones and planned works (camera poles, works areas, pipes).

Everything is measured in the local UTM zone. Zones made by ``protection_zones`` carry their
trunk and radius, so the check is an STRtree ``dwithin`` query on the trunks followed by an
exact distance test (a circle: no polygon is reprojected, 10,000 trees x 1,000 features in a
few tens of ms). Any other polygon layer works too, through an ``intersects`` query.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapdesk.domain.trees.zones import _circles, local_utm_crs, transformer
from mapdesk.errors import AnalysisError

FEATURE_ID_COLUMNS = ("feature_id", "site_id", "camera_id", "id", "ID", "name", "编号", "点位编号",
                      "名称", "工程编号")

CONFLICT_COLUMNS = ("feature_index", "feature_id", "feature_type", "tree_id", "species", "grade",
                    "radius_m", "distance_m", "inside_m")


def _feature_ids(features: gpd.GeoDataFrame, feature_id: str | None) -> pd.Series:
    if feature_id is not None:
        if feature_id not in features.columns:
            raise AnalysisError(f"feature id column {feature_id!r} not found in the layer")
        return features[feature_id].astype("string")
    for col in FEATURE_ID_COLUMNS:
        if col in features.columns:
            return features[col].astype("string")
    return pd.Series([str(i) for i in features.index], index=features.index, dtype="string")


def _check_crs(layer: gpd.GeoDataFrame, what: str) -> None:
    if not isinstance(layer, gpd.GeoDataFrame):
        raise AnalysisError(f"the {what} must be a layer with geometry")
    if layer.crs is None and len(layer):
        raise AnalysisError(f"the {what} layer has no coordinate reference system: cannot measure metres")


def _empty(crs) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame({
        "feature_index": pd.Series([], dtype=object),
        "feature_id": pd.Series([], dtype="string"),
        "feature_type": pd.Series([], dtype="string"),
        "tree_id": pd.Series([], dtype="string"),
        "species": pd.Series([], dtype="string"),
        "grade": pd.Series([], dtype="Int64"),
        "radius_m": pd.Series([], dtype=float),
        "distance_m": pd.Series([], dtype=float),
        "inside_m": pd.Series([], dtype=float),
    }, geometry=gpd.GeoSeries([], crs=crs))
    return out


def _pairs(zones: gpd.GeoDataFrame, features: gpd.GeoDataFrame):
    """(feature positions, zone positions, distance_m, overlap geometries in UTM, utm crs)."""
    fast = {"trunk_x", "trunk_y", "radius_m"} <= set(zones.columns)
    utm = local_utm_crs(zones.geometry)
    fgeom = features.geometry.to_crs(utm).to_numpy()
    if fast:
        tx, ty = transformer(zones.crs, utm).transform(zones["trunk_x"].to_numpy(dtype=float),
                                                       zones["trunk_y"].to_numpy(dtype=float))
        tpts = shapely.points(np.asarray(tx), np.asarray(ty))
        radius = zones["radius_m"].to_numpy(dtype=float)
        tree = shapely.STRtree(tpts)
        fi, zi = tree.query(fgeom, predicate="dwithin", distance=float(np.nanmax(radius)))
        dist = shapely.distance(fgeom[fi], tpts[zi])
        hit = dist <= radius[zi]
        fi, zi, dist = fi[hit], zi[hit], dist[hit]
        overlap = fgeom[fi].copy()
        # a point inside a zone is its own overlap; only lines and areas need clipping
        clip = shapely.get_type_id(overlap) != 0
        if clip.any():
            zc = zi[clip]
            circles = _circles(shapely.get_x(tpts[zc]), shapely.get_y(tpts[zc]), radius[zc])
            overlap[clip] = shapely.intersection(overlap[clip], circles)
        return fi, zi, dist, overlap, utm
    zgeom = zones.geometry.to_crs(utm).to_numpy()
    tree = shapely.STRtree(zgeom)
    fi, zi = tree.query(fgeom, predicate="intersects")
    trunk = shapely.centroid(zgeom[zi])
    dist = shapely.distance(fgeom[fi], trunk)
    overlap = shapely.intersection(fgeom[fi], zgeom[zi])
    return fi, zi, dist, overlap, utm


def find_conflicts(zones: gpd.GeoDataFrame, features: gpd.GeoDataFrame, *,
                   feature_id: str | None = None) -> gpd.GeoDataFrame:
    """Every (feature, tree) pair where a planned feature touches a protection zone.

    Parameters
    ----------
    zones
        Protection zones from ``protection_zones`` (or any polygon layer with ``tree_id``;
        then the polygon's centroid stands for the trunk).
    features
        Planned works: points (camera poles), lines (cable trenches, pipe routes) or polygons
        (works areas), in any CRS.
    feature_id
        Column naming the features; by default the first of ``FEATURE_ID_COLUMNS`` present,
        else the index.

    Returns
    -------
    GeoDataFrame in the zones' CRS, one row per conflict, sorted by grade then distance:
    ``feature_index`` (the feature's index label), ``feature_id``, ``feature_type``
    ("Point", "LineString", ...), ``tree_id``, ``species``, ``grade``, ``radius_m`` (the
    zone's radius), ``distance_m`` (shortest distance from the trunk to the feature),
    ``inside_m`` (how far the feature reaches into the zone: radius - distance) and
    ``geometry`` (the part of the feature inside the zone).
    """
    _check_crs(zones, "protection zones")
    _check_crs(features, "planned features")
    zg = zones.geometry.to_numpy()
    ok_z = ~(shapely.is_missing(zg) | shapely.is_empty(zg))
    if not ok_z.all():
        zones = zones.loc[ok_z]
    fg = features.geometry.to_numpy()
    ok_f = ~(shapely.is_missing(fg) | shapely.is_empty(fg))
    if not ok_f.all():
        features = features.loc[ok_f]
    if len(zones) == 0 or len(features) == 0:
        return _empty(zones.crs)
    fi, zi, dist, overlap, utm = _pairs(zones, features)
    fids = _feature_ids(features, feature_id).to_numpy()
    radius = (zones["radius_m"].to_numpy(dtype=float) if "radius_m" in zones
              else np.full(len(zones), np.nan))
    out = gpd.GeoDataFrame({
        "feature_index": features.index.to_numpy()[fi],
        "feature_id": pd.array(fids[fi], dtype="string"),
        "feature_type": pd.array(shapely.get_type_id(features.geometry.to_numpy()[fi]), dtype="Int64"),
        "tree_id": pd.array(zones["tree_id"].to_numpy()[zi] if "tree_id" in zones else [pd.NA] * len(zi),
                            dtype="string"),
        "species": pd.array(zones["species"].to_numpy()[zi] if "species" in zones else [pd.NA] * len(zi),
                            dtype="string"),
        "grade": pd.array(zones["grade"].to_numpy()[zi] if "grade" in zones else [pd.NA] * len(zi),
                          dtype="Int64"),
        "radius_m": radius[zi],
        "distance_m": np.round(dist, 2),
        "inside_m": np.round(radius[zi] - dist, 2),
    }, geometry=gpd.GeoSeries(overlap, crs=utm).to_crs(zones.crs).to_numpy(), crs=zones.crs)
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                      "MultiLineString", "MultiPolygon", "GeometryCollection"])
    out["feature_type"] = pd.array(names[out["feature_type"].to_numpy(dtype=int)], dtype="string")
    return out.sort_values(["grade", "distance_m"], kind="stable").reset_index(drop=True)


def sites_in_zones(points: gpd.GeoDataFrame | gpd.GeoSeries, zones: gpd.GeoDataFrame) -> pd.Series:
    """For each point (e.g. a candidate camera site), the id of the tree whose protection zone
    it falls in, or ``None``. A point in several zones gets the nearest trunk's tree.

    Returns a Series of object dtype (str or None) on the points' index.
    """
    if isinstance(points, gpd.GeoSeries):
        points = gpd.GeoDataFrame(geometry=points)
    result = pd.Series([None] * len(points), index=points.index, dtype=object, name="tree_id")
    if len(points) == 0 or len(zones) == 0:
        return result
    conflicts = find_conflicts(zones, points)
    if len(conflicts) == 0:
        return result
    nearest = conflicts.sort_values("distance_m", kind="stable").drop_duplicates("feature_index")
    for idx, tid in zip(nearest["feature_index"], nearest["tree_id"], strict=True):
        result.at[idx] = None if pd.isna(tid) else str(tid)
    return result


def conflicts_summary(conflicts: gpd.GeoDataFrame) -> dict:
    """Counts for ``--json``: conflicts, features and trees involved, by grade."""
    g = conflicts["grade"]
    return {
        "conflicts": int(len(conflicts)),
        "features_in_conflict": int(conflicts["feature_index"].nunique()),
        "trees_affected": int(conflicts["tree_id"].nunique()),
        "by_grade": {str(k): int((g == k).sum()) for k in (1, 2, 3, 4)},
        "min_distance_m": None if len(conflicts) == 0 else float(conflicts["distance_m"].min()),
    }
