import numpy as np
import pandas as pd
import pytest

from mapdesk.analysis.temporal import (
    briefing_compare,
    daily_counts,
    hour_weekday_table,
    table_with_labels,
    weekly_counts,
)
from mapdesk.errors import AnalysisError


def test_instants_land_in_their_hour():
    f = pd.DataFrame({"time": pd.to_datetime(["2026-09-07 18:10", "2026-09-07 18:59",
                                              "2026-09-13 00:00", "2026-09-09 07:30"])})
    t = hour_weekday_table(f)
    assert t.shape == (7, 24) and t.values.sum() == 4
    assert t.loc[0, 18] == 2  # Monday 18h
    assert t.loc[6, 0] == 1  # Sunday 0h
    assert t.loc[2, 7] == 1  # Wednesday 7h
    assert t.attrs["params"]["n_instants"] == 4


def test_aoristic_window_spreads_weight():
    # Monday 22:30 -> Tuesday 01:30: 3 hours over four hour slots
    f = pd.DataFrame({"time_start": pd.to_datetime(["2026-09-07 22:30"]),
                      "time_end": pd.to_datetime(["2026-09-08 01:30"])})
    t = hour_weekday_table(f)
    assert t.loc[0, 22] == pytest.approx(0.5 / 3)
    assert t.loc[0, 23] == pytest.approx(1 / 3)
    assert t.loc[1, 0] == pytest.approx(1 / 3)
    assert t.loc[1, 1] == pytest.approx(0.5 / 3)
    assert t.values.sum() == pytest.approx(1.0)
    assert t.attrs["params"]["n_windows"] == 1


def test_window_over_sunday_midnight_wraps_to_monday():
    f = pd.DataFrame({"time_start": pd.to_datetime(["2026-09-13 23:00"]),
                      "time_end": pd.to_datetime(["2026-09-14 01:00"])})
    t = hour_weekday_table(f)
    assert t.loc[6, 23] == pytest.approx(0.5) and t.loc[0, 0] == pytest.approx(0.5)


def test_long_window_spread_evenly_and_reported():
    f = pd.DataFrame({"time_start": pd.to_datetime(["2026-09-01 08:00", "2026-09-02 10:00"]),
                      "time_end": pd.to_datetime(["2026-09-11 08:00", "2026-09-02 10:00"])})
    t = hour_weekday_table(f)
    assert t.attrs["params"]["n_long_windows"] == 1
    assert t.values.min() == pytest.approx(1 / 168)
    assert t.loc[2, 10] == pytest.approx(1 + 1 / 168)
    assert t.values.sum() == pytest.approx(2.0)


def test_missing_timestamps_are_reported():
    f = pd.DataFrame({"time": pd.to_datetime(["2026-09-07 18:10", None, None])})
    t = hour_weekday_table(f)
    assert t.attrs["params"]["n_missing_time"] == 2 and t.values.sum() == 1
    with pytest.raises(AnalysisError, match="none of the 2 incidents has a usable time"):
        hour_weekday_table(pd.DataFrame({"time": pd.to_datetime([None, None])}))
    with pytest.raises(AnalysisError, match="no time column"):
        hour_weekday_table(pd.DataFrame({"x": [1]}))
    with pytest.raises(AnalysisError, match="no incidents"):
        hour_weekday_table(pd.DataFrame({"time": pd.to_datetime([])}))


def test_many_windows_chunked_matches_total(incidents):
    f = incidents.copy()
    f["time_start"] = f["time"] - pd.to_timedelta(np.arange(len(f)) % 9, unit="h")
    f["time_end"] = f["time"]
    f = f.drop(columns="time")
    t = hour_weekday_table(f)
    assert t.values.sum() == pytest.approx(len(f))
    lab = table_with_labels(t, "zh")
    assert lab.index[0] == "周一" and list(lab.columns[:2]) == ["00", "01"]


def test_daily_and_weekly_counts():
    f = pd.DataFrame({"time": pd.to_datetime(["2026-09-07 10:00", "2026-09-07 23:00",
                                              "2026-09-10 01:00", None])})
    d = daily_counts(f)
    assert d["count"].tolist() == [2, 0, 0, 1]
    assert d.attrs["params"]["n_missing_time"] == 1
    w = weekly_counts(f)
    assert w["count"].tolist() == [3] and str(w["week_start"][0]) == "2026-09-07"


def test_briefing_compare():
    base = pd.date_range("2026-10-01", periods=28, freq="D")  # 28 days before Oct 29
    times = list(base) + list(base[:14]) + [pd.Timestamp("2026-10-29 08:00")] * 3
    types = ["ebike_theft"] * 28 + ["fraud"] * 14 + ["ebike_theft"] * 3
    f = pd.DataFrame({"time": times, "type": types, "community": ["巨轮社区"] * len(times)})
    out = briefing_compare(f, "2026-10-29")
    row = out[(out.group == "all")].iloc[0]
    assert row["count"] == 3 and row["baseline_mean"] == pytest.approx(42 / 28)
    eb = out[(out.group == "type") & (out.key == "ebike_theft")].iloc[0]
    assert eb["count"] == 3 and eb["baseline_mean"] == pytest.approx(1.0) and eb["diff"] == 2
    fr = out[(out.key == "fraud")].iloc[0]
    assert fr["count"] == 0 and fr["baseline_mean"] == pytest.approx(0.5)
    assert out.attrs["params"]["baseline_start"].isoformat() == "2026-10-01"
    zh = briefing_compare(f, "2026-10-29", lang="zh")
    assert "电动车被盗" in zh["label"].tolist()
