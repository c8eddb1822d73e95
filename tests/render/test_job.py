"""Render jobs on deterministic scenes, compared with reference images."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PySide6.QtGui import QImage, QPainter

from mapdesk.render import palettes
from mapdesk.render.decorations import legend_items, nice_length_m, paint_legend, scale_bar
from mapdesk.render.job import render_image, render_image_with_report, render_project
from mapdesk.render.output import render_to_file
from mapdesk.render.qtarrays import qimage_to_rgba
from mapdesk.render.viewport import MapSettings

REF = Path(__file__).parent / "reference"
EXTENT = (112.53, 37.86, 112.59, 37.90)


def compare_with_reference(img: QImage, name: str, mean_tol: float = 2.0, frac_tol: float = 0.01):
    """Mean absolute difference per channel and fraction of clearly different pixels.

    Set MAPDESK_UPDATE_REFERENCES=1 to (re)write the reference instead.
    """
    path = REF / f"{name}.png"
    if os.environ.get("MAPDESK_UPDATE_REFERENCES") or not path.exists():
        REF.mkdir(exist_ok=True)
        img.save(str(path))
        if not os.environ.get("MAPDESK_UPDATE_REFERENCES"):
            pytest.fail(f"reference {path.name} was missing and has been written; check and commit it")
    ref = QImage(str(path))
    a = qimage_to_rgba(img).astype(np.int16)
    b = qimage_to_rgba(ref).astype(np.int16)
    assert a.shape == b.shape
    diff = np.abs(a - b)
    mean = diff.mean()
    frac = (diff.max(axis=2) > 40).mean()
    assert mean <= mean_tol and frac <= frac_tol, f"{name}: mean {mean:.2f}, differing {frac:.4f}"


@pytest.fixture
def scene(make):
    cats = [make.Category(k, k, v) for k, v in palettes.INCIDENT_TYPE_COLORS.items()]
    hexes = make.Layer(make.hexes(), "hex cells",
                       make.Style(kind="graduated", field="count", ramp="Blues", fill_opacity=0.8,
                                  breaks=[0, 5, 10, 15, 22]))
    line = make.Layer(gpd.GeoDataFrame({"name": ["Line 2"]}, geometry=[shapely.LineString(
        [(112.55, 37.86), (112.555, 37.88), (112.56, 37.90)])], crs="EPSG:4326"), "metro",
        make.Style(color="#7b3294", stroke_width=2.5))
    pts = make.Layer(make.points(200), "incidents",
                     make.Style(kind="categorized", field="type", categories=cats, size=6,
                                stroke_width=0.5, stroke_color="#ffffff", label_field="name",
                                label_size=7))
    return make.Project([hexes, line, pts])


def test_reference_scene_png(scene):
    s = MapSettings.from_wgs84_extent(EXTENT, 480, 320)
    img, report = render_image_with_report(scene, s)
    assert [r.mode for r in report.layers] == ["exact", "exact", "exact"]
    assert report.layer(scene.layers[2].id).n_visible > 150
    assert report.layer(scene.layers[2].id).n_labels > 10
    compare_with_reference(img, "scene")


def test_reference_rasterized_points(make):
    from mapdesk.render import rasterizer

    cats = [make.Category(k, k, v) for k, v in palettes.INCIDENT_TYPE_COLORS.items()]
    layer = make.Layer(make.points(3000, seed=4, spread_deg=0.006), "many",
                       make.Style(kind="categorized", field="type", categories=cats, size=4))
    proj = make.Project([layer])
    s = MapSettings.from_wgs84_extent(EXTENT, 320, 240)
    old = rasterizer.EXACT_POINT_LIMIT
    try:
        from mapdesk.render import painters
        painters.EXACT_POINT_LIMIT = 1000
        img, report = render_image_with_report(proj, s, decorations=False)
    finally:
        painters.EXACT_POINT_LIMIT = old
    assert report.layers[0].mode == "raster"
    compare_with_reference(img, "rasterized")


def test_camera_wedges_and_markers(make):
    frame = gpd.GeoDataFrame({"dir": [0.0, 90.0, 200.0], "fov": [60.0, 90.0, 360.0],
                              "rng": [150.0, 100.0, 60.0], "status": ["active", "planned", "active"]},
                             geometry=gpd.points_from_xy([112.555, 112.565, 112.56], [37.88, 37.88, 37.872]),
                             crs="EPSG:4326")
    cats = [make.Category(k, k, v) for k, v in palettes.CAMERA_STATUS_COLORS.items()]
    layer = make.Layer(frame, "cameras", make.Style(kind="categorized", field="status", categories=cats,
                                                    marker="square", wedge=True, size=7, fill_opacity=0.3),
                       role="cameras", field_map={"direction_deg": "dir", "fov_deg": "fov", "range_m": "rng"})
    proj = make.Project([layer])
    s = MapSettings.from_wgs84_extent((112.55, 37.868, 112.57, 37.886), 400, 400)
    img = render_image(proj, s, decorations=False)
    a = qimage_to_rgba(img).astype(int)
    # North-pointing wedge of camera 0: a pixel 100 m north is tinted blue, 100 m south is not.
    px, py = s.map_to_pixel(*_m(112.555, 37.88 + 100 / 111000))
    bg = np.array([0xf4, 0xf3, 0xef])
    assert np.abs(a[int(py), int(px), :3] - bg).sum() > 20
    px, py = s.map_to_pixel(*_m(112.555, 37.88 - 100 / 111000))
    assert np.abs(a[int(py), int(px), :3] - bg).sum() < 5
    compare_with_reference(img, "cameras")


def _m(lon, lat):
    from mapdesk.render.viewport import lonlat_to_mercator
    return lonlat_to_mercator(lon, lat)


def test_empty_invalid_and_missing_layers_are_reported(make):
    bowtie = shapely.Polygon([(112.55, 37.87), (112.56, 37.88), (112.56, 37.87), (112.55, 37.88)])
    good = shapely.box(112.565, 37.875, 112.57, 37.88)
    frame = gpd.GeoDataFrame({"v": [1, 2, 3]}, geometry=[bowtie, good, None], crs="EPSG:4326")
    bad = make.Layer(frame, "with invalid")
    empty = make.Layer(gpd.GeoDataFrame({"v": []}, geometry=[], crs="EPSG:4326"), "empty")
    missing = make.Layer(None, "missing")
    missing.status, missing.error = "missing", "file not found: x.gpkg"
    proj = make.Project([bad, empty, missing])
    s = MapSettings.from_wgs84_extent(EXTENT, 200, 150)
    img, report = render_image_with_report(proj, s)
    r_bad, r_empty, r_missing = report.layers
    assert r_bad.drawn and r_bad.n_invalid == 1 and r_bad.n_empty == 1 and r_bad.n_visible == 1
    assert not r_empty.drawn and r_empty.message == "no features"
    assert not r_missing.drawn and "file not found" in r_missing.message
    assert "1 invalid geometries skipped" in report.summary()
    assert not img.isNull()


def test_world_zoom_with_points_everywhere(make):
    rng = np.random.default_rng(0)
    n = 60_000
    frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy(rng.uniform(-180, 180, n), rng.uniform(-89, 89, n)),
                             crs="EPSG:4326")
    proj = make.Project([make.Layer(frame, "world")])
    s = MapSettings((-4e7, -4e7, 4e7, 4e7), 300, 200)
    img, report = render_image_with_report(proj, s)
    assert report.layers[0].mode == "raster" and report.layers[0].n_visible == n


def test_raster_layer_drawn_into_its_bounds(make):
    values = np.full((4, 5), np.nan)
    values[1:3, 1:4] = [[1, 2, 3], [4, 5, 6]]
    # UTM 49N around Taiyuan
    grid = make.RasterGrid(values, (667000, 4193000, 667500, 4193400), "EPSG:32649",
                           units="incidents/km²", params={"bandwidth_m": 150})
    layer = make.Layer(kind="raster", raster=grid, name="density",
                       style=make.Style(kind="raster", ramp="YlOrRd", raster_opacity=1.0))
    proj = make.Project([layer])
    from pyproj import Transformer
    lon, lat = Transformer.from_crs(32649, 4326, always_xy=True).transform(
        [667000, 667500], [4193000, 4193400])
    s = MapSettings.from_wgs84_extent((lon[0], lat[0], lon[1], lat[1]), 500, 400, margin=0.1)
    img, report = render_image_with_report(proj, s, decorations=False)
    a = qimage_to_rgba(img)
    assert report.layers[0].mode == "raster-grid" and report.layers[0].n_features == 6
    cx, cy = (float(v) for v in s.map_to_pixel(*_m((lon[0] + lon[1]) / 2, (lat[0] + lat[1]) / 2)))
    assert a[int(cy), int(cx), 2] < 200       # coloured (YlOrRd has little blue)
    assert tuple(a[5, 5, :3]) == (0xf4, 0xf3, 0xef)  # outside: background
    items = legend_items(proj)
    ramp = [i for i in items if i.kind == "ramp"][0]
    assert ramp.units == "incidents/km²" and "bandwidth 150 m" in ramp.note
    assert ramp.vmin == 1 and ramp.vmax == 6


def test_cancel_stops_between_layers(scene):
    s = MapSettings.from_wgs84_extent(EXTENT, 200, 150)
    img = QImage(200, 150, QImage.Format.Format_ARGB32_Premultiplied)
    p = QPainter(img)
    report = render_project(scene, s, p, cancel=lambda: True)
    p.end()
    assert report.cancelled and len(report.layers) == 0


def test_pdf_and_svg_keep_vectors_and_chinese_text(scene, tmp_path, make):
    scene.layers[2].name = "警情 incidents"
    scene.layers[2].style.label_field = None
    cn = make.Layer(gpd.GeoDataFrame({"名称": ["古树保护"]}, geometry=gpd.points_from_xy([112.56], [37.88]),
                                     crs="EPSG:4326"), "trees", make.Style(label_field="名称", label_size=12))
    scene.layers.append(cn)
    s = MapSettings.from_wgs84_extent(EXTENT, 600, 400, dpi=150)
    pdf = tmp_path / "map.pdf"
    svg = tmp_path / "map.svg"
    render_to_file(scene, s, pdf)
    render_to_file(scene, s, svg)
    import pypdf

    reader = pypdf.PdfReader(str(pdf))
    page = reader.pages[0]
    assert float(page.mediabox.width) == pytest.approx(600 / 150 * 72, abs=1)
    assert "古树保护" in page.extract_text()
    content = page.get_contents().get_data()
    assert content.count(b" re") + content.count(b" l\n") + content.count(b" c\n") > 100  # vector ops
    text = svg.read_text(encoding="utf-8")
    assert text.count("<path") + text.count("<polygon") + text.count("<polyline") > 100
    assert "<image" not in text  # nothing was rasterised
    assert "古树保护" in text


def test_scale_bar_round_lengths():
    assert [nice_length_m(v) for v in (0.7, 3, 19, 260, 999, 1500, 7400)] == [0.5, 2, 10, 200, 500, 1000, 5000]
    s = MapSettings.from_wgs84_extent(EXTENT, 800, 600)
    sb = scale_bar(s)
    assert str(sb.length_m)[0] in "125"
    assert sb.length_px * s.ground_m_per_pixel() == pytest.approx(sb.length_m)
    assert sb.length_px <= 0.25 * 800


def test_legend_items_and_columns(scene):
    items = legend_items(scene)
    headers = [i.label for i in items if i.kind == "header"]
    assert headers == ["incidents", "hex cells"]  # top layer first; single-symbol metro has no header
    grad = [i for i in items if i.layer_id == scene.layers[0].id and i.kind == "symbol"]
    assert [i.label for i in grad] == ["0 – 5", "5 – 10", "10 – 15", "15 – 22"]
    img = QImage(300, 80, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(0)
    p = QPainter(img)
    from PySide6.QtCore import QRectF
    left = paint_legend(p, QRectF(0, 0, 300, 80), items)
    p.end()
    assert 0 < len(left) < len(items)
    assert qimage_to_rgba(img)[:, :, 3].any()


def test_many_exact_symbols_many_none_returning_qt_calls(make):
    """Tens of thousands of QPainter calls returning None (PySide6 6.12.0 crashed on this)."""
    from mapdesk.render.rasterizer import EXACT_POINT_LIMIT

    n = 30_000
    assert n < EXACT_POINT_LIMIT
    layer = make.Layer(make.points(n, seed=9, spread_deg=0.01), "exact",
                       make.Style(marker="triangle", size=5))
    s = MapSettings.from_wgs84_extent(EXTENT, 400, 300)
    img, report = render_image_with_report(make.Project([layer]), s, decorations=False)
    assert report.layers[0].mode == "exact" and report.layers[0].n_visible > 25_000


def test_labels_avoid_collisions(make):
    from mapdesk.render.painters import _LabelGrid

    grid = _LabelGrid(100, 100)
    assert grid.try_add((0, 0, 50, 10))
    assert not grid.try_add((40, 5, 90, 15))     # overlaps the first
    assert grid.try_add((51, 0, 90, 10))         # touches nothing
    dense = make.Layer(make.points(500, seed=2, spread_deg=0.002), "dense",
                       make.Style(label_field="name", label_size=9))
    s = MapSettings.from_wgs84_extent(EXTENT, 300, 200)
    _, report = render_image_with_report(make.Project([dense]), s, decorations=False)
    assert 1 <= report.layers[0].n_labels < 50   # a 20 px cluster: a few labels, no pile


def test_cache_reprojects_once_and_frees_on_data_change():
    from mapdesk.model import Layer, Project
    from mapdesk.render.cache import RenderCache

    frame = gpd.GeoDataFrame({"v": [1, 2]}, geometry=gpd.points_from_xy([112.55, 112.56], [37.87, 37.88]),
                             crs="EPSG:4326")
    proj = Project("cache")
    layer = proj.add_layer(Layer.from_frame("pts", frame))
    cache = RenderCache()
    cache.connect(proj)
    g1 = cache.geometry(layer, layer.filtered_frame())
    assert cache.geometry(layer, layer.filtered_frame()) is g1          # reused
    layer.set_opacity(0.5)
    assert cache.geometry(layer, layer.filtered_frame()) is g1          # style-like change keeps it
    layer.set_frame(frame.iloc[:1])
    g2 = cache.geometry(layer, layer.filtered_frame())
    assert g2 is not g1 and g2.arrays.point_x.size == 1
    assert all(k[1] == layer.data_version for k in cache._geom)         # the stale entry was freed


def test_render_onto_qprinter_pdf(scene, tmp_path):
    """The same job paints a printer (PDF output format, so no physical printer needed)."""
    printing = pytest.importorskip("PySide6.QtPrintSupport")
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize

    printer = printing.QPrinter(printing.QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(printing.QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                      QMarginsF(10, 10, 10, 10)))
    p = QPainter(printer)
    rect = printer.pageLayout().paintRectPixels(printer.resolution())
    s = MapSettings.from_wgs84_extent(EXTENT, rect.width(), rect.height(), dpi=printer.resolution())
    report = render_project(scene, s, p)
    p.end()
    assert [r.drawn for r in report.layers] == [True, True, True]
    assert out.read_bytes().startswith(b"%PDF") and out.stat().st_size > 5000


def test_sub_pixel_polygons_drawn_as_dots(make):
    layer = make.Layer(make.hexes(), "hex", make.Style(kind="graduated", field="count", breaks=[0, 10, 22]))
    s = MapSettings.from_wgs84_extent((100, 30, 125, 45), 300, 200)   # the grid is < 1 px per cell
    img, report = render_image_with_report(make.Project([layer]), s, decorations=False)
    assert report.layers[0].n_visible == 120
    a = qimage_to_rgba(img)
    assert (np.abs(a[:, :, :3].astype(int) - [0xf4, 0xf3, 0xef]).sum(axis=2) > 30).sum() >= 1
