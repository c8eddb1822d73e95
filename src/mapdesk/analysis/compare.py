"""Two periods on the same grid with one colour scale, and their difference.

Both periods are computed on one grid (the extent of the incidents of both periods)
with one bandwidth (by default chosen from both periods together, so that neither
period's spread decides alone), and share ``vmax`` = the larger maximum, so the two
maps use the same legend. The difference is B − A.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from mapdesk.analysis.bins import hex_counts, square_counts
from mapdesk.analysis.density import (
    default_bandwidth_m,
    default_cell_m,
    kernel_density,
    kernel_support_m,
)
from mapdesk.analysis.filters import select_incidents
from mapdesk.analysis.progress import CancelledFn, ProgressFn, Steps
from mapdesk.analysis.projection import point_coords, to_metric
from mapdesk.analysis.raster import RasterGrid, snap_bounds
from mapdesk.errors import AnalysisError


@dataclass
class PeriodComparison:
    """Result of :func:`compare_periods`.

    ``a``/``b``: RasterGrid (kde) or GeoDataFrame (grid/hex) of each period on the same
    cells; ``diff``: B − A in the same form (for cells: columns count_a, count_b, diff);
    ``vmax``: the shared colour-scale maximum of ``a`` and ``b``; ``diff_max``: the
    largest absolute difference (a symmetric scale for the difference map).
    """

    a: Any
    b: Any
    diff: Any
    vmax: float
    diff_max: float
    params: dict[str, Any] = field(default_factory=dict)


def _label(start, end) -> str:
    return f"{start or '…'} to {end or '…'}"


def compare_periods(points: gpd.GeoDataFrame, period_a: tuple, period_b: tuple, *,
                    method: str = "kde", cell_m: float | None = None,
                    bandwidth_m: float | None = None, kernel: str = "quartic",
                    units: str = "per_km2", progress: ProgressFn | None = None,
                    cancelled: CancelledFn | None = None) -> PeriodComparison:
    """Compare two periods ``(start, end)`` (dates, end inclusive) of the same incidents.

    Parameters
    ----------
    method
        "kde", "grid" or "hex".
    cell_m, bandwidth_m, kernel, units
        As in :func:`~mapdesk.analysis.density.kernel_density` /
        :func:`~mapdesk.analysis.bins.square_counts`; defaults are computed from both
        periods together and reported.
    """
    steps = Steps(progress, cancelled)
    metric = to_metric(points)
    pa, _ = select_incidents(metric, start=period_a[0], end=period_a[1])
    pb, _ = select_incidents(metric, start=period_b[0], end=period_b[1])
    la, lb = _label(*period_a), _label(*period_b)
    if len(pa) == 0 and len(pb) == 0:
        raise AnalysisError(f"no incidents in either period ({la}; {lb})")
    both = pd.concat([pa, pb])
    x, y, ok = point_coords(both)
    x, y = x[ok], y[ok]
    if x.size == 0:
        raise AnalysisError("no incident in either period has a location")
    params: dict[str, Any] = {"method": method, "period_a": la, "period_b": lb,
                              "n_a": len(pa), "n_b": len(pb)}
    steps(0.05)
    if method == "kde":
        if bandwidth_m is None:
            bandwidth_m, det = default_bandwidth_m(x, y)
            params["bandwidth_source"] = det["rule"] + " (both periods together)"
        if cell_m is None:
            cell_m = default_cell_m(x, y, bandwidth_m)
        reach = kernel_support_m(kernel, bandwidth_m)
        gb, _, _ = snap_bounds((x.min(), y.min(), x.max(), y.max()), cell_m, reach, closed=False)
        grids = []
        for k, (part, label) in enumerate(((pa, la), (pb, lb))):
            if len(part) == 0:
                proto = grids[0] if grids else None
                values = np.zeros_like(proto.values) if proto is not None else None
                grids.append(RasterGrid(values=values, bounds=gb, crs=metric.crs, cell_m=cell_m,
                                        units="", params={"period": label, "n_points": 0}))
                continue
            grids.append(kernel_density(part, cell_m=cell_m, bandwidth_m=bandwidth_m, kernel=kernel,
                                        units=units, bounds=gb, period=label))
            steps(0.3 + 0.3 * k)
        a, b = grids
        ref = a if len(pa) else b
        for g in (a, b):
            if g.values is None:
                g.values = np.zeros_like(ref.values)
            g.units = ref.units
        vmax = max(a.max(), b.max())
        d = b.values - a.values
        diff_max = float(np.abs(d).max()) if d.size else 0.0
        diff = RasterGrid(values=d, bounds=a.bounds, crs=a.crs, cell_m=a.cell_m,
                          units=f"change in {ref.units} (B − A)",
                          params={**ref.params, "period": f"{lb} minus {la}", "vmax": vmax,
                                  "diff_max": diff_max})
        for g in (a, b):
            g.params["vmax"] = vmax
        params.update({"bandwidth_m": float(bandwidth_m), "cell_m": float(cell_m), "kernel": kernel,
                       "units": ref.units})
    elif method in ("grid", "hex"):
        if cell_m is None:
            from mapdesk.analysis.hotspots import default_aggregation_cell_m

            cell_m = default_aggregation_cell_m(x, y)
        if method == "grid":
            full = square_counts(both, cell_m, include_empty=True)
            bounds = full.attrs["params"]["grid_bounds"]
            a = square_counts(pa, cell_m, include_empty=True, bounds=bounds, period=la) if len(pa) else None
            b = square_counts(pb, cell_m, include_empty=True, bounds=bounds, period=lb) if len(pb) else None
            key = ["row", "col"]
        else:
            full = hex_counts(both, cell_m, include_empty=False)
            a = hex_counts(pa, cell_m, period=la) if len(pa) else None
            b = hex_counts(pb, cell_m, period=lb) if len(pb) else None
            key = ["row", "col"]
        steps(0.6)
        base = full[key + ["geometry"]].copy()
        out = {}
        for name, part in (("a", a), ("b", b)):
            cnt = part.set_index(key)["count"] if part is not None else pd.Series(dtype="int64")
            g = base.copy()
            g["count"] = cnt.reindex(pd.MultiIndex.from_frame(base[key])).fillna(0).astype("int64").to_numpy()
            g["cell_id"] = np.arange(len(g))
            g.attrs["params"] = {**(part.attrs["params"] if part is not None else {}),
                                 "period": la if name == "a" else lb}
            out[name] = g
        a, b = out["a"], out["b"]
        vmax = float(max(a["count"].max(), b["count"].max()))
        diff = base.copy()
        diff["cell_id"] = np.arange(len(diff))
        diff["count_a"] = a["count"].to_numpy()
        diff["count_b"] = b["count"].to_numpy()
        diff["diff"] = diff["count_b"] - diff["count_a"]
        diff_max = float(diff["diff"].abs().max())
        for g in (a, b, diff):
            g.attrs.setdefault("params", {})
            g.attrs["params"].update({"vmax": vmax, "diff_max": diff_max, "cell_m": float(cell_m)})
        diff.attrs["params"]["period"] = f"{lb} minus {la}"
        params.update({"cell_m": float(cell_m)})
    else:
        raise AnalysisError(f"comparison method must be kde, grid or hex, not {method!r}")
    params.update({"vmax": vmax, "diff_max": diff_max})
    steps(1.0)
    if not math.isfinite(vmax):
        vmax = 0.0
    return PeriodComparison(a=a, b=b, diff=diff, vmax=vmax, diff_max=diff_max, params=params)
