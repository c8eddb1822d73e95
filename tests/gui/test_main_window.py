"""User flows through the main window (offscreen, dialogs patched)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from mapdesk.gui.style_dialog import StyleDialog
from mapdesk.model import Layer, Project


def test_add_layer_filter_and_select_rows_reaches_layer_and_map(window, incidents_layer, qtbot):
    window.add_layer(incidents_layer)
    assert window.current_layer is incidents_layer
    assert window.layer_panel.model.rowCount() == 1
    assert window.table.model.rowCount() == 300

    box = window.filter_panel.categories["type"]
    fraud = next(i for i in range(box.list.count())
                 if box.list.item(i).data(Qt.ItemDataRole.UserRole) == "fraud")
    box.list.item(fraud).setCheckState(Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: "type" in incidents_layer.filter.categories, timeout=2000)
    assert "fraud" not in incidents_layer.filter.categories["type"]
    shown, total = incidents_layer.feature_count()
    expected = int((incidents_layer.frame["type"] != "fraud").sum())
    assert (shown, total) == (expected, 300)
    assert window.table.model.rowCount() == expected
    assert window.filter_panel.count.text() == f"{expected:,} of 300 incidents"
    assert "incidents" in window.count_label.text()

    # select three table rows: the layer (and so the map) gets their feature indices
    window.table.select_table_rows([0, 1, 2])
    feats = window.table.model.features_of(np.array([0, 1, 2]))
    assert list(incidents_layer.selection) == list(feats)
    assert (incidents_layer.frame["type"].iloc[incidents_layer.selection] != "fraud").all()
    canvas = window.canvas
    if hasattr(canvas, "selections"):
        assert list(canvas.selections[incidents_layer.id]) == list(feats)

    # a selection made on the map arrives in the table
    visible = window.table.model.rows[[5, 7]]
    window.canvas.selection_changed.emit(incidents_layer.id, visible)
    assert list(incidents_layer.selection) == list(visible)
    sel_rows = sorted({i.row() for i in window.table.view.selectionModel().selectedRows()})
    assert sel_rows == [5, 7]

    # undo the filter: everything is back in the table
    window.undo.undo()
    assert incidents_layer.filter.is_empty()
    assert window.table.model.rowCount() == 300


def test_undo_style_change(window, incidents_layer):
    window.add_layer(incidents_layer)
    old = incidents_layer.style.to_dict()
    dlg = StyleDialog(incidents_layer, window)
    dlg.kind.setCurrentIndex(dlg.kind.findData("single"))
    dlg.color.set_color("#00ff00")
    dlg.size.setValue(9)
    window.apply_properties(incidents_layer, dlg)
    assert incidents_layer.style.kind == "single"
    assert incidents_layer.style.color == "#00ff00"
    assert incidents_layer.style.size == 9
    window.undo.undo()
    assert incidents_layer.style.to_dict() == old
    window.undo.redo()
    assert incidents_layer.style.color == "#00ff00"


def test_style_dialog_graduated_and_field_mapping(window, incidents_layer):
    window.add_layer(incidents_layer)
    dlg = StyleDialog(incidents_layer, window)
    dlg.kind.setCurrentIndex(dlg.kind.findData("graduated"))
    dlg.field.setCurrentIndex(dlg.field.findData("loss_yuan"))
    dlg.classes.setValue(4)
    dlg.compute()
    st = dlg.style()
    assert st.kind == "graduated" and st.field == "loss_yuan"
    assert len(st.breaks) == 5 and st.breaks == sorted(st.breaks)
    dlg.field_combos["status"].setCurrentIndex(0)  # unmap status
    role, fm = dlg.role_and_fields()
    assert role == "incidents" and "status" not in fm and fm["type"] == "type"
    window.apply_properties(incidents_layer, dlg)
    assert "status" not in incidents_layer.field_map
    window.undo.undo()
    assert incidents_layer.field_map["status"] == "status"
    assert incidents_layer.style.kind == "categorized"


def test_layer_panel_visibility_order_opacity_are_undoable(window, incidents_layer):
    other = Layer.from_frame("second", incidents_layer.frame.head(10))
    window.add_layer(incidents_layer)
    window.add_layer(other)
    model = window.layer_panel.model
    assert model.layer_at(0) is other  # top row = top-most layer
    model.setData(model.index(0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert other.visible is False
    model.move_rows([incidents_layer.id], 0)
    assert window.project.layers == [other, incidents_layer]
    window.layer_panel.set_current_layer(incidents_layer)
    window.layer_panel.opacity.setValue(40)
    assert incidents_layer.opacity == pytest.approx(0.4)
    window.undo.undo()
    assert incidents_layer.opacity == pytest.approx(1.0)
    window.undo.undo()
    assert window.project.layers == [incidents_layer, other]
    window.undo.undo()
    assert other.visible is True
    window.remove_layer(other)
    assert other not in window.project.layers
    window.undo.undo()
    assert window.project.layers[-1] is other


def _needs_io():
    try:
        from mapdesk.io import load_layer  # noqa: F401
    except ImportError:
        pytest.skip("mapdesk.io.load_layer is not merged yet")


def test_save_and_reopen_project(window, incidents_layer, dialogs, tmp_path):
    _needs_io()
    window.add_layer(incidents_layer)
    incidents_layer.set_style(incidents_layer.style.copy(size=11))
    dialogs.save_path = str(tmp_path / "work")
    assert window.save_as()
    path = tmp_path / "work.mapdesk.json"
    assert path.exists() and not window.project.dirty
    assert window.windowTitle().startswith("work.mapdesk.json")
    window.new_project()
    assert window.project.layers == []
    assert window.open_project(path)
    [lyr] = window.project.layers
    assert lyr.name == "incidents" and lyr.style.size == 11 and lyr.status == "ok"
    assert len(lyr.frame) == 300
    from mapdesk.gui import settings
    assert settings.get_list("recent/projects")[0] == str(path.resolve())


def test_unsaved_changes_prompt_can_cancel(window, incidents_layer, dialogs):
    window.add_layer(incidents_layer)
    dialogs.question_answer = QMessageBox.StandardButton.Cancel
    window.new_project()
    assert dialogs.kinds() == ["question"]
    assert window.project.layers == [incidents_layer]  # nothing lost


def test_language_switch_retranslates_live(window, qtbot):
    from mapdesk.gui import i18n

    assert window.menus["file"].title() == "&File"
    window.set_language("zh_CN")
    try:
        assert i18n.current_language() == "zh_CN"
        assert window.menus["file"].title() == "文件(&F)"
        assert window.docks["layers"].windowTitle() == "图层"
        assert window.actions["save"].text() == "保存(&S)"
        assert window.filter_panel.reset_button.text() == "重置"
    finally:
        window.set_language("en")
    assert window.menus["file"].title() == "&File"


def test_unreadable_file_shows_dialog_and_window_stays_usable(window, dialogs, qtbot, tmp_path,
                                                               incidents_layer):
    bad = tmp_path / "broken.gpkg"
    bad.write_bytes(b"this is not a geopackage")
    before = bad.read_bytes()
    window.add_layer_files([str(bad)])
    qtbot.waitUntil(lambda: "warning" in dialogs.kinds(), timeout=10000)
    assert window.project.layers == []
    assert "broken.gpkg" in dialogs.calls[-1][2]
    assert bad.read_bytes() == before
    window.add_layer(incidents_layer)
    assert window.project.layers == [incidents_layer]


def test_project_with_missing_layers_opens_and_warns(window, dialogs, tmp_path):
    doc = {"mapdesk_project": 1, "title": "t", "layers": [
        {"name": "gone", "source": "nowhere/gone.gpkg", "role": "incidents"}]}
    path = tmp_path / "missing.mapdesk.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert window.open_project(path)
    [lyr] = window.project.layers
    assert lyr.status == "missing"
    assert dialogs.calls[-1][0] == "warning" and "gone" in dialogs.calls[-1][2]
    assert window.layer_panel.model.data(window.layer_panel.model.index(0),
                                         Qt.ItemDataRole.ForegroundRole) is not None
    window.set_current_layer(lyr)  # a broken layer must not break the panels
    assert window.table.model.rowCount() == 0


def test_not_a_project_file(window, dialogs, tmp_path):
    path = tmp_path / "x.mapdesk.json"
    path.write_text("{ not json", encoding="utf-8")
    assert not window.open_project(path)
    assert dialogs.calls[-1][0] == "warning"


def test_read_only_project_path_keeps_work(window, incidents_layer, dialogs, tmp_path):
    window.add_layer(incidents_layer)
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    dialogs.save_path = str(blocker / "p.mapdesk.json")  # its "folder" is a file: not writable
    assert not window.save_as()
    assert dialogs.calls[-1][0] == "critical"
    assert window.project.dirty and window.project.path is None
    assert window.project.layers == [incidents_layer]


def test_export_selection_to_csv_and_gpkg(window, incidents_layer, dialogs, tmp_path):
    import geopandas as gpd
    import pandas as pd

    window.add_layer(incidents_layer)
    incidents_layer.set_selection([3, 1, 2])
    dialogs.save_path = str(tmp_path / "sel.csv")
    window.export_selection()
    out = pd.read_csv(tmp_path / "sel.csv")
    assert list(out["incident_id"]) == ["I00001", "I00002", "I00003"]
    dialogs.save_path = str(tmp_path / "sel.gpkg")
    window.export_selection()
    g = gpd.read_file(tmp_path / "sel.gpkg")
    assert len(g) == 3


def test_time_slider_moves_the_date_window(window, incidents_layer):
    window.add_layer(incidents_layer)
    ts = window.time_slider
    ts.window.setCurrentIndex(ts.window.findData("week"))
    ts.enabled.setChecked(True)
    assert incidents_layer.filter.date_from == "2026-03-01"
    assert incidents_layer.filter.date_to == "2026-03-07"
    n1 = incidents_layer.feature_count()[0]
    ts.advance()
    assert incidents_layer.filter.date_from == "2026-03-08"
    t = incidents_layer.frame["time"]
    expected = int(((t >= "2026-03-08") & (t < "2026-03-15")).sum())
    assert incidents_layer.feature_count()[0] == expected
    assert 0 < n1 < 300
    ts.enabled.setChecked(False)
    assert incidents_layer.filter.date_from is None


def test_filter_panel_bad_expression_is_reported_not_applied(window, incidents_layer):
    window.add_layer(incidents_layer)
    fp = window.filter_panel
    fp.expression.setText("no_such_column > 3")
    fp.apply()
    assert fp.error.isVisibleTo(fp)
    assert incidents_layer.filter.is_empty()
    fp.expression.setText("loss_yuan > 2500")
    fp.apply()
    assert not fp.error.isVisibleTo(fp)
    assert incidents_layer.feature_count()[0] == int((incidents_layer.frame["loss_yuan"] > 2500).sum())


def test_about_box_says_sample_data_are_synthetic(window):
    assert "synthetic" in window.about_text()


def test_autosave_and_restore(window, incidents_layer, tmp_path):
    _needs_io()
    from mapdesk.gui import recovery

    window.add_layer(incidents_layer)
    assert window.write_recovery()
    path = window.recovery_file()
    assert path.exists()
    proj = recovery.restore(path)
    assert [lyr.name for lyr in proj.layers] == ["incidents"]
    assert len(proj.layers[0].frame) == 300 and proj.dirty
    assert incidents_layer.source is None  # the live layer was not redirected
    window.close()
    assert not path.exists()  # a clean exit removes the recovery file


def test_offer_recovery_after_crash(qtbot, dialogs, incidents_layer):
    _needs_io()
    from mapdesk.gui import recovery, settings
    from mapdesk.gui.app import offer_recovery
    from mapdesk.gui.main_window import MainWindow

    p = Project("crashed")
    p.add_layer(incidents_layer)
    recovery.write_recovery(p, recovery.recovery_path(settings.settings_dir()))
    w = MainWindow(autosave_s=0)
    qtbot.addWidget(w)
    dialogs.question_answer = QMessageBox.StandardButton.Yes
    assert offer_recovery(w)
    assert [lyr.name for lyr in w.project.layers] == ["incidents"]
    w.project.set_dirty(False)


def test_load_report_is_shown(window, incidents_layer, dialogs):
    class Report:
        rejected = {"no coordinates": 4}
        warnings: list = []

        def summary(self) -> str:
            return "x.csv: 296 of 300 rows loaded\n  rejected 4: no coordinates"

    incidents_layer.report = Report()
    window.show_load_report(incidents_layer)
    assert dialogs.calls[-1][0] == "show" and "rejected 4" in dialogs.calls[-1][2]


def test_drop_files_adds_layers(window, monkeypatch):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    got = []
    monkeypatch.setattr(window, "add_layer_files", lambda paths: got.extend(paths))
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile("/tmp/a.gpkg")])
    ev = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, md, Qt.MouseButton.NoButton,
                    Qt.KeyboardModifier.NoModifier)
    window.dropEvent(ev)
    assert got == ["/tmp/a.gpkg"]


def _slow_job(progress, cancelled):
    import time

    for i in range(400):
        if cancelled():
            return "stopped"
        progress(i / 400)
        time.sleep(0.01)
    return "done"


def test_cancel_a_long_job_midway(window, qtbot):
    ended = {}
    window.jobs.start(_slow_job, "slow", on_done=lambda r: ended.setdefault("done", r),
                      on_cancel=lambda: ended.setdefault("cancelled", True))
    qtbot.waitUntil(lambda: window.job_progress.bar.value() > 20, timeout=5000)
    qtbot.waitUntil(window.job_progress.isVisible, timeout=2000)  # after show_delay_ms
    qtbot.mouseClick(window.job_progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=5000)
    assert ended == {"cancelled": True}
    assert not window.job_progress.isVisible()


def test_job_error_becomes_a_dialog(window, qtbot, dialogs):
    def bad(progress, cancelled):
        raise ValueError("bandwidth must be positive")

    window.jobs.start(bad, "bad", on_error=lambda m, tb: window.show_error("Analysis failed", m, tb))
    qtbot.waitUntil(lambda: "exec" in dialogs.kinds(), timeout=5000)
    assert "bandwidth must be positive" in dialogs.calls[-1][2]


def test_closing_during_a_job_asks_and_cancels(window, qtbot, dialogs):
    job = window.jobs.start(_slow_job, "slow")
    qtbot.waitUntil(lambda: window.job_progress.bar.value() > 5, timeout=5000)
    dialogs.question_answer = QMessageBox.StandardButton.No
    window.close()
    assert window.isVisible() and not job.is_cancelled()
    dialogs.question_answer = QMessageBox.StandardButton.Yes
    window.close()
    assert not window.isVisible()
    assert job.is_cancelled() and job.done.is_set()


def test_recent_files_menu(window, tmp_path):
    from mapdesk.gui import settings

    settings.push_recent("recent/files", str(tmp_path / "a.gpkg"))
    window._fill_recent("recent_files")
    texts = [a.text() for a in window.menus["recent_files"].actions()]
    assert texts == [str(Path(tmp_path / "a.gpkg"))]


def test_selecting_a_layer_keeps_its_saved_date_filter(window, incidents_layer):
    from mapdesk.model import Filter

    incidents_layer.set_filter(Filter(date_from="2026-03-10", date_to="2026-03-20"))
    window.add_layer(incidents_layer)
    assert incidents_layer.filter.date_from == "2026-03-10"
    assert incidents_layer.filter.date_to == "2026-03-20"
    assert window.time_slider.enabled.isChecked()


def test_add_layer_from_a_file_with_load_report(window, dialogs, qtbot, tmp_path):
    _needs_io()
    import hashlib

    src = tmp_path / "thefts.csv"
    src.write_text("incident_id,type,time,lon,lat\n"
                   "A1,ebike_theft,2026-03-01 08:00,112.561,37.871\n"
                   "A2,fraud,2026-03-02 21:30,112.565,37.874\n"
                   "A3,ebike_theft,2026-03-03 07:45,,\n", encoding="utf-8")
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    with qtbot.waitSignal(window.layer_loaded, timeout=20000) as sig:
        window.add_layer_files([str(src)])
    layer = sig.args[0]
    assert layer in window.project.layers and layer.status == "ok"
    assert len(layer.frame) == 2  # the row without coordinates is rejected ...
    assert any(k == "show" and "rejected" in t.lower() for k, _, t in dialogs.calls)  # ... and reported
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest  # the source is never modified
    from mapdesk.gui import settings
    assert settings.get_list("recent/files")[0] == str(src.resolve())


def test_export_map_and_print_actions(window, dialogs, monkeypatch):
    try:
        import mapdesk.gui.export_dialog as ed
    except ImportError:
        window.actions["export_map"].trigger()
        assert dialogs.calls[-1][0] == "information"
        return
    opened = []
    monkeypatch.setattr(ed.ExportDialog, "exec", lambda self: opened.append(self) or 0)
    window.actions["export_map"].trigger()
    window.actions["print"].trigger()
    assert len(opened) == 2
