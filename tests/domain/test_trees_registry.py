import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from mapdesk.domain.trees import grade_trees
from mapdesk.domain.trees.census import census_state
from mapdesk.domain.trees.registry import column_label, export_registry, tree_record
from mapdesk.errors import ExportError


def _frame():
    return gpd.GeoDataFrame({
        "tree_id": ["XHL-001", "XHL-002"],
        "species": ["国槐", "油松"],
        "age_years": ["约320年", 150],
        "famous": ["否", "是"],
        "dbh_cm": [85, None],
        "crown_diameter_m": ["8×6", None],
        "recorded_grade": ["一级", "II级"],
        "last_survey": ["2019-05-10", None],
        "adopted_by": ["山西某银行", None],
        "community": ["新建北路社区", "大北门社区"],
        "备注": ["村口", ""],
    }, geometry=[Point(112.5601, 37.8801), Point(112.5612, 37.8811)], crs=4326)


def test_tree_record_english():
    graded = census_state(grade_trees(_frame()), "2025-01-01")
    rec = tree_record(graded.iloc[0], crs=graded.crs)
    d = {en: v for en, _zh, v in rec}
    assert d["Tree ID"] == "XHL-001"
    assert d["Latin name"] == "Styphnolobium japonicum"
    assert d["Age (years)"] == "约320年 (read as 320 years)"
    assert d["Computed grade"] == "Grade 1"
    assert d["Grade reason"].startswith("ancient tree, 320 years ≥ 300")
    assert d["Census state"] == "Overdue"
    assert d["Next survey due"] == "2024-05-10"
    assert d["Adopted / sponsored by"] == "山西某银行"
    assert d["Location"] == "112.560100, 37.880100 (WGS 84)"
    assert d["Protection zone radius"] == "8.5 m (crown 3.5 m + 5 m)"
    assert d["备注"] == "村口"
    assert all(len(t) == 3 and all(isinstance(x, str) for x in t) for t in rec)


def test_tree_record_chinese_from_raw_row():
    rec = tree_record(_frame().iloc[1], lang="zh", crs=4326, as_of="2025-01-01")
    d = {zh: v for _en, zh, v in rec}
    assert d["计算等级"] == "一级"
    assert d["定级依据"] == "名木，树龄150年"
    assert d["等级不符"] == "是"
    assert d["普查状态"] == "从未普查"
    assert d["叶性"] == "常绿（按树种）"
    assert d["保护范围半径"] == "15米（冠幅未知，按固定半径）"


def test_column_labels():
    assert column_label("age_years", "zh") == "树龄"
    assert column_label("grade_computed", "zh") == "计算等级"
    assert column_label("other") == "other"


def test_export_csv_excel_gpkg(tmp_path):
    graded = census_state(grade_trees(_frame()), "2025-01-01")
    csv = export_registry(graded, tmp_path / "r.csv", chinese_headers=True)
    raw = csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so that Excel reads UTF-8
    back = pd.read_csv(csv, encoding="utf-8-sig")
    assert {"古树编号", "计算等级", "定级依据", "经度", "纬度"} <= set(back.columns)
    assert back["计算等级"].tolist() == [1, 1]

    xlsx = export_registry(graded, tmp_path / "r.xlsx")
    xb = pd.read_excel(xlsx)
    assert xb["grade_reason_zh"].iloc[1] == "名木，树龄150年"
    assert xb["lon"].iloc[0] == pytest.approx(112.5601)

    gpkg = export_registry(graded, tmp_path / "r.gpkg")
    gb = gpd.read_file(gpkg, layer="trees")
    assert gb.crs.to_epsg() == 4326 and len(gb) == 2
    assert gb["grade_computed"].tolist() == [1, 1]


def test_export_keeps_own_coordinate_columns(tmp_path):
    frame = _frame()
    frame["经度"] = frame.geometry.x
    frame["纬度"] = frame.geometry.y
    out = pd.read_csv(export_registry(frame, tmp_path / "r.csv"), encoding="utf-8-sig")
    assert "lon" not in out.columns and "经度" in out.columns


def test_export_errors_leave_nothing(tmp_path):
    with pytest.raises(ExportError):
        export_registry(_frame(), tmp_path / "r.docx")
    with pytest.raises(ExportError):
        export_registry(pd.DataFrame({"tree_id": ["a"]}), tmp_path / "r.gpkg")
    with pytest.raises(ExportError):
        export_registry(_frame(), tmp_path / "missing" / "r.csv")
    assert list(tmp_path.iterdir()) == []
