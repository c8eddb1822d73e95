"""``mapdesk cameras coverage|suggest|impact`` end to end on small files."""

from __future__ import annotations

import hashlib
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapdesk.cli import main

X0, Y0 = 500_000.0, 4_190_000.0


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def files(tmp_path):
    r = np.random.default_rng(7)
    hot = np.array([[100.0, 100.0], [600.0, 300.0], [300.0, 700.0]])
    n = 600
    xy = hot[r.integers(0, 3, n)] + r.normal(0, 40, (n, 2))
    t0 = pd.Timestamp("2025-07-01")
    times = t0 + pd.to_timedelta(r.uniform(0, 360, n), unit="D")
    inc = gpd.GeoDataFrame({"incident_id": [f"I{i}" for i in range(n)],
                            "案件类型": r.choice(["电动车被盗", "诈骗"], n), "发生时间": times},
                           geometry=gpd.points_from_xy(xy[:, 0] + X0, xy[:, 1] + Y0),
                           crs="EPSG:32649").to_crs(4326)
    cams = gpd.GeoDataFrame({"camera_id": ["C-1", "C-2", "C-3"],
                             "install_date": [None, "2026-01-01", "2026-01-01"],
                             "direction_deg": [45.0, None, 90.0], "fov_deg": [90.0, None, 60.0],
                             "range_m": [60.0, 50.0, None], "is_new": [False, True, True]},
                            geometry=gpd.points_from_xy(np.array([100.0, 600.0, 280.0]) + X0,
                                                        np.array([100.0, 300.0, 700.0]) + Y0),
                            crs="EPSG:32649")
    cand_xy = r.uniform(0, 800, (120, 2))
    cands = gpd.GeoDataFrame({"candidate_id": [f"K{i}" for i in range(120)]},
                             geometry=gpd.points_from_xy(cand_xy[:, 0] + X0, cand_xy[:, 1] + Y0),
                             crs="EPSG:32649")
    zones = gpd.GeoDataFrame({"tree_id": ["GS-0001"], "grade": [1], "radius_m": [60.0]},
                             geometry=[shapely.Point(X0 + 600, Y0 + 300).buffer(60)], crs="EPSG:32649")
    paths = {"inc": tmp_path / "incidents.gpkg", "cams": tmp_path / "cameras.geojson",
             "cands": tmp_path / "candidates.gpkg", "zones": tmp_path / "zones.gpkg"}
    inc.to_file(paths["inc"])
    cams.to_file(paths["cams"])
    cands.to_file(paths["cands"])
    zones.to_file(paths["zones"])
    return paths


