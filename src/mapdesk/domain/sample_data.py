"""Generate the synthetic sample data set (``mapdesk sample-data``).

A plausible but **invented** picture of Julun police station's area (巨轮派出所, 3.61 km²,
Xinghualing district, Taiyuan) around metro line 2's 大北门 and 胜利街 stations: community
beats, a protected-tree registry, two years of incidents, existing and new cameras, candidate
camera sites, the metro and a street grid. Only the station positions are real.

The output is fully determined by the seed: the same seed gives byte-identical files
(no "now" timestamps; GeoPackage's ``last_change`` is pinned to the reference date).
Each layer uses its own random stream, so changing one generator leaves the others alone.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import LineString, Point

from mapdesk.domain.sample_cameras import N_NEW, generate_cameras, generate_candidates
from mapdesk.domain.sample_incidents import (
    INSTALL_DATE,
    INSTALL_START,
    NEAR_ENTRANCE_M,
    PERIOD_START,
    QUIET_FROM,
    REFERENCE_DATE,
    generate_incidents,
    theft_spots,
)
from mapdesk.domain.sample_trees import GRADE_ZH, MISMATCH_NOTE, generate_trees, trees_csv_frame
from mapdesk.domain.sample_world import (
    AREA_STATIONS,
    ENTRANCE_OFFSETS,
    PARK,
    STATIONS,
    STREETS,
    TEMPLE,
    World,
    build_world,
    check_realdata_stations,
)
from mapdesk.errors import MapdeskError
from mapdesk.io.atomic import atomic_path

DEFAULT_SEED = 20241
NOTE = "合成示例数据（虚构，非真实记录） SYNTHETIC sample data: invented records - not real (mapdesk sample-data)"
FILES = {
    "trees": "trees.csv",
    "incidents": "incidents.gpkg",
    "cameras": "cameras.geojson",
    "beats": "beats.geojson",
    "metro": "metro.geojson",
    "candidates": "candidates.geojson",
    "streets": "streets.geojson",
    "readme": "README.md",
}
_CRS = "EPSG:4326"


def generate(out_dir: str | os.PathLike, seed: int = DEFAULT_SEED, *, overwrite: bool = False) -> dict[str, Path]:
    """Write the sample data set into ``out_dir`` and return ``{layer key: path}``.

    Parameters
    ----------
    out_dir
        Folder to write into; created if missing.
    seed
        Non-negative integer; the same seed always gives byte-identical files.
    overwrite
        Replace existing files. Without it, an existing file stops the run before anything
        is written.

    Raises
    ------
    MapdeskError
        Bad seed, ``out_dir`` is a file, or files exist and ``overwrite`` is false.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise MapdeskError(f"seed must be a non-negative integer, not {seed!r}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise MapdeskError(f"{out} is a file, not a folder")
    paths = {key: out / name for key, name in FILES.items()}
    if not overwrite:
        taken = [p.name for p in paths.values() if p.exists()]
        if taken:
            raise MapdeskError(f"{out} already holds {', '.join(taken)} (use --overwrite to replace)")
    out.mkdir(parents=True, exist_ok=True)
    problems = check_realdata_stations()
    if problems:  # the embedded positions are used all the same: output stays reproducible
        warnings.warn("sample data: the real station list disagrees with the embedded positions: "
                      + "; ".join(problems), stacklevel=2)

    layers = build_layers(int(seed))
    world = layers["world"]
    _write_csv(trees_csv_frame(layers["trees"], world, NOTE), paths["trees"])
    _write_gpkg(layers["incidents_gdf"], paths["incidents"], "incidents",
                "警情 incidents. " + NOTE)
    _write_geojson(layers["cameras_gdf"], paths["cameras"], "cameras", "摄像头 CCTV cameras. " + NOTE)
    _write_geojson(layers["beats_gdf"], paths["beats"], "beats", "社区警务责任区 community beats. " + NOTE)
    _write_geojson(layers["metro_gdf"], paths["metro"], "metro",
                   "地铁2号线站点与出入口 metro line 2 (station positions real, entrances invented). " + NOTE)
    _write_geojson(layers["candidates_gdf"], paths["candidates"], "candidates",
                   "摄像头候选点位 candidate camera sites. " + NOTE)
    _write_geojson(layers["streets_gdf"], paths["streets"], "streets",
                   "道路中心线 street centre lines (invented grid). " + NOTE)
    with atomic_path(paths["readme"], overwrite=True) as tmp:
        tmp.write_text(readme_text(int(seed), layers), encoding="utf-8")
    return paths


def build_layers(seed: int) -> dict:
    """All layers in memory (frames in local metres plus GeoDataFrames in WGS 84)."""
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)]
    world = build_world()
    trees = generate_trees(streams[0], world)
    incidents = generate_incidents(streams[1], world)
    spots = theft_spots(world)
    cameras = generate_cameras(streams[2], world, spots)
    candidates = generate_candidates(streams[3], world, trees)
    return {
        "world": world, "trees": trees, "incidents": incidents, "cameras": cameras,
        "candidates": candidates, "spots": spots,
        "incidents_gdf": _points(world, incidents, ["incident_id", "type", "type_zh", "time", "time_start",
                                                    "time_end", "status", "community"]),
        "cameras_gdf": _cameras_gdf(world, cameras),
        "beats_gdf": _beats_gdf(world),
        "metro_gdf": _metro_gdf(world),
        "candidates_gdf": _points(world, candidates, ["candidate_id", "kind", "kind_zh", "street"]),
        "streets_gdf": _streets_gdf(world),
    }


