import warnings

import geopandas as gpd
import numpy as np
import pytest

from mapdesk.analysis.bins import square_counts
from mapdesk.analysis.hotspots import (
    GI_CLASSES,
    bh_threshold,
    gi_bins,
    gi_star,
    gistar_incidents,
    hotspots_gistar,
    optimized_distance_m,
)
from mapdesk.errors import AnalysisError


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_distance_band_z_equals_esda_on_grid_cells(incidents):
    import esda
    import libpysal

    cells = square_counts(incidents, 100, include_empty=True)
    xy = np.column_stack([cells.centroid.x, cells.centroid.y])
    y = cells["count"].to_numpy(float)
    ours = gi_star(y, xy, distance_m=150.0)  # between lattice distances: no ties at the edge
    w = libpysal.weights.DistanceBand(xy, threshold=150.0, binary=True, silence_warnings=True)
    ref = esda.G_Local(y, w, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(ours.z, ref.Zs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.p, 2 * ref.p_norm, rtol=0, atol=1e-12)


def test_knn_z_equals_esda():
    import esda
    import libpysal

    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 2000, (500, 2))
    y = rng.poisson(2 + (xy[:, 0] > 1500) * 3).astype(float)
    ours = gi_star(y, xy, knn=8)
    ref = esda.G_Local(y, libpysal.weights.KNN(xy, k=8), transform="B", star=True, permutations=0)
    np.testing.assert_allclose(ours.z, ref.Zs, rtol=0, atol=1e-9)
    assert (ours.n_neighbors == 9).all()


def test_bh_and_bins():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    # BH at 0.05: largest k with p_(k) <= k/10 * 0.05 -> k=2 (0.008 <= 0.01)
    assert bh_threshold(p, 0.05) == 0.008
    assert bh_threshold(p, 0.001) == 0.0
    z = np.array([3, 2.5, 2.1, -2.1, -2.0, 1.9, -1.8, 1, 1, 1.0])
    assert gi_bins(z, p).tolist() == [3, 3, 2, -2, -2, 1, -1, 0, 0, 0]
    # BH cut-offs: 0.001 at 1 %, 0.008 at 5 %, 0.06 at 10 %
    assert gi_bins(z, p, fdr=True).tolist() == [3, 2, 1, -1, -1, 1, 0, 0, 0, 0]
    assert sorted(GI_CLASSES) == [-3, -2, -1, 0, 1, 2, 3]


def test_gistar_finds_the_metro_clusters(incidents):
    res = gistar_incidents(incidents, cell_m=100, fdr=True)
    p = res.attrs["params"]
    assert p["distance_m"] > 0 and p["distance_source"]
    assert p["analysis"] == "gistar" and p["fdr"] is True
    assert {"gi_z", "gi_p", "gi_bin", "gi_class", "count", "geometry"} <= set(res.columns)
    hot = res[res.gi_bin == 3]
    assert len(hot) >= 5 and p["n_hot"] == int((res.gi_bin > 0).sum())
    # the two cluster centres (synthetic metro entrances) are in 99 % hot cells
    from hotspots_synthetic import CENTRES_LONLAT

    centres = gpd.GeoSeries(gpd.points_from_xy(*np.array(CENTRES_LONLAT).T), crs=4326).to_crs(res.crs)
    for c in centres:
        d = hot.distance(c)
        assert d.min() < 150
    assert set(res.gi_class) <= {v[0] for v in GI_CLASSES.values()}


def test_knn_option_and_hex(incidents):
    res = gistar_incidents(incidents, cell_m=120, shape="hex", knn=8)
    assert res.attrs["params"]["knn"] == 8 and res.attrs["params"]["method"] == "hex"
    assert (res.n_neighbors == 9).all()


def test_optimized_distance_reports_choice(incidents):
    cells = square_counts(incidents, 100)
    xy = np.column_stack([cells.centroid.x, cells.centroid.y])
    d, det = optimized_distance_m(xy, cells["count"].to_numpy(float))
    assert len(det["isa_bands_m"]) == 10 and len(det["isa_z"]) == 10
    if "knn_k" in det:
        from scipy.spatial import cKDTree

        k = det["knn_k"]
        assert k == min(30, max(3, round(0.05 * len(cells))))
        assert d == pytest.approx(cKDTree(xy).query(xy, k=k + 1)[0][:, k].mean())
    else:
        assert d in det["isa_bands_m"] or any(abs(d - b) < 1e-3 for b in det["isa_bands_m"])


def test_optimized_distance_finds_a_peak():
    # patches of ~300 m: autocorrelation peaks at an intermediate band
    rng = np.random.default_rng(2)
    gx, gy = np.meshgrid(np.arange(60) * 50.0, np.arange(60) * 50.0)
    xy = np.column_stack([gx.ravel(), gy.ravel()])
    v = np.sin(xy[:, 0] / 100) + np.sin(xy[:, 1] / 100) + rng.normal(0, 1, len(xy))
    d, det = optimized_distance_m(xy, v)
    assert det["distance_source"].startswith("peak")
    z = det["isa_z"]
    k = [round(b, 3) for b in det["isa_bands_m"]].index(round(d, 3))
    assert z[k] >= z[k - 1] and z[k] >= z[k + 1]


def test_refusals(incidents):
    with pytest.raises(AnalysisError, match="at least 30 incidents"):
        gistar_incidents(incidents.iloc[:29])
    one = gpd.GeoDataFrame(geometry=gpd.points_from_xy([112.56] * 50, [37.88] * 50), crs=4326)
    with pytest.raises(AnalysisError, match="one place"):
        gistar_incidents(one)
    with pytest.raises(AnalysisError, match="no incidents"):
        gistar_incidents(incidents.iloc[:0])
    with pytest.raises(AnalysisError, match="at least 30 cells"):
        gistar_incidents(incidents, cell_m=3000)
    with pytest.raises(AnalysisError, match="not both"):
        gistar_incidents(incidents, cell_m=100, distance_m=300, knn=5)
    cells = square_counts(incidents, 100).assign(count=1)
    with pytest.raises(AnalysisError, match="same value"):
        hotspots_gistar(cells, distance_m=300)


def test_gistar_progress_and_cancel(incidents):
    from mapdesk.analysis.progress import AnalysisCancelled

    seen = []
    gistar_incidents(incidents, cell_m=150, progress=seen.append)
    assert seen and seen[-1] == 1.0 and all(0 <= a <= b <= 1 for a, b in zip(seen, seen[1:], strict=False))
    calls = []

    def cancel_later():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(AnalysisCancelled):
        gistar_incidents(incidents, cell_m=150, cancelled=cancel_later)
