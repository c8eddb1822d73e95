"""Database tables through mapdesk.io.load_layer / list_layers: the file loader's steps apply."""

from __future__ import annotations

import pandas as pd
import pytest

from mapdesk.errors import LoadError
from mapdesk.io import list_layers, load_layer
from mapdesk.io.postgis import AuthenticationFailed, TableNotFound
from mapdesk.io.postgis.connections import connect
from mapdesk.io.postgis.load import geometry_type_name, load_table


@pytest.fixture
def incidents(pg_dsn):
    with connect(pg_dsn, autocommit=True) as c:
        c.execute("CREATE TABLE 案件 (编号 text, 案件类型 text, 发生时间 text, 状态 text, geom geometry(Point, 4326))")
        c.execute("INSERT INTO 案件 SELECT 'A' || i, CASE WHEN i % 2 = 0 THEN '电动车被盗' ELSE '诈骗' END, "
                  "CASE WHEN i = 3 THEN 'not a date' ELSE '2024-03-0' || (1 + i % 9) || ' 08:30' END, '已受理', "
                  "CASE WHEN i = 7 THEN NULL ELSE ST_SetSRID(ST_MakePoint(112.5 + i * 0.01, 37.8), 4326) END "
                  "FROM generate_series(0, 19) i")
    return pg_dsn + "?table=public.案件"


def test_role_fields_dates_and_report(incidents):
    assert list_layers(incidents) == [("public.案件", "Point")]
    ld = load_layer(incidents)
    assert ld.role == "incidents" and ld.name == "案件"
    assert ld.field_map["time"] == "发生时间" and ld.field_map["type"] == "案件类型"
    assert pd.api.types.is_datetime64_any_dtype(ld.frame["发生时间"])
    assert ld.report.unparsed_dates == {"发生时间": 1}
    assert ld.report.rejected == {"missing geometry": 1} and ld.report.rejected_examples["missing geometry"] == [8]
    assert (ld.report.total_rows, ld.report.loaded_rows, len(ld.frame)) == (20, 19, 19)
    assert ld.frame.crs.to_epsg() == 4326 and ld.report.crs.startswith("EPSG:4326")
    assert "mapdesk-test-pw" not in ld.source and "table=public." in ld.source
    assert list(ld.frame.index) == list(range(19))
    assert any("no spatial index on geom" in w and "mapdesk db create-index" in w for w in ld.report.warnings)
    with connect(incidents) as c:
        c.execute("CREATE INDEX ON 案件 USING GIST (geom)")
        c.commit()
    assert not any("spatial index" in w for w in load_layer(incidents).report.warnings)


def test_limit_bbox_role_fieldmap_coords(incidents):
    ld = load_table(incidents, limit=5)
    assert len(ld.frame) <= 5 and any("row limit reached: " in w and "of 20 rows read" in w for w in ld.report.warnings)
    ld = load_table(incidents, bbox=(112.495, 37.7, 112.535, 37.9))
    assert sorted(ld.frame["编号"]) == ["A0", "A1", "A2", "A3"]
    ld = load_layer(incidents, role="generic")
    assert ld.role == "generic"
    ld = load_layer(incidents, role="incidents", field_map={"status": "状态"})
    assert ld.field_map["status"] == "状态"
    ld = load_layer(incidents, coords="gcj02")
    assert ld.report.datum == "gcj02" and abs(ld.frame.geometry.x[0] - 112.5) > 1e-4


def test_bad_options_and_missing(pg_dsn, incidents):
    with pytest.raises(LoadError, match="--encoding, --x/--y apply to files"):
        load_layer(incidents, encoding="gbk", x="lon", y="lat")
    with pytest.raises(LoadError, match="no layer 'other'"):
        load_layer(incidents, "other")
    assert len(load_layer(incidents, "public.案件").frame) == 19
    with pytest.raises(LoadError, match="unknown role"):
        load_table(incidents, role="bogus")
    with pytest.raises(TableNotFound, match="no table public.nope.*public.案件"):
        load_layer(pg_dsn + "?table=nope")
    with pytest.raises(AuthenticationFailed):
        load_layer(incidents.replace("mapdesk-test-pw", "nope"))
    with pytest.raises(LoadError, match="table=schema.name"):
        load_layer(pg_dsn)


def test_geometry_type_names():
    assert geometry_type_name("MULTIPOLYGON") == "MultiPolygon"
    assert geometry_type_name("POINTM") == "Point"
    assert geometry_type_name("GEOMETRY") == "Unknown"
