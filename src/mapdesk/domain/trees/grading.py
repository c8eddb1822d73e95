"""Protection grades by the Shanxi rules (《山西省城市古树名木和城市大树保护管理办法》).

=====  ===============================================================================
grade  who
=====  ===============================================================================
1      famous trees (名木), and ancient trees aged 300 years or more
2      ancient trees aged 100 to < 300 years
3      ancient-tree reserve (古树后备资源), 50 to < 100 years
4      urban big trees (城市大树): aged 20 years or more, or deciduous with DBH >= 20 cm, or
       evergreen with height >= 6 m or ground diameter >= 18 cm
=====  ===============================================================================

"以上" includes the number: 300 years is grade 1, 100 grade 2, 50 grade 3, 20 grade 4.

Every tree gets a reason in words (English and Chinese) and every doubtful input is reported
in ``grade_issue``: nothing is graded silently from a value the program had to guess.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from mapdesk.domain.trees.species import habit_label, lookup_species
from mapdesk.domain.trees.values import (
    Quantity,
    is_missing,
    parse_bool,
    parse_grade,
    parse_leaf_habit,
    parse_quantity,
)

AGE_GRADE1_YEARS = 300
AGE_GRADE2_YEARS = 100
AGE_GRADE3_YEARS = 50
AGE_BIG_TREE_YEARS = 20
DBH_BIG_TREE_CM = 20.0
HEIGHT_BIG_TREE_M = 6.0
GROUND_DIAMETER_BIG_TREE_CM = 18.0

MAX_AGE_YEARS = 5000  # older than any known tree: a typing error
MAX_HEIGHT_M = 120.0  # taller than any known tree
SUSPICIOUS_DBH_CM = 300.0  # above this a DBH "in cm" is probably in mm
SUSPICIOUS_GROUND_DIAMETER_CM = 400.0
MAX_DIAMETER_CM = 2000.0  # no tree is 20 m thick: impossible whatever the unit

DBH_UNITS = ("cm", "mm", "circumference_cm")

GRADE_LABELS: dict[int, tuple[str, str]] = {
    1: ("Grade 1", "一级"),
    2: ("Grade 2", "二级"),
    3: ("Grade 3", "三级"),
    4: ("Grade 4", "四级"),
}

# Issue codes (in ``grade_issue_codes``) and what they mean, for summaries and filters.
ISSUE_CODES: dict[str, str] = {
    "age_approximate": "age given as an approximation",
    "age_range": "age given as a range (lower bound used)",
    "age_unreadable": "age text not understood",
    "age_impossible": "age negative, zero or impossible",
    "age_missing": "age missing",
    "famous_unreadable": "famous flag not understood",
    "age_from_era": "age read from an era (明代) or a planting year: a lower bound",
    "dbh_converted": "DBH converted from mm or circumference",
    "dbh_suspicious": "DBH implausible (probably mm): not used",
    "dbh_unreadable": "DBH text not understood",
    "dbh_impossible": "DBH negative, zero or impossible",
    "height_unreadable": "height text not understood",
    "height_impossible": "height negative, zero or impossible",
    "ground_diameter_converted": "ground diameter converted from mm or m",
    "ground_diameter_suspicious": "ground diameter implausible (probably mm): not used",
    "ground_diameter_unreadable": "ground diameter text not understood",
    "ground_diameter_impossible": "ground diameter negative, zero or impossible",
    "leaf_habit_unknown": "leaf habit unknown (not in the field, species not in the table)",
    "leaf_habit_conflict": "leaf habit field contradicts the species",
    "leaf_habit_unreadable": "leaf habit text not understood",
    "recorded_grade_unreadable": "recorded grade not understood",
    "recorded_grade_missing": "no recorded grade although the tree is protected",
    "tree_id_missing": "tree id missing",
    "duplicate_tree_id": "tree id used by more than one row",
    "no_coordinates": "tree has no coordinates",
}


def _fmt(x: float) -> str:
    """320.0 -> "320", 19.9 -> "19.9"."""
    if x == int(x):
        return str(int(x))
    return f"{x:.2f}".rstrip("0").rstrip(".")


@dataclass
class _Issues:
    codes: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    texts_zh: list[str] = field(default_factory=list)

    def add(self, code: str, text: str, text_zh: str) -> None:
        self.codes.append(code)
        self.texts.append(text)
        self.texts_zh.append(text_zh)


@dataclass
class _Size:
    """A size value ready for the rules (NaN when unusable) and why."""

    value: float = math.nan

    @property
    def known(self) -> bool:
        return not math.isnan(self.value)


# Registries often give an era instead of an age ("明代"): the tree is at least as old as the
# era's end. (era, English, last year of the era)
_ERAS = (("唐", "Tang", 907), ("宋", "Song", 1279), ("元", "Yuan", 1368), ("明", "Ming", 1644),
         ("清", "Qing", 1912), ("民国", "Republic", 1949))
_PLANTED = ("栽", "植", "种于", "种植", "planted")


def _era_or_planting_age(raw: Any, this_year: int) -> tuple[float, str, str] | None:
    """An age read from "明代" / "清朝" (at least this_year - era end) or from a planting year
    ("1850年栽植" → this_year - 1850); ``None`` when the text is neither."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    for zh, en, end in _ERAS:
        if re.fullmatch(rf"(约|大约)?{zh}(代|朝|初|末|中期|年间)?(栽植|栽种|种植|所植)?", text):
            age = float(this_year - end)
            return (age, f"age '{raw}' ({en} era, ended {end}): at least {_fmt(age)} years used",
                    f"树龄“{raw}”（{zh}代止于{end}年）：按至少{_fmt(age)}年计")
    if any(w in text.lower() for w in _PLANTED):
        m = re.search(r"(\d{4})", text)
        if m and 1000 <= int(m.group(1)) <= this_year:
            year = int(m.group(1))
            age = float(this_year - year)
            return (age, f"age '{raw}' read as planted in {year}: {_fmt(age)} years",
                    f"树龄“{raw}”按{year}年栽植计：{_fmt(age)}年")
    return None