# --- layers as GeoDataFrames ----------------------------------------------------------------
def _points(world: World, frame: pd.DataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    lon, lat = world.to_lonlat(frame["u"].to_numpy(), frame["v"].to_numpy())
    geom = shapely.points(np.round(lon, 7), np.round(lat, 7))
    return gpd.GeoDataFrame(frame[columns].reset_index(drop=True), geometry=geom, crs=_CRS)


def _cameras_gdf(world: World, cameras: pd.DataFrame) -> gpd.GeoDataFrame:
    frame = cameras.copy()
    frame["install_date"] = frame["install_date"].replace("", None)
    return _points(world, frame, ["camera_id", "name", "install_date", "direction_deg", "fov_deg",
                                  "range_m", "status", "status_zh", "is_new"])


def _beats_gdf(world: World) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for i, (name, name_en, officer, poly) in enumerate(world.beats):
        rows.append(dict(beat_id=f"B{i + 1:02d}", name=name, name_en=name_en, officer=officer,
                         area_km2=round(poly.area / 1e6, 3)))
        geoms.append(world.geometry_to_lonlat(poly))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=_CRS)


def _metro_gdf(world: World) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    line = [(STATIONS[n][3], STATIONS[n][4]) for n in ("涧河", "胜利街", "大北门", "缉虎营")]
    rows.append(dict(name="2号线", name_en="Metro Line 2", kind="line", label=None, station=None))
    geoms.append(LineString(line))
    for name in AREA_STATIONS:
        name_en, _glon, _glat, lon, lat = STATIONS[name]
        rows.append(dict(name=f"{name}站", name_en=f"{name_en} Station", kind="station", label=None,
                         station=name))
        geoms.append(Point(lon, lat))
        for label in ENTRANCE_OFFSETS[name]:
            u, v = world.entrances_uv[(name, label)]
            elon, elat = world.to_lonlat(u, v)
            rows.append(dict(name=f"{name}站{label}口", name_en=f"{name_en} Station exit {label}",
                             kind="entrance", label=label, station=name))
            geoms.append(Point(round(float(elon), 7), round(float(elat), 7)))
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=_CRS)
    frame.insert(4, "line", "2号线")
    return frame


def _streets_gdf(world: World) -> gpd.GeoDataFrame:
    rows = [dict(name=s.name, name_en=s.name_en, kind=s.kind, width_m=s.width_m) for s in STREETS]
    geoms = [world.geometry_to_lonlat(world.street_line(s)) for s in STREETS]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=_CRS)


# --- writers --------------------------------------------------------------------------------
def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    # UTF-8 with BOM and CRLF, as a spreadsheet export from an office PC comes.
    with atomic_path(path, overwrite=True) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def _write_geojson(frame: gpd.GeoDataFrame, path: Path, layer: str, description: str) -> None:
    with atomic_path(path, overwrite=True) as tmp:
        pyogrio.write_dataframe(frame, tmp, layer=layer, driver="GeoJSON",
                                layer_options={"DESCRIPTION": description, "COORDINATE_PRECISION": "7"})


