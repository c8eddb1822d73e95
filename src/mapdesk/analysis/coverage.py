"""Coverage report: which incidents today's cameras see — overall, per incident type, per
community beat — and the uncovered clusters ranked by incident count."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapdesk.domain.cameras import (
    CameraDefaults,
    cameras_covered,
    coverage_polygons,
    drop_empty,
    metric_crs,
    point_xy,
    select_cameras,
    to_metric,
)
from mapdesk.domain.incidents import type_label
from mapdesk.errors import AnalysisError

__all__ = ["CoverageReport", "coverage_report", "beat_names"]

BEAT_NAME_COLUMNS = ("community", "beat", "name", "name_en", "name_zh", "社区", "名称", "责任区")


@dataclass
class CoverageReport:
    """Result of :func:`coverage_report`.

    Attributes
    ----------
    n_incidents, n_covered, share_covered
        Over all incidents given.
    by_type : DataFrame
        ``type``, ``label_en``, ``label_zh``, ``incidents``, ``covered``, ``share_covered``
        (sorted by incidents, descending).
    by_beat : DataFrame
        ``beat``, ``incidents``, ``covered``, ``share_covered`` (incidents outside every beat
        under ``beat = "(outside beats)"``); empty when no beat information exists.
    clusters : GeoDataFrame
        Uncovered clusters ranked by uncovered incidents: ``rank``, ``cluster_id``,
        ``incidents``, ``uncovered``, ``share_uncovered``, geometry (input CRS).
    per_camera : DataFrame
        ``camera_id``, ``incidents_seen``, ``coverage_source``.
    covered : Series of bool
        Per incident (index of the incidents frame).
    coverage : GeoDataFrame
        Coverage wedges (see :func:`mapdesk.domain.cameras.coverage_polygons`).
    warnings : list of str
    """

    n_incidents: int
    n_covered: int
    share_covered: float
    by_type: pd.DataFrame
    by_beat: pd.DataFrame
    clusters: gpd.GeoDataFrame
    per_camera: pd.DataFrame
    covered: pd.Series
    coverage: gpd.GeoDataFrame
    warnings: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (tables as lists of records, top 10 clusters)."""
        clusters = pd.DataFrame(self.clusters.drop(columns="geometry")).head(10)
        return {
            "incidents": self.n_incidents,
            "covered": self.n_covered,
            "share_covered": round(self.share_covered, 4),
            "by_type": _records(self.by_type),
            "by_beat": _records(self.by_beat),
            "uncovered_clusters": _records(clusters),
            "cameras": int(len(self.per_camera)),
            "warnings": list(self.warnings),
            "params": self.params,
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict(orient="records"):
        out.append({k: (round(v, 4) if isinstance(v, float) else v) for k, v in rec.items()})
    return out


def _share(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray | float:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.asarray(den) > 0, np.asarray(num) / np.asarray(den), np.nan)


def beat_names(beats: gpd.GeoDataFrame) -> pd.Series:
    """The beat's display name: the first of ``community``/``beat``/``name``... present."""
    for col in BEAT_NAME_COLUMNS:
        if col in beats.columns:
            return beats[col].astype("string").fillna("?")
    return pd.Series([f"beat {i}" for i in range(1, len(beats) + 1)], index=beats.index,
                     dtype="string")


def coverage_report(cameras: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame,
                    beats: gpd.GeoDataFrame | None = None,
                    clusters: gpd.GeoDataFrame | None = None, *,
                    defaults: CameraDefaults | None = None, cell_m: float = 100.0,
                    min_uncovered: int = 3,
                    exclude_statuses: tuple[str, ...] = ("planned",)) -> CoverageReport:
    """Share of incidents inside any camera's coverage, per type, per beat, and the
    uncovered clusters.

    Parameters
    ----------
    cameras
        Point layer with canonical camera columns (``camera_id``, ``direction_deg``,
        ``fov_deg``, ``range_m``); missing values fall back to ``defaults``.
    incidents
        Point layer of (already filtered) incidents; ``type`` and ``community`` are used
        when present. May be in another CRS than ``cameras``.
    beats
        Optional community-beat polygons; without them the incidents' ``community``
        column is used when present.
    clusters
        Optional polygons of hot cells (from the hotspot tools). Without them, clusters are
        ``cell_m`` grid cells holding at least ``min_uncovered`` uncovered incidents.
    exclude_statuses
        Cameras with these statuses see nothing (default: planned ones; add ``"fault"``
        to leave out broken cameras).

    Raises
    ------
    AnalysisError
        For layers without a CRS or an empty incident layer.
    """
    if len(incidents) == 0:
        raise AnalysisError("no incidents to report coverage for (check the filter)")
    incidents, warnings = drop_empty(incidents, "incident(s)")
    if len(incidents) == 0:
        raise AnalysisError("no incident has a location")
    cameras, cam_status = select_cameras(cameras, exclude_statuses)
    cameras, cam_empty = drop_empty(cameras, "camera(s)")
    warnings += cam_status + cam_empty
    crs = metric_crs(incidents)
    inc = to_metric(incidents, crs, "incidents")
    if len(cameras):
        mat, params, cam_warn = cameras_covered(cameras, inc, crs, defaults)
        warnings += cam_warn
        seen_by = np.asarray(mat.sum(axis=0)).ravel()
        per_cam_n = np.asarray(mat.sum(axis=1)).ravel()
        source = params["coverage_source"].to_numpy()
    else:
        warnings.append("no cameras given: nothing is covered")
        seen_by = np.zeros(len(inc))
        per_cam_n = np.zeros(0)
        source = np.empty(0, dtype=object)
    covered = seen_by > 0
    ids = (cameras["camera_id"].astype("string").to_numpy() if "camera_id" in cameras
           else np.asarray([str(i) for i in cameras.index]))
    per_camera = pd.DataFrame({"camera_id": ids, "incidents_seen": per_cam_n.astype(int),
                               "coverage_source": source})

    by_type = _by_type(inc, covered)
    by_beat = _by_beat(inc, covered, beats, crs)
    cl = _clusters(inc, covered, clusters, crs, cell_m, min_uncovered).to_crs(incidents.crs)

    n_cov = int(covered.sum())
    return CoverageReport(
        n_incidents=len(inc), n_covered=n_cov, share_covered=n_cov / len(inc),
        by_type=by_type, by_beat=by_beat, clusters=cl, per_camera=per_camera,
        covered=pd.Series(covered, index=incidents.index, name="covered"),
        coverage=coverage_polygons(cameras, defaults) if len(cameras) else
        gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=cameras.crs)),
        warnings=warnings,
        params={"metric_crs": crs.to_string(), "cell_m": cell_m, "min_uncovered": min_uncovered,
                "exclude_statuses": list(exclude_statuses),
                "clusters_from": "layer" if clusters is not None else "grid"},
    )