def _read_age(raw: Any, issues: _Issues, this_year: int) -> Quantity:
    q = _parse_quantity(raw)
    if q.missing:
        return q
    if q.unreadable or (q.ok and isinstance(raw, str) and any(w in raw for w in _PLANTED)):
        era = _era_or_planting_age(raw, this_year)
        if era is not None:
            issues.add("age_from_era", era[1], era[2])
            return Quantity(era[0], q.raw, approx=True, range_=False, unit="years")
        if q.unreadable:
            issues.add("age_unreadable", f"age '{q.raw}' not understood", f"树龄“{q.raw}”无法识别")
            return q
    if q.value <= 0 or q.value > MAX_AGE_YEARS or q.unit not in (None, "years"):
        issues.add("age_impossible", f"age '{q.raw}' is impossible: not used", f"树龄“{q.raw}”不合理，未采用")
        return Quantity(math.nan, q.raw, unreadable=True)
    if q.range_:
        issues.add("age_range", f"age '{q.raw}' is a range: lower bound {_fmt(q.value)} used",
                   f"树龄“{q.raw}”为范围，取下限{_fmt(q.value)}年")
    elif q.approx:
        issues.add("age_approximate", f"age '{q.raw}' read as {_fmt(q.value)} (approximate)",
                   f"树龄“{q.raw}”按{_fmt(q.value)}年计（估计值）")
    return q


