"""``mapdesk trees ...`` on a registry CSV with the Chinese headers the sample data ships."""

import hashlib
import json

import geopandas as gpd
import pandas as pd
import pytest

from mapdesk.cli import main

HEADER = "古树编号,树种,树龄,是否名木,叶性,胸径(cm),株高(m),地径(cm),冠幅(m),保护等级,最近普查,认养/捐资,所属社区,经度,纬度"
ROWS = [
    "XHL-001,国槐,约320年,否,,85,14,,12,一级,2019-05-10,山西某银行,新建北路社区,112.5601,37.8801",
    "XHL-002,油松,三百年,否,常绿,60,10,,8×6,二级,2022-04-01,,胜利街社区,112.5612,37.8811",
    "XHL-003,侧柏,300-350,否,,,,,,一级,,,胜利街社区,112.5623,37.8790",
    "XHL-004,毛白杨,,否,,25,18,,6,四级,2018-09-01,,新建北路社区,,",
    "XHL-005,银杏,15,是,,12,5,,,,2021-06-01,,大北门社区,112.5634,37.8822",
    "XHL-005,旱柳,60,否,,450,9,,10,三级,2020-07-01,张先生,大北门社区,112.5645,37.8833",
    "XHL-007,白蜡,-5,否,,30,8,,,四级,2024-01-01,,大北门社区,112.5656,37.8844",
]


