"""compute_breaks without mapclassify gives mapclassify's quantile and equal-interval bins."""

import numpy as np
import pytest

from mapdesk.model import compute_breaks


@pytest.mark.parametrize("method,cls", [("quantiles", "Quantiles"), ("equal_interval", "EqualInterval")])
def test_breaks_match_mapclassify(method, cls):
    mapclassify = pytest.importorskip("mapclassify")
    v = np.random.default_rng(3).gamma(2.0, 10.0, 2000)
    ref = getattr(mapclassify, cls)(v, k=5).bins
    got = compute_breaks(v, method, 5)
    assert got[0] == pytest.approx(v.min())
    assert got[1:] == pytest.approx(list(ref))


def test_breaks_without_values_or_with_one_value():
    assert compute_breaks(np.array([]), "quantiles", 5) == []
    assert compute_breaks(np.array([2.0, 2.0]), "quantiles", 5) == [2.0, 2.0]
