import geopandas as gpd
import numpy as np
import pytest

from mapdesk.analysis.density import (
    KERNELS,
    default_bandwidth_m,
    kde_on_grid,
    kernel_density,
    kernel_values,
)
from mapdesk.analysis.progress import AnalysisCancelled
from mapdesk.analysis.raster import MAX_GRID_CELLS
from mapdesk.errors import AnalysisError


def _direct_sum(x, y, bounds, cell, h, kernel):
    minx, miny, maxx, maxy = bounds
    xs = minx + (np.arange(round((maxx - minx) / cell)) + 0.5) * cell
    ys = maxy - (np.arange(round((maxy - miny) / cell)) + 0.5) * cell
    gx, gy = np.meshgrid(xs, ys)
    d2 = (gx[..., None] - x) ** 2 + (gy[..., None] - y) ** 2
    return kernel_values(kernel, d2, h).sum(-1)


@pytest.fixture
def pts():
    rng = np.random.default_rng(3)
    return rng.normal(500, 120, 300), rng.normal(480, 90, 300)


@pytest.mark.parametrize("kernel", ["quartic", "epanechnikov", "triangular", "gaussian"])
def test_fft_kde_equals_direct_kernel_sum(pts, kernel):
    x, y = pts
    cell, h = 8.0, 240.0 if kernel != "gaussian" else 90.0
    bounds = (0.0, 0.0, 1000.0, 960.0)
    got = kde_on_grid(x, y, None, bounds, cell, h, kernel)
    ref = _direct_sum(x, y, bounds, cell, h, kernel)
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() <= 1e-3 * ref.max()


def test_uniform_kernel_keeps_mass(pts):
    # the flat kernel's edge is a step, so binning moves mass across it; the total is kept
    x, y = pts
    got = kde_on_grid(x, y, None, (-500.0, -500.0, 1500.0, 1500.0), 10.0, 150.0, "uniform")
    assert got.sum() * 100 == pytest.approx(x.size, rel=2e-3)


@pytest.mark.parametrize("kernel,kdepy_kernel", [("quartic", "biweight"), ("epanechnikov", "epa"),
                                                 ("triangular", "tri"), ("gaussian", "gaussian")])
def test_agrees_with_kdepy_fftkde(pts, kernel, kdepy_kernel):
    from KDEpy import FFTKDE
    from KDEpy.BaseKDE import BaseKDE

    x, y = pts
    cell = 10.0
    h = 150.0 if kernel != "gaussian" else 60.0
    bounds = (-500.0, -500.0, 1500.0, 1500.0)
    ours = kde_on_grid(x, y, None, bounds, cell, h, kernel) / x.size
    xs = np.arange(-500, 1500, cell) + 5
    ys = np.arange(-500, 1500, cell) + 5
    # KDEpy's bw is the kernel's standard deviation and its Gaussian is cut at ~2.6σ
    # unless the data are in bandwidth units: scale coordinates by h
    support = BaseKDE._available_kernels[kdepy_kernel].support
    bw = 1.0 if kdepy_kernel == "gaussian" else 1.0 / support
    gx, gy = np.meshgrid(xs / h, ys / h, indexing="ij")
    ref = FFTKDE(kernel=kdepy_kernel, bw=bw, norm=2).fit(np.column_stack([x, y]) / h).evaluate(
        np.column_stack([gx.ravel(), gy.ravel()]))
    ref = ref.reshape(xs.size, ys.size)[:, ::-1].T / h ** 2
    tol = 1e-9 if kernel != "gaussian" else 1e-4
    assert np.abs(ours - ref).max() <= tol * ref.max()


def test_default_bandwidth_is_arcgis_rule():
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 100, 500), rng.normal(0, 50, 500)
    bw, det = default_bandwidth_m(x, y)
    d = np.hypot(x - x.mean(), y - y.mean())
    sd = np.sqrt((d ** 2).mean())
    dm = np.median(d)
    assert bw == pytest.approx(0.9 * min(sd, np.sqrt(1 / np.log(2)) * dm) * 500 ** -0.2)
    assert det["sd_m"] == pytest.approx(sd)
    assert det["dm_m"] == pytest.approx(dm)


