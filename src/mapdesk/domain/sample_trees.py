"""Synthetic protected-tree registry (古树名木及城市大树登记表) for the sample data.

Sizes follow age with species-specific growth (diameter ~ k * age^0.68, height saturating
with diameter, crown proportional to diameter). Grades follow the Shanxi rules (domain.md §3),
except for a handful of deliberately wrong recorded grades, which :data:`MISMATCH_NOTE`
describes, so that a grading check has something to find.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mapdesk.domain.sample_world import PARK, STREETS, TEMPLE, World

GRADE_ZH = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
REFERENCE_DATE = pd.Timestamp("2026-11-28")


@dataclass(frozen=True)
class Species:
    name: str
    latin: str
    evergreen: bool
    k_dbh: float  # dbh_cm = k * age^0.68
    height_max_m: float
    crown_per_cm: float  # crown diameter (m) per cm of DBH


SPECIES: dict[str, Species] = {s.name: s for s in (
    Species("国槐", "Styphnolobium japonicum", False, 2.3, 20.0, 0.17),
    Species("油松", "Pinus tabuliformis", True, 1.8, 20.0, 0.12),
    Species("侧柏", "Platycladus orientalis", True, 1.5, 16.0, 0.09),
    Species("白皮松", "Pinus bungeana", True, 1.6, 18.0, 0.12),
    Species("桧柏", "Juniperus chinensis", True, 1.4, 15.0, 0.08),
    Species("榆树", "Ulmus pumila", False, 2.4, 20.0, 0.16),
    Species("旱柳", "Salix matsudana", False, 3.0, 16.0, 0.18),
    Species("毛白杨", "Populus tomentosa", False, 3.5, 28.0, 0.12),
    Species("银杏", "Ginkgo biloba", False, 1.9, 25.0, 0.12),
    Species("臭椿", "Ailanthus altissima", False, 2.7, 20.0, 0.15),
    Species("刺槐", "Robinia pseudoacacia", False, 2.6, 18.0, 0.15),
    Species("白蜡", "Fraxinus chinensis", False, 2.3, 16.0, 0.15),
)}

# Species mix by grade (weights).
_MIX: dict[int, dict[str, float]] = {
    1: {"国槐": 4, "侧柏": 3, "桧柏": 2, "油松": 1, "白皮松": 1, "银杏": 1},
    2: {"国槐": 8, "侧柏": 4, "桧柏": 2, "油松": 2, "白皮松": 2, "榆树": 2, "银杏": 1},
    3: {"国槐": 30, "榆树": 12, "旱柳": 10, "侧柏": 12, "油松": 10, "白皮松": 6, "臭椿": 8, "刺槐": 7, "毛白杨": 5},
    4: {"国槐": 40, "毛白杨": 10, "旱柳": 10, "刺槐": 10, "臭椿": 8, "白蜡": 7, "油松": 8, "侧柏": 7, "榆树": 5},
}
_AGE_RANGE = {1: (300, 720), 2: (100, 299), 3: (50, 99), 4: (20, 49)}
# Bulk trees per grade and setting (the special trees below come on top).
_BULK: dict[int, dict[str, int]] = {
    1: {"temple": 3, "street": 2, "park": 1, "compound": 2},
    2: {"temple": 4, "street": 16, "park": 8, "compound": 12},
    3: {"street": 40, "park": 20, "compound": 25},
    4: {"street": 180, "park": 38, "compound": 30},
}
# Specific trees: setting, species, age (None: unknown), famous, recorded grade (None:
# the correct one), forced sizes or None. Famous trees, ages on the legal boundaries
# (以上 includes the number), and the deliberate registry errors.
_SPECIAL: tuple[tuple[str, str, int | None, bool, int | None, tuple[float, float, float] | None], ...] = (
    ("temple", "桧柏", 620, True, None, None),
    ("temple", "银杏", 240, True, None, None),
    ("park", "银杏", 68, True, None, None),  # commemorative planting: famous, grade 1
    ("street", "国槐", 410, True, None, None),
    ("compound", "白皮松", 150, True, None, None),
    ("temple", "侧柏", 300, False, None, None),
    ("temple", "侧柏", 299, False, None, None),
    ("street", "国槐", 100, False, None, None),
    ("street", "国槐", 99, False, None, None),
    ("park", "榆树", 50, False, None, None),
    ("street", "刺槐", 20, False, None, None),
    # deliberate errors in the recorded grade:
    ("street", "国槐", 320, False, 2, None),  # ≥300 y: should be 一级
    ("compound", "银杏", 70, True, 3, None),  # famous: should be 一级
    ("park", "侧柏", 130, False, 3, None),  # 100-300 y: should be 二级
    ("temple", "油松", 260, False, 1, None),  # not famous, <300 y: should be 二级
    ("street", "国槐", 75, False, 4, None),  # 50-100 y: should be 三级
    ("compound", "榆树", 95, False, 2, None),  # should be 三级
    ("street", "毛白杨", 40, False, 3, None),  # should be 四级
    ("street", "臭椿", 12, False, 4, (14.0, 7.5, 17.0)),  # too young and small: no grade
)
N_MISMATCH = sum(1 for s in _SPECIAL if s[4] is not None)
MISMATCH_NOTE = (
    f"{N_MISMATCH} trees carry a deliberately wrong recorded grade (e.g. a 320-year 国槐 "
    "recorded 二级, a famous 银杏 recorded 三级, a 12-year 臭椿 with DBH 14 cm recorded 四级 "
    "although it meets no criterion)."
)
_N_MISSING_AGE = 8
_N_NEVER_SURVEYED = 7

_UNITS = ("杏花岭区实验小学", "北城物业公司", "巨轮社区志愿者协会", "太原某科技有限公司",
          "北大街商户联合会", "杏花岭区园林绿化中心职工", "兴华街道办事处", "某银行杏花岭支行",
          "解放路小学少先队", "胜利街社区党支部")
_PEOPLE = ("张先生", "李女士", "王先生", "刘女士", "陈先生", "杨女士", "赵先生", "黄女士",
           "周先生", "吴女士", "徐先生", "孙女士")


def expected_grade(age, famous, evergreen, dbh_cm, height_m, ground_cm) -> int | None:
    """Grade by the Shanxi rules (domain.md §3); ``None`` when no rule applies.

    Kept private to the sample generator (the trees domain module owns the real rules);
    used here only to make recorded grades right except for the planned errors.
    """
    if famous:
        return 1
    if age is not None and not np.isnan(age):
        if age >= 300:
            return 1
        if age >= 100:
            return 2
        if age >= 50:
            return 3
        if age >= 20:
            return 4
    if evergreen:
        return 4 if (height_m >= 6.0 or ground_cm >= 18.0) else None
    return 4 if dbh_cm >= 20.0 else None


def _sizes(rng: np.random.Generator, sp: Species, age: float) -> tuple[float, float, float, float]:
    """(dbh_cm, height_m, ground_diameter_cm, crown_diameter_m) for a tree of ``age``."""
    dbh = sp.k_dbh * age ** 0.68 * float(rng.lognormal(0.0, 0.10))
    dbh = min(dbh, 230.0)
    height = 1.3 + (sp.height_max_m - 1.3) * (1.0 - np.exp(-dbh / 32.0))
    if age > 250:  # old trees lose their tops
        height *= 0.85
    height *= float(rng.normal(1.0, 0.06))
    ground = dbh * float(rng.uniform(1.12, 1.28))
    crown = 1.2 + sp.crown_per_cm * dbh * float(rng.normal(1.0, 0.12))
    return round(dbh), round(height, 1), round(ground), round(max(crown, 1.0), 1)


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    names = list(weights)
    p = np.array([weights[n] for n in names], float)
    return names[int(rng.choice(len(names), p=p / p.sum()))]


class _Placer:
    """Positions for trees by setting: street rows, the park, the temple courtyard, compounds."""

    MIN_GAP_M = 3.5

    def __init__(self, rng: np.random.Generator, world: World):
        self.rng, self.world = rng, world
        self.placed: list[tuple[float, float]] = []
        self.street_weights = np.array([{"main": 3.0, "secondary": 2.0, "lane": 0.7}[s.kind]
                                        for s in STREETS])
        self.compounds = [b for b in world.blocks() if b.area > 20000 and
                          not any(b.intersects(g) for g in world.green_spaces())]

    def _street_ok(self, s, t: np.ndarray) -> np.ndarray:
        """True where a position along ``s`` is clear of crossing streets' junctions."""
        start = -880.0 if s.axis == "u" else -1090.0
        ok = np.ones(t.shape, bool)
        for c in STREETS:
            if c.axis != s.axis:
                ok &= np.abs(start + t - c.at_m) > c.half_width_m + 12.0
        return ok & (t > 15) & (t < self.world.street_length_m(s) - 15)

    def street_row(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """A row of ``n`` street trees 5-8 m apart along one sidewalk."""
        rng = self.rng
        for _ in range(200):
            s = STREETS[int(rng.choice(len(STREETS), p=self.street_weights / self.street_weights.sum()))]
            spacing = float(rng.uniform(5.0, 8.0))
            t0 = float(rng.uniform(0.0, self.world.street_length_m(s)))
            t = t0 + spacing * np.arange(n) + rng.normal(0.0, 0.4, n)
            if self._street_ok(s, t).all():
                side = float(rng.choice(self.world.sides(s)))
                return self.world.sidewalk_point(s, t, side, rng.uniform(1.2, 2.2, n))
        raise RuntimeError("no room for a street row")

    def in_box(self, bounds, margin_m: float, n: int, groves: int = 0) -> tuple[np.ndarray, np.ndarray]:
        u0, v0, u1, v1 = bounds
        rng = self.rng
        if groves:
            cu = rng.uniform(u0 + margin_m, u1 - margin_m, groves)
            cv = rng.uniform(v0 + margin_m, v1 - margin_m, groves)
            k = rng.integers(0, groves, n)
            u = np.clip(cu[k] + rng.normal(0, 14.0, n), u0 + margin_m, u1 - margin_m)
            v = np.clip(cv[k] + rng.normal(0, 14.0, n), v0 + margin_m, v1 - margin_m)
            return u, v
        return rng.uniform(u0 + margin_m, u1 - margin_m, n), rng.uniform(v0 + margin_m, v1 - margin_m, n)

    def park(self, n: int):
        return self.in_box(PARK[2], 8.0, n, groves=5)

    def temple(self, n: int):
        return self.in_box(TEMPLE[2], 5.0, n)

    def compound(self, n: int):
        """Trees in residential compounds: small groups near the inner edge of a block."""
        rng = self.rng
        us, vs = [], []
        for _ in range(n):
            b = self.compounds[int(rng.integers(0, len(self.compounds)))]
            u0, v0, u1, v1 = b.bounds
            u, v = self.in_box((u0, v0, u1, v1), 18.0, 1)
            us.append(u[0])
            vs.append(v[0])
        return np.array(us), np.array(vs)

    def _crowded(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """True for points closer than the minimum gap to a placed tree or an earlier point."""
        pts = np.column_stack([u, v])
        bad = np.zeros(len(pts), bool)
        if self.placed:
            done = np.array(self.placed)
            d = np.hypot(pts[:, None, 0] - done[None, :, 0], pts[:, None, 1] - done[None, :, 1])
            bad |= (d < self.MIN_GAP_M).any(axis=1)
        d = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
        bad |= (np.tril(d < self.MIN_GAP_M, k=-1)).any(axis=1)
        return bad

    def place(self, setting: str, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` positions in ``setting``, at least MIN_GAP_M from every tree placed so far."""
        if setting == "street":  # a row is redrawn as a whole
            for _ in range(200):
                u, v = self.street_row(n)
                if not self._crowded(u, v).any():
                    break
        else:
            u, v = getattr(self, setting)(n)
            for _ in range(200):
                bad = self._crowded(u, v)
                if not bad.any():
                    break
                u[bad], v[bad] = getattr(self, setting)(int(bad.sum()))
        self.placed.extend(zip(u.tolist(), v.tolist(), strict=True))
        return u, v


def _survey_dates(rng: np.random.Generator, n: int, old: np.ndarray) -> list[str]:
    """Last census dates: mostly the 2023 campaign; some overdue (> 5 years before the
    reference date), some due later this year, a few never surveyed (empty)."""
    out: list[str] = []
    for i in range(n):
        r = rng.random()
        if r < 0.13:  # overdue: 2016 .. 2021-11-27
            day = pd.Timestamp("2016-04-01") + pd.Timedelta(days=int(rng.integers(0, 2066)))
        elif r < 0.20:  # due this year, not yet overdue: 2021-11-28 .. 2021-12-31
            day = pd.Timestamp("2021-11-28") + pd.Timedelta(days=int(rng.integers(0, 34)))
        elif r < 0.82:  # the 2023 census campaign, April-October
            day = pd.Timestamp("2023-04-10") + pd.Timedelta(days=int(rng.integers(0, 200)))
        else:  # registered or re-surveyed since
            day = pd.Timestamp("2024-03-01") + pd.Timedelta(days=int(rng.integers(0, 600)))
        if old[i] and day < pd.Timestamp("2021-11-28") and rng.random() < 0.5:
            # old trees are looked after better: half of their overdue surveys were redone
            day = pd.Timestamp("2023-05-02") + pd.Timedelta(days=int(rng.integers(0, 120)))
        out.append(day.strftime("%Y-%m-%d"))
    return out


def generate_trees(rng: np.random.Generator, world: World) -> pd.DataFrame:
    """The registry as a frame with canonical-ish English columns plus local ``u``/``v``.

    Columns: species, evergreen, age (float, NaN unknown), famous, dbh_cm, height_m,
    ground_cm, crown_m, grade_true (0 = none), grade_recorded, setting, u, v, survey,
    adopted_by, community.
    """
    placer = _Placer(rng, world)
    rows: list[dict] = []

    def add(setting, species, age, famous, recorded, sizes, u, v, special=False):
        sp = SPECIES[species]
        if sizes is None:
            dbh, h, gd, crown = _sizes(rng, sp, float(age))
        else:
            dbh, h, gd = sizes
            crown = round(1.2 + sp.crown_per_cm * dbh, 1)
        true = expected_grade(age, famous, sp.evergreen, dbh, h, gd)
        rows.append(dict(species=species, evergreen=sp.evergreen, age=float(age), famous=famous,
                         dbh_cm=dbh, height_m=h, ground_cm=gd, crown_m=crown,
                         grade_true=true or 0, grade_recorded=recorded if recorded else true,
                         setting=setting, special=special, u=float(u), v=float(v)))

    for setting, species, age, famous, recorded, sizes in _SPECIAL:
        u, v = placer.place(setting, 1)
        add(setting, species, age, famous, recorded, sizes, u[0], v[0], special=True)

    for grade, settings in _BULK.items():
        lo, hi = _AGE_RANGE[grade]
        for setting, n in settings.items():
            if setting == "street" and grade >= 3:
                left = n
                while left > 0:  # rows of one species, planted together
                    k = min(left, int(rng.integers(4, 16)))
                    species = _pick(rng, _MIX[grade])
                    base = int(rng.integers(lo, hi + 1))
                    us, vs = placer.place("street", k)
                    for j in range(k):
                        age = int(np.clip(base + rng.integers(-3, 4), lo, hi))
                        add(setting, species, age, False, None, None, us[j], vs[j])
                    left -= k
                continue
            if setting == "street":  # old street trees stand alone
                pts = [placer.place("street", 1) for _ in range(n)]
                us, vs = np.concatenate([p[0] for p in pts]), np.concatenate([p[1] for p in pts])
            else:
                us, vs = placer.place(setting, n)
            for j in range(n):
                species = _pick(rng, _MIX[grade])
                age = int(rng.integers(lo, hi + 1))
                add(setting, species, age, False, None, None, us[j], vs[j])

    frame = pd.DataFrame(rows)
    # Young but big trees (grade 4 by size only) and trees whose age is unknown.
    g4 = np.flatnonzero((frame["grade_true"] == 4) & (frame["age"] >= 20) & (frame["age"] < 50)
                        & ~frame["famous"] & ~frame["special"])
    young = rng.choice(g4, size=20, replace=False)
    for i in young:
        sp = SPECIES[frame.at[i, "species"]]
        frame.at[i, "age"] = float(rng.integers(12, 20))
        if sp.evergreen:
            frame.at[i, "height_m"] = round(float(rng.uniform(6.2, 8.0)), 1)
        else:
            frame.at[i, "dbh_cm"] = float(rng.integers(21, 28))
            frame.at[i, "ground_cm"] = round(frame.at[i, "dbh_cm"] * 1.2)
    rest = np.setdiff1d(g4, young)
    unknown = rng.choice(rest, size=_N_MISSING_AGE, replace=False)
    for i in unknown:
        sp = SPECIES[frame.at[i, "species"]]
        frame.at[i, "age"] = np.nan
        if sp.evergreen:
            frame.at[i, "height_m"] = max(frame.at[i, "height_m"], 6.5)
        else:
            frame.at[i, "dbh_cm"] = max(frame.at[i, "dbh_cm"], 22.0)
    # Recorded grades stay as planned; true grades are recomputed after the edits above.
    frame["grade_true"] = [
        expected_grade(a, f, e, d, h, g) or 0
        for a, f, e, d, h, g in zip(frame["age"], frame["famous"], frame["evergreen"],
                                    frame["dbh_cm"], frame["height_m"], frame["ground_cm"], strict=True)
    ]
    n = len(frame)
    frame["survey"] = _survey_dates(rng, n, (frame["grade_true"].between(1, 2)).to_numpy())
    never = rng.choice(np.flatnonzero(frame["grade_true"] == 4), size=_N_NEVER_SURVEYED, replace=False)
    frame.loc[never, "survey"] = ""
    adopted = np.full(n, "", dtype=object)
    for i in range(n):
        p = 0.35 if frame.at[i, "grade_true"] in (1, 2) else 0.08
        if rng.random() < p:
            pool = _UNITS if rng.random() < 0.6 else _PEOPLE
            adopted[i] = pool[int(rng.integers(0, len(pool)))]
    frame["adopted_by"] = adopted
    frame["community"] = world.beat_of(frame["u"].to_numpy(), frame["v"].to_numpy())
    # Registry order: by recorded grade, then community, then position (deterministic).
    frame = frame.sort_values(["grade_recorded", "community", "v", "u"], kind="stable").reset_index(drop=True)
    frame.insert(0, "tree_id", [f"XHL-{i + 1:04d}" for i in range(len(frame))])
    return frame


def trees_csv_frame(trees: pd.DataFrame, world: World, note: str) -> pd.DataFrame:
    """The registry export as an office hands it over: Chinese headers, text cells."""
    lon, lat = world.to_lonlat(trees["u"].to_numpy(), trees["v"].to_numpy())

    def num(x, fmt):
        return "" if x is None or (isinstance(x, float) and np.isnan(x)) else format(x, fmt)

    return pd.DataFrame({
        "古树编号": trees["tree_id"],
        "树种": trees["species"],
        "树龄": [num(a, ".0f") for a in trees["age"]],
        "是否名木": np.where(trees["famous"], "是", "否"),
        "叶性": np.where(trees["evergreen"], "常绿", "落叶"),
        "胸径(cm)": [num(float(x), ".0f") for x in trees["dbh_cm"]],
        "株高(m)": [num(float(x), ".1f") for x in trees["height_m"]],
        "地径(cm)": [num(float(x), ".0f") for x in trees["ground_cm"]],
        "冠幅(m)": [num(float(x), ".1f") for x in trees["crown_m"]],
        "保护等级": [GRADE_ZH[int(g)] for g in trees["grade_recorded"]],
        "最近普查": trees["survey"],
        "认养/捐资": trees["adopted_by"],
        "所属社区": trees["community"],
        "经度": [f"{x:.6f}" for x in lon],
        "纬度": [f"{y:.6f}" for y in lat],
        "数据说明": note,
    })
