"""PlanningPanel on the real MapCanvas: clicks and drags place, move, rotate and delete
cameras; numbers and conflicts follow at once; undo restores; save, print, suggest."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QUndoStack
from PySide6.QtWidgets import QFileDialog

from mapdesk.gui.canvas import MapCanvas
from mapdesk.gui.planning import PlanningPanel
from mapdesk.model import Project
from mapdesk.model.plan import CONFLICT_COLOR, PLAN_COLOR

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture
def setup(qtbot):
    project = Project.load(SAMPLE / "sample.mapdesk.json")
    canvas = MapCanvas(project)
    qtbot.addWidget(canvas)
    canvas.resize(640, 480)
    canvas.show()
    qtbot.waitExposed(canvas)
    panel = PlanningPanel(project, canvas)
    qtbot.addWidget(panel)
    plan = panel.plan
    # look at the busiest spot no existing camera sees, ~400 m across
    x, y = _free_spot(plan)
    cx, cy = plan.from_metric(x, y)
    canvas.zoom_to_extent((cx - 250, cy - 190, cx + 250, cy + 190))
    assert canvas.wait_rendered()
    return project, canvas, panel, (x, y)


def _free_spot(plan) -> tuple[float, float]:
    xy = plan.incident_xy
    ij = np.floor(xy / 40.0).astype(int)
    cells, inv = np.unique(ij, axis=0, return_inverse=True)
    free = np.bincount(inv.ravel(), weights=~plan.coverage_mask(), minlength=len(cells))
    best = cells[int(np.argmax(free))]
    return float((best[0] + 0.5) * 40.0), float((best[1] + 0.5) * 40.0)


def pixel(canvas: MapCanvas, plan, x_m: float, y_m: float) -> QPoint:
    """The canvas pixel of a metric point, through the canvas's own MapSettings."""
    x, y = plan.from_metric(x_m, y_m)
    px, py = canvas.settings.map_to_pixel(x, y)
    return QPoint(round(float(px)), round(float(py)))


def metres_per_px(canvas) -> float:
    return canvas.settings.ground_m_per_pixel()


def drag(qtbot, canvas, start: QPoint, end: QPoint, steps: int = 5,
         modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, modifier, start)
    for i in range(1, steps + 1):
        qtbot.mouseMove(canvas, start + (end - start) * (i / steps))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, modifier, end)


def test_add_drag_numbers_and_undo(setup, qtbot):
    project, canvas, panel, (x, y) = setup
    plan = panel.plan
    assert panel.numbers_label.text() == "No camera planned yet."
    extent = canvas.settings.extent

    panel.set_tool("add")
    p0 = pixel(canvas, plan, x, y)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=p0)
    assert plan.ids == ["P-01"]
    cam = plan.camera("P-01")
    tol = 1.0 * metres_per_px(canvas)
    assert (cam.x_m, cam.y_m) == pytest.approx((x, y), abs=tol)
    assert cam.direction_deg == 0.0
    assert canvas.settings.extent == extent  # the click did not pan the map
    added_text = panel.numbers_label.text()
    assert added_text.startswith("Plan covers") and added_text == panel.numbers_text()
    assert plan.numbers.new > 0
    assert plan.plan_layer() in project.layers
    assert panel.selected_id == "P-01"

    # drag it 60 px east: the camera follows, the numbers are recomputed on the way
    panel.set_tool("move")
    seen = []
    plan.numbers_changed.connect(lambda nb: seen.append(nb.new))
    p1 = p0 + QPoint(60, 0)
    drag(qtbot, canvas, p0, p1)
    cam = plan.camera("P-01")
    assert (cam.x_m - x) == pytest.approx(60 * metres_per_px(canvas), abs=2 * tol)
    assert len(seen) >= 3
    assert panel.numbers_label.text() == panel.numbers_text()
    assert canvas.settings.extent == extent
    # the plan layer the renderer draws is up to date after the release
    lyr = plan.plan_layer()
    geom = lyr.frame.to_crs(plan.crs).geometry.iloc[0]
    assert (geom.x, geom.y) == pytest.approx((cam.x_m, cam.y_m), abs=1e-3)

    # ... and the shared renderer draws it there: in a PNG/PDF ...
    from mapdesk.render.job import render_image

    img = render_image(project, canvas.settings, decorations=False)
    at = pixel(canvas, plan, cam.x_m, cam.y_m)
    assert QColor(img.pixel(at.x(), at.y())).name() == PLAN_COLOR
    # ... and on the canvas, which re-rendered (the overlay hidden to see the frame alone)
    assert canvas.wait_rendered()
    panel.overlay.hide()
    shot = canvas.grab().toImage()
    panel.overlay.show()
    assert QColor(shot.pixel(at)).name() == PLAN_COLOR
    assert QColor(shot.pixel(p0)).name() != PLAN_COLOR

    stack = panel.undo_stack
    assert stack.count() == 2
    stack.undo()
    cam = plan.camera("P-01")
    assert (cam.x_m, cam.y_m) == pytest.approx((x, y), abs=tol)
    assert panel.numbers_label.text() == added_text
    stack.undo()
    assert len(plan) == 0
    assert panel.numbers_label.text() == "No camera planned yet."
    stack.redo()
    stack.redo()
    assert plan.camera("P-01").x_m == pytest.approx(x + 60 * metres_per_px(canvas), abs=2 * tol)


