"""Camera planning on the shipped sample data (skipped when sample_data/ is absent)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from mapdesk.analysis.coverage import coverage_report
from mapdesk.analysis.impact import camera_impact
from mapdesk.analysis.placement import suggest_sites


@pytest.fixture
def sample(sample_dir):
    names = ("incidents.gpkg", "cameras.geojson", "candidates.geojson")
    if not all((sample_dir / n).exists() for n in names):
        pytest.skip("sample_data/ is absent")
    inc = gpd.read_file(sample_dir / "incidents.gpkg")
    cams = gpd.read_file(sample_dir / "cameras.geojson")
    cams["install_date"] = pd.to_datetime(cams["install_date"], errors="coerce")
    cands = gpd.read_file(sample_dir / "candidates.geojson")
    return inc, cams, cands


def _zones(sample_dir):
    try:
        from mapdesk.domain.trees import protection_zones
    except ImportError:
        return None
    from mapdesk.io.schema import match_fields, to_canonical

    table = pd.read_csv(sample_dir / "trees.csv")
    trees = gpd.GeoDataFrame(to_canonical(table, match_fields(table.columns, "trees")),
                             geometry=gpd.points_from_xy(table["经度"], table["纬度"]), crs=4326)
    return protection_zones(trees)


def test_greedy_within_3_percent_of_optimum_on_sample(sample, sample_dir):
    inc, cams, cands = sample
    zones = _zones(sample_dir)
    for subset in (inc, inc[inc["type"].isin(["ebike_theft", "other_theft"])]):
        res = suggest_sites(subset, 19, candidates=cands, existing=cams, zones=zones,
                            min_spacing_m=30.0, compute_gap=True)
        assert res.gap is not None and res.gap <= 0.03
        assert len(res.sites) == 19
    if zones is not None:
        assert (res.excluded["reason_kind"] == "protection_zone").sum() >= 1


def test_new_cameras_cover_ebike_thefts_and_reduced_them(sample):
    inc, cams, _ = sample
    rep = coverage_report(cams, inc)
    by_type = rep.by_type.set_index("type")
    assert by_type.loc["ebike_theft", "share_covered"] > 0.5
    res = camera_impact(cams, inc, window_days=150, types=["ebike_theft"])
    row = res.table.iloc[0]
    assert row["cameras"] == 19
    assert row["Ra"] < row["Rb"] / 2
