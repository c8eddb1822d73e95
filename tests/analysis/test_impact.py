"""Camera impact: before/after counts in treatment, buffer and control, and the WDQ."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from mapdesk.analysis.impact import camera_impact, interpret_wdq, wdq
from mapdesk.errors import AnalysisError

UTM49 = "EPSG:32649"
X0, Y0 = 500_000.0, 4_190_000.0
INSTALL = pd.Timestamp("2026-01-01")


def test_wdq_formula_and_interpretation():
    # Bowers & Johnson (2003): (Da/Db - Ca/Cb) / (Ra/Rb - Ca/Cb)
    assert wdq(ra=50, rb=100, da=30, db=40, ca=90, cb=100) == pytest.approx((0.75 - 0.9) / (0.5 - 0.9))
    assert interpret_wdq(50, 100, 30, 40, 90, 100)[0] == "diffusion_of_benefits"
    assert interpret_wdq(50, 100, 60, 40, 90, 100)[0] == "displacement"
    assert interpret_wdq(50, 100, 36, 40, 90, 100)[0] == "no_displacement"
    assert interpret_wdq(120, 100, 30, 40, 90, 100)[0] == "no_treatment_effect"
    assert interpret_wdq(5, 0, 30, 40, 90, 100)[0] == "insufficient_data"
    assert np.isnan(wdq(5, 0, 30, 40, 90, 100))


def _incidents(spec):
    """spec: list of (x, y, n_before, n_after); times spread over 100 days either side."""
    rows = []
    for x, y, nb, na in spec:
        for i in range(nb):
            rows.append((x, y, INSTALL - pd.Timedelta(days=1 + (i * 7) % 99)))
        for i in range(na):
            rows.append((x, y, INSTALL + pd.Timedelta(days=(i * 7) % 99)))
    xy = np.array([(r[0], r[1]) for r in rows], dtype=float)
    return gpd.GeoDataFrame({"type": "ebike_theft", "time": [r[2] for r in rows]},
                            geometry=gpd.points_from_xy(xy[:, 0] + X0, xy[:, 1] + Y0), crs=UTM49)


def test_counts_and_wdq_on_a_constructed_scene():
    cams = gpd.GeoDataFrame({"camera_id": ["N1", "OLD"], "install_date": [INSTALL, None],
                             "direction_deg": [np.nan, np.nan], "range_m": [50.0, 50.0],
                             "is_new": [True, False]},
                            geometry=gpd.points_from_xy([X0, X0 + 2000], [Y0, Y0]), crs=UTM49)
    # treatment (within 50 m): 20 -> 8; buffer (50-150 m): 10 -> 8; control (150-350 m): 30 -> 27
    inc = _incidents([(10, 0, 20, 8), (100, 0, 10, 8), (250, 0, 30, 27), (2000, 600, 5, 5)])
    # frame the data: it spans 100 days each side
    res = camera_impact(cams, inc.to_crs(4326), window_days=180)
    row = res.table.iloc[0]
    assert row["cameras"] == 1 and row["window_days"] == 99
    assert [row[k] for k in ("Rb", "Ra", "Db", "Da", "Cb", "Ca")] == [20, 8, 10, 8, 30, 27]
    expected = (8 / 10 - 27 / 30) / (8 / 20 - 27 / 30)
    assert row["wdq"] == pytest.approx(expected)
    assert row["effect"] == "diffusion_of_benefits"
    assert row["tne"] == pytest.approx((20 * 0.9 - 8) + (10 * 0.9 - 8))
    assert any("window shortened" in w for w in res.warnings)
    chart = res.chart.set_index(["area", "period"])["incidents"]
    assert chart[("treatment", "before")] == 20 and chart[("control", "after")] == 27
    assert set(res.areas["area"]) == {"treatment", "buffer", "control"}
    assert res.areas.crs.to_epsg() == 4326


def test_grouping_by_camera_adds_an_overall_row():
    cams = gpd.GeoDataFrame({"camera_id": ["A", "B"],
                             "install_date": [INSTALL, INSTALL + pd.Timedelta(days=5)],
                             "range_m": [40.0, 40.0]},
                            geometry=gpd.points_from_xy([X0, X0 + 3000], [Y0, Y0]), crs=UTM49)
    inc = _incidents([(0, 0, 10, 2), (3000, 0, 10, 9), (0, 200, 10, 10), (3000, 200, 10, 10),
                      (0, 80, 5, 5), (3000, 80, 5, 5)])
    res = camera_impact(cams, inc, group_by="camera", window_days=60)
    assert res.table["group"].tolist() == ["A", "B", "overall"]
    a = res.table.set_index("group").loc["A"]
    assert a["Rb"] > a["Ra"]


def test_bad_input_is_explained():
    inc = _incidents([(0, 0, 5, 5)])
    no_dates = gpd.GeoDataFrame({"camera_id": ["A"], "install_date": [pd.NaT]},
                                geometry=gpd.points_from_xy([X0], [Y0]), crs=UTM49)
    with pytest.raises(AnalysisError, match="no camera has an install date"):
        camera_impact(no_dates, inc)
    late = no_dates.assign(install_date=[INSTALL + pd.Timedelta(days=400)])
    with pytest.raises(AnalysisError, match="enough incident data"):
        camera_impact(late, inc)
    with pytest.raises(AnalysisError, match="needs a community-beat layer"):
        camera_impact(late, inc, control="beat")


def test_rest_of_the_beat_as_control_area():
    import shapely

    cams = gpd.GeoDataFrame({"camera_id": ["A"], "install_date": [INSTALL], "range_m": [40.0]},
                            geometry=gpd.points_from_xy([X0], [Y0]), crs=UTM49)
    beats = gpd.GeoDataFrame({"name": ["B1", "B2"]},
                             geometry=[shapely.box(X0 - 500, Y0 - 500, X0 + 500, Y0 + 500),
                                       shapely.box(X0 + 500, Y0 - 500, X0 + 1500, Y0 + 500)],
                             crs=UTM49)
    # inside coverage 10 -> 4; buffer (40-140 m) 6 -> 6; rest of beat B1 20 -> 20; beat B2 ignored
    inc = _incidents([(0, 10, 10, 4), (0, 90, 6, 6), (300, 300, 20, 20), (1000, 0, 50, 0)])
    res = camera_impact(cams, inc, control="beat", beats=beats, window_days=60)
    row = res.table.iloc[0]
    assert [row[k] for k in ("Rb", "Ra", "Db", "Da")] == [
        sum(1 for i in range(10) if (i * 7) % 99 < 60), sum(1 for i in range(4) if (i * 7) % 99 < 60),
        sum(1 for i in range(6) if (i * 7) % 99 < 60), sum(1 for i in range(6) if (i * 7) % 99 < 60)]
    assert row["Cb"] == row["Ca"] > 0
    # R fell while buffer and control held steady: WDQ = (1 - 1) / (Ra/Rb - 1) = 0
    assert row["wdq"] == 0.0 and row["effect"] == "no_displacement"


def test_small_counts_are_flagged():
    cams = gpd.GeoDataFrame({"camera_id": ["A"], "install_date": [INSTALL], "range_m": [50.0]},
                            geometry=gpd.points_from_xy([X0], [Y0]), crs=UTM49)
    inc = _incidents([(10, 0, 20, 5), (100, 0, 3, 3), (250, 0, 30, 30)])
    row = camera_impact(cams, inc).table.iloc[0]
    assert bool(row["small_counts"]) and "interpret with caution" in row["interpretation"]
