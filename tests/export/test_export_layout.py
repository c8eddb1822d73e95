"""Page layout: geometry, legend flow into columns and further pages, missing glyphs."""

from __future__ import annotations

import numpy as np
import pytest
from export_checks import non_white_fraction, qimage_to_array
from export_factories import make_project, stub_paint_map

from mapdesk.errors import ExportError
from mapdesk.export import PageLayout, render_page_image
from mapdesk.export.layout import nice_length
from mapdesk.export.legend import flow, legend_entries
from mapdesk.model import Category


def test_page_layout_validates_and_round_trips():
    lo = PageLayout(paper="a3", landscape=True, title="T", dpi=150)
    assert lo.paper == "A3" and lo.size_mm == (420.0, 297.0)
    assert PageLayout.from_dict(lo.to_dict()) == lo
    with pytest.raises(ExportError, match="paper"):
        PageLayout(paper="B5")
    with pytest.raises(ExportError, match="dpi"):
        PageLayout(dpi=5)


def test_nice_scale_bar_lengths():
    assert nice_length(1234) == 1000
    assert nice_length(260) == 200
    assert nice_length(0.7) == 0.5
    assert nice_length(5000) == 5000


def test_legend_entries_follow_visible_layers_styles_and_filters(project):
    from mapdesk.model import Filter

    inc = next(lyr for lyr in project.layers if lyr.role == "incidents")
    inc.set_filter(Filter(categories={"type": ["ebike_theft", "fraud"]}))
    entries = legend_entries(project, "en")
    texts = [e.text for e in entries]
    assert texts[0] == "Cameras"  # top layer first
    assert any(t.startswith("E-bike theft (") for t in texts)
    # Counts are of the filtered rows; filtered-out categories show no count.
    n_ebike = int((inc.frame["type"] == "ebike_theft").sum())
    assert f"E-bike theft ({n_ebike:,})" in texts
    assert any(t.startswith("Filter: type in (ebike_theft, fraud)") for t in texts)
    ramp = next(e for e in entries if e.kind == "ramp")
    assert ramp.text == "incidents per km²" and ramp.hi == "80"
    assert any("bandwidth_m=150" in t for t in texts)
    for lyr in project.layers:
        lyr.set_visible(False)
    assert legend_entries(project) == []


def test_flow_keeps_headings_with_their_rows():
    heights = [10, 10, 10, 10, 10, 10]
    kinds = ["layer", "symbol", "layer", "symbol", "symbol", "symbol"]
    cols, nxt = flow(heights, kinds, 0, 30, 2)
    assert cols == [[0, 1], [2, 3, 4]] and nxt == 5
    cols, nxt = flow(heights, kinds, nxt, 30, 2)
    assert cols == [[5]] and nxt == 6


def _page(project, **kw):
    lo = PageLayout(dpi=60, **kw)
    img, report = render_page_image(project, lo, paint_map=stub_paint_map)
    return qimage_to_array(img), report


def test_page_has_map_title_and_footer(project):
    arr, report = _page(project, title="Test")
    assert arr.shape[:2] == (round(297 / 25.4 * 60), round(210 / 25.4 * 60))
    assert report.pages == 1 and report.scale_denominator > 0
    # The stub map fills the frame; margins stay white.
    assert non_white_fraction(arr, (0.3, 0.3, 0.7, 0.5)) > 0.9
    assert non_white_fraction(arr, (0.0, 0.0, 1.0, 0.02)) == 0.0
    assert report.warnings == []


def _long_legend_project(n: int):
    proj = make_project(with_raster=False)
    lyr = proj.layers[0]
    cats = [Category(f"v{i}", f"Category number {i} 类别", "#%06x" % (i * 2654435 % 0xFFFFFF)) for i in range(n)]
    lyr.set_style(lyr.style.copy(kind="categorized", field="tree_id", categories=cats))
    return proj


def test_long_legend_wraps_into_columns_then_more_pages():
    arr, report = _page(_long_legend_project(30))
    assert report.pages == 1
    arr, report = _page(_long_legend_project(250))
    assert report.pages >= 2
    assert any("continues on" in w for w in report.warnings)
    img2, _ = render_page_image(_long_legend_project(250), PageLayout(dpi=60), 1, paint_map=stub_paint_map)
    arr2 = qimage_to_array(img2)
    # The continuation page has legend text in several columns.
    assert non_white_fraction(arr2, (0.05, 0.2, 0.3, 0.8)) > 0.02
    assert non_white_fraction(arr2, (0.7, 0.2, 0.95, 0.8)) > 0.02
    with pytest.raises(ExportError, match="does not exist"):
        render_page_image(_long_legend_project(250), PageLayout(dpi=60), 40, paint_map=stub_paint_map)


def test_characters_missing_from_font_are_reported(project):
    _, report = _page(project, title="古树 \U00020000 map")
    assert report.missing_chars == ["\U00020000"]
    assert any("U+20000" in w for w in report.warnings)


def test_no_legend_and_options(project):
    arr, report = _page(project, legend=False, overview=True, north_arrow=False, scale_bar=False,
                        landscape=True)
    assert report.pages == 1
    assert arr.shape[1] > arr.shape[0]


def test_empty_project_is_refused():
    from mapdesk.model import Project

    with pytest.raises(ExportError, match="nothing to export"):
        render_page_image(Project("empty"), PageLayout(dpi=60), paint_map=stub_paint_map)


def test_project_extent_is_used(project):
    project.set_extent((112.55, 37.875, 112.57, 37.885))
    _, r1 = _page(project)
    project.set_extent((112.50, 37.85, 112.62, 37.91))
    _, r2 = _page(project)
    assert r2.scale_denominator > 3 * r1.scale_denominator
    assert np.isfinite(r1.scale_denominator)
