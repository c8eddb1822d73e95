import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from mapdesk.model import Filter, Layer, Project, ProjectError, Style


def _frame(n=50):
    return gpd.GeoDataFrame(
        {"type": ["fraud"] * n, "time": pd.date_range("2025-01-01", periods=n, freq="D")},
        geometry=gpd.points_from_xy(np.linspace(112.55, 112.57, n), np.full(n, 37.88)), crs=4326)


def test_events_and_order():
    p = Project()
    seen = []
    p.layer_changed.connect(lambda lyr, what: seen.append((lyr.name, what)))
    a = p.add_layer(Layer.from_frame("a", _frame()))
    b = p.add_layer(Layer.from_frame("b", _frame()))
    a.set_style(Style(color="#ff0000"))
    b.set_visible(False)
    assert seen == [("a", "style"), ("b", "visible")]
    p.move_layer(b, 0)
    assert [lyr.name for lyr in p.layers] == ["b", "a"]
    assert p.dirty


def test_result_layers_saved_beside_project(tmp_path):
    p = Project("t")
    lyr = p.add_layer(Layer.from_frame("cells", _frame()))
    lyr.set_filter(Filter(date_from="2025-01-10"))
    p.extent_wgs84 = (112.5, 37.8, 112.6, 37.9)
    p.save(tmp_path / "p.mapdesk.json")
    doc = json.loads((tmp_path / "p.mapdesk.json").read_text())
    assert doc["layers"][0]["source"].startswith("p.data/")
    assert not p.dirty


def test_missing_file_layer_is_marked_not_fatal(tmp_path):
    doc = {"mapdesk_project": 1, "title": "x",
           "layers": [{"name": "gone", "source": "nowhere.gpkg", "role": "incidents"}]}
    (tmp_path / "x.mapdesk.json").write_text(json.dumps(doc))
    p = Project.load(tmp_path / "x.mapdesk.json")
    assert p.layers[0].status == "missing"
    assert "nowhere.gpkg" in p.layers[0].error


def test_bad_project_files(tmp_path):
    with pytest.raises(ProjectError, match="not found"):
        Project.load(tmp_path / "none.mapdesk.json")
    (tmp_path / "bad.mapdesk.json").write_text("{not json")
    with pytest.raises(ProjectError, match="not valid JSON"):
        Project.load(tmp_path / "bad.mapdesk.json")
    (tmp_path / "other.json").write_text("[1, 2]")
    with pytest.raises(ProjectError, match="not a mapdesk project"):
        Project.load(tmp_path / "other.json")


def test_save_to_unwritable_folder(tmp_path):
    p = Project()
    with pytest.raises(Exception, match="does not exist|cannot"):
        p.save(tmp_path / "no" / "such" / "dir" / "p.mapdesk.json")


def test_style_copy_can_clear_categories():
    from mapdesk.model import Category

    s = Style(kind="categorized", categories=[Category("a", "A", "#ff0000")])
    assert s.copy(kind="single", categories=[]).categories == []
    c = s.copy(color="#00ff00")
    assert c.categories == s.categories and c.categories[0] is not s.categories[0]


def test_raster_result_round_trips_beside_the_project(tmp_path):
    from mapdesk.analysis.raster import RasterGrid

    vals = np.arange(12, dtype=float).reshape(3, 4)
    grid = RasterGrid(vals, (636200.0, 4192800.0, 636600.0, 4193100.0), "EPSG:32649", 100.0,
                      "incidents per km²", {"kernel": "quartic", "bandwidth_m": 150})
    p = Project("r")
    p.add_layer(Layer.from_raster("Density", grid))
    p.save(tmp_path / "r.mapdesk.json")
    back = Project.load(tmp_path / "r.mapdesk.json").layers[0]
    assert back.status == "ok" and isinstance(back.raster, RasterGrid)
    np.testing.assert_array_equal(back.raster.values, vals)
    assert back.raster.bounds == grid.bounds and back.raster.units == "incidents per km²"
    assert back.raster.params == {"kernel": "quartic", "bandwidth_m": 150}
