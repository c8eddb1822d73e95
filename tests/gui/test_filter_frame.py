"""A filter change reaches the screen first: the map frame starts at once, panels that are
not the map (the camera plan's numbers) follow after it, and everything still follows the
filter (table, counts, map)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from mapdesk.gui.canvas import MapCanvas
from mapdesk.model import Filter, Project


def test_filter_change_starts_the_frame_at_once(qtbot, incidents_layer):
    project = Project("f")
    project.add_layer(incidents_layer)
    canvas = MapCanvas(project)
    qtbot.addWidget(canvas)
    canvas.resize(400, 300)
    canvas.show()
    assert canvas.wait_rendered()
    job = canvas._latest_job[0]
    incidents_layer.set_filter(Filter(categories={"type": ["fraud"]}))
    # no coalescing delay: the frame was handed to the render thread inside the change
    assert canvas._latest_job[0] == job + 1 and not canvas._timer.isActive()
    assert canvas.wait_rendered()
    report = canvas.last_report.layer(incidents_layer.id)
    assert report.n_features == int((incidents_layer.frame["type"] == "fraud").sum())
    # other changes still coalesce
    incidents_layer.set_opacity(0.5)
    assert canvas._timer.isActive()
    assert canvas.wait_rendered()


def test_window_follows_the_filter_table_counts_and_map(window, incidents_layer, qtbot):
    window.add_layer(incidents_layer)
    assert window.canvas.wait_rendered()
    box = window.filter_panel.categories["type"]
    keep = [box.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(box.list.count())][:2]
    for i in range(box.list.count()):
        if box.list.item(i).data(Qt.ItemDataRole.UserRole) not in keep:
            box.list.item(i).setCheckState(Qt.CheckState.Unchecked)
    window.filter_panel.apply()
    want = np.flatnonzero(incidents_layer.frame["type"].isin(keep).to_numpy())
    # the table, the counts and the map all show the filtered rows once the event loop ran
    assert window.canvas.wait_rendered()
    np.testing.assert_array_equal(np.sort(window.table.model.rows), want)
    assert window.filter_panel.count.text() == f"{want.size:,} of 300 incidents"
    assert f"{want.size:,} of 300" in window.count_label.text()
    assert window.canvas.last_report.layer(incidents_layer.id).n_features == want.size
    assert window.table.rows_to_export()["type"].isin(keep).all()


def test_table_repaints_after_the_map_frame(window, incidents_layer, qtbot):
    window.add_layer(incidents_layer)
    assert window.canvas.wait_rendered()
    qtbot.waitUntil(window.table.view.updatesEnabled, timeout=2000)
    incidents_layer.set_filter(Filter(categories={"type": ["dog"]}))
    n = int((incidents_layer.frame["type"] == "dog").sum())
    # the rows follow at once; only the painting waits for the map's new frame
    assert window.table.model.rowCount() == n
    assert not window.table.view.updatesEnabled()
    seen = []
    window.canvas.rendered.connect(lambda *_: seen.append(window.table.view.updatesEnabled()))
    qtbot.waitUntil(window.table.view.updatesEnabled, timeout=3000)
    assert seen and seen[0] is False  # the frame was on screen before the table repainted


def test_table_without_a_map_repaints_soon(qtbot, incidents_layer):
    from mapdesk.gui.attribute_table import PAINT_AFTER_FRAME_MS, AttributeTable

    table = AttributeTable()
    qtbot.addWidget(table)
    table.set_layer(incidents_layer)
    table.show()
    incidents_layer.set_filter(Filter(categories={"type": ["fraud"]}))
    assert not table.view.updatesEnabled()
    qtbot.waitUntil(table.view.updatesEnabled, timeout=PAINT_AFTER_FRAME_MS + 2000)
    assert table.model.rowCount() == int((incidents_layer.frame["type"] == "fraud").sum())
