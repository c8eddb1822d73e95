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
    cp.refresh()
    cp.task.setCurrentIndex(cp.task.findData("coverage"))
    cp.run()
    qtbot.waitUntil(lambda: len(w.project.layers) > n + 1, timeout=30000)
    assert "share_covered" in dock.output.toPlainText()
