"""The Shanxi grading rules over every boundary, and the bad inputs of issue 7."""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from mapdesk.domain.trees import grade_trees, grading_summary

NA = None

# (case, inputs, expected grade, expected status, words in the English reason)
CASES = [
    ("age 19 deciduous small", dict(age_years=19, species="国槐", dbh_cm=10), NA, "not_protected", "not protected"),
    ("age 20", dict(age_years=20, species="国槐"), 4, "graded", "urban big tree, 20 years ≥ 20"),
    ("age 49", dict(age_years=49, species="国槐"), 4, "graded", "49 years ≥ 20"),
    ("age 50", dict(age_years=50, species="国槐"), 3, "graded", "ancient-tree reserve, 50 years"),
    ("age 99", dict(age_years=99, species="国槐"), 3, "graded", "99 years (50 to < 100)"),
    ("age 100", dict(age_years=100, species="国槐"), 2, "graded", "ancient tree, 100 years (100 to < 300)"),
    ("age 299", dict(age_years=299, species="国槐"), 2, "graded", "299 years"),
    ("age 300", dict(age_years=300, species="国槐"), 1, "graded", "ancient tree, 300 years ≥ 300"),
    ("age 320", dict(age_years=320), 1, "graded", "ancient tree, 320 years ≥ 300"),
    ("DBH 19.9 deciduous", dict(age_years=10, species="国槐", dbh_cm=19.9), NA, "not_protected", "DBH 19.9 cm < 20"),
    ("DBH 20 deciduous", dict(age_years=10, species="国槐", dbh_cm=20), 4, "graded", "deciduous, DBH 20 cm ≥ 20"),
    ("DBH 20 evergreen does not count", dict(age_years=10, species="油松", dbh_cm=20, height_m=3, ground_diameter_cm=10),
     NA, "not_protected", "evergreen"),
    ("height 5.9 evergreen", dict(age_years=10, species="油松", height_m=5.9, ground_diameter_cm=10), NA, "not_protected",
     "height 5.9 m < 6"),
    ("height 6 evergreen", dict(age_years=10, species="油松", height_m=6), 4, "graded", "evergreen, height 6 m ≥ 6"),
    ("height 6 deciduous does not count", dict(age_years=10, species="国槐", height_m=6, dbh_cm=5), NA, "not_protected",
     "deciduous, DBH 5 cm < 20"),
    ("ground 17.9 evergreen", dict(age_years=10, species="侧柏", height_m=3, ground_diameter_cm=17.9), NA,
     "not_protected", "ground diameter 17.9 cm < 18"),
    ("ground 18 evergreen", dict(age_years=10, species="侧柏", height_m=3, ground_diameter_cm=18), 4, "graded",
     "ground diameter 18 cm ≥ 18"),
    ("young famous tree", dict(age_years=5, famous="是", species="银杏"), 1, "graded", "famous tree"),
    ("famous without age", dict(famous=True), 1, "graded", "famous tree"),
    ("leaf habit field beats table", dict(age_years=10, species="未知树", leaf_habit="落叶", dbh_cm=25), 4, "graded",
     "deciduous, DBH 25 cm"),
    ("evergreen from field", dict(age_years=10, species="某树", leaf_habit="常绿乔木", height_m=7), 4, "graded",
     "evergreen, height 7 m"),
    ("unknown habit, both size rules hit", dict(age_years=10, species="某树", dbh_cm=30, height_m=8), 4, "graded",
     "whichever the leaf habit"),
    ("unknown habit, undecidable", dict(age_years=10, species="某树", dbh_cm=30, height_m=3), NA, "cannot_grade",
     "leaf habit unknown"),
    ("age missing, size hits", dict(species="国槐", dbh_cm=40), 4, "graded", "age missing, the grade may be higher"),
    ("age missing, size below", dict(species="国槐", dbh_cm=10), NA, "cannot_grade", "cannot grade: age missing"),
    ("age missing, nothing", dict(species="国槐"), NA, "cannot_grade", "cannot grade: age missing"),
    ("deciduous young, DBH missing", dict(age_years=10, species="国槐"), NA, "cannot_grade", "DBH missing"),
]


@pytest.mark.parametrize("case,inputs,grade,status,words", CASES, ids=[c[0] for c in CASES])
def test_grading_boundaries(case, inputs, grade, status, words):
    row = {"tree_id": "T1", **inputs}
    out = grade_trees(pd.DataFrame([row]))
    got = out["grade_computed"].iloc[0]
    if grade is None:
        assert pd.isna(got), out["grade_reason"].iloc[0]
    else:
        assert int(got) == grade, out["grade_reason"].iloc[0]
    assert out["grade_status"].iloc[0] == status
    assert words in out["grade_reason"].iloc[0]
    assert out["grade_reason_zh"].iloc[0]


