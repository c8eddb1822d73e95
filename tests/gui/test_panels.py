"""Panels on their own: analysis dock plumbing, identify, style categories, table sorting."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt

from mapdesk.gui.analysis_dock import result_layers
from mapdesk.gui.style_dialog import StyleDialog


def test_temporal_page_counts_filtered_incidents(window, incidents_layer, qtbot):
    window.add_layer(incidents_layer)
    page = window.analysis.pages[1]
    window.analysis.show_page(1)
    page.layer_combo.refresh()
    page.layer_combo.setCurrentIndex(page.layer_combo.findData(incidents_layer.id))
    page.run()
    qtbot.waitUntil(lambda: page.counts is not None, timeout=5000)
    t = incidents_layer.frame["time"]
    assert int(page.counts.sum()) == 300
    mon9 = int(((t.dt.weekday == 0) & (t.dt.hour == 9)).sum())
    assert int(page.counts[0, 9]) == mon9
    assert "Peak" in window.analysis.output.toPlainText()
    assert page.week_chart.paint_fn is not None and page.daily_chart.paint_fn is not None
    assert int(page.daily["count"].sum()) == 300


def test_result_layers_from_frames_and_grids(incidents_layer):
    class Grid:
        values = np.ones((3, 4))
        bounds = (0, 0, 400, 300)
        crs = "EPSG:32649"
        cell_m = 100.0
        units = "incidents per km²"
        params: dict = {}

    [r] = result_layers(Grid(), "density")
    assert r.kind == "raster" and r.name == "density"
    [v] = result_layers(incidents_layer.frame.head(5), "pts")
    assert v.kind == "vector" and len(v.frame) == 5
    assert result_layers(incidents_layer.frame.head(0), "none") == []


def test_analysis_results_are_added_as_one_undo_step(window, incidents_layer):
    window.add_layer(incidents_layer)
    window.analysis.add_result(incidents_layer.frame.head(10), "hot cells")
    assert window.project.layers[-1].name == "hot cells"
    assert window.current_layer is window.project.layers[-1]
    window.undo.undo()
    assert [lyr.name for lyr in window.project.layers] == ["incidents"]


def test_identify_shows_attributes(window, incidents_layer):
    window.add_layer(incidents_layer)
    window.canvas.identified.emit(incidents_layer, 4, {"type": "fraud", "loss_yuan": 12.0})
    t = window.identify_table
    rows = {t.item(r, 0).text(): t.item(r, 1).text() for r in range(t.rowCount())}
    assert rows["Layer"] == "incidents" and rows["Row"] == "5" and rows["type"] == "fraud"


def test_style_dialog_classify_and_hide_category(window, incidents_layer):
    window.add_layer(incidents_layer)
    dlg = StyleDialog(incidents_layer, window)
    dlg.field.setCurrentIndex(dlg.field.findData("status"))
    dlg.classify()
    cats = dlg.categories()
    assert {c.value for c in cats} == {"cleared", "reported"}
    dlg.cat_table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    st = dlg.style()
    assert st.kind == "categorized" and st.field == "status"
    assert [c.visible for c in st.categories] == [False, True]


def test_table_sorts_by_index_array(window, incidents_layer):
    window.add_layer(incidents_layer)
    m = window.table.model
    col = m.columns.index("loss_yuan")
    m.sort(col, Qt.SortOrder.DescendingOrder)
    vals = incidents_layer.frame["loss_yuan"].to_numpy()[m.rows]
    assert np.all(np.diff(vals) <= 0)
    assert m.data(m.index(0, col)) == f"{vals[0]:.6g}"
    # a selection survives sorting: rows map back to the right features
    window.table.select_table_rows([0])
    assert list(incidents_layer.selection) == [int(m.rows[0])]
    assert pd.notna(m.data(m.index(0, m.columns.index("time"))))


def test_filter_panel_follows_undo(window, incidents_layer):
    from mapdesk.model import Filter

    window.add_layer(incidents_layer)
    from mapdesk.gui.undo import apply_filter

    apply_filter(window.undo, incidents_layer, Filter(weekdays=[0, 1], hour_from=8, hour_to=18))
    fp = window.filter_panel
    assert [cb.isChecked() for cb in fp.weekday_checks] == [True, True] + [False] * 5
    assert fp.hours.values() == (8, 18)
    window.undo.undo()
    assert all(cb.isChecked() for cb in fp.weekday_checks)
    assert fp.hours.values() == (0, 24)


def test_legend_toggles_a_category_undoably(window, incidents_layer):
    window.add_layer(incidents_layer)
    legend = window.layer_panel.legend
    assert legend.count() == len(incidents_layer.style.categories) > 0
    legend.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert incidents_layer.style.categories[0].visible is False
    window.undo.undo()
    assert incidents_layer.style.categories[0].visible is True
    assert legend.item(0).checkState() == Qt.CheckState.Checked


def test_density_view_follows_the_time_window(window, incidents_layer, qtbot, monkeypatch):
    """A KDE result is recomputed when its incidents' filter (here the time window) changes."""
    import sys
    import types

    calls = []

    class Grid:
        def __init__(self, n, bounds=(0, 0, 100, 100)):
            self.values = np.full((2, 2), float(n))
            self.bounds = bounds
            self.crs = "EPSG:32649"
            self.cell_m = 50.0
            self.units = "incidents per km²"
            self.params = {"bandwidth_m": 120.0, "n_points": n}

    def kernel_density(points, *, cell_m=None, bandwidth_m=None, bounds=None, filter_text=None,
                       progress=None, cancelled=None):
        calls.append((len(points), cell_m, bandwidth_m, bounds))
        return Grid(len(points), bounds or (0, 0, 100, 100))

    fake = types.ModuleType("mapdesk.analysis.density")
    fake.kernel_density = kernel_density
    monkeypatch.setitem(sys.modules, "mapdesk.analysis.density", fake)
    window.add_layer(incidents_layer)
    page = window.analysis.pages[0]
    page.layer_combo.refresh()
    page.layer_combo.setCurrentIndex(page.layer_combo.findData(incidents_layer.id))
    page.method.setCurrentIndex(page.method.findData("kde"))
    page.run()
    qtbot.waitUntil(lambda: window.project.layers[-1].kind == "raster", timeout=5000)
    result = window.project.layers[-1]
    assert result.raster.params["n_points"] == 300
    window.layer_panel.set_current_layer(incidents_layer)
    ts = window.time_slider
    ts.window.setCurrentIndex(ts.window.findData("week"))
    ts.enabled.setChecked(True)
    n_week = incidents_layer.feature_count()[0]
    qtbot.waitUntil(lambda: result.raster.params["n_points"] == n_week, timeout=5000)
    assert calls[-1][1:] == (50.0, 120.0, (0, 0, 100, 100))  # same grid: frames are comparable


