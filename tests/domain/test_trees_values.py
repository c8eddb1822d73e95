import math

import pandas as pd
import pytest

from mapdesk.domain.trees.species import lookup_species, species_habit
from mapdesk.domain.trees.values import (
    parse_bool,
    parse_chinese_numeral,
    parse_crown_m,
    parse_date,
    parse_grade,
    parse_leaf_habit,
    parse_quantity,
)


@pytest.mark.parametrize("text,value", [
    ("三百", 300), ("三百五十", 350), ("三百五", 350), ("一千二百", 1200), ("一千零五十", 1050),
    ("十五", 15), ("二十", 20), ("九十九", 99), ("二〇〇", 200), ("千", 1000), ("两百", 200),
    ("一万二千", 12000), ("叁佰", 300),
])
def test_chinese_numerals(text, value):
    assert parse_chinese_numeral(text) == value


@pytest.mark.parametrize("text", ["", "三百年", "abc", "300"])
def test_not_chinese_numerals(text):
    assert parse_chinese_numeral(text) is None


@pytest.mark.parametrize("raw,value,approx,range_", [
    ("约300年", 300, True, False), ("300+", 300, True, False), ("三百年", 300, False, False),
    ("300-350", 300, False, True), ("300~350年", 300, False, True), ("三百至三百五十年", 300, False, True),
    ("３００", 300, False, False), ("百余年", 100, True, False), ("300年左右", 300, True, False),
    (">300", 300, True, False), (120, 120, False, False), (12.5, 12.5, False, False), ("-5", -5, False, False),
])
def test_quantities(raw, value, approx, range_):
    q = parse_quantity(raw)
    assert q.value == value
    assert q.approx is approx
    assert q.range_ is range_


@pytest.mark.parametrize("raw", [None, float("nan"), "", "不详", "未知", "-", "n/a", pd.NA])
def test_missing_quantities(raw):
    q = parse_quantity(raw)
    assert q.missing and math.isnan(q.value)


def test_units_and_girth():
    assert parse_quantity("450mm").unit == "mm"
    assert parse_quantity("45厘米").unit == "cm"
    q = parse_quantity("周长150cm")
    assert q.circumference and q.value == 150
    assert parse_quantity("abc").unreadable


def test_crown_spread_east_west_by_north_south():
    assert parse_crown_m("8×6").value == 7
    assert parse_crown_m("8*6").value == 7
    assert parse_crown_m(10).value == 10


@pytest.mark.parametrize("raw,grade", [
    (1, 1), ("1", 1), ("一级", 1), ("I级", 1), ("Ⅰ级", 1), ("一级古树", 1), ("grade 1", 1), ("Grade II", 2),
    ("二级保护", 2), ("III", 3), ("三级", 3), ("四级", 4), ("IV级", 4), ("古树二级", 2), (2.0, 2), ("名木", 1),
])
def test_grades(raw, grade):
    assert parse_grade(raw) == (grade, True)


def test_grades_missing_and_unreadable():
    assert parse_grade(None) == (None, True)
    assert parse_grade("未定级") == (None, True)
    assert parse_grade("特级") == (None, False)
    assert parse_grade(7) == (None, False)


def test_bools_and_habits():
    assert parse_bool("是") is True and parse_bool("否") is False and parse_bool("Y") is True
    assert parse_bool(None) is None and parse_bool("maybe") is None
    assert parse_leaf_habit("落叶乔木") == "deciduous"
    assert parse_leaf_habit("常绿") == "evergreen"
    assert parse_leaf_habit("Evergreen") == "evergreen"
    assert parse_leaf_habit("?") is None


@pytest.mark.parametrize("raw,expected", [
    ("2019-05-03", "2019-05-03"), ("2019/5/3", "2019-05-03"), ("2019年5月3日", "2019-05-03"),
    ("2019年5月", "2019-05-01"), ("2019.5", "2019-05-01"), ("2019", "2019-01-01"), (2019, "2019-01-01"),
    (20190503, "2019-05-03"), (pd.Timestamp("2019-05-03 10:00"), "2019-05-03"),
])
def test_dates(raw, expected):
    ts, ok = parse_date(raw)
    assert ok and ts == pd.Timestamp(expected)


def test_bad_dates():
    assert parse_date("2019-13-45") == (None, False)
    assert parse_date("去年") == (None, False)
    assert parse_date(None) == (None, True)


@pytest.mark.parametrize("name,habit", [
    ("国槐", "deciduous"), ("油松", "evergreen"), ("侧柏", "evergreen"), ("白皮松", "evergreen"),
    ("榆树", "deciduous"), ("旱柳", "deciduous"), ("毛白杨", "deciduous"), ("银杏", "deciduous"),
    ("臭椿", "deciduous"), ("刺槐", "deciduous"), ("桧柏", "evergreen"), ("圆柏", "evergreen"),
    ("雪松", "evergreen"), ("龙爪槐", "deciduous"), ("楸树", "deciduous"), ("皂荚", "deciduous"),
    ("枣树", "deciduous"), ("丁香", "deciduous"), ("白蜡", "deciduous"), ("法桐", "deciduous"),
    ("悬铃木", "deciduous"), ("核桃", "deciduous"), ("Ginkgo biloba", "deciduous"), ("chinese pine", "evergreen"),
    ("国槐（槐树）", "deciduous"), ("古侧柏", "evergreen"), ("水杉", "deciduous"), ("柏树", "evergreen"),
])
def test_species_habits(name, habit):
    assert species_habit(name) == habit


def test_species_names():
    sp = lookup_species("龙爪槐")
    assert sp.name_zh == "龙爪槐"  # not taken for 国槐 because it contains 槐
    assert lookup_species("法国梧桐").latin == "Platanus × acerifolia"
    assert lookup_species("不存在的树") is None
    assert lookup_species(None) is None