def _write_gpkg(frame: gpd.GeoDataFrame, path: Path, layer: str, description: str) -> None:
    # GeoPackage stores a last_change timestamp: pin it so that files are reproducible.
    key = "OGR_CURRENT_DATE"
    before = pyogrio.get_gdal_config_option(key)
    pyogrio.set_gdal_config_options({key: REFERENCE_DATE.strftime("%Y-%m-%dT00:00:00.000Z")})
    try:
        with atomic_path(path, overwrite=True) as tmp:
            pyogrio.write_dataframe(frame, tmp, layer=layer, driver="GPKG",
                                    layer_options={"DESCRIPTION": description},
                                    dataset_metadata={"DESCRIPTION": NOTE})
    finally:
        pyogrio.set_gdal_config_options({key: before})


# --- README ---------------------------------------------------------------------------------
def summary(layers: dict) -> dict:
    """Numbers quoted by the README (and checked by the tests)."""
    trees, inc, cams, world = layers["trees"], layers["incidents"], layers["cameras"], layers["world"]
    survey = pd.to_datetime(trees["survey"].replace("", None))
    due = survey + pd.DateOffset(years=5)
    ebike = inc[inc["type"] == "ebike_theft"]
    when = ebike["time"].fillna(ebike["time_start"])
    days = 150
    before = int(((when >= INSTALL_START - pd.Timedelta(days=days)) & (when < INSTALL_START)).sum())
    after = int(((when > INSTALL_DATE) & (when <= INSTALL_DATE + pd.Timedelta(days=days))).sum())
    ent = np.array(list(world.entrances_uv.values()))
    d = np.hypot(ebike["u"].to_numpy()[:, None] - ent[None, :, 0], ebike["v"].to_numpy()[:, None] - ent[None, :, 1]).min(1)
    old = trees[trees["grade_true"].between(1, 2)]
    cand = layers["candidates"]
    dc = np.hypot(cand["u"].to_numpy()[:, None] - old["u"].to_numpy()[None, :],
                  cand["v"].to_numpy()[:, None] - old["v"].to_numpy()[None, :]).min(1)
    return {
        "n_trees": len(trees),
        "grades": {int(g): int(n) for g, n in trees["grade_recorded"].value_counts().sort_index().items()},
        "mismatch_ids": trees.loc[trees["grade_recorded"] != trees["grade_true"], "tree_id"].tolist(),
        "famous": int(trees["famous"].sum()),
        "missing_age": int(trees["age"].isna().sum()),
        "never_surveyed": int(survey.isna().sum()),
        "overdue": int((due < REFERENCE_DATE).sum()),
        "due_this_year": int(((due >= REFERENCE_DATE) & (due.dt.year == REFERENCE_DATE.year)).sum()),
        "adopted": int((trees["adopted_by"] != "").sum()),
        "n_incidents": len(inc),
        "by_type": {k: int(v) for k, v in inc["type"].value_counts().sort_index().items()},
        "ebike_window_only": int(ebike["time"].isna().sum()),
        "ebike_before": before, "ebike_after": after, "window_days": days,
        "ebike_near": int((d <= NEAR_ENTRANCE_M).sum()),
        "n_cameras": len(cams), "n_new": int(cams["is_new"].sum()),
        "n_existing": int((~cams["is_new"] & (cams["status"] != "planned")).sum()),
        "n_planned": int((cams["status"] == "planned").sum()),
        "n_dome": int(cams["direction_deg"].isna().sum()),
        "n_candidates": len(cand),
        "candidates_near_old_tree": int((dc <= 6.0).sum()),
    }


