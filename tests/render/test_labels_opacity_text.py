"""Layer opacity composited per layer, text that extracts from PDFs as written, and the
one-pass label placement over all layers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PySide6.QtGui import QColor, QImage, QPainter

from mapdesk.render.decorations import scale_bar
from mapdesk.render.job import render_image_with_report, render_project
from mapdesk.render.labels import LabelEngine, LabelSet
from mapdesk.render.output import render_to_file
from mapdesk.render.qtarrays import qimage_to_rgba
from mapdesk.render.viewport import MapSettings

EXTENT = (112.53, 37.86, 112.59, 37.90)


def _overlapping_squares(make, opacity: float):
    a = shapely.box(112.54, 37.87, 112.565, 37.89)
    b = shapely.box(112.555, 37.87, 112.58, 37.89)
    frame = gpd.GeoDataFrame({"v": [1, 2]}, geometry=[a, b], crs="EPSG:4326")
    layer = make.Layer(frame, "squares", make.Style(color="#ff0000", fill_opacity=1.0, stroke_width=0))
    layer.opacity = opacity
    return make.Project([layer])


def _pixel(img: QImage, settings: MapSettings, lon: float, lat: float) -> np.ndarray:
    from mapdesk.render.viewport import lonlat_to_mercator

    x, y = lonlat_to_mercator([lon], [lat])
    px, py = settings.map_to_pixel(x, y)
    return qimage_to_rgba(img)[int(py[0]), int(px[0])].astype(int)


def test_layer_opacity_composites_the_layer_as_one_image(make):
    import dataclasses

    s = dataclasses.replace(MapSettings.from_wgs84_extent(EXTENT, 300, 200), background="#ffffff")
    img, report = render_image_with_report(_overlapping_squares(make, 0.5), s, decorations=False)
    assert report.layers[0].drawn
    only_a = _pixel(img, s, 112.545, 37.88)
    overlap = _pixel(img, s, 112.56, 37.88)
    only_b = _pixel(img, s, 112.575, 37.88)
    outside = _pixel(img, s, 112.535, 37.865)
    assert np.abs(overlap - only_a).max() <= 1 and np.abs(overlap - only_b).max() <= 1
    assert only_a[:3].tolist() == pytest.approx([255, 128, 128], abs=2)   # red at 50 % on white
    assert outside[:3].tolist() == [255, 255, 255]


def test_layer_opacity_composites_under_a_scaled_painter(make):
    # The export module scales the painter to place the map on a page.
    s = MapSettings.from_wgs84_extent(EXTENT, 300, 200)
    img = QImage(600, 400, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(QColor("#ffffff"))
    p = QPainter(img)
    p.scale(2, 2)
    render_project(_overlapping_squares(make, 0.5), s, p, decorations=False, background=False)
    p.end()
    rgba = qimage_to_rgba(img).astype(int)
    ref = MapSettings.from_wgs84_extent(EXTENT, 600, 400)
    from mapdesk.render.viewport import lonlat_to_mercator

    def at(lon, lat):
        x, y = lonlat_to_mercator([lon], [lat])
        px, py = ref.map_to_pixel(x, y)
        return rgba[int(py[0]), int(px[0])]

    assert np.abs(at(112.56, 37.88) - at(112.545, 37.88)).max() <= 1
    assert at(112.545, 37.88)[:3].tolist() == pytest.approx([255, 128, 128], abs=2)


def test_layer_opacity_on_svg_stays_vector(make, tmp_path):
    s = MapSettings.from_wgs84_extent(EXTENT, 300, 200)
    report = render_to_file(_overlapping_squares(make, 0.5), s, tmp_path / "o.svg")
    text = (tmp_path / "o.svg").read_text(encoding="utf-8")
    assert report.layers[0].drawn and "<image" not in text


def test_pdf_text_extracts_as_written(make, tmp_path):
    import pypdf

    stations = gpd.GeoDataFrame({"name": ["大北门站", "Grade 1 office"]},
                                geometry=gpd.points_from_xy([112.555, 112.57], [37.88, 37.875]),
                                crs="EPSG:4326")
    layer = make.Layer(stations, "stations", make.Style(label_field="name", label_size=10))
    for width in (600, 1400):   # two map widths, two scale-bar lengths
        s = MapSettings.from_wgs84_extent(EXTENT, width, 400, dpi=150)
        pdf = tmp_path / f"map{width}.pdf"
        render_to_file(make.Project([layer]), s, pdf)
        text = pypdf.PdfReader(str(pdf)).pages[0].extract_text()
        assert "大北门站" in text
        assert "Grade 1 office" in text          # no ligature, no tab for a space
        assert scale_bar(s).label in text        # e.g. "500 m", not "64 m"
        assert "\t" not in text
        assert text.count("大北门站") == 1         # the halo is not a second copy of the text


def test_bundled_font_is_used_not_a_system_copy():
    from PySide6.QtGui import QRawFont

    from mapdesk.render.fonts import DISABLED_FEATURES, FAMILY, ui_font

    font = ui_font(10)
    raw = QRawFont.fromFont(font)
    assert raw.familyName().startswith(FAMILY)
    assert raw.glyphIndexesForString("⼤")[0] == 0         # the bundled subset has no Kangxi radicals
    for tag in DISABLED_FEATURES:
        assert font.isFeatureSet(type(font).Tag(tag)) and font.featureValue(type(font).Tag(tag)) == 0


def test_label_engine_tries_four_positions_top_layer_first():
    from mapdesk.render.fonts import ui_font

    font = ui_font(10)
    font.setPixelSize(12)
    eng = LabelEngine(400, 300)
    upper = LabelSet(order=1, font=font, color=QColor("#000"), x=np.array([150.0, 250.0, 390.0]),
                     y=np.array([100.0, 100.0, 200.0]), texts=["AAAA", "CCCC", "edge"],
                     point=np.array([True, True, True]), r_px=3)
    # Right of B is the symbol of C, left of B is the label of A: B goes above.
    lower = LabelSet(order=0, font=font, color=QColor("#000"), x=np.array([215.0]), y=np.array([100.0]),
                     texts=["BBBB"], point=np.array([True]), r_px=3)
    eng.add(lower)
    eng.add(upper)
    eng.place()
    boxes = {t: (x, y) for x, y, t in upper.accepted}
    assert set(boxes) == {"AAAA", "CCCC", "edge"}
    assert boxes["AAAA"][0] > 150               # right of its point (the first choice)
    assert boxes["edge"][0] < 390               # no room at the right edge: left
    assert len(lower.accepted) == 1
    bx, by, _ = lower.accepted[0]
    assert by < 100 - 3 and bx < 215 < bx + 40  # above, centred


def test_labels_of_all_layers_do_not_overlap(make):
    pts = make.points(300, seed=4, spread_deg=0.004)
    a = make.Layer(pts, "a", make.Style(label_field="name", label_size=9))
    b = make.Layer(make.points(300, seed=5, spread_deg=0.004), "b", make.Style(label_field="name", label_size=9))
    s = MapSettings.from_wgs84_extent(EXTENT, 500, 350)
    proj = make.Project([a, b])
    from mapdesk.render.cache import RenderCache
    from mapdesk.render.painters import PaintContext

    img = QImage(s.width_px, s.height_px, QImage.Format.Format_ARGB32_Premultiplied)
    p = QPainter(img)
    seen: list[LabelEngine] = []
    orig = LabelEngine.draw

    def spy(self, painter):
        seen.append(self)
        return orig(self, painter)

    LabelEngine.draw = spy
    try:
        report = render_project(proj, s, p, decorations=False, cache=RenderCache())
    finally:
        LabelEngine.draw = orig
        p.end()
    assert PaintContext is not None
    eng = seen[0]
    from PySide6.QtGui import QFontMetricsF

    boxes = []
    for ls in eng.sets:
        fm = QFontMetricsF(ls.font)
        for x, y, t in ls.accepted:
            boxes.append((x, y - fm.ascent(), x + fm.horizontalAdvance(t), y - fm.ascent() + fm.height()))
    assert report.layers[0].n_labels > 0 and report.layers[1].n_labels > 0
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        for u0, v0, u1, v1 in boxes[i + 1:]:
            assert not (x0 < u1 - 0.01 and u0 < x1 - 0.01 and y0 < v1 - 0.01 and v0 < y1 - 0.01)


def test_a_plain_qfont_of_the_family_also_extracts_right(tmp_path):
    """Charts and export pages make ``QFont(ensure_fonts())`` themselves: the application
    font's features reach them."""
    import pypdf
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QFont, QPdfWriter

    from mapdesk.render.fonts import ensure_fonts

    path = tmp_path / "plain.pdf"
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    p = QPainter(writer)
    font = QFont(ensure_fonts())
    font.setPointSize(12)
    p.setFont(font)
    p.drawText(QPointF(100, 200), "50 m office 2024 大北门站")
    p.end()
    text = pypdf.PdfReader(str(path)).pages[0].extract_text()
    assert "50 m office 2024" in text and "大北门站" in text
