import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import CRS

from mapdesk.analysis.compare import compare_periods
from mapdesk.analysis.density import kernel_density
from mapdesk.analysis.filters import prepare_incidents, select_incidents
from mapdesk.analysis.projection import crs_is_metric, require_metric, to_metric
from mapdesk.errors import AnalysisError

A = ("2026-09-01", "2026-09-30")
B = ("2026-10-01", "2026-10-30")


def test_kde_periods_share_grid_and_scale(incidents):
    c = compare_periods(incidents, A, B, cell_m=25)
    assert c.a.bounds == c.b.bounds == c.diff.bounds and c.a.shape == c.b.shape
    assert c.vmax == pytest.approx(max(c.a.max(), c.b.max()))
    np.testing.assert_allclose(c.diff.values, c.b.values - c.a.values)
    assert c.a.params["bandwidth_m"] == c.b.params["bandwidth_m"]
    assert c.a.params["vmax"] == c.b.params["vmax"] == c.vmax
    # each period on the shared grid equals that period alone on the same grid/bandwidth
    alone, _ = select_incidents(incidents, start=A[0], end=A[1])
    g = kernel_density(alone, cell_m=25, bandwidth_m=c.params["bandwidth_m"], bounds=c.a.bounds)
    np.testing.assert_allclose(g.values, c.a.values)


@pytest.mark.parametrize("method", ["grid", "hex"])
def test_cell_periods_same_cells(incidents, method):
    c = compare_periods(incidents, A, B, method=method, cell_m=150)
    assert len(c.a) == len(c.b) == len(c.diff)
    assert c.a["count"].sum() + c.b["count"].sum() == len(incidents)
    assert (c.diff["diff"] == c.diff["count_b"] - c.diff["count_a"]).all()
    assert c.vmax == max(c.a["count"].max(), c.b["count"].max())


def test_compare_empty_period(incidents):
    c = compare_periods(incidents, A, ("2030-01-01", "2030-01-31"), cell_m=25)
    assert c.b.max() == 0 and c.params["n_b"] == 0
    with pytest.raises(AnalysisError, match="either period"):
        compare_periods(incidents, ("2030-01-01", "2030-01-02"), ("2031-01-01", "2031-01-02"))


def test_select_incidents(incidents):
    f, text = select_incidents(incidents, where="status == 'reported'", types=["电动车被盗"],
                               start="2026-09-10", end="2026-09-20")
    assert len(f) > 0 and (f.status == "reported").all() and (f["type"] == "ebike_theft").all()
    assert f.time.min() >= pd.Timestamp("2026-09-10") and f.time.max() < pd.Timestamp("2026-09-21")
    assert "status == 'reported'" in text and "ebike_theft" in text and "2026-09-20" in text
    with pytest.raises(AnalysisError, match="bad --where expression"):
        select_incidents(incidents, where="status === 1")
    with pytest.raises(AnalysisError, match="bad --where expression.*Columns"):
        select_incidents(incidents, where="nosuchcolumn > 3")
    with pytest.raises(AnalysisError, match="ends"):
        select_incidents(incidents, start="2026-09-10", end="2026-09-01")
    with pytest.raises(AnalysisError, match="not a date"):
        select_incidents(incidents, start="yesterday-ish")
    none, _ = select_incidents(incidents, start="2030-01-01")
    assert len(none) == 0
    with pytest.raises(AnalysisError, match="none left after filtering"):
        kernel_density(none)


def test_prepare_incidents_parses_times_and_types():
    f = pd.DataFrame({"time": ["2026-09-01 08:00", "garbage", None], "type": ["盗窃电动车", "诈骗", "x"]})
    out = prepare_incidents(f)
    assert pd.api.types.is_datetime64_any_dtype(out["time"])
    assert out["time"].isna().tolist() == [False, True, True]
    assert out["type"].tolist() == ["ebike_theft", "fraud", "x"]
    assert f["time"][0] == "2026-09-01 08:00"  # the input is not modified


def test_projection_rules(incidents):
    m = to_metric(incidents)
    assert m.crs.to_epsg() == 32649 and m.attrs["reprojected_from"] == "WGS 84"
    assert to_metric(m) is m
    nocrs = incidents.set_crs(None, allow_override=True)
    assert to_metric(nocrs).crs.to_epsg() == 32649
    far = gpd.GeoDataFrame(geometry=gpd.points_from_xy([500000, 500100], [4190000, 4190100]))
    with pytest.raises(AnalysisError, match="no CRS"):
        to_metric(far)
    with pytest.raises(AnalysisError, match="metres"):
        require_metric("EPSG:4326")
    assert crs_is_metric(CRS(32649)) and not crs_is_metric(CRS(4326))
    # a projected CRS in US feet is reprojected to metres
    ft = m.to_crs(2227)
    assert to_metric(ft).crs.to_epsg() != 2227
