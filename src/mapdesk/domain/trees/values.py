"""Parsing the messy values real tree registries hold.

Registries are typed by hand: ages as "约300年", "300+", "三百年" or "300-350", DBH with a unit
("450mm") or as a girth ("周长150"), grades as "一级", "I级", "grade 1", dates as "2019年5月".
Each parser returns the value *and* what it had to assume, so that nothing is read silently.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "O": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_MYRIAD = {"万": 10_000, "萬": 10_000}
_CN_CHARS = "".join([*_DIGITS, *_UNITS, *_MYRIAD])

_MISSING_TEXT = {
    "", "-", "--", "—", "/", "\\", "?", "？", "无", "不详", "未知", "待定", "待查", "空", "暂无",
    "na", "n/a", "nan", "none", "null", "unknown", "<na>", "nat",
}


def is_missing(value: object) -> bool:
    """True for None, NaN/NA/NaT and the usual "unknown" words (不详, 未知, n/a, -)."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    if isinstance(value, str):
        return _norm_text(value).lower() in _MISSING_TEXT
    if isinstance(value, int):
        return False
    try:
        if pd.isna(value):
            return True
    except (TypeError, ValueError):
        pass
    if isinstance(value, str):
        return _norm_text(value).lower() in _MISSING_TEXT
    return False


def _norm_text(text: str) -> str:
    # full-width digits and signs (３００, ～, ＋) to ASCII
    return unicodedata.normalize("NFKC", text).strip()


def parse_chinese_numeral(text: str) -> int | None:
    """Read a Chinese numeral: "三百" → 300, "三百五十" / "三百五" → 350, "一千二百" → 1200,
    "十五" → 15, "二〇〇" → 200, "千" → 1000. ``None`` if ``text`` is not a numeral.

    >>> parse_chinese_numeral("三百五")
    350
    """
    text = text.strip()
    if not text or any(ch not in _CN_CHARS for ch in text):
        return None
    if all(ch in _DIGITS for ch in text):
        if len(text) == 1:
            return _DIGITS[text]
        # positional, as in years written "二〇〇"
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total = 0
    section = 0
    number: int | None = None
    last_unit = 1
    for ch in text:
        if ch in _DIGITS:
            number = _DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            section += (1 if number is None else number) * unit
            number = None
            last_unit = unit
        else:  # 万
            section += number or 0
            total += (section or 1) * _MYRIAD[ch]
            section, number, last_unit = 0, None, _MYRIAD[ch]
    if number is not None:
        # "三百五": a trailing digit after a unit counts in the next lower unit
        prev = text[-2] if len(text) >= 2 else ""
        if prev in _UNITS or prev in _MYRIAD:
            number *= max(last_unit // 10, 1)
        section += number
    return total + section


@dataclass(frozen=True)
class Quantity:
    """A number read from a cell, with what had to be assumed.

    ``value`` is NaN when nothing could be read. ``approx``: the text said "about"/"more than"
    (约, 余, 多, 左右, 以上, +). ``range_``: a range was given and its lower bound is used.
    ``unit``: a unit written in the cell ("mm", "cm", "m", "年") or None. ``circumference``:
    the cell said it was a girth (周长, 胸围, 围径). ``note``: a short English remark or "".
    """

    value: float
    raw: str = ""
    approx: bool = False
    range_: bool = False
    unit: str | None = None
    circumference: bool = False
    missing: bool = False
    unreadable: bool = False

    @property
    def ok(self) -> bool:
        return not math.isnan(self.value)


_APPROX_WORDS = ("大约", "大概", "约", "近", "余", "多", "左右", "以上", "上下", "开外", "许",
                 "about", "approx.", "approx", "ca.", "circa", "~", "≈", "+", ">=", "≥", ">")
_UNIT_WORDS = (
    ("毫米", "mm"), ("mm", "mm"), ("厘米", "cm"), ("公分", "cm"), ("cm", "cm"), ("米", "m"),
    ("m", "m"), ("年", "years"), ("岁", "years"), ("years", "years"), ("year", "years"),
    ("yrs", "years"), ("yr", "years"), ("a", "years"),
)
_GIRTH_WORDS = ("周长", "胸围", "围径", "干围", "girth", "circumference", "circ")
_NUM = r"\d+(?:\.\d+)?"
_RANGE_SEP = r"\s*(?:-|~|—|–|－|至|到|—|to)\s*"


def _strip_words(text: str) -> tuple[str, bool, str | None, bool]:
    # "300~350" is a range, not "about"
    low = re.sub(r"(?<=\d)\s*[~～]\s*(?=\d)", "-", text.lower())
    approx = False
    unit = None
    girth = False
    for w in _GIRTH_WORDS:
        if w in low:
            girth = True
            low = low.replace(w, " ")
    for w in _APPROX_WORDS:
        if w in low:
            # "a" as years only at the very end ("300a"); never inside words
            approx = True
            low = low.replace(w, " ")
    for w, u in _UNIT_WORDS:
        if len(w) <= 2 and w.isascii():
            pat = rf"(?<=[\d\s.]){re.escape(w)}\b"
            if re.search(pat, low):
                unit = unit or u
                low = re.sub(pat, " ", low)
        elif w in low:
            unit = unit or u
            low = low.replace(w, " ")
    low = low.replace(":", " ").replace("：", " ").replace("，", " ").replace(",", "")
    return low.strip(), approx, unit, girth


def _read_number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"[-+]?" + _NUM, text):
        return float(text)
    cn = parse_chinese_numeral(text)
    return float(cn) if cn is not None else None