def test_kernel_density_in_degrees_is_projected_and_keeps_mass(incidents):
    g = kernel_density(incidents, cell_m=20)
    assert g.params["reprojected_from"] == "WGS 84"
    assert g.params["crs"] == "EPSG:32649"
    assert g.params["bandwidth_source"].startswith("ArcGIS")
    # per km² × cell area in km² sums back to the number of incidents
    assert g.values.sum() * (20 * 20 / 1e6) == pytest.approx(len(incidents), rel=1e-3)
    assert g.units == "incidents per km²"
    assert g.params["max_value"] == pytest.approx(g.values.max())
    c = kernel_density(incidents, cell_m=20, units="count")
    assert c.values.sum() == pytest.approx(len(incidents), rel=1e-3)
    assert c.units == "expected incidents per cell"
    # grid edges sit on multiples of the cell size
    assert all(v % 20 == 0 for v in g.bounds)
    assert g.shape == (round((g.bounds[3] - g.bounds[1]) / 20), round((g.bounds[2] - g.bounds[0]) / 20))


def test_weight_field_scales_density(incidents):
    f = incidents.assign(w=2.0)
    a = kernel_density(incidents, cell_m=25, bandwidth_m=200)
    b = kernel_density(f, cell_m=25, bandwidth_m=200, weight_field="w")
    np.testing.assert_allclose(b.values, 2 * a.values, rtol=1e-9, atol=1e-9)
    with pytest.raises(AnalysisError, match="negative"):
        kernel_density(incidents.assign(w=-1.0), cell_m=25, bandwidth_m=200, weight_field="w")
    with pytest.raises(AnalysisError, match="sum to zero"):
        kernel_density(incidents.assign(w=0.0), cell_m=25, weight_field="w")
    with pytest.raises(AnalysisError, match="not a column"):
        kernel_density(incidents, weight_field="nope")


def test_all_at_one_point():
    f = gpd.GeoDataFrame(geometry=gpd.points_from_xy([112.56] * 40, [37.88] * 40), crs=4326)
    with pytest.raises(AnalysisError, match="one place"):
        kernel_density(f)
    g = kernel_density(f, bandwidth_m=100)  # an explicit bandwidth is fine
    assert g.values.sum() * g.cell_m ** 2 / 1e6 == pytest.approx(40, rel=1e-3)


def test_huge_grid_refused_with_largest_allowed(incidents):
    with pytest.raises(AnalysisError, match=f"largest allowed is {MAX_GRID_CELLS:,}") as exc:
        kernel_density(incidents, cell_m=0.05, bandwidth_m=200)  # ~100,000 × 100,000 cells
    assert "cell size of at least" in str(exc.value)
    # a huge bandwidth pads the grid by its reach: 1,000 km at 10 m cells is refused too
    with pytest.raises(AnalysisError, match="largest allowed"):
        kernel_density(incidents, cell_m=10, bandwidth_m=500_000)


def test_bad_parameters(incidents):
    with pytest.raises(AnalysisError, match="no incidents"):
        kernel_density(incidents.iloc[:0])
    with pytest.raises(AnalysisError, match="kernel"):
        kernel_density(incidents, kernel="box")
    with pytest.raises(AnalysisError, match="bandwidth"):
        kernel_density(incidents, bandwidth_m=-5)
    assert set(KERNELS) == {"quartic", "epanechnikov", "triangular", "uniform", "gaussian"}


def test_progress_and_cancel(incidents):
    seen = []
    kernel_density(incidents, progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(AnalysisCancelled):
        kernel_density(incidents, cancelled=lambda: True)


def test_geotiff_roundtrip(incidents, tmp_path):
    import rasterio

    g = kernel_density(incidents, cell_m=25)
    out = tmp_path / "kde.tif"
    g.to_geotiff(out)
    with rasterio.open(out) as src:
        assert src.crs.to_epsg() == 32649
        assert src.transform.a == 25 and src.transform.e == -25
        assert (src.bounds.left, src.bounds.top) == (g.bounds[0], g.bounds[3])
        np.testing.assert_allclose(src.read(1), g.values.astype(np.float32))
        assert src.tags()["kernel"] == "quartic"
        assert src.tags()["units"] == "incidents per km²"
    assert [p.name for p in tmp_path.iterdir()] == ["kde.tif"]


def test_fft_convolution_matches_scipy_signal():
    from scipy.signal import fftconvolve

    from mapdesk.analysis.density import fft_convolve_same, kernel_stencil

    rng = np.random.default_rng(0)
    img = rng.random((37, 52))
    st = kernel_stencil("quartic", 55.0, 10.0)
    np.testing.assert_allclose(fft_convolve_same(img, st), fftconvolve(img, st, mode="same"),
                               atol=1e-15)
