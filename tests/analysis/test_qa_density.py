"""QA: a kernel density never turns into isolated spikes silently."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from mapdesk.analysis.density import kernel_density
from mapdesk.errors import AnalysisError


def _points(n=400, spread=2000.0):
    r = np.random.default_rng(5)
    xy = r.uniform(0, spread, (n, 2))
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0] + 500_000, xy[:, 1] + 4_190_000),
                            crs=32649)


def test_short_bandwidth_gets_a_finer_default_cell():
    """A 10 m bandwidth on the default 8 m cell of a 2 km extent used to sample each kernel
    at its peak only: values hundreds of times too high."""
    grid = kernel_density(_points(), bandwidth_m=10.0, units="count")
    p = grid.params
    assert p["cell_m"] == 5.0 and "half the bandwidth" in p["cell_source"]
    assert float(np.nansum(grid.values)) == pytest.approx(400, rel=0.02)


def test_cell_larger_than_the_bandwidth_is_refused():
    with pytest.raises(AnalysisError, match=r"cell \(50 m\) is larger than the bandwidth \(20 m\)"):
        kernel_density(_points(), bandwidth_m=20.0, cell_m=50.0)


def test_default_cell_unchanged_for_an_ordinary_bandwidth():
    grid = kernel_density(_points(), bandwidth_m=300.0)
    assert grid.params["cell_source"].startswith("default: shorter side")