@pytest.fixture
def registry(tmp_path):
    p = tmp_path / "古树名录.csv"
    p.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return p


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _run(capsys, *argv):
    code = main(["trees", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_grade_json_and_output(tmp_path, registry, capsys):
    before = _sha(registry)
    out = tmp_path / "graded.csv"
    code, stdout, _ = _run(capsys, "grade", registry, "--out", out, "--json")
    assert code == 0
    doc = json.loads(stdout)
    assert _sha(registry) == before
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    # the user's own headers come back, with the computed columns added
    assert {"古树编号", "树龄", "grade_computed", "grade_reason", "grade_reason_zh", "grade_mismatch"} <= set(table.columns)
    by_id = table.drop_duplicates("古树编号").set_index("古树编号")
    assert by_id.loc["XHL-001", "grade_computed"] == "1"
    assert by_id.loc["XHL-002", "grade_mismatch"] == "True"  # recorded 二级, 300 years is grade 1
    assert by_id.loc["XHL-003", "grade_reason"].startswith("ancient tree, 300 years ≥ 300 (lower bound")
    assert doc["issues"]["duplicate_tree_id"] == 2
    assert doc["issues"]["dbh_suspicious"] == 1
    assert doc["issues"]["age_impossible"] == 1
    assert doc["issues"]["age_range"] == 1
    assert doc["without_coordinates"] == 1
    assert doc["mismatches"] >= 1
    assert sum(doc["by_grade"].values()) == doc["trees"]


def test_grade_dbh_unit_option(tmp_path, registry, capsys):
    out = tmp_path / "graded.xlsx"
    code, stdout, _ = _run(capsys, "grade", registry, "--out", out, "--json", "--dbh-unit", "mm",
                           "--chinese-headers")
    assert code == 0
    doc = json.loads(stdout)
    assert "dbh_suspicious" not in doc["issues"]
    assert doc["issues"]["dbh_converted"] >= 1
    assert "计算等级" in pd.read_excel(out).columns


def test_census(tmp_path, registry, capsys):
    out, wl = tmp_path / "census.gpkg", tmp_path / "worklist.csv"
    code, stdout, _ = _run(capsys, "census", registry, "--as-of", "2024-06-01", "--out", out,
                           "--worklist", wl, "--json")
    assert code == 0
    doc = json.loads(stdout)
    assert doc["as_of"] == "2024-06-01"
    s = doc["by_state"]
    assert sum(s.values()) == doc["trees"]
    assert s["never_surveyed"] == 1  # XHL-003
    assert s["overdue"] >= 1  # XHL-001 (2019-05-10)
    assert gpd.read_file(out)["census_state"].notna().all()
    work = pd.read_csv(wl, encoding="utf-8-sig")
    assert "XHL-001" in work["tree_id"].tolist()
    assert list(work["community"]) == sorted(work["community"], key=list(dict.fromkeys(work["community"])).index)


def test_census_human_output(tmp_path, registry, capsys):
    code, stdout, _ = _run(capsys, "census", registry, "--as-of", "2024-06-01", "--out", tmp_path / "c.csv")
    assert code == 0 and "as of 2024-06-01" in stdout


def test_zones_with_settings(tmp_path, registry, capsys):
    out = tmp_path / "zones.gpkg"
    code, stdout, _ = _run(capsys, "zones", registry, "--out", out, "--margin-m", "1=6",
                           "--fixed-radius-m", "1=20,2=14", "--json")
    assert code == 0
    doc = json.loads(stdout)
    z = gpd.read_file(out).set_index("tree_id")
    assert z.loc["XHL-001", "radius_m"] == 12.0  # crown 12/2 + 6
    assert z.loc["XHL-003", "radius_m"] == 20.0  # crown unknown, fixed
    assert doc["zones"] == len(z)
    assert z.crs.to_epsg() == 4326


def test_conflicts(tmp_path, registry, capsys):
    sites = tmp_path / "cams.csv"
    sites.write_text("点位编号,经度,纬度\nC1,112.56012,37.88012\nC2,112.57,37.89\n", encoding="utf-8")
    out = tmp_path / "conflicts.geojson"
    code, stdout, _ = _run(capsys, "conflicts", registry, "--against", sites, "--out", out, "--json")
    assert code == 0
    doc = json.loads(stdout)
    assert doc["conflicts"] == 1 and doc["features"] == 2
    c = gpd.read_file(out)
    assert c["tree_id"].tolist() == ["XHL-001"]
    assert c["feature_id"].tolist() == ["C1"]
    assert c["distance_m"].iloc[0] == pytest.approx(2.83, abs=0.05)
    csv_out = tmp_path / "conflicts.csv"
    assert _run(capsys, "conflicts", registry, "--against", sites, "--out", csv_out)[0] == 0
    assert pd.read_csv(csv_out, encoding="utf-8-sig")["tree_id"].tolist() == ["XHL-001"]


@pytest.mark.parametrize("argv,words", [
    (["zones", "{reg}", "--out", "{tmp}/z.csv"], "gpkg"),
    (["zones", "{reg}", "--out", "{tmp}/z.gpkg", "--margin-m", "7=3"], "grade must be 1-4"),
    (["zones", "{reg}", "--out", "{tmp}/z.gpkg", "--margin-m", "x"], "GRADE=METRES"),
    (["census", "{reg}", "--out", "{tmp}/c.csv", "--as-of", "someday"], "not a date"),
    (["grade", "{tmp}/missing.csv", "--out", "{tmp}/g.csv"], "missing.csv"),
    (["grade", "{reg}", "--out", "{tmp}/nofolder/g.csv"], "does not exist"),
])
def test_user_errors(tmp_path, registry, capsys, argv, words):
    argv = [a.format(reg=registry, tmp=tmp_path) for a in argv]
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert "mapdesk: error:" in err and words in err
    assert "Traceback" not in err


def test_girth_column_is_read_as_circumference(tmp_path, capsys):
    p = tmp_path / "girth.csv"
    p.write_text("古树编号,树种,树龄,胸围(cm),经度,纬度\nA,国槐,10,63,112.56,37.88\nB,国槐,10,62,112.57,37.88\n",
                 encoding="utf-8")
    out = tmp_path / "g.csv"
    code, stdout, err = _run(capsys, "grade", p, "--out", out, "--json")
    assert code == 0
    assert "circumference" in err
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert table["grade_computed"].tolist()[0] == 4  # 63 / pi = 20.05 cm
    assert pd.isna(table["grade_computed"].iloc[1])  # 62 / pi = 19.7 cm
    assert "胸围(cm)" in table.columns
