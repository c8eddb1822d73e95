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