def readme_text(seed: int, layers: dict) -> str:
    s = summary(layers)
    grades = ", ".join(f"{GRADE_ZH[g]} {n}" for g, n in s["grades"].items())
    trees = layers["trees"]
    wrong = trees[trees["grade_recorded"] != trees["grade_true"]]
    wrong_rows = "\n".join(
        f"| {r.tree_id} | {r.species} | {'' if np.isnan(r.age) else int(r.age)} | {'是' if r.famous else '否'} "
        f"| {r.dbh_cm:.0f} | {GRADE_ZH[int(r.grade_recorded)]} | {GRADE_ZH.get(int(r.grade_true), '— (none)')} |"
        for r in wrong.itertuples())
    types = ", ".join(f"{k} {v}" for k, v in s["by_type"].items())
    lon0, lat0 = layers["world"].lon0, layers["world"].lat0
    return f"""# mapdesk sample data — SYNTHETIC / 合成示例数据（虚构）

> **Every record in this folder is invented.** No real incident, tree, camera, person or
> organisation is described. The data were generated by a program
> (`mapdesk sample-data --out DIR --seed {seed}`, module `mapdesk.domain.sample_data`) to give
> the program something plausible to show. Do not use them for any decision.
>
> **本文件夹中的全部数据均为程序生成的虚构数据**，不代表任何真实警情、古树、摄像头、人员或单位。

Each file says so itself: the GeoPackage and GeoJSON layers carry it in their layer
description, and `trees.csv` in its `数据说明` column.

## What is real, what is invented

- **Real:** the positions of metro line 2's stations 涧河, 胜利街, 大北门 and 缉虎营 (from a
  public station list in GCJ-02, converted to WGS 84 with `mapdesk.io.datum.gcj02_to_wgs84`
  and embedded in `mapdesk.domain.sample_world`).
- **Taken from a newspaper article** (the `docs/domain.md` facts): the station's area is
  3.61 km²; e-bike thefts cluster at the entrances of 大北门 and 胜利街 stations; 19 new camera
  channels were installed where thefts happened; afterwards three months passed without an
  e-bike theft report; 新建北路社区 had no telecom fraud this year; criminal cases fell
  (here by more than the article's 23.2 %, mostly through the e-bike thefts).
- **Invented:** everything else — the street grid and its names, the beat boundaries and
  officers' names, the entrance positions, every tree, incident, camera and candidate site,
  the park ({PARK[0]}) and the temple courtyard ({TEMPLE[0]}).

## Coordinates and time

- All layers: **WGS 84 longitude/latitude** (EPSG:4326), degrees; the area is centred near
  {lon0:.4f} E, {lat0:.4f} N. The data are *not* GCJ-02: do not convert them again.
- Times are **local time in Taiyuan (China Standard Time, UTC+8)** without a stored offset.
- "Today" for the data is **{REFERENCE_DATE:%Y-%m-%d}**: incidents run from {PERIOD_START:%Y-%m-%d}
  to {REFERENCE_DATE - pd.Timedelta(days=1):%Y-%m-%d}; tree census due dates are measured from it.
- Layout: a street grid around Jiefang Road (解放路), which runs north–south over line 2
  (the grid is turned {np.degrees(layers["world"].theta):.2f}° to follow the two stations).
  Distances in names are metres (`range_m`, `width_m`).

## Files

### `trees.csv` — protected-tree registry (古树名木及城市大树登记表), {s["n_trees"]} trees
UTF-8 with BOM, CRLF line ends, Chinese headers as a registry export has them (matched by
`mapdesk.io.schema.match_fields(columns, "trees")`).

| column | meaning | unit / values |
| --- | --- | --- |
| 古树编号 | tree id | `XHL-0001` … |
| 树种 | species (国槐, 油松, 侧柏, 白皮松, 桧柏, 榆树, 旱柳, 毛白杨, 银杏, 臭椿, 刺槐, 白蜡) | text |
| 树龄 | age | years; empty = unknown ({s["missing_age"]} trees) |
| 是否名木 | famous tree | 是 / 否 ({s["famous"]} famous) |
| 叶性 | leaf habit | 落叶 (deciduous) / 常绿 (evergreen) |
| 胸径(cm) | diameter at breast height | cm |
| 株高(m) | height | m |
| 地径(cm) | ground diameter | cm |
| 冠幅(m) | mean crown diameter | m |
| 保护等级 | recorded protection grade | 一级 / 二级 / 三级 / 四级 |
| 最近普查 | last census | YYYY-MM-DD; empty = never surveyed |
| 认养/捐资 | adopted / funded by | organisation or person (invented); empty = none |
| 所属社区 | community beat | name as in `beats.geojson` |
| 经度, 纬度 | longitude, latitude | WGS 84 degrees |
| 数据说明 | says the row is synthetic | text |

Recorded grades: {grades}. Trees stand in rows along the streets, in {PARK[0]} and in the
{TEMPLE[0]} courtyard, and in residential compounds. Sizes grow with age by species.
Checks a grading tool should find: {MISMATCH_NOTE}

| 古树编号 | 树种 | 树龄 | 名木 | 胸径(cm) | recorded 保护等级 | grade by the rules |
| --- | --- | --- | --- | --- | --- | --- |
{wrong_rows}

Some ages sit exactly on the legal limits (300, 100, 50, 20 years: "以上" includes the number),
{s["missing_age"]} trees have no recorded age (their grade 4 follows from their size), and some
trees younger than 20 years are grade 4 by size alone (deciduous DBH ≥ 20 cm, evergreen
height ≥ 6 m or ground diameter ≥ 18 cm).
Census (every 5 years): {s["overdue"]} trees overdue (last survey more than five years before
{REFERENCE_DATE:%Y-%m-%d}), {s["due_this_year"]} due later in {REFERENCE_DATE.year}, {s["never_surveyed"]} never
surveyed. {s["adopted"]} trees are adopted or funded.

### `incidents.gpkg`, layer `incidents` — {s["n_incidents"]} incidents (警情), points

| column | meaning | unit / values |
| --- | --- | --- |
| incident_id | id | `JQ` + date + number of the day |
| type | type code (`mapdesk.domain.incidents.INCIDENT_TYPES`) | {", ".join(s["by_type"])} |
| type_zh | Chinese label | 电动车被盗, 其他盗窃, 诈骗, 纠纷, 涉犬警情, 求助 |
| time | when it happened or was reported | local datetime; empty for window-only e-bike thefts |
| time_start, time_end | window: parked → found missing (e-bike thefts) | local datetime, 1–12 h apart |
| status | `reported` or `cleared` | |
| community | beat containing the point | name as in `beats.geojson` |

Counts by type: {types}.
E-bike thefts cluster within a few tens of metres of 19 parking spots at the entrances of
大北门 and 胜利街 stations ({s["ebike_near"]} of {s["by_type"].get("ebike_theft", 0)} within {NEAR_ENTRANCE_M:.0f} m of an entrance; the rest on
nearby side streets). {s["ebike_window_only"]} are known only as a window: commuters park about
07:00–09:00 and come back about 17:00–20:00; others are daytime or evening windows, some overnight.
The 19 new cameras were installed {INSTALL_START:%Y-%m-%d} … {INSTALL_DATE:%Y-%m-%d}:
{s["ebike_before"]} e-bike thefts in the {s["window_days"]} days before installation began,
{s["ebike_after"]} in the {s["window_days"]} days after it ended, and **none at all from
{QUIET_FROM:%Y-%m-%d}** (the last three months). Other theft and fraud are lower in
{REFERENCE_DATE.year} than before; 新建北路社区 has no fraud in {REFERENCE_DATE.year}.
Other types follow their own hours (disputes in the evening, dog calls morning and evening,
fraud in office hours) and weekdays.

### `cameras.geojson` — {s["n_cameras"]} cameras, points

| column | meaning | unit / values |
| --- | --- | --- |
| camera_id | id | `JL-CAM-001` …, new ones `JL-CAM-N01` … `N{N_NEW:02d}` |
| name | site name | text |
| install_date | installation date | YYYY-MM-DD; empty for planned sites |
| direction_deg | where it looks | degrees clockwise from north; empty for dome cameras |
| fov_deg | field of view | degrees (360 for domes) |
| range_m | useful range | metres |
| status / status_zh | `active` 运行, `planned` 在建, `fault` 故障 | |
| is_new | one of the 19 new cameras at the theft spots | true / false |

{s["n_existing"]} existing cameras (installed 2014–2023 at junctions and main-street frontages,
{s["n_dome"]} of them domes without a direction, some faulty), {s["n_planned"]} planned sites and the
{s["n_new"]} new cameras, each on a kerb-side pole pointing at its theft spot.

### `beats.geojson` — {len(layers["beats_gdf"])} community beats (社区警务责任区), polygons
`beat_id`, `name`, `name_en`, `officer` (invented community officer), `area_km2` (km²).
They tile the station's area (total {layers["beats_gdf"]["area_km2"].sum():.2f} km²) without overlap;
edges follow street centre lines.

### `metro.geojson` — line 2, its stations and their entrances
`name`, `name_en`, `kind` (`line`, `station`, `entrance`), `line`, `label` (entrance A–D),
`station` (the station an entrance belongs to). Mixed geometry: one LineString (涧河 → 缉虎营)
and points. Entrances stand on Jiefang Road's sidewalks 40–70 m north and south of the
station centre.

### `candidates.geojson` — {s["n_candidates"]} candidate camera sites, points
`candidate_id`, `kind` (`lamp_post`, `junction`), `kind_zh` (路灯杆, 路口), `street`.
{s["candidates_near_old_tree"]} of them stand within 6 m of a grade 1–2 tree, i.e. inside its
protection zone: a camera pole and its cable trench may not go there.

### `streets.geojson` — the invented street grid, centre lines
`name`, `name_en`, `kind` (`main`, `secondary`, `lane`), `width_m` (m, kerb to kerb).

## Regenerating

```
mapdesk sample-data --out sample_data --seed {seed} --overwrite
```

The same seed gives byte-identical files (a test checks that this folder equals a fresh run
with the default seed {DEFAULT_SEED}).
"""