def test_drag_changes_the_numbers_label(setup, qtbot):
    _, canvas, panel, (x, y) = setup
    plan = panel.plan
    panel.set_tool("add")
    p0 = pixel(canvas, plan, x, y)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=p0)
    before_text, before_new = panel.numbers_label.text(), plan.numbers.new
    # a drop point where the camera sees a different number of new incidents
    from mapdesk.domain.cameras import PlannedCamera, coverage_of

    base = plan.coverage_mask() & ~plan.coverage_mask("P-01")
    m_px = metres_per_px(canvas)
    offset = None
    for dx, dy in [(0, 150), (150, 0), (-150, 0), (0, -150), (120, 120), (-120, -120)]:
        cam = PlannedCamera(x + dx * m_px, y - dy * m_px, 0.0, 90.0, 50.0)
        new = int((coverage_of([cam], plan.incident_xy) & ~base).sum())
        if new != before_new:
            offset, expected_new = QPoint(dx, dy), new
            break
    assert offset is not None
    panel.set_tool("move")
    drag(qtbot, canvas, p0, p0 + offset)
    assert plan.numbers.new == pytest.approx(expected_new, abs=2)  # a pixel of rounding
    assert plan.numbers.after == int(plan.coverage_mask().sum())
    assert panel.numbers_label.text() != before_text
    assert panel.numbers_label.text() == panel.numbers_text()
    assert f"{plan.numbers.new} more incidents" in panel.numbers_label.text()
    panel.undo_stack.undo()
    assert panel.numbers_label.text() == before_text


def test_rotate_tool_and_shift_drag(setup, qtbot):
    _, canvas, panel, (x, y) = setup
    plan = panel.plan
    cid = plan.add(x, y)
    p0 = pixel(canvas, plan, x, y)
    panel.set_tool("rotate")
    panel.select(cid)  # a drag anywhere aims the selected camera
    drag(qtbot, canvas, p0 + QPoint(0, -30), p0 + QPoint(80, 0))  # ends due east
    assert plan.camera(cid).direction_deg == pytest.approx(90.0, abs=1.5)
    panel.set_tool("move")
    drag(qtbot, canvas, p0, p0 + QPoint(0, 80), modifier=Qt.KeyboardModifier.ShiftModifier)
    assert plan.camera(cid).direction_deg == pytest.approx(180.0, abs=1.5)
    assert (plan.camera(cid).x_m, plan.camera(cid).y_m) == (x, y)  # shift rotates, not moves
    panel.undo_stack.undo()
    assert plan.camera(cid).direction_deg == pytest.approx(90.0, abs=1.5)
    panel.undo_stack.undo()
    assert plan.camera(cid).direction_deg == 0.0