def test_chinese_reason_uses_inclusive_wording():
    out = grade_trees(pd.DataFrame({"tree_id": ["a", "b"], "age_years": [320, 150]}))
    assert out["grade_reason_zh"].tolist() == ["古树，树龄320年≥300年", "古树，树龄150年（100年以上不足300年）"]


@pytest.mark.parametrize("text,age,code", [
    ("约300年", 300, "age_approximate"),
    ("300+", 300, "age_approximate"),
    ("三百年", 300, None),
    ("300-350", 300, "age_range"),
    ("三百五十年", 350, None),
    ("300年以上", 300, "age_approximate"),
])
def test_ages_as_text(text, age, code):
    out = grade_trees(pd.DataFrame({"tree_id": ["a"], "age_years": [text]}))
    assert out["age_years_used"].iloc[0] == age
    assert int(out["grade_computed"].iloc[0]) == 1
    codes = out["grade_issue_codes"].iloc[0]
    if code:
        assert code in codes
        assert text in out["grade_issue"].iloc[0]
    else:
        assert codes == ""


@pytest.mark.parametrize("text,code", [("-5", "age_impossible"), ("6000", "age_impossible"),
                                       ("很老", "age_unreadable"), ("0", "age_impossible")])
def test_impossible_or_unreadable_age_is_not_used(text, code):
    out = grade_trees(pd.DataFrame({"tree_id": ["a"], "species": ["国槐"], "age_years": [text]}))
    assert pd.isna(out["grade_computed"].iloc[0])
    assert code in out["grade_issue_codes"].iloc[0]
    assert out["grade_status"].iloc[0] == "cannot_grade"


def test_impossible_height_and_negative_dbh():
    out = grade_trees(pd.DataFrame({"tree_id": ["a", "b"], "species": ["油松", "国槐"], "age_years": [10, 10],
                                    "height_m": [150, None], "dbh_cm": [None, -30]}))
    assert "height_impossible" in out["grade_issue_codes"].iloc[0]
    assert "dbh_impossible" in out["grade_issue_codes"].iloc[1]
    assert out["grade_computed"].isna().all()


def test_dbh_in_mm_is_flagged_not_used_unless_told():
    frame = pd.DataFrame({"tree_id": ["a"], "species": ["国槐"], "age_years": [10], "dbh_cm": [450]})
    flagged = grade_trees(frame)
    assert "dbh_suspicious" in flagged["grade_issue_codes"].iloc[0]
    assert pd.isna(flagged["grade_computed"].iloc[0])  # not graded from a guessed unit
    assert "--dbh-unit mm" in flagged["grade_issue"].iloc[0]
    mm = grade_trees(frame, dbh_unit="mm")
    assert mm["dbh_cm_used"].iloc[0] == 45
    assert int(mm["grade_computed"].iloc[0]) == 4
    assert "dbh_converted" in mm["grade_issue_codes"].iloc[0]


def test_dbh_mm_just_below_threshold_after_conversion():
    frame = pd.DataFrame({"tree_id": ["a", "b"], "species": ["国槐"] * 2, "age_years": [10, 10], "dbh_cm": [199, 200]})
    out = grade_trees(frame, dbh_unit="mm")
    assert pd.isna(out["grade_computed"].iloc[0])
    assert int(out["grade_computed"].iloc[1]) == 4


def test_dbh_as_circumference():
    # a girth of 63 cm is a DBH of 20.05 cm; 62 cm is 19.7 cm
    frame = pd.DataFrame({"tree_id": ["a", "b"], "species": ["国槐"] * 2, "age_years": [10, 10], "dbh_cm": [63, 62]})
    out = grade_trees(frame, dbh_unit="circumference")
    assert out["grade_computed"].tolist()[0] == 4
    assert pd.isna(out["grade_computed"].iloc[1])
    # a unit in the cell is explicit and wins over the default
    cell = grade_trees(pd.DataFrame({"tree_id": ["c"], "species": ["国槐"], "age_years": [10],
                                     "dbh_cm": ["周长63cm"]}))
    assert cell["dbh_cm_used"].iloc[0] == pytest.approx(20.05, abs=0.01)
    mm_cell = grade_trees(pd.DataFrame({"tree_id": ["d"], "species": ["国槐"], "age_years": [10],
                                        "dbh_cm": ["250mm"]}))
    assert mm_cell["dbh_cm_used"].iloc[0] == 25


def test_bad_dbh_unit_option():
    with pytest.raises(ValueError):
        grade_trees(pd.DataFrame({"tree_id": ["a"]}), dbh_unit="inch")


