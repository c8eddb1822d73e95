"""Synthetic incidents near Julun police station, Taiyuan (WGS 84), for hotspot tests
(two clusters at metro entrances, evening peak). Shared by tests/analysis and tests/cli."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

UTM49 = "EPSG:32649"
# Dabeimen and Shenglijiekou metro entrances (approximate, synthetic data)
CENTRES_LONLAT = ((112.5620, 37.8815), (112.5625, 37.8700))


def make_incidents(n_background: int = 300, n_cluster: int = 150, seed: int = 0,
                   start: str = "2026-09-01", days: int = 60) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    to_utm = Transformer.from_crs(4326, UTM49, always_xy=True)
    to_ll = Transformer.from_crs(UTM49, 4326, always_xy=True)
    cx, cy = to_utm.transform(*np.array(CENTRES_LONLAT).T)
    xs = [rng.uniform(cx.min() - 1500, cx.max() + 1500, n_background)]
    ys = [rng.uniform(cy.min() - 1500, cy.max() + 1500, n_background)]
    for x0, y0 in zip(cx, cy, strict=True):
        xs.append(rng.normal(x0, 60, n_cluster))
        ys.append(rng.normal(y0, 60, n_cluster))
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    n = x.size
    lon, lat = to_ll.transform(x, y)
    t0 = pd.Timestamp(start)
    # thefts peak in the evening
    hours = np.clip(rng.normal(19, 3, n), 0, 23.99)
    day = rng.integers(0, days, n)
    time = t0 + pd.to_timedelta(day, unit="D") + pd.to_timedelta(hours, unit="h")
    types = rng.choice(["ebike_theft", "other_theft", "dispute", "fraud"], n, p=[0.5, 0.2, 0.2, 0.1])
    comm = rng.choice(["新建北路社区", "巨轮社区", "胜利街社区"], n)
    frame = gpd.GeoDataFrame(
        {"incident_id": [f"I{i:05d}" for i in range(n)], "type": types,
         "time": pd.Series(time).dt.floor("min"), "community": comm,
         "status": rng.choice(["reported", "cleared"], n)},
        geometry=gpd.points_from_xy(lon, lat), crs=4326)
    return frame


