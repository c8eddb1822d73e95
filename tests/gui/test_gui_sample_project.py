"""The sample project in the window: it opens, renders, and the analysis tools run on it."""

from __future__ import annotations

import pytest

from mapdesk.gui.app import sample_project_path


@pytest.fixture
def sample_window(window):
    path = sample_project_path()
    if not path.exists():
        pytest.skip("sample_data/sample.mapdesk.json is absent")
    assert window.open_project(path)
    return window


def test_sample_opens_with_incidents_current_and_renders(sample_window, qtbot):
    w = sample_window
    assert w.current_layer is not None and w.current_layer.role == "incidents"
    assert all(lyr.status == "ok" for lyr in w.project.layers)
    qtbot.waitUntil(w.map_is_current, timeout=15000)
    assert w.time_slider.enabled.isEnabled()  # the incidents have a time column


def test_kde_and_camera_coverage_run_as_jobs(sample_window, qtbot):
    w = sample_window
    dock = w.analysis
    hp, _, cp, _ = dock.pages
    hp.refresh()
    hp.method.setCurrentIndex(hp.method.findData("kde"))
    n = len(w.project.layers)
    hp.run()
    qtbot.waitUntil(lambda: len(w.project.layers) == n + 1, timeout=30000)
    kde = w.project.layers[-1]
    assert kde.kind == "raster" and kde.raster.values.max() > 0
    assert kde.style.ramp == "YlOrRd" and kde.style.vmax == pytest.approx(float(kde.raster.values.max()))
    cp.refresh()
    cp.task.setCurrentIndex(cp.task.findData("coverage"))
    cp.run()
    qtbot.waitUntil(lambda: len(w.project.layers) > n + 1, timeout=30000)
    text = dock.output.toPlainText()
    assert "share_covered" not in text  # readable, not a dict dump
    assert "Existing cameras cover" in text and "of 3,025 incidents" in text
    assert "E-bike theft" in text and "%" in text


def test_rectangle_selection_on_the_map_reaches_the_table(sample_window, qtbot):
    from PySide6.QtCore import QRectF

    w = sample_window
    canvas = w.canvas
    if not hasattr(canvas, "select_in_rect"):
        pytest.skip("placeholder canvas")
    lyr = w.current_layer
    w.zoom_to_layer(lyr)
    qtbot.waitUntil(w.map_is_current, timeout=15000)
    cx, cy = canvas.width() / 2, canvas.height() / 2
    canvas.select_in_rect(QRectF(cx - 60, cy - 60, 120, 120), lyr)
    assert lyr.selection.size > 0
    rows = sorted({i.row() for i in w.table.view.selectionModel().selectedRows()})
    assert len(rows) == lyr.selection.size
    assert sorted(w.table.model.features_of(__import__("numpy").array(rows))) == sorted(lyr.selection)


def test_camera_impact_shows_before_after_table_wdq_and_bars(sample_window, qtbot):
    w = sample_window
    cp = w.analysis.pages[2]
    cp.refresh()
    cp.task.setCurrentIndex(cp.task.findData("impact"))
    assert not cp.k.isEnabled()  # only "suggest" uses the number of new cameras
    cp.run()
    qtbot.waitUntil(lambda: cp.chart.paint_fn is not None, timeout=30000)
    text = w.analysis.output.toPlainText()
    assert "Covered area" in text and "Buffer" in text and "Control area" in text
    assert "WDQ" in text and "Before" in text and "After" in text
    cp.chart.canvas.resize(400, 220)
    img = cp.chart.canvas.grab().toImage()
    painted = sum(img.pixelColor(x, y).name() != "#ffffff" for x in range(0, 400, 5) for y in range(0, 220, 5))
    assert painted > 100  # bars, axes and labels, not a blank chart


def test_tree_grading_and_census_summaries_are_readable(sample_window, qtbot):
    w = sample_window
    tp = w.analysis.pages[3]
    tp.refresh()
    for task, needle in (("grade", "trees graded: grade 1"), ("census", "overdue")):
        tp.task.setCurrentIndex(tp.task.findData(task))
        n = len(w.project.layers)
        tp.run()
        qtbot.waitUntil(lambda n=n: len(w.project.layers) > n, timeout=20000)
        qtbot.waitUntil(lambda needle=needle: needle in w.analysis.output.toPlainText(), timeout=5000)
    text = w.analysis.output.toPlainText()
    assert "by_grade" not in text and "{'1'" not in text


def test_period_comparison_arrives_as_three_layers_on_one_scale(sample_window, qtbot):
    w = sample_window
    hp = w.analysis.pages[0]
    hp.refresh()
    hp.method.setCurrentIndex(hp.method.findData("compare"))
    n = len(w.project.layers)
    hp.run()
    qtbot.waitUntil(lambda: len(w.project.layers) == n + 3, timeout=30000)
    a, b, d = w.project.layers[-3:]
    assert a.style.vmax == b.style.vmax and a.style.ramp == "YlOrRd"
    assert d.style.ramp == "RdBu_r" and d.style.vmin == -d.style.vmax
    text = w.analysis.output.toPlainText()
    assert "Period A" in text and "period B" in text and "incidents" in text