@pytest.mark.parametrize("recorded,mismatch", [
    (1, False), ("1", False), ("一级", False), ("I级", False), ("一级古树", False), ("grade 1", False),
    ("Ⅰ", False), ("二级", True), ("II", True), ("grade 3", True),
])
def test_recorded_grade_forms(recorded, mismatch):
    out = grade_trees(pd.DataFrame({"tree_id": ["a"], "age_years": [320], "recorded_grade": [recorded]}))
    assert bool(out["grade_mismatch"].iloc[0]) is mismatch
    assert out["grade_recorded"].iloc[0] in (1, 2, 3)


def test_recorded_grade_on_unprotected_tree_is_a_mismatch_and_unreadable_is_reported():
    out = grade_trees(pd.DataFrame({"tree_id": ["a", "b", "c"], "species": ["国槐"] * 3, "age_years": [5, 320, 320],
                                    "dbh_cm": [5, None, None], "recorded_grade": ["四级", "特级", None]}))
    assert out["grade_mismatch"].tolist() == [True, False, False]
    assert "recorded_grade_unreadable" in out["grade_issue_codes"].iloc[1]
    assert "recorded_grade_missing" in out["grade_issue_codes"].iloc[2]


def test_duplicate_ids_missing_ids_and_missing_coordinates():
    frame = gpd.GeoDataFrame(
        {"tree_id": ["A1", "A1", None, "B2"], "age_years": [120, 130, 200, 60]},
        geometry=[Point(112.56, 37.88), Point(112.561, 37.88), Point(112.562, 37.88), None], crs=4326)
    out = grade_trees(frame)
    codes = out["grade_issue_codes"].tolist()
    assert "duplicate_tree_id" in codes[0] and "duplicate_tree_id" in codes[1]
    assert "tree_id_missing" in codes[2]
    assert "no_coordinates" in codes[3]
    # still graded: the grade does not depend on the location
    assert out["grade_computed"].tolist() == [2, 2, 2, 3]
    s = grading_summary(out)
    assert s["issues"]["duplicate_tree_id"] == 2
    assert s["issues"]["no_coordinates"] == 1
    assert s["by_grade"] == {"1": 0, "2": 3, "3": 1, "4": 0, "none": 0}


def test_leaf_habit_conflict_is_reported_and_field_wins():
    out = grade_trees(pd.DataFrame({"tree_id": ["a"], "species": ["国槐"], "leaf_habit": ["常绿"],
                                    "age_years": [10], "height_m": [7]}))
    assert int(out["grade_computed"].iloc[0]) == 4
    assert "leaf_habit_conflict" in out["grade_issue_codes"].iloc[0]
    assert out["leaf_habit_source"].iloc[0] == "field"


def test_leaf_habit_unknown_is_said():
    out = grade_trees(pd.DataFrame({"tree_id": ["a"], "species": ["神秘树"], "age_years": [10], "dbh_cm": [25]}))
    assert pd.isna(out["grade_computed"].iloc[0])
    assert "leaf_habit_unknown" in out["grade_issue_codes"].iloc[0]


def test_input_is_not_modified_and_columns_added():
    frame = pd.DataFrame({"tree_id": ["a"], "age_years": ["约300年"]})
    before = frame.copy()
    out = grade_trees(frame)
    pd.testing.assert_frame_equal(frame, before)
    for col in ("grade_computed", "grade_reason", "grade_reason_zh", "grade_mismatch", "grade_issue"):
        assert col in out.columns
    assert str(out["grade_computed"].dtype) == "Int64"


def test_summary_hints_at_mm_column():
    frame = pd.DataFrame({"tree_id": list("abcdef"), "age_years": [120] * 6,
                          "dbh_cm": [450, 520, 610, 380, 700, 495]})
    assert any("millimetres" in h for h in grading_summary(grade_trees(frame))["hints"])


@pytest.mark.parametrize("text,age,grade", [
    ("明代", 382, 1),  # the Ming era ended in 1644: at least 382 years in 2026
    ("清代", 114, 2),
    ("约明朝", 382, 1),
    ("1850年栽植", 176, 2),
    ("民国", 77, 3),
])
def test_ages_from_eras_and_planting_years(text, age, grade):
    out = grade_trees(pd.DataFrame({"tree_id": ["a"], "age_years": [text]}), as_of="2026-06-01")
    assert out["age_years_used"].iloc[0] == age
    assert int(out["grade_computed"].iloc[0]) == grade
    assert "age_from_era" in out["grade_issue_codes"].iloc[0]
    assert text in out["grade_issue_zh"].iloc[0]


def test_issues_in_chinese():
    out = grade_trees(pd.DataFrame({"tree_id": ["a", "a"], "species": ["国槐", "国槐"], "age_years": ["约300年", 10],
                                    "dbh_cm": [None, 450]}))
    assert out["grade_issue_zh"].iloc[0] == "古树编号a重复（2条）；树龄“约300年”按300年计（估计值）"
    assert "疑为毫米" in out["grade_issue_zh"].iloc[1]