def parse_quantity(value: object) -> Quantity:
    """Read a number from a registry cell.

    >>> parse_quantity("约300年")
    Quantity(value=300.0, raw='约300年', approx=True, range_=False, unit='years', circumference=False, missing=False, unreadable=False)
    >>> parse_quantity("300-350").value, parse_quantity("三百年").value
    (300.0, 300.0)
    """
    if is_missing(value):
        return Quantity(math.nan, raw="" if value is None else str(value), missing=True)
    if isinstance(value, bool):
        return Quantity(math.nan, raw=str(value), unreadable=True)
    if isinstance(value, int | float):
        return Quantity(float(value), raw=str(value))
    try:
        return Quantity(float(value), raw=str(value))  # numpy scalars, Decimal
    except (TypeError, ValueError):
        pass
    raw = str(value)
    text, approx, unit, girth = _strip_words(_norm_text(raw))
    num = _read_number(text)
    if num is not None:
        return Quantity(num, raw, approx, False, unit, girth)
    # a range: "300-350", "300~350年", "三百至三百五十"
    parts = re.split(_RANGE_SEP, text)
    if len(parts) == 2 and parts[0].strip():
        lo, hi = _read_number(parts[0]), _read_number(parts[1])
        if lo is not None and hi is not None:
            return Quantity(min(lo, hi), raw, approx, True, unit, girth)
    # a number followed by words we do not know ("300 (估)"): take the leading number
    m = re.match(r"^\s*(" + _NUM + r")\b", text)
    if m:
        return Quantity(float(m.group(1)), raw, True, False, unit, girth)
    return Quantity(math.nan, raw, unreadable=True)


def parse_crown_m(value: object) -> Quantity:
    """Read a crown spread in metres: a single number, or "东西×南北" such as "8×6" (the mean)."""
    if isinstance(value, str):
        text = _norm_text(value)
        nums = re.findall(_NUM, text)
        if len(nums) == 2 and re.search(r"[×xX*/＊\s,，]|南北|东西", text):
            a, b = float(nums[0]), float(nums[1])
            return Quantity((a + b) / 2, raw=value, approx=True, unit="m")
    return parse_quantity(value)


# --- grades -----------------------------------------------------------------------------

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "ⅰ": 1, "ⅱ": 2, "ⅲ": 3, "ⅳ": 4,
          "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4}
_NO_GRADE = {"无", "未定级", "未分级", "不定级", "none", "ungraded", "not graded", "0", "非保护"}


