"""Many polygons on raster output: one path per class, same pixels as one call per polygon."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pytest
import shapely

from mapdesk.render import painters
from mapdesk.render.cache import RenderCache
from mapdesk.render.job import render_image_with_report
from mapdesk.render.qtarrays import path_from_rings, qimage_to_rgba
from mapdesk.render.viewport import MapSettings, lonlat_to_mercator

EXTENT = (112.53, 37.86, 112.59, 37.90)


def _render(project, settings, batch: bool, monkeypatch):
    monkeypatch.setattr(painters, "BATCH_POLYGONS", 1 if batch else 10**9)
    img, report = render_image_with_report(project, settings, decorations=False, cache=RenderCache())
    return qimage_to_rgba(img).astype(int), report


def test_batched_hexes_match_one_call_per_polygon(make, monkeypatch):
    hexes = make.Layer(make.hexes(), "hex", make.Style(kind="graduated", field="count", ramp="Blues",
                                                     fill_opacity=0.8, breaks=[0, 5, 10, 15, 22]))
    s = MapSettings.from_wgs84_extent(EXTENT, 480, 320)
    a, ra = _render(make.Project([hexes]), s, True, monkeypatch)
    b, rb = _render(make.Project([hexes]), s, False, monkeypatch)
    assert ra.layers[0].n_visible == rb.layers[0].n_visible == 120
    diff = np.abs(a - b)
    assert diff.mean() < 1.0 and (diff.max(axis=2) > 40).mean() < 0.01


def _pixel(rgba, settings, lon, lat):
    x, y = lonlat_to_mercator([lon], [lat])
    px, py = settings.map_to_pixel(x, y)
    return rgba[int(py[0]), int(px[0])]


def test_batched_fill_keeps_holes_and_overlaps_of_any_orientation(make, monkeypatch):
    shell = shapely.box(112.54, 37.87, 112.56, 37.89)
    hole = shapely.box(112.545, 37.875, 112.555, 37.885)
    ring = shapely.Polygon(shell.exterior.coords, [hole.exterior.coords])
    # Same class, clockwise shell, overlapping the first polygon.
    cw = shapely.Polygon(list(shapely.box(112.555, 37.87, 112.575, 37.89).exterior.coords)[::-1])
    frame = gpd.GeoDataFrame({"v": [1, 1]}, geometry=[ring, cw], crs="EPSG:4326")
    layer = make.Layer(frame, "p", make.Style(color="#0000ff", fill_opacity=0.5, stroke_width=0))
    s = dataclasses.replace(MapSettings.from_wgs84_extent(EXTENT, 300, 200), background="#ffffff")
    rgba, _ = _render(make.Project([layer]), s, True, monkeypatch)
    assert _pixel(rgba, s, 112.55, 37.88)[:3].tolist() == [255, 255, 255]          # the hole
    inside = _pixel(rgba, s, 112.542, 37.88)
    overlap = _pixel(rgba, s, 112.5575, 37.88)
    only_cw = _pixel(rgba, s, 112.57, 37.88)
    assert inside[:3].tolist() == pytest.approx([128, 128, 255], abs=2)
    assert np.abs(overlap - inside).max() <= 1 and np.abs(only_cw - inside).max() <= 1


def test_path_from_rings_builds_closed_subpaths():
    x = np.array([0.0, 10, 10, 0, 0, 20, 30, 30, 20])
    y = np.array([0.0, 0, 10, 10, 0, 0, 0, 10, 10])
    path = path_from_rings(x, y, np.array([0, 5, 9]))
    assert path.elementCount() == 9
    assert path.elementAt(0).isMoveTo() and path.elementAt(5).isMoveTo() and path.elementAt(6).isLineTo()
    r = path.boundingRect()
    assert (r.left(), r.top(), r.right(), r.bottom()) == (0, 0, 30, 10)
    from PySide6.QtCore import QPointF

    assert path.contains(QPointF(5, 5)) and path.contains(QPointF(25, 5)) and not path.contains(QPointF(15, 5))