def _read_diameter(raw: Any, what: str, what_zh: str, code: str, unit_option: str | None,
                   suspicious_cm: float, issues: _Issues) -> _Size:
    q = _parse_quantity(raw)
    if q.missing:
        return _Size()
    if q.unreadable:
        issues.add(f"{code}_unreadable", f"{what} '{q.raw}' not understood", f"{what_zh}“{q.raw}”无法识别")
        return _Size()
    value = q.value
    cell_unit = q.unit if q.unit in ("mm", "cm", "m") else None
    girth = q.circumference or (code == "dbh" and unit_option == "circumference_cm" and not cell_unit)
    if cell_unit == "mm" or (cell_unit is None and code == "dbh" and unit_option == "mm"):
        value = value / 10.0
    elif cell_unit == "m":
        value = value * 100.0
    if girth:
        value = value / math.pi
    if value <= 0 or value > MAX_DIAMETER_CM:
        issues.add(f"{code}_impossible", f"{what} '{q.raw}' is impossible: not used",
                   f"{what_zh}“{q.raw}”不合理，未采用")
        return _Size()
    if value != q.value:
        how = "circumference" if girth else (cell_unit or unit_option)
        how_zh = "周长" if girth else ("毫米" if how == "mm" else "米")
        issues.add(f"{code}_converted", f"{what} '{q.raw}' ({how}) converted to {_fmt(round(value, 1))} cm",
                   f"{what_zh}“{q.raw}”（{how_zh}）换算为{_fmt(round(value, 1))}厘米")
    elif value > suspicious_cm and unit_option is None and cell_unit is None:
        hint = " (use --dbh-unit mm if the column is in mm)" if code == "dbh" else ""
        hint_zh = "（如该列单位为毫米，请用 --dbh-unit mm）" if code == "dbh" else ""
        issues.add(f"{code}_suspicious",
                   f"{what} {_fmt(value)} cm is implausible, probably mm: not used{hint}",
                   f"{what_zh}{_fmt(value)}厘米不合理，疑为毫米，未采用{hint_zh}")
        return _Size()
    return _Size(round(value, 3))


def _read_height(raw: Any, issues: _Issues) -> _Size:
    q = _parse_quantity(raw)
    if q.missing:
        return _Size()
    if q.unreadable:
        issues.add("height_unreadable", f"height '{q.raw}' not understood", f"株高“{q.raw}”无法识别")
        return _Size()
    value = q.value / 100.0 if q.unit == "cm" else q.value / 1000.0 if q.unit == "mm" else q.value
    if value <= 0 or value > MAX_HEIGHT_M:
        issues.add("height_impossible", f"height '{q.raw}' is impossible: not used", f"株高“{q.raw}”不合理，未采用")
        return _Size()
    return _Size(value)


@dataclass
class _SizeVerdict:
    hit_en: str | None = None
    hit_zh: str | None = None
    below_en: list[str] = field(default_factory=list)
    below_zh: list[str] = field(default_factory=list)
    undecided_en: list[str] = field(default_factory=list)
    undecided_zh: list[str] = field(default_factory=list)


def _size_rules(habit: str | None, dbh: _Size, height: _Size, ground: _Size) -> _SizeVerdict:
    """Apply the urban-big-tree size rules; say what hit, what was below, what was missing."""
    v = _SizeVerdict()

    def decid() -> tuple[bool | None, str, str]:
        if not dbh.known:
            return None, "DBH missing", "胸径缺失"
        ok = dbh.value >= DBH_BIG_TREE_CM
        op = "≥" if ok else "<"
        zop = "≥" if ok else "＜"
        return ok, f"DBH {_fmt(dbh.value)} cm {op} 20", f"胸径{_fmt(dbh.value)}厘米{zop}20厘米"

    def ever() -> tuple[bool | None, str, str]:
        parts_en, parts_zh, any_missing = [], [], False
        for s, name_en, name_zh, unit_en, unit_zh, limit in (
            (height, "height", "株高", "m", "米", HEIGHT_BIG_TREE_M),
            (ground, "ground diameter", "地径", "cm", "厘米", GROUND_DIAMETER_BIG_TREE_CM),
        ):
            if not s.known:
                any_missing = True
                parts_en.append(f"{name_en} missing")
                parts_zh.append(f"{name_zh}缺失")
                continue
            if s.value >= limit:
                return True, f"{name_en} {_fmt(s.value)} {unit_en} ≥ {_fmt(limit)}", \
                    f"{name_zh}{_fmt(s.value)}{unit_zh}≥{_fmt(limit)}{unit_zh}"
            parts_en.append(f"{name_en} {_fmt(s.value)} {unit_en} < {_fmt(limit)}")
            parts_zh.append(f"{name_zh}{_fmt(s.value)}{unit_zh}＜{_fmt(limit)}{unit_zh}")
        return (None if any_missing else False), ", ".join(parts_en), "，".join(parts_zh)

    if habit == "deciduous":
        ok, en, zh = decid()
        if ok:
            v.hit_en, v.hit_zh = f"deciduous, {en}", f"落叶乔木{zh}"
        elif ok is False:
            v.below_en.append(f"deciduous, {en}")
            v.below_zh.append(f"落叶乔木{zh}")
        else:
            v.undecided_en.append(f"deciduous, {en}")
            v.undecided_zh.append(f"落叶乔木{zh}")
    elif habit == "evergreen":
        ok, en, zh = ever()
        if ok:
            v.hit_en, v.hit_zh = f"evergreen, {en}", f"常绿乔木{zh}"
        elif ok is False:
            v.below_en.append(f"evergreen, {en}")
            v.below_zh.append(f"常绿乔木{zh}")
        else:
            v.undecided_en.append(f"evergreen, {en}")
            v.undecided_zh.append(f"常绿乔木{zh}")
    else:
        d_ok, d_en, d_zh = decid()
        e_ok, e_en, e_zh = ever()
        if d_ok and e_ok:
            v.hit_en = f"{d_en} and {e_en} (whichever the leaf habit)"
            v.hit_zh = f"{d_zh}且{e_zh}（无论落叶或常绿）"
        elif d_ok is False and e_ok is False:
            v.below_en.append(f"{d_en}, {e_en} (whichever the leaf habit)")
            v.below_zh.append(f"{d_zh}，{e_zh}（无论落叶或常绿）")
        else:
            v.undecided_en.append(f"leaf habit unknown ({d_en}; {e_en})")
            v.undecided_zh.append(f"叶性未知（{d_zh}；{e_zh}）")
    return v