def test_drop_in_protection_zone_is_flagged_at_once(setup, qtbot):
    _, canvas, panel, _ = setup
    plan = panel.plan
    # a tree whose zone is wide on screen
    i = int(np.argmax(plan._zone_r))
    tx, ty = plan._zone_xy[i]
    tree_id, grade, _ = plan._zone_info[i]
    cx, cy = plan.from_metric(tx, ty)
    canvas.zoom_to_extent((cx - 150, cy - 110, cx + 150, cy + 110))
    panel.set_tool("add")
    far = pixel(canvas, plan, tx + 3 * plan._zone_r[i], ty)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=far)
    assert plan.conflicts() == [] or plan.conflicts()[0].tree_id != tree_id
    panel.set_tool("move")
    drag(qtbot, canvas, far, pixel(canvas, plan, tx + 2.0, ty))
    conf = plan.conflicts("P-01")
    assert conf and conf[0].tree_id == tree_id and conf[0].grade == grade
    texts = [panel.conflict_list.item(k).text() for k in range(panel.conflict_list.count())]
    assert any(t.startswith(f"P-01 is inside the protection zone of tree {tree_id} (grade {grade}),")
               and t.endswith("m from the trunk") for t in texts)
    assert panel.conflict_list.item(0).foreground().color() == QColor(CONFLICT_COLOR)
    assert plan.plan_layer().frame["conflict"].tolist() == ["yes"]
    panel.undo_stack.undo()  # back outside: cleared
    assert not any(c.tree_id == tree_id for c in plan.conflicts("P-01"))


def test_delete_tool_key_and_spin_boxes(setup, qtbot):
    _, canvas, panel, (x, y) = setup
    plan = panel.plan
    a = plan.add(x, y)
    b = plan.add(x + 80, y)
    panel.set_tool("delete")
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=pixel(canvas, plan, x + 80, y))
    assert plan.ids == [a]
    panel.undo_stack.undo()
    assert plan.ids == [a, b]

    panel.select(a)
    assert panel.fov_spin.value() == 90.0
    panel.range_spin.setValue(70.0)
    panel.range_spin.setValue(75.0)  # merges with the step before
    panel.fov_spin.setValue(60.0)
    assert (plan.camera(a).range_m, plan.camera(a).fov_deg) == (75.0, 60.0)
    n = panel.undo_stack.count()
    panel.undo_stack.undo()
    panel.undo_stack.undo()
    assert (plan.camera(a).range_m, plan.camera(a).fov_deg) == (50.0, 90.0)
    assert panel.range_spin.value() == 50.0
    assert n == 2  # range (two steps merged), fov; the undone delete was dropped

    panel.set_tool("move")
    panel.select(b)
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert plan.ids == [a]


def test_escape_cancels_a_drag(setup, qtbot):
    _, canvas, panel, (x, y) = setup
    plan = panel.plan
    cid = plan.add(x, y)
    p0 = pixel(canvas, plan, x, y)
    panel.set_tool("move")
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=p0)
    qtbot.mouseMove(canvas, p0 + QPoint(30, 0))
    qtbot.mouseMove(canvas, p0 + QPoint(60, 0))
    assert plan.camera(cid).x_m > x + 10
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=p0 + QPoint(60, 0))
    assert (plan.camera(cid).x_m, plan.camera(cid).y_m) == (x, y)
    assert panel.undo_stack.count() == 0
    panel.set_tool("add")
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=p0 + QPoint(0, 50))
    assert len(plan) == 2
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert plan.ids == [cid]


