"""Readable analysis summaries, styled result layers, charts in the dock, window fit."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PySide6.QtGui import QImage

from mapdesk.gui.analysis_dock import result_layers
from mapdesk.gui.chart_widget import ChartWidget
from mapdesk.gui.result_text import ResultText


def _non_white(img: QImage) -> int:
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    ptr = img.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint32, count=img.width() * img.height())
    return int((arr & 0xFFFFFF != 0xFFFFFF).sum())


def _gi_cells() -> gpd.GeoDataFrame:
    classes = ["Hot 99%"] * 31 + ["Hot 95%"] * 40 + ["Hot 90%"] * 28 + ["Cold 90%"] * 12 + ["Not significant"] * 50
    n = len(classes)
    g = gpd.GeoDataFrame({"count": np.arange(n), "gi_z": np.zeros(n), "gi_p": np.ones(n),
                          "gi_bin": 0, "gi_class": classes},
                         geometry=gpd.points_from_xy(np.arange(n) * 150.0, np.zeros(n)).buffer(70, cap_style=3),
                         crs="EPSG:32649")
    g.attrs["params"] = {"distance_m": 450.0, "n_points": 2911, "cell_m": 150.0,
                         "distance_source": "peak of incremental spatial autocorrelation (Global Moran's I z)"}
    return g


def test_gistar_summary_reads_like_a_sentence():
    text = ResultText("en").gistar(_gi_cells())
    assert "Gi*: 99 hot cells (31 at 99 %), 12 cold" in text
    assert "distance band 450 m (chosen by incremental spatial autocorrelation)" in text
    assert "2,911 incidents" in text and "cell 150 m" in text
    assert "<table" in text and "Hot spot, 99 % confidence" in text


def test_gistar_result_layer_is_categorized_by_class_red_and_blue():
    [lyr] = result_layers(_gi_cells(), "Gi*")
    assert lyr.style.kind == "categorized" and lyr.style.field == "gi_class"
    colors = {c.value: c.color.lower() for c in lyr.style.categories}
    assert colors["Hot 99%"] == "#b2182b" and colors["Cold 99%"] == "#2166ac"


def test_count_cells_are_graduated():
    g = _gi_cells().drop(columns=["gi_z", "gi_p", "gi_bin", "gi_class"])
    g.attrs["params"] = {"method": "square", "cell_m": 150.0, "n_points": int(g["count"].sum())}
    [lyr] = result_layers(g, "counts")
    assert lyr.style.kind == "graduated" and lyr.style.field == "count" and len(lyr.style.breaks) >= 3
    text = ResultText("en").describe(g)
    assert f"{int(g['count'].sum()):,} incidents in {len(g)} squares of 150 m" in text


def test_chart_widget_paints_and_saves_png(qtbot, tmp_path, dialogs):
    from mapdesk.render.charts import paint_line_chart

    w = ChartWidget(160)
    qtbot.addWidget(w)
    assert w.isHidden() or not w.isVisible()
    w.set_chart(lambda p, r: paint_line_chart(p, r, [0, 1, 2, 3], [10, 20, 25, 27], title="coverage"))
    w.resize(400, 220)
    w.show()
    img = w.canvas.grab().toImage()
    assert _non_white(img) > 500
    dialogs.save_path = str(tmp_path / "curve")
    w.save_dialog()
    out = tmp_path / "curve.png"
    assert out.exists()
    saved = QImage(str(out))
    assert (saved.width(), saved.height()) == (1200, 600) and _non_white(saved) > 1000


def test_chart_without_painter_is_blank(qtbot):
    w = ChartWidget(100)
    qtbot.addWidget(w)
    w.set_chart(None)
    w.canvas.resize(200, 100)
    assert w.paint_fn is None and _non_white(w.canvas.grab().toImage()) == 0


def test_camera_suggest_shows_ranked_sites_and_the_curve(window, incidents_layer, qtbot):
    window.add_layer(incidents_layer)
    page = window.analysis.pages[2]
    page.refresh()
    page.incidents_combo.setCurrentIndex(page.incidents_combo.findData(incidents_layer.id))
    page.task.setCurrentIndex(page.task.findData("suggest"))
    page.k.setValue(4)
    n = len(window.project.layers)
    page.run()
    qtbot.waitUntil(lambda: len(window.project.layers) > n, timeout=20000)
    qtbot.waitUntil(lambda: page.chart.paint_fn is not None, timeout=5000)
    text = window.analysis.output.toPlainText()
    assert "4 new sites would cover" in text and "Rank" in text and "Share covered" in text
    sites = [lyr for lyr in window.project.layers if lyr.name.endswith("(sites)")]
    assert len(sites) == 1 and len(sites[0].frame) == 4
    page.chart.canvas.resize(380, 200)
    assert _non_white(page.chart.canvas.grab().toImage()) > 300


def test_temporal_briefing_table_compares_yesterday_with_28_days(window, incidents_layer, qtbot):
    window.add_layer(incidents_layer)
    page = window.analysis.pages[1]
    page.refresh()
    page.layer_combo.setCurrentIndex(page.layer_combo.findData(incidents_layer.id))
    page.run()
    qtbot.waitUntil(lambda: page.briefing is not None, timeout=5000)
    brief = page.briefing
    t = page.briefing_table
    assert t.rowCount() == len(brief) and t.item(0, 0).text() == "All incidents"
    assert int(t.item(0, 1).text()) == int(brief.iloc[0]["count"])
    day = pd.Timestamp(brief.attrs["params"]["date"])
    times = incidents_layer.frame["time"]
    assert int(brief.iloc[0]["count"]) == int((times.dt.normalize() == day).sum())
    assert "Morning briefing" in page.briefing_label.text()


def test_window_tabs_fit_and_carry_full_names(window, qtbot):
    from PySide6.QtWidgets import QTabBar

    window._polish_dock_tabs()
    bars = [b for b in window.findChildren(QTabBar) if b.parent() is window and b.count()]
    assert bars
    for b in bars:
        for i in range(b.count()):
            assert "…" not in b.tabText(i)
            assert b.tabToolTip(i)
    assert window.docks["analysis"].toggleViewAction().text() == "Analysis"


def test_window_fits_a_1000_pixel_screen(window):
    assert window.minimumSizeHint().height() <= 1000


def test_project_opens_at_its_saved_view(window, incidents_layer, qtbot):
    if not hasattr(window.canvas, "set_extent_wgs84"):
        pytest.skip("placeholder canvas")
    window.add_layer(incidents_layer)
    window.project.extent_wgs84 = (112.555, 37.875, 112.565, 37.882)
    window.apply_saved_view()
    e = window.canvas.extent_wgs84()
    cx, cy = (e[0] + e[2]) / 2, (e[1] + e[3]) / 2
    assert cx == pytest.approx(112.56, abs=1e-3) and cy == pytest.approx(37.8785, abs=1e-3)
    assert e[2] - e[0] < 0.03  # not the full extent of the layers


def test_density_summary_and_ramp():
    from mapdesk.analysis.raster import RasterGrid

    grid = RasterGrid(values=np.array([[0.0, 5.0], [10.0, 20.0]]), bounds=(0, 0, 20, 20), crs="EPSG:32649",
                      cell_m=10.0, units="incidents per km²",
                      params={"n_points": 1234, "bandwidth_m": 150.0, "cell_m": 10.0,
                              "bandwidth_source": "ArcGIS default search radius"})
    [lyr] = result_layers(grid, "KDE")
    assert lyr.kind == "raster" and lyr.style.ramp == "YlOrRd" and lyr.style.vmax == pytest.approx(20.0)
    text = ResultText("en").describe(grid)
    assert "1,234 incidents" in text and "bandwidth 150 m" in text and "peak 20" in text


def test_grading_summary_is_a_sentence_and_a_table():
    s = {"trees": 400, "by_grade": {"1": 16, "2": 44, "3": 89, "4": 250, "none": 1}, "mismatches": 8,
         "trees_with_issues": 8, "issues": {"age_missing": 8}, "hints": []}
    text = ResultText("en").grading(s)
    assert "400 trees graded: grade 1 16, grade 2 44, grade 3 89, grade 4 250, not graded 1" in text
    assert "8 recorded grade(s) differ" in text and "<table" in text and "age_missing 8" in text
    assert "{'1'" not in text


def test_opening_a_project_in_the_background_keeps_the_window_responsive(window, qtbot):
    from mapdesk.gui.app import sample_project_path

    path = sample_project_path()
    if not path.exists():
        pytest.skip("no sample project")
    assert window.open_project(path, ask_save=False, background=True)
    assert window.jobs.busy() or len(window.project.layers) > 0
    ticks = []
    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    qtbot.waitUntil(lambda: not window.jobs.busy() and len(window.project.layers) > 3, timeout=20000)
    timer.stop()
    assert any(lyr.role == "incidents" and lyr.frame is not None and len(lyr.frame) > 1000
               for lyr in window.project.layers)
    assert not window.project.dirty
    assert window.windowTitle().startswith(path.name)
    assert ticks  # the event loop ran while the data loaded


def test_background_open_of_a_broken_file_shows_a_message(window, qtbot, dialogs, tmp_path):
    bad = tmp_path / "bad.mapdesk.json"
    bad.write_text("{not json", encoding="utf-8")
    before = window.project
    window.open_project(bad, ask_save=False, background=True)
    qtbot.waitUntil(lambda: "warning" in dialogs.kinds(), timeout=5000)
    assert window.project is before and "not valid JSON" in dialogs.calls[-1][2]


def test_switching_language_retitles_the_charts_without_new_messages(window, incidents_layer, qtbot):
    window.add_layer(incidents_layer)
    page = window.analysis.pages[1]
    page.refresh()
    page.layer_combo.setCurrentIndex(page.layer_combo.findData(incidents_layer.id))
    page.run()
    qtbot.waitUntil(lambda: page.counts is not None, timeout=5000)
    before = window.analysis.output.toPlainText()
    window.set_language("zh_CN")
    try:
        assert window.analysis.output.toPlainText() == before
        assert page.briefing_table.horizontalHeaderItem(1).text() == "昨日"
        assert window.docks["tree_inspector"].windowTitle() == "古树" if "tree_inspector" in window.docks else True
    finally:
        window.set_language("en")


def test_short_tool_page_leaves_the_room_to_the_summaries(window, qtbot):
    dock = window.analysis
    dock.show_page(0)
    qtbot.waitUntil(lambda: dock.stack.maximumHeight() < 600, timeout=2000)
    assert dock.stack.maximumHeight() >= dock.pages[0].sizeHint().height()


def test_a_quick_job_never_flashes_the_progress_bar(window, qtbot):
    done = []
    window.jobs.start(lambda progress, cancelled: 42, "quick", on_done=done.append)
    assert not window.job_progress.isVisible()
    qtbot.waitUntil(lambda: done == [42], timeout=5000)
    qtbot.wait(window.job_progress.show_delay_ms + 50)
    assert not window.job_progress.isVisible()


def test_census_summary_counts_states():
    f = pd.DataFrame({"census_state": ["overdue", "overdue", "ok", "never_surveyed", "due_this_year"]})
    text = ResultText("en").census(f, as_of="2026-11-28")
    assert text == "As of 2026-11-28: overdue 2, never surveyed 1, due this year 1, up to date 1 (5 trees)"


def test_conflicts_summary_counts_features_trees_and_grades():
    found = pd.DataFrame({"feature_index": [0, 0, 3], "tree_id": ["T1", "T2", "T1"], "grade": [1, 2, 1]})
    text = ResultText("en").describe(found)
    assert "3 conflict(s): 2 feature(s) of the planned works touch the protection zones of 2 tree(s)" in text
    assert "<td align='left'>Grade 1</td><td align='right'>2</td>" in text
