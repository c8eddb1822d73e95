"""Synthetic incidents (警情) for the sample data: two years ending the day before
:data:`REFERENCE_DATE`.

E-bike thefts (电动车被盗) cluster within metres of 19 parking spots at the entrances of
大北门 and 胜利街 stations; they are known as a window (parked -> found missing) with a
commuter-shaped hour profile. After the 19 new cameras (installed :data:`INSTALL_START` ..
:data:`INSTALL_DATE`) they fall sharply, a few are displaced to side streets, and the
last three months have none at all (the seed: 已连续3个月未发生丢失电动车警情).
Other types follow their own place, hour and weekday profiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon

from mapdesk.domain.incidents import INCIDENT_TYPES
from mapdesk.domain.sample_world import PARK, STREETS, World

REFERENCE_DATE = pd.Timestamp("2026-11-28")  # "today": data end the day before
PERIOD_START = pd.Timestamp("2024-11-28")
INSTALL_START = pd.Timestamp("2026-03-02")
INSTALL_DATE = pd.Timestamp("2026-03-15")  # the last of the 19 new cameras went live
QUIET_FROM = pd.Timestamp("2026-08-28")  # no e-bike theft from here to the end (3 months)
NEAR_ENTRANCE_M = 150.0

# Expected counts over the two years for the types spread over the area.
_TOTALS = {"other_theft": 520, "fraud": 300, "dispute": 620, "dog": 380, "help_request": 820}
_EBIKE_RATE_PER_DAY = 0.95  # before the cameras, at the seasonal mean

_HOURS = {
    "other_theft": [1, .6, .4, .3, .3, .4, .8, 1.5, 2.5, 3.5, 4.5, 5, 5, 4.5, 4.5, 5, 5.5, 6, 5.5, 4.5, 3.5, 2.5, 1.8, 1.2],
    "fraud": [.2, .1, .1, .1, .1, .2, .5, 1.5, 3, 5, 6, 6, 4.5, 4, 5, 5.5, 5.5, 5, 4, 3.5, 3, 2, 1, .5],
    "dispute": [2, 1.5, 1, .6, .4, .4, .6, 1, 1.5, 2, 2.5, 3, 3, 3, 3, 3, 3.5, 4, 5, 6, 6, 5, 4, 3],
    "dog": [.3, .2, .1, .1, .2, 1, 3, 5, 4, 2, 1.5, 1.5, 1.5, 1.3, 1.3, 1.5, 2, 3, 4.5, 5, 4.5, 3, 1.5, .7],
    "help_request": [1.5, 1, .8, .6, .6, .8, 1.5, 3, 4, 4.5, 4.5, 4.5, 4, 4, 4, 4.5, 4.5, 4.5, 4.5, 4.5, 4, 3.5, 3, 2],
}
_WEEKDAY = {  # Monday .. Sunday
    "other_theft": [1, 1, 1, 1, 1.1, 1.2, 1.1],
    "fraud": [1.15, 1.15, 1.1, 1.1, 1.1, .7, .7],
    "dispute": [.9, .9, .9, .95, 1.1, 1.3, 1.25],
    "dog": [.9, .9, .9, .9, 1, 1.2, 1.2],
    "help_request": [1, 1, 1, 1, 1, 1.05, 1.05],
}
_SEASON = {  # January .. December
    "general": [.8, .75, .9, 1, 1.05, 1.1, 1.15, 1.15, 1.05, 1, .95, .85],
    "dog": [.6, .6, .85, 1.05, 1.2, 1.3, 1.3, 1.3, 1.15, 1, .8, .65],
    "ebike": [.55, .5, .8, 1, 1.15, 1.25, 1.3, 1.3, 1.2, 1.1, .9, .65],
}
_CLEARED = {"ebike_theft": .12, "other_theft": .22, "fraud": .08, "dispute": .98, "dog": .92,
            "help_request": .97}
# Criminal cases fell this year (the seed: 刑事案件发案率下降23.2%).
_CRIME_TREND_2026 = 0.77


@dataclass(frozen=True)
class TheftSpot:
    """An e-bike parking spot where thefts happen, and where a new camera now looks."""

    station: str
    entrance: str  # A-D, or "" for a road-section spot
    name: str
    u: float
    v: float
    weight: float
    kerb_u: float  # where the camera pole stands (on the kerb line), local metres
    kerb_v: float
    along: str  # "v" or "u": the direction of the sidewalk the bikes are lined up on


def theft_spots(world: World) -> list[TheftSpot]:
    """The 19 spots: two per entrance (beside it, and further along the sidewalk) plus three
    road sections on the cross streets. Deterministic."""
    spots: list[TheftSpot] = []
    jiefang = world.street("解放路")
    weights = {("大北门", "A"): 1.6, ("大北门", "B"): 1.3, ("大北门", "C"): .8, ("大北门", "D"): 1.0,
               ("胜利街", "A"): 1.1, ("胜利街", "B"): 1.0, ("胜利街", "C"): .7, ("胜利街", "D"): .9}
    for (station, label), (eu, ev) in world.entrances_uv.items():
        side = np.sign(eu)
        away = np.sign(ev - world.stations_uv[station][1])
        kerb_u = side * (jiefang.half_width_m + 0.6)
        w = weights[(station, label)]
        for k, (dv, share) in enumerate(((11.0, .6), (33.0, .4))):
            spots.append(TheftSpot(station, label, f"{station}站{label}口停车点{k + 1}",
                                   eu + side * 3.5, ev + away * dv, w * share,
                                   kerb_u, ev + away * (dv + 17.0), "v"))
    for station, street_name, du, side, w in (("大北门", "北大街", 62.0, -1, .5),
                                             ("大北门", "北大街", -66.0, 1, .4),
                                             ("胜利街", "胜利街", 58.0, 1, .45)):
        s = world.street(street_name)
        su, sv = world.stations_uv[station]
        v = s.at_m + side * (s.half_width_m + 3.0)
        spots.append(TheftSpot(station, "", f"{street_name}{'东' if du > 0 else '西'}段停车点",
                               su + du, v, w, su + du + np.sign(du) * 18.0,
                               s.at_m + side * (s.half_width_m + 0.6), "u"))
    return spots


def _daily_counts(rng, mean_per_day: np.ndarray) -> np.ndarray:
    return rng.poisson(np.maximum(mean_per_day, 0.0))


def _clock(rng, n: int, hours: list[float]) -> np.ndarray:
    """Seconds after midnight, drawn from an hour-of-day profile, to the minute."""
    p = np.asarray(hours, float)
    h = rng.choice(24, size=n, p=p / p.sum())
    return h * 3600 + rng.integers(0, 60, n) * 60


def _sidewalk_points(rng, world: World, n: int, kinds: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    streets = [s for s in STREETS if s.kind in kinds]
    w = np.array([world.street_length_m(s) for s in streets])
    k = rng.choice(len(streets), size=n, p=w / w.sum())
    u, v = np.empty(n), np.empty(n)
    for i, j in enumerate(k):
        s = streets[j]
        t = rng.uniform(10.0, world.street_length_m(s) - 10.0)
        side = rng.choice(world.sides(s))
        u[i], v[i] = world.sidewalk_point(s, t, side, rng.uniform(0.5, 4.0))
    return u, v


class _Compounds:
    """Residential compounds: block interiors (minus the park and the temple) with weights."""

    def __init__(self, rng, world: World):
        green = shapely.union_all(world.green_spaces())
        self.polys: list[Polygon] = []
        for b in world.blocks():
            p = b.buffer(-12.0).difference(green.buffer(5.0))
            if not p.is_empty and p.area > 2000:
                self.polys.append(p)
        # Residential buildings (their doorways): incidents at home happen around them.
        self.buildings: list[tuple[float, float]] = []
        for p in self.polys:
            for _ in range(max(2, int(p.area / 9000))):
                self.buildings.append(self._uniform_in(rng, p))
        self.weights = rng.gamma(1.5, 1.0, len(self.buildings))

    @staticmethod
    def _uniform_in(rng, p: Polygon) -> tuple[float, float]:
        x0, y0, x1, y1 = p.bounds
        while True:
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if shapely.contains_xy(p, x, y):
                return float(x), float(y)

    def sample(self, rng, n: int) -> tuple[np.ndarray, np.ndarray]:
        k = rng.choice(len(self.buildings), size=n, p=self.weights / self.weights.sum())
        b = np.array(self.buildings)[k]
        return b[:, 0] + rng.normal(0, 9.0, n), b[:, 1] + rng.normal(0, 9.0, n)


def _near_stations(rng, world: World, n: int) -> tuple[np.ndarray, np.ndarray]:
    names = ["胜利街", "大北门"]
    k = rng.integers(0, 2, n)
    r = rng.uniform(25.0, 90.0, n)
    a = rng.uniform(0, 2 * np.pi, n)
    su = np.array([world.stations_uv[names[i]][0] for i in k])
    sv = np.array([world.stations_uv[names[i]][1] for i in k])
    # keep them off the carriageway of Jiefang Road
    u = su + r * np.cos(a)
    u = np.where(np.abs(u) < 22.0, np.sign(u + 1e-9) * rng.uniform(22.5, 27.0, n), u)
    return u, sv + r * np.sin(a)


def _ebike(rng, world: World, spots: list[TheftSpot]) -> pd.DataFrame:
    days = pd.date_range(PERIOD_START, REFERENCE_DATE - pd.Timedelta(days=1), freq="D")
    season = np.array(_SEASON["ebike"])[days.month - 1]
    d_after = (days - INSTALL_DATE).days.to_numpy()
    # Most parked bikes belong to commuters: more of them (and more thefts) on workdays.
    workday = np.where(days.weekday < 5, 1.16, 0.6)
    rate = _EBIKE_RATE_PER_DAY * season * workday
    rate = np.where((days >= INSTALL_START) & (days <= INSTALL_DATE), rate * 0.6, rate)
    rate = np.where(d_after > 0, 0.28 * np.exp(-d_after / 45.0), rate)
    rate = np.where(days >= QUIET_FROM, 0.0, rate)
    counts = _daily_counts(rng, rate)
    day = np.repeat(days.to_numpy(), counts)
    n = len(day)
    after = day > INSTALL_DATE.to_datetime64()
    weekday = pd.DatetimeIndex(day).weekday.to_numpy()

    # Where: the spots, tight (bikes lined up along the sidewalk: sigma 8 m along it,
    # 1.2 m across); a few on side streets, more once the cameras watch.
    w = np.array([s.weight for s in spots])
    k = rng.choice(len(spots), size=n, p=w / w.sum())
    along = np.array([spots[j].along == "v" for j in k])
    d_along, d_across = rng.normal(0, 8.0, n), np.clip(rng.normal(0, 1.2, n), -2.5, 2.5)
    u = np.array([spots[j].u for j in k]) + np.where(along, d_across, d_along)
    v = np.array([spots[j].v for j in k]) + np.where(along, d_along, d_across)
    displaced = rng.random(n) < np.where(after, 0.35, 0.06)
    side_streets = [world.street(s) for s in ("三桥街", "北司街", "北仓巷", "上马街", "柏杨树街")]
    for i in np.flatnonzero(displaced):
        s = side_streets[int(rng.integers(0, len(side_streets)))]
        if s.axis == "u":  # 60-300 m from Jiefang Road along the cross street
            t = (0.0 - (-880.0)) + rng.choice([-1, 1]) * rng.uniform(60.0, 300.0)
        else:  # near the station latitudes along the parallel street
            st = world.stations_uv["大北门" if rng.random() < .5 else "胜利街"][1]
            t = st - (-1090.0) + rng.choice([-1, 1]) * rng.uniform(150.0, 320.0)
        side = rng.choice(world.sides(s))
        u[i], v[i] = world.sidewalk_point(s, t, side, rng.uniform(0.5, 3.0))

    # When: parked -> found missing, in 5-minute steps.
    kind = np.where(weekday < 5, rng.choice(3, size=n, p=[.6, .2, .2]), rng.choice(3, size=n, p=[.1, .45, .45]))
    start_h = np.where(kind == 0, np.clip(rng.normal(7.9, 0.45, n), 6.5, 9.5),
                       np.where(kind == 1, rng.uniform(9.0, 16.0, n), rng.uniform(18.0, 21.5, n)))
    end_h = np.where(kind == 0, np.clip(rng.normal(18.4, 0.8, n), 16.8, 20.8),
                     np.where(kind == 1, start_h + rng.uniform(1.0, 5.0, n),
                              np.where(rng.random(n) < 0.6, start_h + rng.uniform(1.0, 4.0, n),
                                       24.0 + rng.uniform(6.8, 8.5, n))))
    start_s = np.round(start_h * 12) * 300
    end_s = np.round(end_h * 12) * 300
    end_s = np.clip(end_s, start_s + 3600, start_s + 12 * 3600)
    start = pd.DatetimeIndex(day) + pd.to_timedelta(start_s, unit="s")
    end = pd.DatetimeIndex(day) + pd.to_timedelta(end_s, unit="s")
    # Overnight windows must not run into the quiet months.
    end = end.where(end < QUIET_FROM, QUIET_FROM - pd.Timedelta(minutes=5))
    # A few were seen (by a witness or on video): an instant instead of a window.
    seen = rng.random(n) < 0.06
    frac = rng.uniform(0.0, 1.0, n)
    instant = (start + (end - start) * frac).floor("min")
    time = pd.Series(instant).where(seen)
    cleared = rng.random(n) < np.where(after, 0.45, _CLEARED["ebike_theft"])
    return pd.DataFrame({
        "type": "ebike_theft",
        "time": time.to_numpy(),
        "time_start": pd.Series(start).where(~seen).to_numpy(),
        "time_end": pd.Series(end).where(~seen).to_numpy(),
        "cleared": cleared, "u": u, "v": v,
    })


def _spread(rng, world: World, compounds: _Compounds, code: str) -> pd.DataFrame:
    days = pd.date_range(PERIOD_START, REFERENCE_DATE - pd.Timedelta(days=1), freq="D")
    season = np.array(_SEASON["dog" if code == "dog" else "general"])[days.month - 1]
    wd = np.array(_WEEKDAY[code])[days.weekday]
    rate = _TOTALS[code] / len(days) * season * wd / (season * wd).mean()
    if code in ("other_theft", "fraud"):
        rate = np.where(days.year == 2026, rate * _CRIME_TREND_2026, rate)
        rate = rate * _TOTALS[code] / rate.sum()
    counts = _daily_counts(rng, rate)
    day = pd.DatetimeIndex(np.repeat(days.to_numpy(), counts))
    n = len(day)
    time = day + pd.to_timedelta(_clock(rng, n, _HOURS[code]), unit="s")
    where = rng.random(n)
    u, v = np.empty(n), np.empty(n)

    def put(mask, fn):
        m = int(mask.sum())
        if m:
            u[mask], v[mask] = fn(m)

    if code == "other_theft":
        put(where < .5, lambda m: _sidewalk_points(rng, world, m, ("main",)))
        put((where >= .5) & (where < .75), lambda m: _near_stations(rng, world, m))
        put(where >= .75, lambda m: compounds.sample(rng, m))
    elif code == "fraud":
        put(where >= 0, lambda m: compounds.sample(rng, m))
    elif code == "dispute":
        put(where < .6, lambda m: compounds.sample(rng, m))
        put(where >= .6, lambda m: _sidewalk_points(rng, world, m, ("main", "secondary")))
    elif code == "dog":
        put(where < .5, lambda m: compounds.sample(rng, m))
        put((where >= .5) & (where < .8), lambda m: _in_park(rng, m))
        put(where >= .8, lambda m: _sidewalk_points(rng, world, m, ("secondary", "lane")))
    else:
        put(where < .4, lambda m: _sidewalk_points(rng, world, m, ("main", "secondary", "lane")))
        put((where >= .4) & (where < .6), lambda m: _near_stations(rng, world, m))
        put(where >= .6, lambda m: compounds.sample(rng, m))
    u, v = world.off_carriageway(rng, u, v)
    if code == "fraud":
        # 新建北路社区 had no telecom fraud this year (the seed's 无诈社区): move those cases'
        # dates into 2025, where the community did have some.
        beat = world.beat_of(u, v)
        move = (beat == "新建北路社区") & (time.year == 2026)
        time = pd.DatetimeIndex(np.where(move, time - pd.DateOffset(years=1), time))
    return pd.DataFrame({"type": code, "time": time, "time_start": pd.NaT, "time_end": pd.NaT,
                         "cleared": rng.random(n) < _CLEARED[code], "u": u, "v": v})


def _in_park(rng, n: int):
    u0, v0, u1, v1 = PARK[2]
    return rng.uniform(u0 + 5, u1 - 5, n), rng.uniform(v0 + 5, v1 - 5, n)


def generate_incidents(rng: np.random.Generator, world: World) -> pd.DataFrame:
    """All incidents, sorted by time, with ids, labels, status, community and local u/v."""
    spots = theft_spots(world)
    compounds = _Compounds(rng, world)
    parts = [_ebike(rng, world, spots)]
    for code in ("other_theft", "fraud", "dispute", "dog", "help_request"):
        parts.append(_spread(rng, world, compounds, code))
    frame = pd.concat(parts, ignore_index=True)
    for col in ("time", "time_start", "time_end"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[s]")
    when = frame["time"].fillna(frame["time_start"])
    frame = frame.assign(_when=when).sort_values(["_when", "type", "u"], kind="stable").reset_index(drop=True)
    day = frame["_when"].dt.strftime("%Y%m%d")
    seq = frame.groupby(day).cumcount() + 1
    frame.insert(0, "incident_id", "JQ" + day + seq.map(lambda i: f"{i:03d}"))
    frame["type_zh"] = frame["type"].map(lambda c: INCIDENT_TYPES[c][1])
    frame["status"] = np.where(frame["cleared"], "cleared", "reported")
    frame["community"] = world.beat_of(frame["u"].to_numpy(), frame["v"].to_numpy())
    return frame.drop(columns=["_when", "cleared"])