def test_pan_tool_leaves_the_canvas_alone(setup, qtbot):
    _, canvas, panel, (x, y) = setup
    extent = canvas.settings.extent
    panel.set_tool("pan")
    drag(qtbot, canvas, QPoint(300, 200), QPoint(340, 200))
    assert canvas.settings.extent != extent
    assert len(panel.plan) == 0
    # move tool on empty map: the canvas pans too
    extent = canvas.settings.extent
    panel.set_tool("move")
    drag(qtbot, canvas, QPoint(300, 200), QPoint(340, 200))
    assert canvas.settings.extent != extent


def test_external_undo_stack(setup, qtbot):
    _, canvas, panel, (x, y) = setup
    stack = QUndoStack()
    panel.set_undo_stack(stack)
    panel.set_tool("add")
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=pixel(canvas, panel.plan, x, y))
    assert stack.count() == 1 and panel.undo_button.isEnabled()
    panel.undo_button.click()
    assert len(panel.plan) == 0


def test_suggest_in_worker_seeds_plan(setup, qtbot):
    _, _, panel, _ = setup
    panel.k_spin.setValue(3)
    with qtbot.waitSignal(panel.suggest_finished, timeout=60_000) as blocker:
        panel.suggest_button.click()
        assert not panel.busy.isHidden() and not panel.suggest_button.isEnabled()
    result = blocker.args[0]
    assert result is not None
    assert panel.plan.ids == ["P-01", "P-02", "P-03"]
    assert panel.plan.numbers.new == int(result.stats["new_incidents_covered"])
    assert panel.busy.isHidden() and panel.suggest_button.isEnabled()
    assert panel.plan.conflicts() == []  # sites in protection zones were excluded
    panel.undo_stack.undo()
    assert len(panel.plan) == 0


def test_save_plan_as_layer(setup, qtbot, tmp_path, monkeypatch):
    project, _, panel, (x, y) = setup
    panel.plan.add(x, y, direction_deg=90.0)
    target = tmp_path / "my_plan.gpkg"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "GeoPackage (*.gpkg)")))
    panel.save_button.click()
    assert target.exists()
    lyr = panel.plan.plan_layer()
    assert lyr in project.layers and lyr.source == str(target) and lyr.name == "my_plan"
    from mapdesk.io import load_layer

    back = load_layer(target, role="cameras")
    assert list(back.frame["camera_id"]) == ["P-01"]
    assert float(back.frame["direction_deg"].iloc[0]) == 90.0


def test_print_plan_pdf_with_numbers(setup, qtbot, tmp_path):
    _, _, panel, (x, y) = setup
    panel.plan.add(x, y, direction_deg=90.0)
    out = tmp_path / "plan.pdf"
    assert panel.print_plan(str(out)) == str(out)
    from pypdf import PdfReader

    text = " ".join(PdfReader(str(out)).pages[0].extract_text().split())
    assert "Plan covers" in text and "more incidents" in text
    assert "P-01" in text or "Camera plan" in text


def test_print_opens_export_dialog_when_present(setup, qtbot, monkeypatch):
    project, _, panel, (x, y) = setup
    panel.plan.add(x, y)
    opened = {}

    class FakeDialog:
        def __init__(self, proj, parent=None, **kw):
            opened["project"], opened["kw"] = proj, kw
            self.subtitle_edit = types.SimpleNamespace(setText=lambda t: opened.update(sub=t))

        def exec(self):
            opened["exec"] = True
            return 0

    fake = types.ModuleType("mapdesk.gui.export_dialog")
    fake.ExportDialog = FakeDialog
    monkeypatch.setitem(sys.modules, "mapdesk.gui.export_dialog", fake)
    assert panel.print_plan() == "export_dialog"
    assert opened["project"] is project and opened["exec"]
    assert opened["sub"].startswith("Plan covers")
    assert panel.plan.plan_layer() in project.layers


