"""QA: the exact camera placement never claims an optimum it has not proven."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from mapdesk.analysis import placement
from mapdesk.errors import AnalysisError


def _incidents():
    r = np.random.default_rng(2)
    xy = r.normal(0, 120, (300, 2))
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0] + 500_000, xy[:, 1] + 4_190_000),
                            crs=32649)


def test_time_limit_without_a_bound_reports_no_gap(monkeypatch):
    """With --time-limit-s 0 the solver stopped at once, yet the result said 'optimal'."""
    real = placement.solve_exact

    def stopped(problem, time_limit_s=60.0, start=None, mip_rel_gap=1e-6):
        sol = real(problem, time_limit_s=time_limit_s, start=start)
        return placement.ExactSolution(list(start or sol.chosen), sol.objective * 0.9, np.inf,
                                       "Time limit reached", False, 0.0)

    monkeypatch.setattr(placement, "solve_exact", stopped)
    res = placement.suggest_sites(_incidents(), 3, solver="exact", candidate_spacing_m=50)
    assert res.gap is None
    assert any("may not be optimal" in w for w in res.warnings)


def test_zero_time_limit_is_refused():
    with pytest.raises(AnalysisError, match="time limit must be a positive number"):
        placement.suggest_sites(_incidents(), 3, solver="exact", time_limit_s=0)
