"""The daily briefing PDF: four pages, the day's counts, top places against the previous period."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from export_factories import make_project, stub_paint_map

from mapdesk.errors import ExportError, MapdeskError
from mapdesk.export.briefing import Periods, parse_day, top_cells, write_briefing

DAY = "2026-11-20"


def incidents_56_days(seed: int = 5):
    """Two months of incidents; a hot spot that is busier in the last 28 days."""
    rng = np.random.default_rng(seed)
    n = 3000
    start = pd.Timestamp("2026-09-20")
    t = start + pd.to_timedelta(rng.integers(0, 62 * 24 * 60, n), unit="min")
    lon = 112.560 + rng.normal(0, 0.006, n)
    lat = 37.880 + rng.normal(0, 0.005, n)
    hot = rng.random(n) < 0.25
    late = t >= pd.Timestamp("2026-10-24")
    hot &= late
    lon[hot] = 112.5700 + rng.normal(0, 0.0003, hot.sum())
    lat[hot] = 37.8700 + rng.normal(0, 0.0003, hot.sum())
    types = rng.choice(["ebike_theft", "fraud", "dispute"], n)
    comm = np.where(lon > 112.56, "胜利街社区", "新建北路社区")
    return gpd.GeoDataFrame({"incident_id": np.arange(n).astype(str), "type": types, "time": t,
                             "community": comm}, geometry=gpd.points_from_xy(lon, lat), crs=4326)


def _text(reader, i):
    return re.sub(r"\s+", " ", reader.pages[i].extract_text())


def test_briefing_has_four_pages_with_the_days_counts(tmp_path):
    from pypdf import PdfReader

    inc = incidents_56_days()
    out = tmp_path / "briefing.pdf"
    res = write_briefing(inc, out, day=DAY, project=make_project(), lang="zh_CN",
                         map_painter_for=lambda p: stub_paint_map)
    reader = PdfReader(out)
    assert len(reader.pages) == res.pages == 4
    on_day = int((inc["time"].dt.normalize() == pd.Timestamp(DAY)).sum())
    assert res.info["incidents_on_day"] == on_day
    p1 = _text(reader, 0)
    assert f"每日简报 {DAY}" in p1 and f"{DAY} 共 {on_day} 起警情" in p1
    assert "电动车被盗" in p1  # the legend counts the day's incidents by type, in Chinese
    assert "第 4 页，共 4 页" in _text(reader, 3)
    p4 = _text(reader, 3)
    assert "高发网格" in p4 and "胜利街社区" in p4


def test_top_cells_compare_periods():
    inc = incidents_56_days()
    per = Periods.for_day(parse_day(DAY))
    assert per.cur == (parse_day("2026-10-24"), parse_day(DAY))
    assert per.prev == (parse_day("2026-09-26"), parse_day("2026-10-23"))
    cells = top_cells(inc, per, cell_m=250.0, n=5)
    top = cells.iloc[0]
    # The hot spot (at 37.870 N, 112.570 E) leads, and it was quiet in the previous period.
    assert abs(top["lat"] - 37.870) < 0.003 and abs(top["lon"] - 112.570) < 0.003
    assert top["last"] > 3 * max(top["prev"], 1) and top["change"] == top["last"] - top["prev"]
    assert list(cells["last"]) == sorted(cells["last"], reverse=True)


def test_briefing_bad_input(tmp_path):
    inc = incidents_56_days()
    out = tmp_path / "b.pdf"
    out.write_text("old")
    with pytest.raises(ExportError, match="already exists"):
        write_briefing(inc, out, day=DAY, map_painter_for=lambda p: stub_paint_map)
    assert out.read_text() == "old"
    with pytest.raises(MapdeskError, match="YYYY-MM-DD"):
        write_briefing(inc, tmp_path / "c.pdf", day="20/11/2026", map_painter_for=lambda p: stub_paint_map)
    with pytest.raises(ExportError, match="time"):
        write_briefing(inc.drop(columns="time"), tmp_path / "d.pdf", day=DAY)
    with pytest.raises(ExportError, match="no incidents"):
        write_briefing(inc.iloc[:0], tmp_path / "e.pdf", day=DAY)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.pdf"]


def test_default_day_is_yesterday():
    import datetime as dt

    assert parse_day(None) == dt.date.today() - dt.timedelta(days=1)
