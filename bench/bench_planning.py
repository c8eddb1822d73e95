"""Interactive camera planning: what one mouse move during a drag costs.

A drag calls ``CameraPlan.move`` on every mouse move: the numbers (coverage by type, gains
per camera) and the conflicts must follow within a few milliseconds; the plan layer's frame
is rebuilt a few times a second (``hold_layer``/``flush_layer``), so it is measured apart.

Instances: the sample (3,025 incidents, 400 trees, 57 existing cameras) with 10 planned
cameras, and 50,000 generated incidents (7 types, clustered, UTM 49N) with 19 planned
cameras and 2,000 trees, cached in ``.bench_data/planning_instance.npz``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from run import timeit

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench_data" / "planning_instance.npz"
X0, Y0 = 634_000.0, 4_192_000.0  # Taiyuan, UTM 49N
TYPES = ["ebike_theft", "other_theft", "fraud", "dispute", "dog", "help_request", "other"]


def _instance() -> dict[str, np.ndarray]:
    if CACHE.exists():
        return dict(np.load(CACHE))
    r = np.random.default_rng(20261128)
    n, extent = 50_000, 2000.0
    hot = r.uniform(0, extent, (60, 2))
    n_hot = int(n * 0.7)
    inc = np.vstack([hot[r.integers(0, 60, n_hot)] + r.normal(0, 80, (n_hot, 2)),
                     r.uniform(0, extent, (n - n_hot, 2))])
    data = {"inc": inc, "types": r.integers(0, len(TYPES), n),
            "trees": r.uniform(0, extent, (2000, 2)), "ages": r.uniform(20, 400, 2000),
            "cams": np.column_stack([r.uniform(0, extent, (59, 2)), r.uniform(0, 360, 59)])}
    CACHE.parent.mkdir(exist_ok=True)
    np.savez(CACHE, **data)
    return data


def _layers(d: dict[str, np.ndarray]):
    from mapdesk.model import Layer

    def pts(xy):
        return gpd.points_from_xy(xy[:, 0] + X0, xy[:, 1] + Y0)

    inc = gpd.GeoDataFrame({"type": [TYPES[i] for i in d["types"]]}, geometry=pts(d["inc"]),
                           crs="EPSG:32649").to_crs(4326)
    trees = gpd.GeoDataFrame({"tree_id": [f"T{i:05d}" for i in range(len(d["trees"]))],
                              "species": "国槐", "age_years": d["ages"]},
                             geometry=pts(d["trees"]), crs="EPSG:32649").to_crs(4326)
    cams = gpd.GeoDataFrame({"camera_id": [f"C{i}" for i in range(len(d["cams"]))],
                             "direction_deg": d["cams"][:, 2], "fov_deg": 90.0, "range_m": 50.0,
                             "status": pd.array(["active"] * len(d["cams"]), dtype="string")},
                            geometry=pts(d["cams"][:, :2]), crs="EPSG:32649").to_crs(4326)
    return (Layer.from_frame("incidents", inc, role="incidents", field_map={"type": "type"}),
            Layer.from_frame("trees", trees, role="trees",
                             field_map={"tree_id": "tree_id", "species": "species",
                                        "age_years": "age_years"}),
            Layer.from_frame("cameras", cams, role="cameras",
                             field_map={k: k for k in ("camera_id", "direction_deg", "fov_deg",
                                                       "range_m", "status")}))


def _drag_rows(plan, n_cams: int, label: str) -> list[dict]:
    xy = plan.incident_xy
    centre = xy.mean(axis=0)
    r = np.random.default_rng(7)
    ids = [plan.add(*(centre + r.normal(0, 300, 2)), direction_deg=float(r.uniform(0, 360)))
           for _ in range(n_cams)]
    cid = ids[0]
    x0, y0 = plan.camera(cid).x_m, plan.camera(cid).y_m
    step = iter(range(10**9))

    def move() -> None:
        i = next(step)
        plan.move(cid, x0 + (i % 40), y0 + (i % 17))

    plan.hold_layer(True)
    rows = [{"name": f"planning: drag step, numbers + conflicts ({label})",
             "median_ms": timeit(move, repeat=41), "target_ms": 5.0},
            {"name": f"planning: rotate step, numbers + conflicts ({label})",
             "median_ms": timeit(lambda: plan.rotate(cid, float(next(step) % 360)), repeat=41),
             "target_ms": 5.0}]
    plan.hold_layer(False)
    plan.plan_layer()
    rows.append({"name": f"planning: drag step with the layer frame rebuilt ({label})",
                 "median_ms": timeit(move, repeat=41),
                 "note": "during a drag the frame is rebuilt every 80 ms only"})
    plan.clear()
    return rows


def run() -> list[dict]:
    from mapdesk.model import Project
    from mapdesk.model.plan import CameraPlan

    rows: list[dict] = []
    sample = Project.load(ROOT / "sample_data" / "sample.mapdesk.json")
    by_id = {lyr.id: lyr for lyr in sample.layers}
    plan = CameraPlan(sample, by_id["sample-incidents"], by_id["sample-trees"],
                      by_id["sample-cameras"])
    rows += _drag_rows(plan, 10, "sample: 3,025 incidents, 10 planned")

    inc, trees, cams = _layers(_instance())
    big = CameraPlan(Project(), inc, trees, cams)
    rows += _drag_rows(big, 19, "50k incidents, 2,000 trees, 19 planned")
    rows.append({"name": "planning: open a plan (50k incidents: zones, base coverage)",
                 "median_ms": timeit(lambda: CameraPlan(Project(), inc, trees, cams), repeat=3)})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
