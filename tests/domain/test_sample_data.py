"""The synthetic sample data: deterministic, complete, plausible, and what the committed
``sample_data/`` folder holds."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from mapdesk.domain.incidents import INCIDENT_TYPES, window
from mapdesk.domain.sample_data import DEFAULT_SEED, FILES, generate
from mapdesk.domain.sample_incidents import INSTALL_DATE, INSTALL_START, QUIET_FROM, REFERENCE_DATE
from mapdesk.domain.sample_trees import N_MISMATCH, SPECIES, expected_grade
from mapdesk.domain.sample_world import REALDATA_STATIONS, STATIONS, check_realdata_stations
from mapdesk.errors import MapdeskError
from mapdesk.io.datum import gcj02_to_wgs84
from mapdesk.io.schema import detect_role, match_fields

REPO = Path(__file__).resolve().parents[2]
UTM = "EPSG:32649"
TREE_HEADERS = ["古树编号", "树种", "树龄", "是否名木", "叶性", "胸径(cm)", "株高(m)", "地径(cm)", "冠幅(m)",
                "保护等级", "最近普查", "认养/捐资", "所属社区", "经度", "纬度", "数据说明"]
GRADES = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}


def _digest(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in FILES.values()}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    generate(folder)
    return folder


@pytest.fixture(scope="module")
def trees(out) -> pd.DataFrame:
    return pd.read_csv(out / "trees.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def incidents(out) -> gpd.GeoDataFrame:
    return gpd.read_file(out / "incidents.gpkg", layer="incidents")


@pytest.fixture(scope="module")
def cameras(out) -> gpd.GeoDataFrame:
    return gpd.read_file(out / "cameras.geojson")


@pytest.fixture(scope="module")
def metro(out) -> gpd.GeoDataFrame:
    return gpd.read_file(out / "metro.geojson")


def _entrances_utm(metro) -> gpd.GeoSeries:
    return metro[metro["kind"] == "entrance"].to_crs(UTM).geometry


def _dist_to(points: gpd.GeoSeries, targets: gpd.GeoSeries) -> np.ndarray:
    a = np.column_stack([points.x, points.y])
    b = np.column_stack([targets.x, targets.y])
    return np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1]).min(axis=1)


# --- determinism and the committed folder ----------------------------------------------------
def test_same_seed_gives_identical_bytes(out, tmp_path):
    generate(tmp_path)
    assert _digest(tmp_path) == _digest(out)


def test_other_seed_differs(out, tmp_path):
    generate(tmp_path, seed=7)
    assert (tmp_path / "trees.csv").read_bytes() != (out / "trees.csv").read_bytes()
    assert (tmp_path / "incidents.gpkg").read_bytes() != (out / "incidents.gpkg").read_bytes()


def _same_content(a: Path, b: Path) -> bool:
    """Vector files written by another GDAL version may differ in bytes (header members,
    page layout) while holding the same data: compare what a reader sees."""
    if a.suffix not in (".gpkg", ".geojson"):
        return False
    if pyogrio.read_info(a)["layer_metadata"] != pyogrio.read_info(b)["layer_metadata"]:
        return False
    fa, fb = gpd.read_file(a), gpd.read_file(b)
    try:
        gpd.testing.assert_geodataframe_equal(fa, fb, check_less_precise=True)
    except AssertionError:
        return False
    return True


def test_committed_sample_data_matches_a_fresh_generation(out):
    folder = REPO / "sample_data"
    assert folder.is_dir(), "sample_data/ is missing: run mapdesk sample-data --out sample_data"
    stale = [n for n, h in _digest(out).items()
             if hashlib.sha256((folder / n).read_bytes()).hexdigest() != h
             and not _same_content(folder / n, out / n)]
    assert not stale, (f"sample_data/ drifted from the generator ({stale}); regenerate with "
                       f"`mapdesk sample-data --out sample_data --seed {DEFAULT_SEED} --overwrite`")


# --- every file says it is synthetic ----------------------------------------------------------
def test_every_file_says_synthetic(out, trees):
    for name in FILES.values():
        if name.endswith((".gpkg", ".geojson")):
            meta = pyogrio.read_info(out / name)["layer_metadata"] or {}
            assert "SYNTHETIC" in meta.get("DESCRIPTION", ""), name
    assert trees["数据说明"].str.contains("SYNTHETIC").all()
    assert "SYNTHETIC" in (out / "README.md").read_text(encoding="utf-8").splitlines()[0]


# --- trees ------------------------------------------------------------------------------------
def test_trees_csv_is_a_chinese_registry_export(out, trees):
    raw = (out / "trees.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert list(trees.columns) == TREE_HEADERS
    assert 380 <= len(trees) <= 420
    assert trees["古树编号"].is_unique


def test_tree_headers_match_the_schema(trees):
    fm = match_fields(trees.columns, "trees")
    assert fm == {
        "tree_id": "古树编号", "species": "树种", "age_years": "树龄", "famous": "是否名木",
        "leaf_habit": "叶性", "dbh_cm": "胸径(cm)", "height_m": "株高(m)", "ground_diameter_cm": "地径(cm)",
        "crown_diameter_m": "冠幅(m)", "recorded_grade": "保护等级", "last_survey": "最近普查",
        "adopted_by": "认养/捐资", "community": "所属社区",
    }
    assert detect_role(trees.columns, "trees.csv").role == "trees"


def test_tree_attributes_are_consistent(trees):
    assert set(trees["叶性"]) == {"落叶", "常绿"}
    for sp, habit in zip(trees["树种"], trees["叶性"], strict=True):
        assert (habit == "常绿") == SPECIES[sp].evergreen, sp
    assert {"国槐", "油松", "侧柏", "白皮松", "榆树", "旱柳", "毛白杨"} <= set(trees["树种"])
    age = pd.to_numeric(trees["树龄"], errors="coerce")
    dbh = trees["胸径(cm)"].astype(float)
    # within a species spanning many ages, older trees are thicker
    known = age.notna()
    for sp, idx in trees[known].groupby("树种").groups.items():
        if len(idx) >= 20 and age[idx].max() - age[idx].min() >= 50:
            assert age[idx].rank().corr(dbh[idx].rank()) > 0.75, sp
    assert (trees["冠幅(m)"].astype(float) > 0).all() and (trees["株高(m)"].astype(float) > 1.3).all()
    assert (trees["地径(cm)"].astype(float) >= dbh).all()
    assert 3 <= int(age.isna().sum()) <= 15
    assert {300, 100, 50, 20} <= set(age.dropna().astype(int))


def test_every_grade_present_and_a_few_wrong(trees):
    recorded = trees["保护等级"].map(GRADES)
    assert set(recorded) == {1, 2, 3, 4}
    counts = recorded.value_counts()
    assert counts[4] > counts[3] > counts[2] > counts[1] >= 10
    age = pd.to_numeric(trees["树龄"], errors="coerce")
    true = [expected_grade(a, f == "是", h == "常绿", float(d), float(ht), float(g))
            for a, f, h, d, ht, g in zip(age, trees["是否名木"], trees["叶性"], trees["胸径(cm)"],
                                         trees["株高(m)"], trees["地径(cm)"], strict=True)]
    wrong = [r != t for r, t in zip(recorded, true, strict=True)]
    assert sum(wrong) == N_MISMATCH
    assert any(t is None for t in true), "one registered tree meets no criterion"
    assert (trees["是否名木"] == "是").sum() >= 4


def test_census_adoption_and_places(trees):
    survey = pd.to_datetime(trees["最近普查"].replace("", None))
    due = survey + pd.DateOffset(years=5)
    assert (due < REFERENCE_DATE).sum() >= 20  # overdue
    assert ((due >= REFERENCE_DATE) & (due.dt.year == 2026)).sum() >= 5  # due later this year
    assert 3 <= survey.isna().sum() <= 12  # never surveyed
    adopted = trees["认养/捐资"]
    assert 20 <= (adopted != "").sum() <= 120
    assert adopted.str.contains("先生|女士").any() and adopted.str.contains("公司|协会|学校|小学|办事处").any()
    assert (trees["所属社区"] != "").all()
    assert trees["所属社区"].nunique() >= 6


# --- incidents ---------------------------------------------------------------------------------
def test_incident_columns_and_types(incidents):
    assert list(incidents.columns) == ["incident_id", "type", "type_zh", "time", "time_start", "time_end",
                                       "status", "community", "geometry"]
    assert 2700 <= len(incidents) <= 3500
    assert incidents["incident_id"].is_unique
    assert set(incidents["type"]) == {"ebike_theft", "other_theft", "fraud", "dispute", "dog", "help_request"}
    assert (incidents["type_zh"] == incidents["type"].map(lambda c: INCIDENT_TYPES[c][1])).all()
    assert set(incidents["status"]) == {"reported", "cleared"}
    fm = match_fields(incidents.columns, "incidents")
    assert {"incident_id", "type", "time", "time_start", "time_end", "status", "community"} <= set(fm)
    assert detect_role(incidents.columns).role == "incidents"


def test_incident_times(incidents):
    start, end = window(incidents)
    assert start.min() >= pd.Timestamp("2024-11-28") and end.max() < REFERENCE_DATE
    assert end.max() >= pd.Timestamp("2026-11-27")
    ebike = incidents[incidents["type"] == "ebike_theft"]
    others = incidents[incidents["type"] != "ebike_theft"]
    assert others["time"].notna().all() and others["time_start"].isna().all()
    only_window = ebike["time"].isna()
    assert only_window.mean() > 0.8 and (~only_window).any()
    assert (ebike["time_start"].notna() == only_window).all()
    hours = (ebike["time_end"] - ebike["time_start"]).dropna().dt.total_seconds() / 3600
    assert hours.between(1, 12).all()
    # commuters: many parked 07-09 and found missing 17-20 on the same day
    w = ebike[only_window]
    commute = w["time_start"].dt.hour.between(6, 9) & w["time_end"].dt.hour.between(16, 20)
    assert commute.mean() > 0.3
    weekday = w["time_start"].dt.weekday
    assert (weekday < 5).mean() > 0.75  # commuters: most thefts on workdays
    disputes = incidents.loc[incidents["type"] == "dispute", "time"].dt.hour
    assert disputes.between(18, 22).mean() > disputes.between(2, 6).mean() * 4


def test_ebike_thefts_cluster_at_entrances_and_drop_after_cameras(incidents, metro):
    ebike = incidents[incidents["type"] == "ebike_theft"].copy()
    when = ebike["time"].fillna(ebike["time_start"])
    d = _dist_to(ebike.to_crs(UTM).geometry, _entrances_utm(metro))
    before = (when < INSTALL_START)
    assert np.median(d[before.to_numpy()]) < 50.0
    days = pd.Timedelta(days=150)
    n_before = ((when >= INSTALL_START - days) & (when < INSTALL_START)).sum()
    n_after = ((when > INSTALL_DATE) & (when <= INSTALL_DATE + days)).sum()
    assert n_before >= 50 and n_after <= n_before * 0.3
    last3 = (when >= QUIET_FROM) | (ebike["time_end"] >= QUIET_FROM)
    assert not (last3.to_numpy() & (d <= 150.0)).any()
    assert QUIET_FROM <= REFERENCE_DATE - pd.DateOffset(months=3)


def test_incident_communities_and_no_fraud_in_xinjian_this_year(out, incidents):
    beats = gpd.read_file(out / "beats.geojson")
    joined = gpd.sjoin(incidents, beats[["name", "geometry"]], predicate="intersects", how="left")
    joined = joined[~joined.index.duplicated()]
    assert (joined["community"] == joined["name"]).all()
    fraud = incidents[(incidents["type"] == "fraud") & (incidents["time"].dt.year == 2026)]
    assert not (fraud["community"] == "新建北路社区").any()
    assert ((incidents["type"] == "fraud") & (incidents["community"] == "新建北路社区")).any()


# --- cameras, candidates, beats, metro -------------------------------------------------------
def test_cameras(cameras, incidents):
    assert list(cameras.columns) == ["camera_id", "name", "install_date", "direction_deg", "fov_deg", "range_m",
                                     "status", "status_zh", "is_new", "geometry"]
    assert cameras["camera_id"].is_unique
    new = cameras[cameras["is_new"]]
    old = cameras[~cameras["is_new"]]
    assert len(new) == 19 and 35 <= len(old) <= 45
    assert new["install_date"].between(pd.Timestamp("2026-03-01"), INSTALL_DATE).all()
    assert new["install_date"].max() == INSTALL_DATE
    assert (old["install_date"].dropna() < pd.Timestamp("2024-01-01")).all()
    assert set(cameras["status"]) == {"active", "planned", "fault"}
    assert (cameras.loc[cameras["status"] == "planned", "install_date"].isna()).all()
    domes = cameras["direction_deg"].isna()
    assert 3 <= domes.sum() <= 6 and not domes[cameras["is_new"]].any()
    assert cameras.loc[~domes, "fov_deg"].between(60, 90).all()
    assert cameras["range_m"].between(30, 80).all()
    # each new camera looks at e-bike thefts within its range and field of view
    ebike = incidents[(incidents["type"] == "ebike_theft") & (incidents["time_start"] < INSTALL_START)].to_crs(UTM)
    cam = new.to_crs(UTM)
    ex, ey = ebike.geometry.x.to_numpy(), ebike.geometry.y.to_numpy()
    for _, c in cam.iterrows():
        dx, dy = ex - c.geometry.x, ey - c.geometry.y
        bearing = np.degrees(np.arctan2(dx, dy)) % 360
        off = np.abs((bearing - c["direction_deg"] + 180) % 360 - 180)
        seen = (np.hypot(dx, dy) <= c["range_m"]) & (off <= c["fov_deg"] / 2 + 5)  # UTM grid vs north
        assert seen.sum() >= 3, c["camera_id"]


def test_candidates_and_tree_zone_conflicts(out, trees):
    cand = gpd.read_file(out / "candidates.geojson")
    assert 170 <= len(cand) <= 230
    assert set(cand["kind"]) == {"lamp_post", "junction"}
    t = gpd.GeoDataFrame(trees, geometry=gpd.points_from_xy(trees["经度"].astype(float), trees["纬度"].astype(float)),
                         crs="EPSG:4326").to_crs(UTM)
    old = t[trees["保护等级"].isin(["一级", "二级"])]
    d = _dist_to(cand.to_crs(UTM).geometry, old.geometry)
    assert (d <= 6.0).sum() >= 5


def test_things_stand_on_streets(out, cameras):
    streets = gpd.read_file(out / "streets.geojson").to_crs(UTM)
    cand = gpd.read_file(out / "candidates.geojson").to_crs(UTM)
    for layer in (cand, cameras.to_crs(UTM)):
        gap = np.array([streets.geometry.distance(p).min() for p in layer.geometry])
        assert (gap <= 25.0).all()  # half the widest street plus the sidewalk


def test_nothing_stands_on_a_carriageway(out, trees, incidents, cameras):
    streets = gpd.read_file(out / "streets.geojson").to_crs(UTM)
    t = gpd.GeoSeries(gpd.points_from_xy(trees["经度"].astype(float), trees["纬度"].astype(float)), crs="EPSG:4326")
    cand = gpd.read_file(out / "candidates.geojson").geometry
    for name, pts in (("trees", t), ("incidents", incidents.geometry), ("cameras", cameras.geometry),
                      ("candidates", cand)):
        pts = pts.to_crs(UTM)
        for _, s in streets.iterrows():
            d = pts.distance(s.geometry)
            assert (d >= s["width_m"] / 2 - 0.2).all(), (name, s["name"])


def test_beats_tile_the_station_area(out):
    beats = gpd.read_file(out / "beats.geojson")
    assert 6 <= len(beats) <= 8 and "新建北路社区" in set(beats["name"])
    assert list(beats.columns) == ["beat_id", "name", "name_en", "officer", "area_km2", "geometry"]
    utm = beats.to_crs(UTM)
    union = utm.union_all()
    assert utm.area.sum() == pytest.approx(union.area, rel=1e-6)  # no overlaps
    assert union.area / 1e6 == pytest.approx(3.61, rel=0.01)
    assert np.allclose(utm.area / 1e6, beats["area_km2"], rtol=0.01)


def test_metro_stations_and_entrances(metro):
    st = metro[metro["kind"] == "station"]
    ent = metro[metro["kind"] == "entrance"]
    assert set(st["station"]) == {"大北门", "胜利街"} and len(ent) == 8
    assert sorted(ent["label"]) == ["A", "A", "B", "B", "C", "C", "D", "D"]
    assert (metro["kind"] == "line").sum() == 1
    stu, entu = st.to_crs(UTM), ent.to_crs(UTM)
    for _, e in entu.iterrows():
        s = stu[stu["station"] == e["station"]].geometry.iloc[0]
        assert 40.0 <= e.geometry.distance(s) <= 75.0
    for _, s in st.iterrows():
        _en, glon, glat, lon, lat = STATIONS[s["station"]]
        wlon, wlat = gcj02_to_wgs84(glon, glat)
        assert s.geometry.x == pytest.approx(float(wlon), abs=2e-6)
        assert s.geometry.y == pytest.approx(float(wlat), abs=2e-6)


@pytest.mark.realdata
def test_embedded_stations_agree_with_realdata():
    path = REALDATA_STATIONS
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    assert check_realdata_stations(path) == []


def test_output_does_not_depend_on_the_realdata_file(out, tmp_path, monkeypatch):
    import mapdesk.domain.sample_world as world

    monkeypatch.setattr(world, "REALDATA_STATIONS", tmp_path / "absent.csv")
    assert check_realdata_stations() == []
    # a file that disagrees is reported, and the embedded positions are used all the same
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("id,line,name,pinyin,lat,lng\n3,2号线,大北门,dabeimen,37.9,112.6\n", encoding="utf-8")
    monkeypatch.setattr(world, "REALDATA_STATIONS", wrong)
    with pytest.warns(UserWarning, match="大北门"):
        generate(tmp_path / "disagreeing")
    assert _digest(tmp_path / "disagreeing") == _digest(out)


def test_realdata_check_reports_a_disagreement(tmp_path):
    bad = tmp_path / "stations.csv"
    bad.write_text("id,line,name,pinyin,lat,lng\n2,2号线,胜利街,shenglijie,37.8,112.5\n", encoding="utf-8")
    problems = check_realdata_stations(bad)
    assert any("胜利街" in p for p in problems) and any("大北门" in p for p in problems)
    assert check_realdata_stations(tmp_path / "absent.csv") == []


# --- bad input and the CLI ---------------------------------------------------------------------
def test_refuses_to_overwrite_without_the_flag(tmp_path):
    keep = tmp_path / "trees.csv"
    keep.write_text("mine", encoding="utf-8")
    with pytest.raises(MapdeskError, match="overwrite"):
        generate(tmp_path)
    assert keep.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trees.csv"]


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_bad_seed(tmp_path, seed):
    with pytest.raises(MapdeskError, match="seed"):
        generate(tmp_path, seed=seed)


def test_out_dir_is_a_file(tmp_path):
    f = tmp_path / "x"
    f.write_text("", encoding="utf-8")
    with pytest.raises(MapdeskError, match="not a folder"):
        generate(f)
