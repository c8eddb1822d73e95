"""Fixtures for renderer tests: small deterministic scenes.

The renderer is duck-typed against the model's Layer/Style API; these stand-ins keep the
render tests independent of the model's constructors and of the sample data.
"""

from __future__ import annotations

import dataclasses as dc
import itertools
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pytest
import shapely

from mapdesk.render.fonts import ensure_fonts, ensure_qt_app

_ids = itertools.count(1)


@dataclass
class Category:
    value: object
    label: str
    color: str
    visible: bool = True


@dataclass
class Style:
    kind: str = "single"
    color: str = "#3366cc"
    stroke_color: str = "#333333"
    stroke_width: float = 0.5
    fill_opacity: float = 1.0
    size: float = 6.0
    size_field: str | None = None
    size_range: tuple = (3.0, 14.0)
    marker: str = "circle"
    field: str | None = None
    categories: list = dc.field(default_factory=list)
    method: str = "quantiles"
    classes: int = 5
    ramp: str = "YlOrRd"
    breaks: list = dc.field(default_factory=list)
    label_field: str | None = None
    label_size: float = 8.0
    label_color: str = "#222222"
    wedge: bool = False
    vmin: float | None = None
    vmax: float | None = None
    raster_opacity: float = 0.8


@dataclass
class RasterGrid:
    values: np.ndarray
    bounds: tuple
    crs: str
    units: str = ""
    params: dict = dc.field(default_factory=dict)


class Layer:
    def __init__(self, frame=None, name="layer", style=None, role="generic", kind="vector",
                 raster=None, field_map=None):
        self.id = f"L{next(_ids)}"
        self.name = name
        self.visible = True
        self.opacity = 1.0
        self.role = role
        self.kind = kind
        self.status = "ok"
        self.error = ""
        self.frame = frame
        self.raster = raster
        self.style = style or Style()
        self.field_map = field_map or {}
        self.data_version = 1

    def filtered_frame(self):
        return self.frame


class Project:
    def __init__(self, layers=(), basemap=None, title="test", is_synthetic=True):
        self.layers = list(layers)
        self.basemap = basemap or {"kind": "none", "path": None, "url": None, "name": "none",
                                   "attribution": ""}
        self.extent_wgs84 = None
        self.title = title
        self.is_synthetic = is_synthetic


@pytest.fixture(scope="session", autouse=True)
def qt_fonts(qapp):
    # pytest-qt's QApplication: a bare QGuiApplication would make later widget tests abort.
    ensure_qt_app()
    return ensure_fonts()


CENTER = (112.56, 37.88)  # Taiyuan, Jiefang Road


def scene_points(n=300, seed=1, spread_deg=0.01):
    rng = np.random.default_rng(seed)
    lon = CENTER[0] + rng.normal(0, spread_deg, n)
    lat = CENTER[1] + rng.normal(0, spread_deg * 0.8, n)
    types = np.array(["ebike_theft", "other_theft", "fraud", "dispute", "dog", "help_request"])
    return gpd.GeoDataFrame({"type": types[rng.integers(0, 6, n)],
                             "value": rng.gamma(2.0, 5.0, n).round(1),
                             "name": [f"P{i}" for i in range(n)]},
                            geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def scene_hexes(nx=12, ny=10, r_deg=0.002):
    cells, vals = [], []
    for i in range(nx):
        for j in range(ny):
            cx = CENTER[0] - 0.02 + i * r_deg * 1.5
            cy = CENTER[1] - 0.015 + j * r_deg * 1.732 + (i % 2) * r_deg * 0.866
            a = np.radians(np.arange(6) * 60)
            cells.append(shapely.Polygon(np.column_stack([cx + r_deg * np.cos(a), cy + r_deg * 0.8 * np.sin(a)])))
            vals.append(float((i * 7 + j * 3) % 23))
    return gpd.GeoDataFrame({"count": vals, "cell": [f"H{k}" for k in range(len(vals))]},
                            geometry=cells, crs="EPSG:4326")


@pytest.fixture
def make():
    """Factory namespace for scenes: make.Layer(...), make.Project(...)."""
    class NS:
        pass

    ns = NS()
    ns.Layer, ns.Project, ns.Style, ns.Category, ns.RasterGrid = Layer, Project, Style, Category, RasterGrid
    ns.points, ns.hexes, ns.CENTER = scene_points, scene_hexes, CENTER
    return ns