def parse_grade(value: object) -> tuple[int | None, bool]:
    """Read a recorded protection grade: 1, "1", "一级", "I级", "Ⅱ", "一级古树", "grade 1",
    "Grade II", "二级保护", "名木" (→ 1). Returns ``(grade or None, understood)``; a missing
    cell is ``(None, True)``, text that is not a grade is ``(None, False)``.
    """
    if is_missing(value):
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int | float):
        g = float(value)
        return (int(g), True) if g in (1, 2, 3, 4) else (None, False)
    raw = str(value).strip()
    text = unicodedata.normalize("NFKC", raw).lower()
    if text in _NO_GRADE:
        return None, True
    text = re.sub(r"(grade|class|level|protection|古树名木|古树|名木|保护|等级|级别|级|等|第|\s|\.)", " ", text)
    tokens = [t for t in text.split() if t]
    if not tokens:
        # "名木" alone: famous trees are grade 1
        return (1, True) if "名木" in raw else (None, False)
    for tok in tokens:
        if tok in ("1", "2", "3", "4"):
            return int(tok), True
        if tok in _ROMAN:
            return _ROMAN[tok], True
        if tok in ("一", "二", "三", "四", "壹", "贰", "叁", "肆"):
            return {"一": 1, "二": 2, "三": 3, "四": 4, "壹": 1, "贰": 2, "叁": 3, "肆": 4}[tok], True
    # Roman numerals are NFKC-folded to ASCII ("Ⅱ" -> "ii") above
    return None, False


# --- flags and habits -------------------------------------------------------------------

_TRUE = {"是", "名木", "y", "yes", "true", "t", "1", "√", "✓", "有", "famous"}
_FALSE = {"否", "不是", "n", "no", "false", "f", "0", "×", "非", "无", "古树"}


def parse_bool(value: object) -> bool | None:
    """Read a yes/no flag (是/否, Y/N, true/false, 1/0, √); ``None`` when missing or unclear."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = _norm_text(value).lower()
        if text in _TRUE:
            return True
        if text in _FALSE or text == "":
            return False if text else None
        return None
    if is_missing(value):
        return None
    try:
        return bool(float(value))
    except (TypeError, ValueError):
        return None


def parse_leaf_habit(value: object) -> str | None:
    """"deciduous" / "evergreen" from 落叶/常绿/落叶乔木/D/E/...; ``None`` when missing or unclear."""
    if is_missing(value):
        return None
    text = _norm_text(str(value)).lower()
    if "落叶" in text or text.startswith("decid") or text in ("d", "落"):
        return "deciduous"
    if "常绿" in text or text.startswith("evergr") or text in ("e", "常"):
        return "evergreen"
    return None


# --- dates ------------------------------------------------------------------------------

def parse_date(value: object) -> tuple[pd.Timestamp | None, bool]:
    """Read a survey date: Timestamp/date, "2019-05-03", "2019/5/3", "2019.5", "2019年5月3日",
    "2019年5月", "2019", 20190503. A month or year alone means its first day.
    Returns ``(timestamp or None, understood)``; a missing cell is ``(None, True)``.
    """
    if is_missing(value):
        return None, True
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).normalize() if value.tzinfo else value.normalize(), True
    if isinstance(value, datetime | date):
        return pd.Timestamp(value).normalize(), True
    if isinstance(value, int | float) and not isinstance(value, bool):
        v = int(value)
        if 1900 <= v <= 2200:
            return pd.Timestamp(year=v, month=1, day=1), True
        if 19000101 <= v <= 22001231:
            return _ymd(v // 10000, v // 100 % 100, v % 100)
        return None, False
    text = _norm_text(str(value))
    m = re.fullmatch(r"(\d{4})\s*[年./\-]?\s*(?:(\d{1,2})\s*[月./\-]?\s*(?:(\d{1,2})\s*日?)?)?(?:[ T].*)?", text)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
        return _ymd(y, mo, d)
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if m:
        return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError):
        return None, False
    if ts is pd.NaT:
        return None, False
    return (ts.tz_localize(None) if ts.tzinfo else ts).normalize(), True


def _ymd(y: int, m: int, d: int) -> tuple[pd.Timestamp | None, bool]:
    try:
        return pd.Timestamp(year=y, month=m, day=d), True
    except ValueError:
        return None, False
