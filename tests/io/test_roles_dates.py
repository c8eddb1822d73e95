"""Role detection, user overrides, and parsing the role's date fields in place."""

import pandas as pd
import pytest

from mapdesk.errors import LoadError
from mapdesk.io import load_layer
from mapdesk.io.dates import parse_datetimes


def test_incidents_with_chinese_dates_and_unparsable_values(write_bytes):
    text = ("警情编号,案件类型,发生时间,经度,纬度\n"
            "J1,电动车被盗,2024年3月5日 08:30,112.562,37.888\n"
            "J2,诈骗,2024-03-06 21:15:00,112.563,37.889\n"
            "J3,纠纷,不详,112.564,37.890\n"
            "J4,求助,,112.565,37.891\n")
    layer = load_layer(write_bytes("警情.csv", text))
    assert layer.role == "incidents"
    assert layer.field_map == {"incident_id": "警情编号", "type": "案件类型", "time": "发生时间"}
    t = layer.frame["发生时间"]
    assert t.dtype.kind == "M"
    assert t.iloc[0] == pd.Timestamp("2024-03-05 08:30")
    assert t.iloc[1] == pd.Timestamp("2024-03-06 21:15")
    assert pd.isna(t.iloc[2]) and pd.isna(t.iloc[3])
    assert layer.report.unparsed_dates == {"发生时间": 1}  # the empty value is not "unparsable"
    assert len(layer.frame) == 4  # rows kept
    assert list(layer.frame["案件类型"]) == ["电动车被盗", "诈骗", "纠纷", "求助"]  # types left as-is


def test_incident_time_windows(write_bytes):
    text = ("id,type,time_start,time_end,lon,lat\n"
            "1,ebike_theft,2024-05-01 19:00,2024-05-02 07:30,112.56,37.88\n"
            "2,ebike_theft,1714590000000,1714633200000,112.56,37.88\n")
    layer = load_layer(write_bytes("thefts.csv", text))
    assert layer.role == "incidents"
    assert layer.frame["time_start"].iloc[0] == pd.Timestamp("2024-05-01 19:00")
    assert layer.frame["time_end"].dtype.kind == "M"
    assert layer.frame["time_end"].iloc[1] == pd.Timestamp(1714633200000, unit="ms")


def test_cameras_and_trees_dates(write_bytes):
    cams = load_layer(write_bytes("cams.csv", "camera_id,install_date,direction_deg,fov_deg,range_m,lon,lat\n"
                                  "C1,2023-06-01,90,60,40,112.56,37.88\nC2,2023/7/15,180,90,30,112.57,37.89\n"))
    assert cams.role == "cameras"
    assert list(cams.frame["install_date"]) == [pd.Timestamp("2023-06-01"), pd.Timestamp("2023-07-15")]
    trees = load_layer(write_bytes("古树.csv", "古树编号,树种,树龄,胸径,最近普查,经度,纬度\n"
                                   "T1,国槐,520,95,2019年5月3日,112.56,37.88\n"))
    assert trees.role == "trees"
    assert trees.frame["最近普查"].iloc[0] == pd.Timestamp("2019-05-03")


def test_generic_layer_and_overrides(write_bytes):
    p = write_bytes("things.csv", "name,when,kind,lon,lat\na,2024-01-02,x,112.5,37.8\n")
    layer = load_layer(p)
    assert layer.role == "generic" and layer.field_map == {}
    assert layer.frame["when"].dtype.kind == "M"  # pyarrow already reads ISO dates
    over = load_layer(p, role="incidents", field_map={"type": "kind", "time": "when"})
    assert over.role == "incidents"
    assert over.field_map["type"] == "kind" and over.field_map["time"] == "when"
    with pytest.raises(LoadError, match="unknown role"):
        load_layer(p, role="rivers")
    with pytest.raises(LoadError, match="no column 'nope'"):
        load_layer(p, role="incidents", field_map={"type": "nope"})
    with pytest.raises(LoadError, match="not a field of role incidents"):
        load_layer(p, role="incidents", field_map={"species": "kind"})


def test_name_hint_decides_role(write_bytes):
    # One key field (type) plus "crime" in the file name is enough.
    layer = load_layer(write_bytes("crime_2024.csv", "category,lon,lat\nrobbery,-2.3,53.4\n"))
    assert layer.role == "incidents"


@pytest.mark.parametrize(
    ("values", "expected", "bad"),
    [
        (["2024年3月5日 08:30", "2024年12月31日"], ["2024-03-05 08:30", "2024-12-31"], 0),
        (["2024年3月5日 8时30分", "x"], ["2024-03-05 08:30", None], 1),
        ([1546214400000, None], ["2018-12-31", None], 0),
        ([1546214400, 1546300800], ["2018-12-31", "2019-01-01"], 0),
        (["1/1/14", "12/31/14"], ["2014-01-01", "2014-12-31"], 0),
        ([3, 4], [None, None], 2),
    ],
)
def test_parse_datetimes(values, expected, bad):
    out, n_bad = parse_datetimes(pd.Series(values))
    assert out.dtype.kind == "M"
    assert [None if pd.isna(v) else v for v in out] == [None if e is None else pd.Timestamp(e) for e in expected]
    assert n_bad == bad
