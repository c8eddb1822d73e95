"""A small synthetic project (incidents by type, graded trees, cameras, a density raster) and a
stub map painter, so layout tests do not depend on the renderer's details."""

from __future__ import annotations

import numpy as np
import pandas as pd

CENTER = (112.560, 37.880)


def make_incidents(n: int = 300, seed: int = 1) -> gpd.GeoDataFrame:  # noqa: F821
    import geopandas as gpd

    rng = np.random.default_rng(seed)
    lon = CENTER[0] + rng.normal(0, 0.006, n)
    lat = CENTER[1] + rng.normal(0, 0.005, n)
    types = rng.choice(["ebike_theft", "other_theft", "fraud", "dispute", "dog"], n,
                       p=[0.4, 0.2, 0.15, 0.15, 0.1])
    t0 = pd.Timestamp("2026-11-01")
    times = t0 + pd.to_timedelta(rng.integers(0, 27 * 24 * 60, n), unit="min")
    return gpd.GeoDataFrame({"incident_id": [f"I{i:05d}" for i in range(n)], "type": types,
                             "time": times, "status": rng.choice(["reported", "cleared"], n)},
                            geometry=gpd.points_from_xy(lon, lat), crs=4326)


def make_trees(n: int = 60, seed: int = 2):
    import geopandas as gpd

    rng = np.random.default_rng(seed)
    lon = CENTER[0] + rng.normal(0, 0.008, n)
    lat = CENTER[1] + rng.normal(0, 0.006, n)
    return gpd.GeoDataFrame({"tree_id": [f"T{i}" for i in range(n)],
                             "species": rng.choice(["国槐", "油松", "侧柏"], n),
                             "grade_computed": rng.choice(["1", "2", "3", "4"], n)},
                            geometry=gpd.points_from_xy(lon, lat), crs=4326)


def make_cameras(n: int = 12, seed: int = 3):
    import geopandas as gpd

    rng = np.random.default_rng(seed)
    lon = CENTER[0] + rng.normal(0, 0.005, n)
    lat = CENTER[1] + rng.normal(0, 0.004, n)
    return gpd.GeoDataFrame({"camera_id": [f"C{i}" for i in range(n)],
                             "direction_deg": rng.uniform(0, 360, n), "fov_deg": 60.0, "range_m": 80.0,
                             "status": rng.choice(["active", "planned"], n)},
                            geometry=gpd.points_from_xy(lon, lat), crs=4326)


def make_project(with_raster: bool = True, title: str = "Julun test map"):
    from mapdesk.analysis.raster import RasterGrid
    from mapdesk.model import Layer, Project

    proj = Project(title)
    proj.is_synthetic = True
    proj.add_layer(Layer.from_frame("Trees 古树", make_trees(), role="trees"))
    inc = make_incidents()
    proj.add_layer(Layer.from_frame("Incidents 警情", inc, role="incidents",
                                    field_map={"incident_id": "incident_id", "type": "type", "time": "time",
                                               "status": "status"}))
    proj.add_layer(Layer.from_frame("Cameras", make_cameras(), role="cameras",
                                    field_map={"camera_id": "camera_id", "direction_deg": "direction_deg",
                                               "fov_deg": "fov_deg", "range_m": "range_m", "status": "status"}))
    if with_raster:
        yy, xx = np.mgrid[0:40, 0:50]
        vals = np.exp(-((xx - 25) ** 2 + (yy - 20) ** 2) / 120.0) * 80
        grid = RasterGrid(vals, (636200.0, 4192800.0, 638200.0, 4194400.0), "EPSG:32649", 40.0,
                          "incidents per km²", {"method": "kde", "bandwidth_m": 150, "cell_m": 40,
                                                 "n_points": 300})
        lyr = Layer.from_raster("Density 密度", grid)
        lyr.visible = True
        proj.add_layer(lyr, 0)
    return proj


def stub_paint_map(painter, rect, settings):
    """Draw a grey grid and a dark disc: enough pixels to tell the frame is not blank."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QBrush, QColor, QPen

    painter.fillRect(rect, QColor("#e8eef5"))
    painter.setPen(QPen(QColor("#9aa"), 1))
    step = max(rect.width() / 10, 1)
    x = 0.0
    while x < rect.width():
        painter.drawLine(QPointF(x, 0), QPointF(x, rect.height()))
        x += step
    painter.setBrush(QBrush(QColor("#d7191c")))
    painter.drawEllipse(rect.center(), rect.width() / 6, rect.width() / 6)
