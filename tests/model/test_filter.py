import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from mapdesk.model import Filter, FilterError, Layer, filter_mask


@pytest.fixture
def incidents():
    n = 24 * 14
    t = pd.date_range("2025-03-03 00:00", periods=n, freq="h")  # 2025-03-03 is a Monday
    types = np.where(np.arange(n) % 3 == 0, "ebike_theft", "fraud")
    return gpd.GeoDataFrame(
        {"type": types, "time": t, "age": np.arange(n, dtype=float)},
        geometry=gpd.points_from_xy(np.full(n, 112.56), np.full(n, 37.88)), crs=4326)


def test_categories_and_ranges(incidents):
    m = filter_mask(Filter(categories={"type": ["ebike_theft"]}), incidents)
    assert m.sum() == 112
    m = filter_mask(Filter(ranges={"age": (10, 19)}), incidents)
    assert m.sum() == 10


def test_date_range_includes_whole_end_day(incidents):
    m = filter_mask(Filter(date_from="2025-03-04", date_to="2025-03-05"), incidents, time_col="time")
    assert m.sum() == 48
    assert incidents.time[m].min() == pd.Timestamp("2025-03-04 00:00")
    assert incidents.time[m].max() == pd.Timestamp("2025-03-05 23:00")


def test_hours_wrap_past_midnight_and_weekdays(incidents):
    m = filter_mask(Filter(hour_from=22, hour_to=2), incidents, time_col="time")
    assert set(incidents.time[m].dt.hour) == {22, 23, 0, 1}
    m = filter_mask(Filter(weekdays=[5, 6]), incidents, time_col="time")
    assert set(incidents.time[m].dt.dayofweek) == {5, 6}
    assert m.sum() == 4 * 24


def test_expression_and_errors(incidents):
    m = filter_mask(Filter(expression="age < 5 and type == 'fraud'"), incidents)
    assert m.sum() == 3
    with pytest.raises(FilterError):
        filter_mask(Filter(expression="age <"), incidents)
    with pytest.raises(FilterError):
        filter_mask(Filter(categories={"nope": ["x"]}), incidents)
    with pytest.raises(FilterError, match="no time field"):
        filter_mask(Filter(date_from="2025-01-01"), incidents)


def test_layer_keeps_old_filter_when_new_one_fails(incidents):
    lyr = Layer.from_frame("inc", incidents, role="incidents", field_map={"type": "type", "time": "time"})
    lyr.set_filter(Filter(categories={"type": ["fraud"]}))
    assert lyr.feature_count() == (224, 336)
    with pytest.raises(FilterError):
        lyr.set_filter(Filter(expression="this is not python"))
    assert lyr.feature_count() == (224, 336)
    assert len(lyr.filtered_frame()) == 224


def test_filter_round_trips_through_dict():
    f = Filter(categories={"type": ["a"]}, ranges={"age": (1.0, None)}, date_from="2025-01-01",
               hour_from=7, hour_to=9, weekdays=[0, 1], expression="x > 1")
    assert Filter.from_dict(f.to_dict()) == f
    assert "07:00–09:00" in f.describe()


def test_window_only_incidents_pass_a_date_filter():
    t = pd.to_datetime(["2025-01-02 10:00", None, None])
    start = pd.to_datetime([None, "2025-01-02 08:00", "2025-02-01 08:00"])
    f = gpd.GeoDataFrame({"time": t, "time_start": start, "time_end": start + pd.Timedelta(hours=9)},
                         geometry=gpd.points_from_xy([112.5] * 3, [37.9] * 3), crs=4326)
    lyr = Layer.from_frame("inc", f, role="incidents",
                           field_map={"time": "time", "time_start": "time_start", "time_end": "time_end"})
    lyr.set_filter(Filter(date_from="2025-01-01", date_to="2025-01-31"))
    assert lyr.feature_count() == (2, 3)