def _run_json(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_coverage_command(files, tmp_path, capsys):
    before = _sha(files["inc"])
    out = tmp_path / "coverage.gpkg"
    doc = _run_json(capsys, ["cameras", "coverage", "--cameras", str(files["cams"]),
                             "--incidents", str(files["inc"]), "--out", str(out), "--json"])
    assert 0 < doc["share_covered"] < 1
    assert {r["type"] for r in doc["by_type"]} == {"ebike_theft", "fraud"}
    assert any("no direction" in w for w in doc["warnings"])
    wedges = gpd.read_file(out)
    assert len(wedges) == 3 and "incidents_seen" in wedges
    assert (tmp_path / "coverage_by_type.csv").exists()
    assert (tmp_path / "coverage_uncovered_clusters.gpkg").exists()
    assert _sha(files["inc"]) == before


def test_suggest_command_with_trees_and_gap(files, tmp_path, capsys):
    out = tmp_path / "sites.geojson"
    doc = _run_json(capsys, ["cameras", "suggest", "--incidents", str(files["inc"]),
                             "--cameras", str(files["cams"]), "--candidates", str(files["cands"]),
                             "--trees", str(files["zones"]), "--k", "5", "--min-spacing-m", "40",
                             "--half-life-days", "90", "--type", "ebike_theft",
                             "--out", str(out), "--json"])
    assert doc["k_chosen"] == 5
    assert doc["gap_to_optimum"] is not None and doc["gap_to_optimum"] <= 0.03
    assert doc["excluded_by_reason"].get("protection_zone", 0) >= 1
    sites = gpd.read_file(out)
    assert sites["rank"].tolist() == [1, 2, 3, 4, 5]
    assert (np.diff(sites["marginal_gain"]) <= 1e-9).all()
    curve = pd.read_csv(tmp_path / "sites_curve.csv")
    assert curve["k"].tolist() == list(range(6))
    excluded = gpd.read_file(tmp_path / "sites_excluded.geojson")
    assert excluded["reason"].str.contains("GS-0001").any()


def test_suggest_exact_without_candidates_csv_out(files, tmp_path, capsys):
    out = tmp_path / "sites.csv"
    doc = _run_json(capsys, ["cameras", "suggest", "--incidents", str(files["inc"]),
                             "--k", "3", "--solver", "exact", "--out", str(out), "--json"])
    assert doc["solver"] == "exact" and doc["candidates_generated"] is True
    assert pd.read_csv(out)["geometry_wkt"].str.startswith("POINT").all()


def test_impact_command(files, tmp_path, capsys):
    out = tmp_path / "impact.csv"
    doc = _run_json(capsys, ["cameras", "impact", "--cameras", str(files["cams"]),
                             "--incidents", str(files["inc"]), "--window-days", "120",
                             "--out", str(out), "--json"])
    row = doc["groups"][0]
    assert row["cameras"] == 2 and row["window_days"] == 120
    assert {"Rb", "Ra", "wdq", "interpretation"} <= set(row)
    assert pd.read_csv(out)["group"].tolist() == ["all new cameras"]
    assert (tmp_path / "impact_chart.csv").exists() and (tmp_path / "impact_areas.gpkg").exists()


def test_bad_input_gives_a_one_line_error(files, tmp_path, capsys):
    code = main(["cameras", "suggest", "--incidents", str(files["inc"]), "--candidates",
                 str(files["cands"]), "--trees", str(files["zones"]), "--exclude",
                 str(files["zones"]), "--k", "2", "--out", str(tmp_path / "s.txt")])
    assert code == 2 and "unsupported output format" in capsys.readouterr().err
    big = gpd.GeoDataFrame(geometry=[shapely.box(110.0, 37.0, 112.0, 39.0)], crs=4326)
    big.to_file(tmp_path / "everywhere.gpkg")
    code = main(["cameras", "suggest", "--incidents", str(files["inc"]), "--candidates",
                 str(files["cands"]), "--exclude", str(tmp_path / "everywhere.gpkg"),
                 "--out", str(tmp_path / "s.gpkg")])
    err = capsys.readouterr().err
    assert code == 2 and "no candidate site is left" in err and "exclusion polygon" in err
    assert not (tmp_path / "s.gpkg").exists()
    code = main(["cameras", "coverage", "--cameras", str(tmp_path / "missing.gpkg"),
                 "--incidents", str(files["inc"]), "--out", str(tmp_path / "c.gpkg")])
    assert code == 2 and "no such file" in capsys.readouterr().err


def test_incident_table_with_odd_columns(files, tmp_path, capsys):
    """A CSV whose coordinate and type columns mapdesk cannot guess: --x/--y/--field name them,
    the same options as `mapdesk hotspots`."""
    inc = gpd.read_file(files["inc"])
    table = pd.DataFrame({"E": inc.geometry.x, "N": inc.geometry.y, "kind": inc["案件类型"],
                          "when": inc["发生时间"].astype(str)})
    csv = tmp_path / "odd.csv"
    table.to_csv(csv, index=False)
    argv = ["cameras", "coverage", "--cameras", str(files["cams"]), "--incidents", str(csv),
            "--out", str(tmp_path / "cov.gpkg"), "--json"]
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err
    doc = _run_json(capsys, [*argv, "--x", "E", "--y", "N", "--crs", "EPSG:4326",
                             "--field", "type=kind", "--field", "time=when"])
    assert doc["incidents"] == len(inc)
    assert {r["type"] for r in doc["by_type"]} == {"ebike_theft", "fraud"}