def _resolve_habit(field_value: Any, species: Any, issues: _Issues) -> tuple[str | None, str | None]:
    from_field = _parse_leaf_habit(field_value)
    sp = _lookup_species(species)
    from_table = sp.habit if sp else None
    if from_field is None and not is_missing(field_value):
        issues.add("leaf_habit_unreadable", f"leaf habit '{field_value}' not understood",
                   f"叶性“{field_value}”无法识别")
    if from_field is not None:
        if from_table is not None and from_table != from_field:
            issues.add("leaf_habit_conflict",
                       f"leaf habit '{field_value}' contradicts species {sp.name_zh} "
                       f"({from_table}): the field is used",
                       f"叶性“{field_value}”与树种{sp.name_zh}（{habit_label(from_table, 'zh')}）不符，按填写值")
        return from_field, "field"
    if from_table is not None:
        return from_table, "species"
    return None, None


def _grade_one(age: Quantity, famous: bool | None, habit: str | None, dbh: _Size, height: _Size,
               ground: _Size) -> tuple[int | None, str, str, str]:
    """Return (grade, status, reason_en, reason_zh); status is graded/not_protected/cannot_grade."""
    age_known = age.ok
    qual_en = qual_zh = ""
    if age_known and age.range_:
        qual_en, qual_zh = f" (lower bound of '{age.raw}')", "（取树龄范围下限）"
    elif age_known and age.approx:
        qual_en, qual_zh = f" (approximate age '{age.raw}')", "（树龄为估计值）"
    a = _fmt(age.value) if age_known else ""
    if famous:
        extra_en = f", {a} years" if age_known else ""
        extra_zh = f"，树龄{a}年" if age_known else ""
        return 1, "graded", f"famous tree{extra_en}", f"名木{extra_zh}"
    if age_known:
        y = age.value
        if y >= AGE_GRADE1_YEARS:
            return 1, "graded", f"ancient tree, {a} years ≥ 300{qual_en}", f"古树，树龄{a}年≥300年{qual_zh}"
        if y >= AGE_GRADE2_YEARS:
            return (2, "graded", f"ancient tree, {a} years (100 to < 300){qual_en}",
                    f"古树，树龄{a}年（100年以上不足300年）{qual_zh}")
        if y >= AGE_GRADE3_YEARS:
            return (3, "graded", f"ancient-tree reserve, {a} years (50 to < 100){qual_en}",
                    f"古树后备资源，树龄{a}年（50年以上不足100年）{qual_zh}")
        if y >= AGE_BIG_TREE_YEARS:
            return 4, "graded", f"urban big tree, {a} years ≥ 20{qual_en}", f"城市大树，树龄{a}年≥20年{qual_zh}"
    size = _size_rules(habit, dbh, height, ground)
    if size.hit_en:
        if age_known:
            return (4, "graded", f"urban big tree, {size.hit_en} (age {a} years < 20)",
                    f"城市大树，{size.hit_zh}（树龄{a}年＜20年）")
        return (4, "graded", f"urban big tree, {size.hit_en}; age missing, the grade may be higher",
                f"城市大树，{size.hit_zh}；树龄缺失，等级可能更高")
    if age_known:
        if size.undecided_en:
            return (None, "cannot_grade",
                    f"cannot grade: age {a} years < 20 and the size rules cannot apply: "
                    + "; ".join(size.undecided_en),
                    f"无法定级：树龄{a}年＜20年，且城市大树规格条件无法判断：" + "；".join(size.undecided_zh))
        return (None, "not_protected",
                f"not protected: age {a} years < 20, " + "; ".join(size.below_en),
                f"不属保护范围：树龄{a}年＜20年，" + "；".join(size.below_zh))
    detail_en = "; ".join(size.below_en + size.undecided_en)
    detail_zh = "；".join(size.below_zh + size.undecided_zh)
    return (None, "cannot_grade", f"cannot grade: age missing (size rules: {detail_en})",
            f"无法定级：树龄缺失（城市大树规格：{detail_zh}）")