def _by_type(inc: pd.DataFrame, covered: np.ndarray) -> pd.DataFrame:
    if "type" not in inc.columns:
        types = pd.Series("(all)", index=inc.index, dtype="string")
    else:
        types = inc["type"].astype("string").fillna("(unknown)")
    df = pd.DataFrame({"type": types.to_numpy(), "covered": covered})
    g = df.groupby("type", sort=False)["covered"].agg(["size", "sum"]).reset_index()
    g.columns = ["type", "incidents", "covered"]
    g["covered"] = g["covered"].astype(int)
    g["share_covered"] = _share(g["covered"].to_numpy(), g["incidents"].to_numpy())
    g.insert(1, "label_en", [type_label(t, "en") for t in g["type"]])
    g.insert(2, "label_zh", [type_label(t, "zh") for t in g["type"]])
    return g.sort_values(["incidents", "type"], ascending=[False, True]).reset_index(drop=True)


def _by_beat(inc: gpd.GeoDataFrame, covered: np.ndarray, beats: gpd.GeoDataFrame | None,
             crs) -> pd.DataFrame:
    if beats is not None and len(beats):
        b = to_metric(beats, crs, "beats")
        names = beat_names(b).to_numpy()
        xy = point_xy(inc)
        tree = shapely.STRtree(b.geometry.values)
        pi, bi = tree.query(shapely.points(xy), predicate="within")
        label = np.full(len(inc), "(outside beats)", dtype=object)
        # a point on a shared border goes to the first beat that holds it
        first = pd.Series(bi).groupby(pi).min()
        label[first.index.to_numpy()] = names[first.to_numpy()]
    elif "community" in inc.columns:
        label = inc["community"].astype("string").fillna("(no beat)").to_numpy(dtype=object)
    else:
        return pd.DataFrame(columns=["beat", "incidents", "covered", "share_covered"])
    df = pd.DataFrame({"beat": label, "covered": covered})
    g = df.groupby("beat", sort=True)["covered"].agg(["size", "sum"]).reset_index()
    g.columns = ["beat", "incidents", "covered"]
    g["covered"] = g["covered"].astype(int)
    g["share_covered"] = _share(g["covered"].to_numpy(), g["incidents"].to_numpy())
    return g.sort_values(["incidents", "beat"], ascending=[False, True]).reset_index(drop=True)


def _clusters(inc: gpd.GeoDataFrame, covered: np.ndarray, clusters: gpd.GeoDataFrame | None,
              crs, cell_m: float, min_uncovered: int) -> gpd.GeoDataFrame:
    xy = point_xy(inc)
    if clusters is not None:
        cl = to_metric(clusters, crs, "clusters")
        geoms = cl.geometry.values
        tree = shapely.STRtree(geoms)
        pi, ci = tree.query(shapely.points(xy), predicate="intersects")
        n_all = np.bincount(ci, minlength=len(cl))
        n_unc = np.bincount(ci, weights=~covered[pi], minlength=len(cl)).astype(int)
        ids = (cl["cluster_id"].astype("string").to_numpy() if "cluster_id" in cl
               else np.asarray([str(i) for i in range(1, len(cl) + 1)]))
        out = gpd.GeoDataFrame({"cluster_id": ids, "incidents": n_all, "uncovered": n_unc},
                               geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)
        out = out[out["uncovered"] > 0]
    else:
        if cell_m <= 0:
            raise AnalysisError("cluster cell size must be positive")
        ij = np.floor(xy / cell_m).astype(np.int64)
        cells, inv = np.unique(ij, axis=0, return_inverse=True)
        inv = inv.ravel()
        n_all = np.bincount(inv, minlength=len(cells))
        n_unc = np.bincount(inv, weights=~covered, minlength=len(cells)).astype(int)
        keep = n_unc >= max(int(min_uncovered), 1)
        cells = cells[keep]
        boxes = shapely.box(cells[:, 0] * cell_m, cells[:, 1] * cell_m,
                            (cells[:, 0] + 1) * cell_m, (cells[:, 1] + 1) * cell_m)
        ids = np.asarray([f"cell_{i}_{j}" for i, j in cells])
        out = gpd.GeoDataFrame({"cluster_id": ids, "incidents": n_all[keep],
                                "uncovered": n_unc[keep]},
                               geometry=gpd.GeoSeries(boxes, crs=crs), crs=crs)
    out["share_uncovered"] = _share(out["uncovered"].to_numpy(), out["incidents"].to_numpy())
    out = out.sort_values(["uncovered", "incidents", "cluster_id"],
                          ascending=[False, False, True]).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out
