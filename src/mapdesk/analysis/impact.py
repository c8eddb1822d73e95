"""Did the new cameras work? Before/after counts in their coverage against a control area,
with the weighted displacement quotient (WDQ) of Bowers & Johnson (2003).

Areas per group of cameras (metric CRS):

* **R** treatment area: the union of the group's coverage polygons;
* **D** buffer (displacement catchment): a ring ``0..buffer_m`` around R;
* **C** control: a ring ``control_inner_m..control_outer_m`` around R (default 100–300 m),
  or the rest of the community beat(s) holding the cameras (``control="beat"``).

The coverage of every evaluated camera is removed from D and C, so that areas never
overlap a treated area. Counts are taken in two windows of equal length: ``before`` ends
at the first install date of the group and ``after`` starts at the last one (the
installation period in between is left out); the length is ``window_days`` capped by the
data available on both sides.

WDQ (Bowers & Johnson 2003, eq. 1), a = after, b = before::

    WDQ = (Da/Db − Ca/Cb) / (Ra/Rb − Ca/Cb)

The denominator is the success measure: it must be negative (crime fell in R relative to
C) for the WDQ to mean anything. Then WDQ > 0 means a diffusion of benefits into the buffer
(> 1: the diffusion exceeds the direct effect), WDQ < 0 displacement (< −1: more displaced
than prevented, the scheme was counter-productive), and about 0 neither. The total net
effect (Bowers & Johnson eq. 2) is reported too::

    TNE = (Rb·Ca/Cb − Ra) + (Db·Ca/Cb − Da)

(positive = incidents prevented net of displacement).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapdesk.domain.cameras import (
    CameraDefaults,
    coverage_polygons,
    drop_empty,
    metric_crs,
    point_xy,
    to_metric,
)
from mapdesk.domain.incidents import event_time
from mapdesk.errors import AnalysisError

__all__ = ["ImpactResult", "camera_impact", "interpret_wdq", "wdq"]

MIN_WINDOW_DAYS = 14
SMALL_COUNT = 10  # a 'before' count below this makes the ratios fragile
NEUTRAL_BAND = 0.1  # |WDQ| below this: neither displacement nor diffusion


def wdq(ra: float, rb: float, da: float, db: float, ca: float, cb: float) -> float:
    """Weighted displacement quotient (Bowers & Johnson 2003); NaN when undefined
    (a zero 'before' count or a zero success measure)."""
    if rb <= 0 or db <= 0 or cb <= 0:
        return float("nan")
    success = ra / rb - ca / cb
    if success == 0:
        return float("nan")
    return (da / db - ca / cb) / success


def interpret_wdq(ra: float, rb: float, da: float, db: float, ca: float, cb: float,
                  neutral_band: float = NEUTRAL_BAND) -> tuple[str, str]:
    """(code, sentence) for a before/after table.

    Codes: ``insufficient_data``, ``no_treatment_effect``, ``diffusion_of_benefits``,
    ``displacement``, ``no_displacement``.
    """
    if rb <= 0 or cb <= 0:
        return ("insufficient_data",
                "no incidents before in the treatment or control area: cannot compare")
    success = ra / rb - ca / cb
    if success >= 0:
        return ("no_treatment_effect",
                "incidents did not fall in the covered area relative to the control area; "
                "the WDQ is not interpretable")
    if db <= 0:
        return ("insufficient_data",
                "incidents fell in the covered area, but the buffer had none before")
    q = wdq(ra, rb, da, db, ca, cb)
    if q > neutral_band:
        extra = " exceeding the direct effect" if q > 1 else ""
        return ("diffusion_of_benefits",
                f"incidents fell in the covered area; diffusion of benefits into the buffer{extra}")
    if q < -neutral_band:
        extra = ("; more displaced than prevented (counter-productive)" if q < -1
                 else "; less displaced than prevented")
        return ("displacement", f"incidents fell in the covered area; displacement into the buffer{extra}")
    return ("no_displacement", "incidents fell in the covered area; no displacement or diffusion")


@dataclass
class ImpactResult:
    """Result of :func:`camera_impact`.

    Attributes
    ----------
    table : DataFrame
        One row per camera group plus ``overall`` (when there are several groups):
        ``group``, ``cameras``, ``install_first``, ``install_last``, ``window_days``,
        ``before_start``, ``before_end``, ``after_start``, ``after_end``, ``Rb``, ``Ra``,
        ``Db``, ``Da``, ``Cb``, ``Ca``, ``change_R``, ``change_D``, ``change_C``
        (relative changes), ``relative_effect`` ((Ra/Rb)/(Ca/Cb) − 1), ``success_measure``
        (Ra/Rb − Ca/Cb), ``buffer_measure`` (Da/Db − Ca/Cb), ``wdq``, ``tne``,
        ``effect`` (code), ``small_counts`` (a 'before' count under 10),
        ``interpretation`` (sentence).
    chart : DataFrame
        Long form for a grouped bar chart: ``group``, ``area`` (treatment/buffer/control),
        ``period`` (before/after), ``incidents``.
    areas : GeoDataFrame
        ``group``, ``area``, ``area_m2``, geometry (the incidents' CRS).
    """

    table: pd.DataFrame
    chart: pd.DataFrame
    areas: gpd.GeoDataFrame
    params: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        rows = []
        for rec in self.table.to_dict(orient="records"):
            rows.append({k: (None if isinstance(v, float) and np.isnan(v) else
                             round(v, 4) if isinstance(v, float) else
                             v.date().isoformat() if isinstance(v, pd.Timestamp) else v)
                         for k, v in rec.items()})
        return {"groups": rows, "warnings": list(self.warnings), "params": self.params}


def _install_dates(cameras: pd.DataFrame) -> pd.Series:
    if "install_date" not in cameras.columns:
        raise AnalysisError("the camera layer has no install date column (install_date / 安装日期)")
    return pd.to_datetime(cameras["install_date"], errors="coerce")


def camera_impact(cameras: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, *,
                  window_days: int = 180, types: list[str] | None = None,
                  group_by: str = "all", control: str = "ring",
                  buffer_m: float = 100.0, control_inner_m: float = 100.0,
                  control_outer_m: float = 300.0, beats: gpd.GeoDataFrame | None = None,
                  only_new: bool = True, defaults: CameraDefaults | None = None,
                  neutral_band: float = NEUTRAL_BAND) -> ImpactResult:
    """Before/after effect of cameras with an install date, with WDQ.

    Parameters
    ----------
    cameras
        Camera layer; cameras with ``install_date`` are evaluated (when an ``is_new``
        column exists and ``only_new``, only those flagged new).
    incidents
        Incident layer with times (``time`` or ``time_start``/``time_end``).
    window_days
        Length of each window, capped by the data before the first and after the last
        install date of a group.
    types
        Incident type codes to count (default all).
    group_by
        ``"all"`` (every evaluated camera together), ``"month"`` (by install month) or
        ``"camera"``.
    control
        ``"ring"`` (``control_inner_m``..``control_outer_m`` around the coverage) or
        ``"beat"`` (rest of the beats holding the cameras; needs ``beats``).

    Raises
    ------
    AnalysisError
        No camera with an install date, no incident times, unknown options.
    """
    if group_by not in ("all", "month", "camera"):
        raise AnalysisError(f"unknown grouping {group_by!r}: use all, month or camera")
    if control not in ("ring", "beat"):
        raise AnalysisError(f"unknown control area {control!r}: use ring or beat")
    if control == "beat" and (beats is None or len(beats) == 0):
        raise AnalysisError("control='beat' needs a community-beat layer")
    if not 0 < buffer_m <= control_inner_m < control_outer_m:
        raise AnalysisError("need 0 < buffer_m <= control_inner_m < control_outer_m")
    if window_days is None or window_days < 1:
        raise AnalysisError("window_days must be at least 1")
    if len(incidents) == 0:
        raise AnalysisError("no incidents to compare")
    warnings: list[str] = []

    dates = _install_dates(cameras)
    sel = dates.notna()
    if only_new and "is_new" in cameras.columns:
        flag = cameras["is_new"].astype("string").str.lower().isin(["true", "1", "yes", "y", "是"])
        sel &= flag.to_numpy()
    if not sel.any():
        raise AnalysisError("no camera has an install date: nothing to evaluate")
    sel &= ~(cameras.geometry.isna() | cameras.geometry.is_empty)
    if not sel.any():
        raise AnalysisError("no camera with an install date has a location")
    cams = cameras[sel.to_numpy()]
    cam_dates = dates[sel.to_numpy()]

    incidents, more = drop_empty(incidents, "incident(s)")
    warnings += more
    if len(incidents) == 0:
        raise AnalysisError("no incident has a location")
    crs = metric_crs(incidents)
    inc = to_metric(incidents, crs, "incidents")
    # the data span comes from every incident: no e-bike theft for a month is a finding,
    # not missing data
    t_all = pd.to_datetime(event_time(inc), errors="coerce")
    if types:
        if "type" not in inc.columns:
            raise AnalysisError("a type filter was given but the incidents have no type column")
        inc = inc[inc["type"].astype("string").isin(list(types)).to_numpy()]
        if len(inc) == 0:
            raise AnalysisError(f"no incident of type {', '.join(types)}")
    t = pd.to_datetime(event_time(inc), errors="coerce")
    if t.notna().sum() == 0:
        raise AnalysisError("the incidents have no times: a before/after comparison needs them")
    if t.isna().any():
        warnings.append(f"{int(t.isna().sum())} incident(s) without a time are left out")
    keep = t.notna().to_numpy()
    inc, t = inc[keep], t[keep]
    t_min, t_max = t_all.min(), t_all.max()
    pts = shapely.points(point_xy(inc))
    tvals = t.to_numpy()

    cov = coverage_polygons(cams, defaults)
    warnings += cov.attrs.get("warnings", [])
    cov_m = cov.to_crs(crs)
    all_treated = shapely.union_all(cov_m.geometry.values)
    beats_m = to_metric(beats, crs, "beats") if beats is not None else None

    ids = (cams["camera_id"].astype("string").fillna("?").to_numpy() if "camera_id" in cams
           else np.asarray([str(i) for i in cams.index]))
    if group_by == "all":
        labels = np.full(len(cams), "all new cameras" if only_new and "is_new" in cams.columns
                         else "all cameras", dtype=object)
    elif group_by == "month":
        labels = cam_dates.dt.strftime("%Y-%m").to_numpy(dtype=object)
    else:
        labels = ids.astype(object)

    rows, chart_rows, area_rows = [], [], []
    groups = list(dict.fromkeys(labels))
    for g in groups:
        m = labels == g
        r = _group_row(g, cov_m.geometry.values[m], cam_dates[m], all_treated, pts, tvals,
                       t_min, t_max, window_days, buffer_m, control, control_inner_m,
                       control_outer_m, beats_m, neutral_band, warnings, area_rows)
        if r is not None:
            rows.append(r)
    if len(groups) > 1 and rows:
        r = _group_row("overall", cov_m.geometry.values, cam_dates, all_treated, pts, tvals,
                       t_min, t_max, window_days, buffer_m, control, control_inner_m,
                       control_outer_m, beats_m, neutral_band, warnings, area_rows)
        if r is not None:
            rows.append(r)
    if not rows:
        raise AnalysisError("no camera group has enough incident data before and after its "
                            f"install date (at least {MIN_WINDOW_DAYS} days on each side)")
    table = pd.DataFrame(rows)
    for r in rows:
        for area, key in (("treatment", "R"), ("buffer", "D"), ("control", "C")):
            chart_rows.append({"group": r["group"], "area": area, "period": "before",
                               "incidents": r[f"{key}b"]})
            chart_rows.append({"group": r["group"], "area": area, "period": "after",
                               "incidents": r[f"{key}a"]})
    areas = gpd.GeoDataFrame(pd.DataFrame([{k: v for k, v in a.items() if k != "geometry"}
                                           for a in area_rows]),
                             geometry=gpd.GeoSeries([a["geometry"] for a in area_rows], crs=crs),
                             crs=crs).to_crs(incidents.crs)
    params = {"window_days": window_days, "types": list(types) if types else None,
              "group_by": group_by, "control": control, "buffer_m": buffer_m,
              "control_ring_m": [control_inner_m, control_outer_m] if control == "ring" else None,
              "only_new": only_new, "metric_crs": crs.to_string(),
              "data_start": t_min.date().isoformat(), "data_end": t_max.date().isoformat()}
    return ImpactResult(table=table, chart=pd.DataFrame(chart_rows), areas=areas, params=params,
                        warnings=warnings)


def _count(geom, pts: np.ndarray, tvals: np.ndarray, start, end) -> int:
    if geom is None or geom.is_empty:
        return 0
    inwin = (tvals >= np.datetime64(start)) & (tvals < np.datetime64(end))
    idx = np.flatnonzero(inwin)
    if len(idx) == 0:
        return 0
    shapely.prepare(geom)
    return int(shapely.intersects(geom, pts[idx]).sum())


def _group_row(group, geoms, dates: pd.Series, all_treated, pts, tvals, t_min, t_max,
               window_days, buffer_m, control, inner_m, outer_m, beats_m, neutral_band,
               warnings, area_rows) -> dict[str, Any] | None:
    first, last = dates.min(), dates.max()
    avail_before = (first - t_min).days
    avail_after = (t_max - last).days + 1
    w = int(min(window_days, avail_before, avail_after))
    if w < MIN_WINDOW_DAYS:
        warnings.append(f"group {group}: only {max(w, 0)} day(s) of data on one side of the "
                        f"install date(s) {first.date()}..{last.date()}; skipped")
        return None
    if w < window_days:
        warnings.append(f"group {group}: window shortened to {w} days by the data span")
    b_start, b_end = first - pd.Timedelta(days=w), first
    a_start, a_end = last, last + pd.Timedelta(days=w)
    treat = shapely.union_all(geoms)
    buffer = shapely.difference(shapely.buffer(treat, buffer_m), all_treated)
    if control == "ring":
        ctrl = shapely.difference(shapely.buffer(treat, outer_m), shapely.buffer(treat, inner_m))
    else:
        tree = shapely.STRtree(beats_m.geometry.values)
        hit = np.unique(tree.query(geoms, predicate="intersects")[1])
        ctrl = shapely.union_all(beats_m.geometry.values[hit]) if len(hit) else shapely.Polygon()
        ctrl = shapely.difference(ctrl, shapely.buffer(treat, buffer_m))
    ctrl = shapely.difference(ctrl, shapely.buffer(all_treated, buffer_m))
    counts = {}
    for key, geom in (("R", treat), ("D", buffer), ("C", ctrl)):
        counts[f"{key}b"] = _count(geom, pts, tvals, b_start, b_end)
        counts[f"{key}a"] = _count(geom, pts, tvals, a_start, a_end)
    for area, geom in (("treatment", treat), ("buffer", buffer), ("control", ctrl)):
        area_rows.append({"group": group, "area": area, "area_m2": float(geom.area),
                          "geometry": geom})
    ra, rb, da, db, ca, cb = (counts[k] for k in ("Ra", "Rb", "Da", "Db", "Ca", "Cb"))

    def change(a, b):
        return (a - b) / b if b > 0 else float("nan")

    c_ratio = ca / cb if cb > 0 else float("nan")
    code, text = interpret_wdq(ra, rb, da, db, ca, cb, neutral_band)
    small = min(rb, db, cb) < SMALL_COUNT
    if small and code != "insufficient_data":
        text += f" (fewer than {SMALL_COUNT} incidents before in some area: interpret with caution)"
    return {
        "group": group, "cameras": int(len(geoms)),
        "install_first": first.normalize(), "install_last": last.normalize(),
        "window_days": w, "before_start": b_start.normalize(), "before_end": b_end.normalize(),
        "after_start": a_start.normalize(), "after_end": a_end.normalize(),
        **counts,
        "change_R": change(ra, rb), "change_D": change(da, db), "change_C": change(ca, cb),
        "relative_effect": ((ra / rb) / c_ratio - 1) if rb > 0 and cb > 0 and ca > 0 else float("nan"),
        "success_measure": (ra / rb - c_ratio) if rb > 0 and cb > 0 else float("nan"),
        "buffer_measure": (da / db - c_ratio) if db > 0 and cb > 0 else float("nan"),
        "wdq": wdq(ra, rb, da, db, ca, cb),
        "tne": (rb * c_ratio - ra) + (db * c_ratio - da) if cb > 0 else float("nan"),
        "effect": code, "small_counts": bool(small), "interpretation": text,
    }