def _column(frame: pd.DataFrame, name: str) -> list[Any]:
    if name in frame.columns:
        col = frame[name].astype(object)
        return col.where(col.notna(), None).tolist()
    return [None] * len(frame)


def _cached(fn):
    """A bounded cache of a parser on hashable cell values (registries repeat values a lot;
    parsers return immutable results, so sharing them is safe)."""

    @lru_cache(maxsize=65536)
    def by_key(_type: type, value: Any) -> Any:
        return fn(value)

    def wrapper(value: Any) -> Any:
        try:
            return by_key(type(value), value)
        except TypeError:  # unhashable cell (list, dict)
            return fn(value)

    return wrapper


_parse_quantity = _cached(parse_quantity)
_parse_bool = _cached(parse_bool)
_parse_grade = _cached(parse_grade)
_parse_leaf_habit = _cached(parse_leaf_habit)
_lookup_species = _cached(lookup_species)


def grade_trees(frame: pd.DataFrame, *, dbh_unit: str | None = None, as_of: Any = None) -> pd.DataFrame:
    """Compute each tree's protection grade by the Shanxi rules.

    Parameters
    ----------
    frame
        Trees with canonical column names (``mapdesk.io.schema.to_canonical``). Used if
        present: tree_id, species, age_years, famous, leaf_habit, dbh_cm, height_m,
        ground_diameter_cm, recorded_grade, geometry. Values may be messy text.
    dbh_unit
        How to read DBH numbers without a unit in the cell. ``None`` (default): centimetres,
        and a value above 300 is flagged as probably mm and *not used*. ``"cm"``: centimetres,
        trusted. ``"mm"``: millimetres (divided by 10). ``"circumference_cm"`` (or
        ``"circumference"``): a girth in cm (divided by π). A unit written in a cell ("450mm",
        "周长150") always wins.
    as_of
        Date whose year turns an era ("明代") or a planting year ("1850年栽植") into an age;
        default today.

    Returns
    -------
    A copy of ``frame`` with added columns:

    ``grade_computed`` (Int64 1–4 or <NA>), ``grade_status`` ("graded", "not_protected",
    "cannot_grade"), ``grade_reason`` / ``grade_reason_zh``, ``grade_recorded`` (Int64, the
    parsed recorded grade), ``grade_mismatch`` (bool: a recorded grade differs from the
    computed one, including a recorded grade on a tree the rules do not protect),
    ``grade_issue`` ("; "-joined English remarks, "" when none), ``grade_issue_zh`` (the same
    in Chinese), ``grade_issue_codes``
    (","-joined codes of ``ISSUE_CODES``), and the values actually used: ``age_years_used``,
    ``dbh_cm_used``, ``height_m_used``, ``ground_diameter_cm_used``, ``leaf_habit_used``,
    ``leaf_habit_source`` ("field", "species" or <NA>).

    Examples
    --------
    >>> import pandas as pd
    >>> g = grade_trees(pd.DataFrame({"tree_id": ["a"], "species": ["国槐"], "age_years": ["约320年"]}))
    >>> int(g.grade_computed[0]), g.grade_reason_zh[0]
    (1, '古树，树龄320年≥300年（树龄为估计值）')
    """
    if dbh_unit == "circumference":
        dbh_unit = "circumference_cm"
    if dbh_unit not in (None, *DBH_UNITS):
        raise ValueError(f"dbh_unit must be one of {DBH_UNITS} or None, not {dbh_unit!r}")
    n = len(frame)
    ids = _column(frame, "tree_id")
    id_keys = [None if is_missing(t) else str(t).strip() for t in ids]
    id_counts = Counter(k for k in id_keys if k)
    if "geometry" in frame.columns:
        geom = np.asarray(frame["geometry"].to_numpy(), dtype=object)
        no_xy = np.array([g is None or is_missing(g) or not hasattr(g, "is_empty") or g.is_empty
                          for g in geom], dtype=bool)
    else:
        no_xy = np.zeros(n, dtype=bool)

    has_recorded = "recorded_grade" in frame.columns
    cols = {c: _column(frame, c) for c in ("species", "age_years", "famous", "leaf_habit", "dbh_cm",
                                           "height_m", "ground_diameter_cm", "recorded_grade")}
    out_grade: list[Any] = []
    out_status, out_en, out_zh, out_issue, out_issue_zh, out_codes = [], [], [], [], [], []
    this_year = (pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.today()).year
    out_rec: list[Any] = []
    out_mis: list[bool] = []
    used_age, used_dbh, used_h, used_g, used_habit, used_hsrc = [], [], [], [], [], []
    for i in range(n):
        issues = _Issues()
        if id_keys[i] is None:
            issues.add("tree_id_missing", "tree id missing", "缺少古树编号")
        elif id_counts[id_keys[i]] > 1:
            issues.add("duplicate_tree_id", f"tree id {id_keys[i]} used by {id_counts[id_keys[i]]} rows",
                       f"古树编号{id_keys[i]}重复（{id_counts[id_keys[i]]}条）")
        if no_xy[i]:
            issues.add("no_coordinates", "no coordinates: not on the map, no protection zone",
                       "缺少坐标：无法上图，无保护范围")
        age = _read_age(cols["age_years"][i], issues, this_year)
        famous_raw = cols["famous"][i]
        famous = _parse_bool(famous_raw)
        if famous is None and not is_missing(famous_raw):
            issues.add("famous_unreadable", f"famous flag '{famous_raw}' not understood: taken as no",
                       f"是否名木“{famous_raw}”无法识别，按否处理")
        habit, habit_src = _resolve_habit(cols["leaf_habit"][i], cols["species"][i], issues)
        dbh = _read_diameter(cols["dbh_cm"][i], "DBH", "胸径", "dbh", dbh_unit, SUSPICIOUS_DBH_CM, issues)
        height = _read_height(cols["height_m"][i], issues)
        ground = _read_diameter(cols["ground_diameter_cm"][i], "ground diameter", "地径", "ground_diameter",
                                None, SUSPICIOUS_GROUND_DIAMETER_CM, issues)
        grade, status, en, zh = _grade_one(age, famous, habit, dbh, height, ground)
        if not age.ok and not famous and not age.unreadable:
            issues.add("age_missing", "age missing", "树龄缺失")
        size_rules_used = not famous and not (age.ok and age.value >= AGE_BIG_TREE_YEARS)
        if habit is None and size_rules_used and "whichever" not in en:
            issues.add("leaf_habit_unknown",
                       "leaf habit unknown (no 叶性 value, species not in the table): "
                       "the size rules for deciduous/evergreen trees cannot apply",
                       "叶性未知（未填写叶性，树种不在表中）：无法适用落叶/常绿乔木规格条件")
        rec_raw = cols["recorded_grade"][i]
        rec, understood = _parse_grade(rec_raw)
        if not understood:
            issues.add("recorded_grade_unreadable", f"recorded grade '{rec_raw}' not understood",
                       f"登记等级“{rec_raw}”无法识别")
        elif rec is None and grade is not None and has_recorded:
            issues.add("recorded_grade_missing", f"no recorded grade; the rules give grade {grade}",
                       f"未登记保护等级；按规定应为{GRADE_LABELS[grade][1]}")
        mismatch = (rec is not None and grade is not None and rec != grade) or (
            rec is not None and status == "not_protected")
        out_grade.append(grade if grade is not None else pd.NA)
        out_status.append(status)
        out_en.append(en)
        out_zh.append(zh)
        out_issue.append("; ".join(issues.texts))
        out_issue_zh.append("；".join(issues.texts_zh))
        out_codes.append(",".join(dict.fromkeys(issues.codes)))
        out_rec.append(rec if rec is not None else pd.NA)
        out_mis.append(bool(mismatch))
        used_age.append(age.value if age.ok else np.nan)
        used_dbh.append(dbh.value)
        used_h.append(height.value)
        used_g.append(ground.value)
        used_habit.append(habit if habit else pd.NA)
        used_hsrc.append(habit_src if habit_src else pd.NA)

    out = frame.copy()
    out["grade_computed"] = pd.array(out_grade, dtype="Int64")
    out["grade_status"] = pd.array(out_status, dtype="string")
    out["grade_reason"] = pd.array(out_en, dtype="string")
    out["grade_reason_zh"] = pd.array(out_zh, dtype="string")
    out["grade_recorded"] = pd.array(out_rec, dtype="Int64")
    out["grade_mismatch"] = np.array(out_mis, dtype=bool)
    out["grade_issue"] = pd.array(out_issue, dtype="string")
    out["grade_issue_zh"] = pd.array(out_issue_zh, dtype="string")
    out["grade_issue_codes"] = pd.array(out_codes, dtype="string")
    out["age_years_used"] = np.array(used_age, dtype=float)
    out["dbh_cm_used"] = np.array(used_dbh, dtype=float)
    out["height_m_used"] = np.array(used_h, dtype=float)
    out["ground_diameter_cm_used"] = np.array(used_g, dtype=float)
    out["leaf_habit_used"] = pd.array(used_habit, dtype="string")
    out["leaf_habit_source"] = pd.array(used_hsrc, dtype="string")
    return out