def test_filter_change_updates_numbers(setup, qtbot):
    _, _, panel, (x, y) = setup
    from mapdesk.model import Filter

    panel.show()  # a hidden panel's plan recounts only when shown (see the next test)
    qtbot.waitExposed(panel)
    plan = panel.plan
    plan.add(x, y, direction_deg=None, range_m=80.0)
    inc = plan.incidents_layer
    inc.set_filter(Filter(categories={inc.field_map["type"]: ["ebike_theft"]}))
    n = int((inc.frame["type"] == "ebike_theft").sum())
    # the recount waits for the map's new frame: nothing is counted on the spot
    assert plan.stale
    qtbot.waitUntil(lambda: str(n) in panel.coverage_label.text().replace(",", ""), timeout=5000)
    assert not plan.stale and plan.numbers.total == n


def test_numbers_follow_once_the_map_shows_the_filter(setup, qtbot):
    _, canvas, panel, (x, y) = setup
    from mapdesk.model import Filter

    panel.show()
    qtbot.waitExposed(panel)
    plan = panel.plan
    plan.add(x, y, direction_deg=None, range_m=80.0)
    events: list = []
    canvas.rendered.connect(lambda *_: events.append(("frame", plan.stale)))
    plan.changed.connect(lambda what: events.append(what))
    inc = plan.incidents_layer
    inc.set_filter(Filter(categories={inc.field_map["type"]: ["ebike_theft", "other_theft"]}))
    assert events == ["stale"]
    qtbot.waitUntil(lambda: "inputs" in events, timeout=5000)
    # the frame came first, still with the old numbers; then the recount
    assert events.index(("frame", True)) < events.index("inputs")
    n = int(inc.frame["type"].isin(["ebike_theft", "other_theft"]).sum())
    assert plan.numbers.total == n
    assert str(n) in panel.coverage_label.text().replace(",", "")
    # an edit before the recount works on the filtered incidents all the same
    inc.set_filter(Filter())
    assert plan.stale
    plan.move(plan.ids[0], x + 5.0, y)
    assert not plan.stale and plan.numbers.total == len(inc.frame)
    assert str(len(inc.frame)) in panel.coverage_label.text().replace(",", "")


def test_hidden_panel_recounts_when_shown(setup, qtbot):
    _, _, panel, (x, y) = setup
    from mapdesk.model import Filter

    plan = panel.plan
    panel.hide()
    inc = plan.incidents_layer
    inc.set_filter(Filter(categories={inc.field_map["type"]: ["ebike_theft"]}))
    assert plan._stale  # no recount while nobody looks
    panel.show()
    qtbot.waitExposed(panel)
    n = int((inc.frame["type"] == "ebike_theft").sum())
    assert not plan._stale and plan.numbers.total == n
    assert str(n) in panel.coverage_label.text().replace(",", "")


def test_planning_tab_behind_another_does_not_recount(window, incidents_layer, qtbot):
    """Qt keeps a dock widget whose tab is not current 'visible' (moved out of sight): the
    plan must still count as hidden, and catch up when its tab is brought to the front."""
    from mapdesk.model import Filter

    lazy = window.optional.get("planning")
    if lazy is None:
        pytest.skip("planning panel not installed")
    panel = lazy.ensure()  # built on first show (LazyPanel); build it now to test its counting
    window.add_layer(incidents_layer)
    plan = panel.plan
    assert plan is not None and plan.incidents_layer is incidents_layer
    window.docks["analysis"].raise_()
    qtbot.waitUntil(lambda: not panel.on_screen(), timeout=2000)
    incidents_layer.set_filter(Filter(categories={"type": ["fraud"]}))
    assert plan.stale
    qtbot.wait(50)
    assert plan.stale  # nobody looks: no recount, not even after the frame
    window.docks["planning"].raise_()
    qtbot.waitUntil(panel.on_screen, timeout=2000)
    n = int((incidents_layer.frame["type"] == "fraud").sum())
    assert not plan.stale and plan.numbers.total == n
    assert str(n) in panel.coverage_label.text().replace(",", "")
