"""Synthetic CCTV cameras (existing, planned and the 19 new ones) and candidate camera sites.

Existing cameras watch junctions and main-street frontages (installed 2014-2023; a few
domes without a direction, a few faulty). The 19 new ones stand on kerb-side poles ~17 m
from the theft spots at the station entrances and point at them. Candidate sites are lamp
posts and junction corners along the streets; some stand within a few metres of a grade 1-2
street tree, i.e. inside its protection zone, so that a planner's exclusion has work to do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mapdesk.domain.sample_incidents import INSTALL_DATE, INSTALL_START, TheftSpot
from mapdesk.domain.sample_world import PARK, STREETS, TEMPLE, U_MIN, V_MIN, World

STATUS_ZH = {"active": "运行", "planned": "在建", "fault": "故障"}
N_NEW = 19
_N_JUNCTION = 30
_N_FRONTAGE = 8
_N_DOME = 4
_N_FAULT = 3

# Junctions watched by existing cameras: (street along v, street along u).
_JUNCTIONS = (
    ("解放路", "兴华街"), ("解放路", "胜利街"), ("解放路", "三桥街"), ("解放路", "北司街"),
    ("解放路", "北大街"), ("解放路", "北仓巷"), ("解放路", "后小河街"), ("新建北路", "胜利街"),
    ("新建北路", "北大街"), ("新建北路", "兴华街"), ("建设北路", "兴华街"), ("建设北路", "胜利街"),
    ("建设北路", "北大街"), ("建设北路", "后小河街"), ("上马街", "胜利街"), ("上马街", "北大街"),
    ("柏杨树街", "胜利街"), ("柏杨树街", "北大街"), ("新建北路", "后小河街"), ("上马街", "三桥街"),
)


def _row(cid, name, u, v, install, direction, fov, rng_m, status, is_new):
    return dict(camera_id=cid, name=name, install_date=install, direction_deg=direction,
                fov_deg=fov, range_m=rng_m, status=status, status_zh=STATUS_ZH[status],
                is_new=is_new, u=float(u), v=float(v))


def generate_cameras(rng: np.random.Generator, world: World, spots: list[TheftSpot]) -> pd.DataFrame:
    """Cameras with their local u/v. ``direction_deg`` is NaN for domes (fov 360)."""
    rows = []
    existing = []
    # Junction corners, looking along one of the streets, away from the junction.
    order = rng.permutation(len(_JUNCTIONS))
    picks = [_JUNCTIONS[i] for _k in range(3) for i in order]
    used: dict[tuple[str, str], set[tuple[float, float]]] = {}
    for sv_name, su_name in picks:
        if len(existing) == _N_JUNCTION:
            break
        a, b = world.street(sv_name), world.street(su_name)
        # a second camera at a junction goes on another corner (corners of the area have one)
        free = [(x, y) for x in world.sides(a) for y in world.sides(b)
                if (x, y) not in used.get((sv_name, su_name), set())]
        if not free:
            continue
        su, sv = free[int(rng.integers(0, len(free)))]
        used.setdefault((sv_name, su_name), set()).add((su, sv))
        u = a.at_m + su * (a.half_width_m + 1.0)
        v = b.at_m + sv * (b.half_width_m + 1.0)
        # look into the junction diagonally or along the wider street
        if rng.random() < 0.5:
            tu, tv = a.at_m - su * 10.0, b.at_m - sv * 10.0
        else:
            tu, tv = u, v + sv * 50.0 if a.width_m >= b.width_m else v
            if a.width_m < b.width_m:
                tu = u + su * 50.0
        existing.append((f"{sv_name}与{su_name}路口", u, v, float(world.bearing_deg(u, v, tu, tv))))
    # Frontages along the main streets (banks, shops, the district offices).
    mains = [s for s in STREETS if s.kind == "main"]
    for i in range(_N_FRONTAGE):
        s = mains[i % len(mains)]
        t = float(rng.uniform(120.0, world.street_length_m(s) - 120.0))
        side = float(rng.choice(world.sides(s)))
        u, v = world.sidewalk_point(s, t, side, 1.0)
        du, dv = (0.0, 40.0) if s.axis == "v" else (40.0, 0.0)
        sign = float(rng.choice([-1.0, 1.0]))
        direction = float(world.bearing_deg(u, v, u + sign * du, v + sign * dv))
        existing.append((f"{s.name}沿街{i + 1}", float(u), float(v), direction))
    domes = set(rng.choice(len(existing), size=_N_DOME, replace=False).tolist())
    faulty = set(rng.choice([i for i in range(len(existing)) if i not in domes], size=_N_FAULT,
                            replace=False).tolist())
    for i, (name, u, v, direction) in enumerate(existing):
        year = int(rng.integers(2014, 2024))
        day = pd.Timestamp(f"{year}-01-01") + pd.Timedelta(days=int(rng.integers(60, 330)))
        dome = i in domes
        rows.append(_row(f"JL-CAM-{i + 1:03d}", name + ("球机" if dome else ""), u, v,
                         day.strftime("%Y-%m-%d"),
                         np.nan if dome else round(direction, 1),
                         360.0 if dome else float(rng.choice([60.0, 70.0, 75.0, 80.0, 90.0])),
                         float(rng.choice([50.0, 60.0, 70.0, 80.0])) if not dome else 40.0,
                         "fault" if i in faulty else "active", False))
    # Two sites approved but not built yet: on the kerb in front of the park and the temple gates.
    jiefang, baiyang = world.street("解放路"), world.street("柏杨树街")
    park_gate = (PARK[2][0] + PARK[2][2]) / 2.0, (PARK[2][1] + PARK[2][3]) / 2.0
    temple_gate = TEMPLE[2][0], (TEMPLE[2][1] + TEMPLE[2][3]) / 2.0
    planned = ((PARK[0] + "东门", -(jiefang.half_width_m + 0.6), park_gate[1], PARK[2][2], park_gate[1]),
               (TEMPLE[0] + "山门", baiyang.at_m + baiyang.half_width_m + 0.6, temple_gate[1], *temple_gate))
    for j, (name, u, v, tu, tv) in enumerate(planned):
        rows.append(_row(f"JL-CAM-{len(existing) + j + 1:03d}", name, u, v, "",
                         round(float(world.bearing_deg(u, v, tu, tv)), 1), 80.0, 50.0,
                         "planned", False))
    # The 19 new cameras: one per theft spot, installed over two weeks, the last on INSTALL_DATE.
    span = (INSTALL_DATE - INSTALL_START).days
    days = np.sort(rng.integers(0, span + 1, N_NEW))
    days[-1] = span
    for j, spot in enumerate(spots):
        u, v = spot.kerb_u, spot.kerb_v
        install = (INSTALL_START + pd.Timedelta(days=int(days[j]))).strftime("%Y-%m-%d")
        rows.append(_row(f"JL-CAM-N{j + 1:02d}", spot.name, u, v, install,
                         round(float(world.bearing_deg(u, v, spot.u, spot.v)), 1),
                         float(rng.choice([60.0, 70.0, 80.0, 90.0])),
                         float(rng.choice([40.0, 45.0, 50.0, 60.0])), "active", True))
    return pd.DataFrame(rows)


def generate_candidates(rng: np.random.Generator, world: World, trees: pd.DataFrame) -> pd.DataFrame:
    """~200 candidate camera sites: lamp posts, junction corners, and some that conflict with
    grade 1-2 street trees (2-5 m from the trunk)."""
    rows = []
    spacing_m = 220.0
    for s in STREETS:
        for side in world.sides(s):
            length = world.street_length_m(s)
            t = np.arange(float(rng.uniform(20.0, spacing_m)), length - 15.0, spacing_m)
            t = t + rng.normal(0.0, 12.0, len(t))
            start = U_MIN if s.axis == "u" else V_MIN
            ok = np.ones(len(t), bool)
            for c in STREETS:
                if c.axis != s.axis:
                    ok &= np.abs(start + t - c.at_m) > c.half_width_m + 8.0
            u, v = world.sidewalk_point(s, t[ok], side, 0.6)
            for a, b in zip(np.atleast_1d(u), np.atleast_1d(v), strict=True):
                rows.append(dict(kind="lamp_post", street=s.name, u=float(a), v=float(b), conflict=False))
    for a in (s for s in STREETS if s.axis == "v"):
        for b in (s for s in STREETS if s.axis == "u"):
            su = float(rng.choice(world.sides(a)))
            sv = float(rng.choice(world.sides(b)))
            rows.append(dict(kind="junction", street=f"{a.name}与{b.name}",
                             u=a.at_m + su * (a.half_width_m + 1.5),
                             v=b.at_m + sv * (b.half_width_m + 1.5), conflict=False))
    old = trees[(trees["grade_true"].between(1, 2)) & (trees["setting"] == "street")]
    pick = old.iloc[rng.permutation(len(old))[:12]]
    for _, tr in pick.iterrows():
        s = _nearest_street(tr["u"], tr["v"])
        d = float(rng.uniform(2.0, 5.0)) * float(rng.choice([-1.0, 1.0]))
        kerb = s.at_m + np.sign((tr["u"] if s.axis == "v" else tr["v"]) - s.at_m) * (s.half_width_m + 0.6)
        if s.axis == "v":
            u, v = kerb, tr["v"] + d
        else:
            u, v = tr["u"] + d, kerb
        if all(np.hypot(u - r["u"], v - r["v"]) > 8.0 for r in rows if r["conflict"]):
            rows.append(dict(kind="lamp_post", street=s.name, u=float(u), v=float(v), conflict=True))
    frame = pd.DataFrame(rows)
    # a conflict site replaces the ordinary lamp post that stood right next to it
    conflict = frame["conflict"].to_numpy(bool)
    cu, cv = frame["u"].to_numpy(), frame["v"].to_numpy()
    d = np.hypot(cu[:, None] - cu[None, conflict], cv[:, None] - cv[None, conflict])
    near = (d <= 8.0).any(axis=1) if conflict.any() else np.zeros(len(frame), bool)
    frame = frame[conflict | ~near].drop(columns="conflict")
    frame = frame.sort_values(["v", "u"], ascending=[False, True], kind="stable").reset_index(drop=True)
    frame.insert(0, "candidate_id", [f"CS-{i + 1:03d}" for i in range(len(frame))])
    frame.insert(2, "kind_zh", frame["kind"].map({"lamp_post": "路灯杆", "junction": "路口"}))
    return frame


def _nearest_street(u: float, v: float):
    return min(STREETS, key=lambda s: abs((u if s.axis == "v" else v) - s.at_m))