def test_tree_inspector_in_identify(window):
    import geopandas as gpd

    from mapdesk.model import Layer

    trees = gpd.GeoDataFrame({"tree_id": ["T1"], "species": ["油松"], "age_years": [320.0],
                              "dbh_cm": [80.0]}, geometry=gpd.points_from_xy([112.55], [37.88]),
                             crs="EPSG:4326")
    lyr = Layer.from_frame("trees", trees, role="trees",
                           field_map={"tree_id": "tree_id", "species": "species",
                                      "age_years": "age_years", "dbh_cm": "dbh_cm"})
    window.add_layer(lyr)
    window.canvas.identified.emit(lyr, 0, {"tree_id": "T1"})
    inspector = window.optional.get("tree_inspector")
    if inspector is not None:  # the registry helper's inspector takes over
        assert inspector.value("Tree ID") == "T1"
        assert window.docks["tree_inspector"].isVisible()
        return
    t = window.identify_table
    rows = {t.item(r, 0).text(): t.item(r, 1).text() for r in range(t.rowCount())}
    assert rows.get("Tree ID") == "T1"
    assert any("Grade 1" in v for v in rows.values())  # computed by the Shanxi rules


def test_drag_and_drop_reorders_layers(window, incidents_layer):
    from mapdesk.model import Layer

    a = Layer.from_frame("a", incidents_layer.frame.head(3))
    window.add_layer(incidents_layer)
    window.add_layer(a)
    model = window.layer_panel.model
    assert [model.layer_at(r).name for r in range(2)] == ["a", "incidents"]
    mime = model.mimeData([model.index(1)])  # drag "incidents" ...
    model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, model.index(-1))  # ... to the top
    assert [model.layer_at(r).name for r in range(2)] == ["incidents", "a"]
    assert window.project.layers[-1] is incidents_layer
    window.undo.undo()
    assert window.project.layers[-1] is a


def test_untouched_range_sliders_filter_nothing_even_for_lon_lat(qtbot):
    """Rounded spin boxes once turned the data's own min/max of 经度/纬度 into a condition
    and silently hid a quarter of the trees."""
    import geopandas as gpd
    import numpy as np
    from PySide6.QtGui import QUndoStack

    from mapdesk.gui.filter_panel import FilterPanel
    from mapdesk.model import Layer

    rng = np.random.default_rng(3)
    lon, lat = 112.5495 + rng.random(400) * 0.0233, 37.8812 + rng.random(400) * 0.0211
    frame = gpd.GeoDataFrame({"经度": lon, "纬度": lat, "age": rng.random(400) * 300},
                             geometry=gpd.points_from_xy(lon, lat), crs=4326)
    lyr = Layer.from_frame("trees", frame, role="trees", field_map={"age_years": "age"})
    panel = FilterPanel(QUndoStack())
    qtbot.addWidget(panel)
    panel.set_layer(lyr)
    assert panel.build_filter().ranges == {}
    panel.apply()
    assert lyr.feature_count() == (400, 400)
