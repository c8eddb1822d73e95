"""The heavy scene the canvas responsiveness test and bench/bench_canvas.py render: 1,000,000
categorised points and 10,000 graduated hexagons over the same area."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from mapdesk.model import Layer, Project, Style

EXTENT = (112.50, 37.84, 112.62, 37.92)


def heavy_project(extent: tuple[float, float, float, float] = EXTENT) -> Project:
    rng = np.random.default_rng(0)
    n = 1_000_000
    types = np.array(["ebike_theft", "other_theft", "fraud", "dispute", "dog"])
    pts = gpd.GeoDataFrame({"type": types[rng.integers(0, types.size, n)]},
                           geometry=gpd.points_from_xy(rng.uniform(extent[0], extent[2], n),
                                                       rng.uniform(extent[1], extent[3], n)),
                           crs="EPSG:4326")
    r, side = 0.0006, 100
    i, j = np.meshgrid(np.arange(side), np.arange(side))
    cx = extent[0] + i.ravel() * r * 1.5
    cy = extent[1] + j.ravel() * r * 1.732 + (i.ravel() % 2) * r * 0.866
    a = np.radians(np.arange(7) * 60)
    rings = np.stack([cx[:, None] + r * np.cos(a), cy[:, None] + r * 0.8 * np.sin(a)], axis=-1)
    hexes = gpd.GeoDataFrame({"count": rng.gamma(2, 3, cx.size)}, geometry=shapely.polygons(rings),
                             crs="EPSG:4326")
    proj = Project("heavy")
    proj.add_layer(Layer.from_frame("hexes", hexes, style=Style(kind="graduated", field="count",
                                                                fill_opacity=0.85)))
    proj.add_layer(Layer.from_frame("million", pts, style=Style(kind="categorized", field="type", size=3)))
    return proj
