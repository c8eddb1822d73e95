"""The tree inspector and the tree tools panel (offscreen; dialogs patched so nothing blocks)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from mapdesk.gui import tree_inspector as ti
from mapdesk.gui.tree_inspector import TreeInspector, TreeToolsPanel
from mapdesk.model import Layer, Project

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture
def trees_layer():
    lyr = Layer.from_file(str(SAMPLE / "trees.csv"))
    assert lyr.role == "trees"
    return lyr


@pytest.fixture
def project(trees_layer):
    proj = Project("trees")
    proj.add_layer(trees_layer)
    return proj


@pytest.fixture
def dialogs(monkeypatch):
    """Record message boxes instead of showing them; file dialogs answer ``dialogs.path``."""

    class Calls:
        path = ""
        messages: list[tuple[str, str]] = []

    calls = Calls()
    calls.messages = []

    def box(kind):
        def show(parent, title, text, *a, **k):
            calls.messages.append((kind, text))
            return 0
        return show

    monkeypatch.setattr(ti.QMessageBox, "information", box("information"))
    monkeypatch.setattr(ti.QMessageBox, "warning", box("warning"))
    monkeypatch.setattr(ti.QFileDialog, "getSaveFileName", lambda *a, **k: (calls.path, ""))
    return calls


def test_inspector_shows_grade_reason_and_census(qtbot, trees_layer, dialogs, tmp_path):
    w = TreeInspector(lang="en", as_of="2026-11-28")
    qtbot.addWidget(w)
    assert not w.print_button.isEnabled()
    w.set_tree(trees_layer, 0)
    assert w.title_label.text() == "XHL-0001"
    assert "Pinus tabuliformis" in w.species_label.text()
    assert w.grade_label.text() == "Grade 1"
    assert "#b2182b" in w.grade_label.styleSheet()
    assert "ancient tree, 565 years" in w.reason_label.text()
    assert "Up to date" in w.census_label.text() and "2028-09-16" in w.census_label.text()
    fields = [w.table.item(i, 0).text() for i in range(w.table.rowCount())]
    assert {"Tree ID", "Computed grade", "Grade reason", "Census state", "Adopted / sponsored by"} <= set(fields)
    # a tree with a sponsor shows it
    w.set_tree(trees_layer, 1)
    assert "兴华街道办事处" in w.census_label.text()
    with qtbot.waitSignal(w.zoom_requested) as sig:
        w.zoom_button.click()
    lon, lat = sig.args
    assert lon == pytest.approx(112.546602, abs=1e-6) and lat == pytest.approx(37.887938, abs=1e-6)
    dialogs.path = str(tmp_path / "record")
    assert w.print_record() == str(tmp_path / "record.pdf")
    assert (tmp_path / "record.pdf").stat().st_size > 10_000
    dialogs.path = ""  # cancelled dialog: nothing written, nothing shown
    assert w.print_record() is None
    w.set_tree(trees_layer, 10_000)  # out of range: cleared, not an error
    assert w.title_label.text() == "No tree selected"


def test_inspector_chinese(qtbot, trees_layer):
    w = TreeInspector(lang="zh", as_of="2026-11-28")
    qtbot.addWidget(w)
    w.set_tree(trees_layer, 0)
    assert w.grade_label.text() == "一级"
    assert "古树，树龄565年≥300年" in w.reason_label.text()
    assert w.table.item(0, 0).text() == "古树编号"


def test_panel_grades_and_restyles(qtbot, project, trees_layer, dialogs):
    panel = TreeToolsPanel(project, lang="en")
    qtbot.addWidget(panel)
    assert panel.trees_combo.currentData() == trees_layer.id
    before = set(trees_layer.frame.columns)
    panel.grade_button.click()
    frame = trees_layer.frame
    assert {"grade_computed", "grade_reason", "grade_mismatch"} <= set(frame.columns)
    assert before <= set(frame.columns)  # the layer keeps its own (Chinese) column names
    assert isinstance(frame, gpd.GeoDataFrame) and len(frame) == 400
    assert trees_layer.style.kind == "categorized" and trees_layer.style.field == "grade_computed"
    assert [c.value for c in trees_layer.style.categories][:4] == [1, 2, 3, 4]
    assert frame["grade_computed"].iloc[0] == 1
    assert "400 trees graded" in panel.summary.toPlainText()
    panel.grade()  # again: no duplicated columns
    assert list(trees_layer.frame.columns).count("grade_computed") == 1
    assert not dialogs.messages


def test_panel_census_zones_conflicts(qtbot, project, trees_layer, dialogs):
    panel = TreeToolsPanel(project, lang="en")
    qtbot.addWidget(panel)
    added = []
    panel.layer_added.connect(added.append)
    panel.census(as_of="2026-11-28")
    assert "overdue 61" in panel.summary.toPlainText()
    assert "census_state" in trees_layer.frame.columns
    panel.zones_button.click()
    assert len(added) == 1 and added[0] in project.layers
    zones = added[0].frame
    assert zones.geometry.geom_type.eq("Polygon").all() and len(zones) > 300
    assert added[0].style.fill_opacity < 0.5
    # planned camera poles: one on a trunk, one far away
    t = trees_layer.frame.geometry.iloc[0]
    poles = gpd.GeoDataFrame({"site": ["P1", "P2"]}, geometry=[Point(t.x, t.y), Point(t.x + 0.05, t.y)], crs=4326)
    works = project.add_layer(Layer.from_frame("Planned poles", poles))
    panel.refresh_layers()
    assert panel.against_combo.findData(works.id) >= 0
    panel.against_combo.setCurrentIndex(panel.against_combo.findData(works.id))
    panel.conflicts_button.click()
    assert panel.conflicts_table.rowCount() >= 1
    assert panel.conflicts_table.item(0, 0).text() == "XHL-0001"
    assert panel.conflicts_table.item(0, 1).text() == "Grade 1"
    assert float(panel.conflicts_table.item(0, 2).text()) == pytest.approx(0.0, abs=0.1)
    assert len(added) == 2 and added[1].name.startswith("Conflicts")
    assert not dialogs.messages


def test_panel_files_and_runner(qtbot, project, dialogs, tmp_path):
    panel = TreeToolsPanel(project, lang="zh")
    qtbot.addWidget(panel)
    titles = []

    def runner(title, job, done):  # what a host's worker pool does, minus the thread
        titles.append(title)
        done(job(lambda *a, **k: None, lambda: False))

    panel.set_runner(runner)
    panel.as_of_edit.setDate(panel.as_of_edit.date().fromString("2026-11-28", "yyyy-MM-dd"))
    dialogs.path = str(tmp_path / "worklist.pdf")
    assert panel.print_worklist() == dialogs.path
    assert (tmp_path / "worklist.pdf").stat().st_size > 10_000
    out = panel.export_registry(str(tmp_path / "registry.csv"))
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert len(table) == 400 and "古树编号" in table.columns
    assert len(titles) == 2


def test_panel_without_trees_says_so(qtbot, dialogs):
    panel = TreeToolsPanel(Project("empty"), lang="en")
    qtbot.addWidget(panel)
    panel.grade()
    panel.zones()
    assert [k for k, _ in dialogs.messages] == ["information", "information"]


def test_panel_errors_become_messages(qtbot, project, dialogs, tmp_path):
    panel = TreeToolsPanel(project, lang="en")
    qtbot.addWidget(panel)
    panel.export_registry(str(tmp_path / "registry.txt"))  # unsupported format
    assert dialogs.messages and dialogs.messages[0][0] == "warning"
    assert ".csv" in dialogs.messages[0][1]


def test_inspector_follows_layer_changes(qtbot, project, trees_layer):
    w = TreeInspector(lang="en", as_of="2026-11-28")
    qtbot.addWidget(w)
    w.set_tree(trees_layer, 0)
    panel = TreeToolsPanel(project, lang="en")
    qtbot.addWidget(panel)
    panel.census(as_of="2026-11-28")  # census columns go into the layer: the inspector re-reads it
    assert w.value("Census state") == "Up to date"
    changed = trees_layer.frame.copy()
    changed.loc[changed.index[0], trees_layer.field_map["age_years"]] = 150
    trees_layer.set_frame(changed.drop(columns=["grade_computed"], errors="ignore"))
    assert w.grade_label.text() == "Grade 2"
    assert "150 years" in w.reason_label.text()
    assert "To visit:" in panel.summary.toPlainText()


def test_graded_registry_reopens_graded(qtbot, project, trees_layer, dialogs, tmp_path):
    """The grades and census state computed in the app come back when the project is reopened."""
    panel = TreeToolsPanel(project, lang="en")
    qtbot.addWidget(panel)
    panel.grade_button.click()
    panel.census(as_of="2026-11-28")
    graded = trees_layer.frame[["grade_computed", "census_state"]].copy()
    path = tmp_path / "graded.mapdesk.json"
    project.save(path)
    reopened = Project.load(path)
    lyr = reopened.layers[0]
    assert lyr.derived.keys() == {"tree_grades", "tree_census"}
    pd.testing.assert_frame_equal(lyr.frame[["grade_computed", "census_state"]].reset_index(drop=True),
                                  graded.reset_index(drop=True), check_dtype=False)
    assert lyr.style.field == "grade_computed"
