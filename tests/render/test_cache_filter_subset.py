"""A filter change on a point layer reuses the unfiltered geometry (no second reprojection)."""

import geopandas as gpd
import numpy as np
import pandas as pd

from mapdesk.model import Filter, Layer
from mapdesk.render.cache import RenderCache, _build_geometry


def _layer(n=5000):
    rng = np.random.default_rng(1)
    f = gpd.GeoDataFrame({"type": pd.Categorical(rng.choice(["a", "b", "c"], n))},
                         geometry=gpd.points_from_xy(112.5 + rng.random(n) * 0.05,
                                                     37.8 + rng.random(n) * 0.05), crs=4326)
    return Layer.from_frame("pts", f, field_map={"type": "type"})


def test_subset_geometry_equals_a_fresh_build():
    lyr = _layer()
    cache = RenderCache()
    cache.geometry(lyr, lyr.filtered_frame())
    lyr.set_filter(Filter(categories={"type": ["b"]}))
    got = cache.geometry(lyr, lyr.filtered_frame())
    want = _build_geometry(lyr.filtered_frame())
    assert got.n_rows == want.n_rows == int((lyr.frame["type"] == "b").sum())
    np.testing.assert_allclose(got.arrays.point_x, want.arrays.point_x)
    np.testing.assert_allclose(got.arrays.point_y, want.arrays.point_y)
    np.testing.assert_array_equal(got.arrays.point_row, want.arrays.point_row)


def test_second_filter_does_not_rebuild_the_full_geometry(monkeypatch):
    import mapdesk.render.cache as cache_mod

    lyr = _layer()
    cache = RenderCache()
    lyr.set_filter(Filter(categories={"type": ["a"]}))
    cache.geometry(lyr, lyr.filtered_frame())
    calls = []
    real = cache_mod._build_geometry
    monkeypatch.setattr(cache_mod, "_build_geometry", lambda f: calls.append(len(f)) or real(f))
    lyr.set_filter(Filter(categories={"type": ["c"]}))
    cache.geometry(lyr, lyr.filtered_frame())
    assert calls == []


def _render(project, cache=None):
    from mapdesk.render.job import render_image_with_report
    from mapdesk.render.viewport import MapSettings

    s = MapSettings.from_wgs84_extent((112.5, 37.8, 112.55, 37.85), 300, 200)
    return render_image_with_report(project, s, cache=cache or RenderCache(), tile_wait_s=0)


def _pixels(img):
    from PySide6.QtGui import QImage

    img = img.convertToFormat(QImage.Format.Format_ARGB32)
    rows = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return rows[:, :img.width() * 4].copy()  # a copy: the converted image dies here


def test_filtered_points_are_drawn_without_making_the_filtered_frame(monkeypatch):
    """A million filtered points must not be copied into a new GeoDataFrame per frame: the
    cache's whole-layer arrays and the mask are enough. The picture is the one of the
    filtered frame drawn as a layer of its own."""
    from mapdesk.model import Project
    from mapdesk.render.snapshot import LayerSnapshot, snapshot_project

    lyr = _layer(20_000)
    lyr.set_filter(Filter(categories={"type": ["a", "c"]}))
    proj = Project("p")
    proj.add_layer(lyr)
    made = []
    real = LayerSnapshot.filtered_frame
    monkeypatch.setattr(LayerSnapshot, "filtered_frame", lambda self: made.append(1) or real(self))
    img, report = _render(snapshot_project(proj))
    assert made == []
    n = int(lyr.frame["type"].isin(["a", "c"]).sum())
    assert report.layers[0].n_features == n and report.layers[0].drawn
    alone = Project("q")
    alone.add_layer(Layer.from_frame("pts", lyr.filtered_frame().copy(), field_map={"type": "type"},
                                     style=lyr.style))
    want, _ = _render(alone)
    np.testing.assert_array_equal(_pixels(img), _pixels(want))


def test_labels_of_filtered_points_still_read_the_filtered_rows():
    from mapdesk.model import Project
    from mapdesk.render.snapshot import snapshot_project

    lyr = _layer(300)
    lyr.frame["name"] = [f"n{i}" for i in range(300)]
    lyr.set_style(lyr.style.copy(label_field="name"))
    lyr.set_filter(Filter(categories={"type": ["b"]}))
    proj = Project("p")
    proj.add_layer(lyr)
    _, report = _render(snapshot_project(proj))
    r = report.layers[0]
    assert r.n_features == int((lyr.frame["type"] == "b").sum())
    assert r.n_labels > 0