def grading_summary(graded: pd.DataFrame) -> dict[str, Any]:
    """Counts for a report or ``--json``: trees, by grade, by status, mismatches, issues by code,
    and a column-level hint when DBH values look like millimetres."""
    if "grade_computed" not in graded.columns:
        graded = grade_trees(graded)
    g = graded["grade_computed"]
    by_grade = {str(k): int((g == k).sum()) for k in (1, 2, 3, 4)}
    by_grade["none"] = int(g.isna().sum())
    codes = Counter(c for s in graded["grade_issue_codes"].fillna("") for c in str(s).split(",") if c)
    doc: dict[str, Any] = {
        "trees": int(len(graded)),
        "by_grade": by_grade,
        "by_status": {k: int(v) for k, v in graded["grade_status"].value_counts().items()},
        "mismatches": int(graded["grade_mismatch"].sum()),
        "trees_with_issues": int((graded["grade_issue"].fillna("") != "").sum()),
        "issues": {k: int(codes[k]) for k in ISSUE_CODES if codes.get(k)},
        "hints": [],
    }
    if "dbh_cm" in graded.columns:
        vals = pd.Series([parse_quantity(v).value for v in graded["dbh_cm"].astype(object)], dtype=float)
        vals = vals[vals > 0]
        if len(vals) >= 5 and vals.median() > 150:
            doc["hints"].append(
                f"DBH values look like millimetres (median {vals.median():.0f}); "
                "grade with dbh_unit='mm' (--dbh-unit mm) if so")
    return doc


def grade_label(grade: Any, lang: str = "en") -> str:
    """"Grade 2" / "二级" / "not protected" / "未定级" for a grade value (1–4 or missing)."""
    if is_missing(grade):
        return "未定级" if lang.startswith("zh") else "ungraded"
    en, zh = GRADE_LABELS.get(int(grade), (str(grade), str(grade)))
    return zh if lang.startswith("zh") else en


__all__ = [
    "GRADE_LABELS",
    "ISSUE_CODES",
    "grade_label",
    "grade_trees",
    "grading_summary",
    "habit_label",
]
