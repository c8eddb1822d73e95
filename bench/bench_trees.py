"""Tree registry: grading, protection zones, and conflicts of 10,000 trees x 1,000 planned
features (target <= 200 ms, issue 7). Zone building is timed separately."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from mapdesk.domain.trees import find_conflicts, grade_trees, protection_zones, sites_in_zones
from run import timeit

DATA = Path(__file__).resolve().parents[1] / ".bench_data"
N_TREES = 10_000
N_FEATURES = 1_000
UTM49 = 32649


def _data() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    DATA.mkdir(exist_ok=True)
    tpath, fpath = DATA / "trees_10k.parquet", DATA / "trees_features_1k.parquet"
    if tpath.exists() and fpath.exists():
        return gpd.read_parquet(tpath), gpd.read_parquet(fpath)
    rng = np.random.default_rng(7)
    # a 6 x 6 km square of Taiyuan (UTM 49N), as a city registry would cover
    x0, y0 = 657000.0, 4191000.0
    x = x0 + rng.random(N_TREES) * 6000
    y = y0 + rng.random(N_TREES) * 6000
    species = rng.choice(["国槐", "油松", "侧柏", "白皮松", "榆树", "毛白杨", "银杏", "旱柳"], N_TREES)
    age = rng.choice([15, 30, 60, 120, 350], N_TREES).astype(object)
    age[rng.random(N_TREES) < 0.05] = "约300年"
    trees = gpd.GeoDataFrame({
        "tree_id": [f"T{i:05d}" for i in range(N_TREES)],
        "species": species,
        "age_years": age.astype(str),
        "dbh_cm": rng.uniform(10, 120, N_TREES).round(1),
        "height_m": rng.uniform(3, 25, N_TREES).round(1),
        "crown_diameter_m": np.where(rng.random(N_TREES) < 0.8, rng.uniform(3, 20, N_TREES).round(1), np.nan),
    }, geometry=gpd.points_from_xy(x, y), crs=UTM49).to_crs(4326)
    fx = x0 + rng.random(N_FEATURES) * 6000
    fy = y0 + rng.random(N_FEATURES) * 6000
    geoms = []
    for i in range(N_FEATURES):
        kind = i % 10
        if kind < 6:  # camera poles
            geoms.append(shapely.Point(fx[i], fy[i]))
        elif kind < 9:  # cable trenches, 50-300 m
            ang = rng.random() * np.pi
            length = rng.uniform(50, 300)
            geoms.append(shapely.LineString([(fx[i], fy[i]),
                                             (fx[i] + length * np.cos(ang), fy[i] + length * np.sin(ang))]))
        else:  # works areas
            geoms.append(shapely.box(fx[i], fy[i], fx[i] + rng.uniform(20, 80), fy[i] + rng.uniform(20, 80)))
    features = gpd.GeoDataFrame({"site_id": [f"F{i:04d}" for i in range(N_FEATURES)]},
                                geometry=geoms, crs=UTM49).to_crs(4326)
    trees.to_parquet(tpath)
    features.to_parquet(fpath)
    return trees, features


def run() -> list[dict]:
    trees, features = _data()
    graded = grade_trees(trees)
    zones = protection_zones(graded)
    n_conf = len(find_conflicts(zones, features))
    points = features[features.geom_type == "Point"]
    return [
        {"name": f"trees: grade {N_TREES:,} trees (messy ages)", "median_ms": timeit(lambda: grade_trees(trees), repeat=3)},
        {"name": f"trees: build {len(zones):,} protection zones", "median_ms": timeit(lambda: protection_zones(graded), repeat=3)},
        {"name": f"trees: conflicts {len(zones):,} zones x {N_FEATURES:,} features",
         "median_ms": timeit(lambda: find_conflicts(zones, features)), "target_ms": 200,
         "note": f"{n_conf} conflicts"},
        {"name": f"trees: sites_in_zones {len(points)} points",
         "median_ms": timeit(lambda: sites_in_zones(points, zones))},
    ]
