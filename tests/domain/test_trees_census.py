import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from mapdesk.domain.trees.census import census_counts, census_state, census_summary, census_worklist


@pytest.mark.parametrize("last,state", [
    ("2020-06-01", "due_this_year"),  # exactly five years: not yet "more than"
    ("2020-05-31", "overdue"),
    ("2020-12-31", "due_this_year"),  # runs out later this calendar year
    ("2021-01-01", "ok"),
    ("2019-01-01", "overdue"),
    (None, "never_surveyed"),
    ("2024-02-29", "ok"),
])
def test_census_states(last, state):
    out = census_state(pd.DataFrame({"tree_id": ["a"], "last_survey": [last]}), as_of="2025-06-01")
    assert out["census_state"].iloc[0] == state


def test_next_due_and_issues():
    out = census_state(pd.DataFrame({"tree_id": list("abcd"),
                                     "last_survey": ["2019年5月", "bad", "2030-01-01", dt.date(2021, 3, 4)]}),
                       as_of=dt.date(2025, 1, 1))
    assert out["next_survey_due"].iloc[0] == pd.Timestamp("2024-05-01")
    assert out["census_state"].tolist() == ["overdue", "never_surveyed", "ok", "ok"]
    assert "not understood" in out["census_issue"].iloc[1]
    assert "after the as-of date" in out["census_issue"].iloc[2]
    assert out["years_since_survey"].iloc[3] == pytest.approx(3.8, abs=0.05)


def test_no_survey_column_means_never():
    out = census_state(pd.DataFrame({"tree_id": ["a", "b"]}), as_of="2025-01-01")
    assert (out["census_state"] == "never_surveyed").all()


def test_bad_as_of():
    with pytest.raises(ValueError):
        census_state(pd.DataFrame({"tree_id": ["a"]}), as_of="someday")


def _registry():
    return gpd.GeoDataFrame({
        "tree_id": ["T1", "T2", "T3", "T4", "T5", "T6"],
        "species": ["国槐", "国槐", "油松", "侧柏", "国槐", "银杏"],
        "age_years": [320, 150, 60, 25, 120, 400],
        "last_survey": ["2018-01-01", "2020-09-01", None, "2023-01-01", "2019-01-01", "2020-08-01"],
        "community": ["新建北路", "新建北路", "胜利街", "胜利街", "胜利街", None],
        "adopted_by": ["某公司", None, None, None, None, None],
    }, geometry=[Point(112.56 + i * 0.001, 37.88) for i in range(6)], crs=4326)


def test_summary_tables():
    s = census_summary(_registry(), as_of="2025-06-01")
    assert dict(zip(s["by_state"]["census_state"], s["by_state"]["trees"], strict=True)) == {
        "overdue": 2, "never_surveyed": 1, "due_this_year": 2, "ok": 1}
    comm = s["by_community"].set_index("community")
    assert comm.loc["胜利街", "total"] == 3
    assert comm.loc["胜利街", "overdue"] == 1
    assert comm.loc["(none)", "due_this_year"] == 1
    grade = s["by_grade"].set_index("grade")
    assert grade.loc["1", "total"] == 2
    assert s["by_species"].set_index("species").loc["国槐", "total"] == 3
    assert census_counts(_registry(), "2025-06-01")["overdue"] == 2


def test_worklist_grouped_by_community_most_urgent_first():
    wl = census_worklist(_registry(), as_of="2025-06-01")
    assert wl["tree_id"].tolist() == ["T1", "T2", "T5", "T3", "T6"]
    assert wl["community"].tolist() == ["新建北路", "新建北路", "胜利街", "胜利街", "(none)"]
    assert wl["census_state"].tolist() == ["overdue", "due_this_year", "overdue", "never_surveyed", "due_this_year"]
    assert wl["lon"].iloc[0] == pytest.approx(112.56)
    assert wl["census_state_zh"].iloc[0] == "逾期未普查"
    assert wl["adopted_by"].iloc[0] == "某公司"
    only_late = census_worklist(_registry(), as_of="2025-06-01", include_due=False)
    assert set(only_late["census_state"]) == {"overdue", "never_surveyed"}
