"""The camera planning panel: place, drag and rotate proposed cameras on the map canvas.

The panel is thin (as napari's Qt layer controls): a :class:`~mapdesk.model.plan.CameraPlan`
holds the cameras, their coverage numbers and their conflicts with tree protection zones,
and its layer is drawn by the one renderer like any other layer. The panel only

* turns mouse input on the canvas (through an event filter, the canvas is not changed) into
  plan edits, each wrapped in a ``QUndoCommand``;
* shows what the plan reports (numbers, conflicts, the selected camera);
* runs the site optimiser in a worker thread to seed the plan;
* saves the plan as a layer and prints it.

During a drag the plan layer is re-rendered a few times a second (``hold_layer``); a light
overlay above the canvas draws the camera being edited at once.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLocale,
    QObject,
    QPointF,
    QRectF,
    Qt,
    QThread,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPolygonF, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mapdesk.domain.cameras import PlannedCamera
from mapdesk.errors import MapdeskError
from mapdesk.model.plan import CONFLICT_COLOR, PLAN_COLOR, CameraPlan, PlanNumbers

TOOLS = ("pan", "add", "move", "rotate", "delete")
#: How close (pixels) a click must be to a camera to pick it.
PICK_PX = 12
#: A press that moves less than this is a click.
CLICK_SLOP_PX = 4
#: During a drag the plan layer is re-rendered at most this often (ms); the overlay is instant.
LAYER_FLUSH_MS = 80
#: After a filter change the numbers are recounted once the map shows it, or after this
#: long (ms) when no frame comes.
CATCH_UP_FALLBACK_MS = 400


# ---- undo ------------------------------------------------------------------------------------
class PlanCommand(QUndoCommand):
    """An undoable plan edit built from two idempotent callables.

    ``redo`` runs when the command is pushed: a drag already applied its last state, so
    redoing it again is harmless. Commands with the same ``merge_key`` merge (repeated
    spin-box steps on one camera's field become one undo step).
    """

    _ids: dict[Any, int] = {}

    def __init__(self, text: str, redo, undo, merge_key: Any = None) -> None:
        super().__init__(text)
        self._redo, self._undo = redo, undo
        self.merge_key = merge_key

    def redo(self) -> None:
        self._redo()

    def undo(self) -> None:
        self._undo()

    def id(self) -> int:  # noqa: A003 - Qt's name
        if self.merge_key is None:
            return -1
        # a range of its own, so a main window's other commands never share an id with these
        return PlanCommand._ids.setdefault(self.merge_key, 0x504C0000 + len(PlanCommand._ids))

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, PlanCommand) or other.merge_key != self.merge_key:
            return False
        self._redo = other._redo
        return True


# ---- worker ----------------------------------------------------------------------------------
class _SuggestWorker(QObject):
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, kwargs: dict) -> None:
        super().__init__()
        self.kwargs = kwargs

    def run(self) -> None:
        from mapdesk.analysis.placement import suggest_sites

        try:
            kw = dict(self.kwargs)
            trees = kw.pop("trees", None)
            if trees is not None and len(trees):
                from mapdesk.domain.trees import protection_zones

                kw["zones"] = protection_zones(trees)
            self.finished.emit(suggest_sites(kw.pop("incidents"), kw.pop("k"), **kw))
        except MapdeskError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a failed optimisation must not take the window down
            self.failed.emit(f"{type(exc).__name__}: {exc}")


# ---- overlay ---------------------------------------------------------------------------------
class _PlanOverlay(QWidget):
    """Transparent child of the canvas: the selected / dragged camera, drawn at once."""

    def __init__(self, panel: PlanningPanel, canvas: QWidget) -> None:
        super().__init__(canvas)
        self.panel = panel
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground, True)
        self.setGeometry(canvas.rect())
        self.show()

    def paintEvent(self, event) -> None:  # noqa: N802
        panel = self.panel
        plan = panel.plan
        if plan is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        # the protection zones a camera sits in, so the planner sees how far to move it
        zones = {(c.tree_id, c.trunk_x_m, c.trunk_y_m, c.radius_m) for c in plan.conflicts()}
        if zones:
            zone_fill = QColor(CONFLICT_COLOR)
            zone_fill.setAlphaF(0.10)
            p.setBrush(QBrush(zone_fill))
            p.setPen(QPen(QColor(CONFLICT_COLOR), 1.2, Qt.PenStyle.DashLine))
            for _tid, tx, ty, r in zones:
                poly, _ = panel.camera_outline_px(PlannedCamera(tx, ty, None, 360.0, r))
                p.drawPolygon(poly)
        # every planned camera as a thin outline: the edit shows at once, before the canvas
        # has rendered the plan layer again (the outline then lies on the rendered wedge)
        active = panel.dragging_id or panel.selected_id
        conflicting = {c.camera_id for c in plan.conflicts()}
        for cam in plan.cameras:
            if cam.camera_id == active:
                continue
            color = QColor(CONFLICT_COLOR if cam.camera_id in conflicting else PLAN_COLOR)
            poly, centre = panel.camera_outline_px(cam)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(color, 1.2))
            p.drawPolygon(poly)
            p.setBrush(QBrush(color))
            p.setPen(QPen(QColor("#ffffff"), 1.0))
            p.drawRect(QRectF(centre.x() - 3.5, centre.y() - 3.5, 7.0, 7.0))
        if active is None or active not in plan:
            p.end()
            return
        cam = plan.camera(active)
        poly, centre = panel.camera_outline_px(cam)
        color = QColor(CONFLICT_COLOR if active in conflicting else PLAN_COLOR)
        fill = QColor(color)
        fill.setAlphaF(0.35 if panel.dragging_id else 0.12)
        p.setBrush(QBrush(fill))
        p.setPen(QPen(color.darker(130), 1.6, Qt.PenStyle.DashLine))
        p.drawPolygon(poly)
        p.setPen(QPen(QColor("#ffffff"), 1.5))
        p.setBrush(QBrush(color.darker(120)))
        p.drawEllipse(centre, 6.0, 6.0)
        p.end()


# ---- the panel -------------------------------------------------------------------------------
class PlanningPanel(QWidget):
    """Interactive camera planning over ``project`` on ``canvas`` (a ``MapCanvas``).

    Parameters
    ----------
    project
        The :class:`~mapdesk.model.Project`.
    canvas
        The map canvas: anything with a ``settings`` attribute (a
        :class:`~mapdesk.render.viewport.MapSettings`) that receives mouse events.
    """

    suggest_finished = Signal(object)  # the PlacementResult, or None after a failure
    selection_changed = Signal(object)  # camera id or None

    def __init__(self, project: Any, canvas: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.canvas = canvas
        self.plan: CameraPlan | None = None
        self.tool = "pan"
        self.selected_id: str | None = None
        self.dragging_id: str | None = None
        self._gesture: dict | None = None
        self._syncing = False
        self._thread: QThread | None = None
        self._worker: _SuggestWorker | None = None
        self.last_suggestion: Any = None
        self.last_print: str | None = None  # "export_dialog" or the PDF path written
        self.undo_stack = QUndoStack(self)
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self._flush_layer)
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.timeout.connect(self._render_plan_layer)
        self._catch_up_timer = QTimer(self)
        self._catch_up_timer.setSingleShot(True)
        self._catch_up_timer.timeout.connect(self._catch_up)
        self._dock: QWidget | None = None
        self._dock_visible = True
        self._build()
        self._bind_undo(self.undo_stack)
        self.overlay = _PlanOverlay(self, canvas)
        canvas.installEventFilter(self)
        for name in ("extent_changed", "rendered"):
            sig = getattr(canvas, name, None)
            if sig is not None:
                sig.connect(self.overlay.update)
        if getattr(canvas, "rendered", None) is not None:
            canvas.rendered.connect(self._frame_shown)
        for name in ("layers_changed",):
            sig = getattr(project, name, None)
            if sig is not None:
                sig.connect(self._refresh_layer_choices)
        self._refresh_layer_choices()
        self.set_tool("pan")

    # ---- widgets -------------------------------------------------------------------------
    def _build(self) -> None:
        tr = self.tr
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)

        src = QGroupBox(tr("Data"))
        form = QFormLayout(src)
        self.incidents_combo = QComboBox()
        self.trees_combo = QComboBox()
        self.existing_combo = QComboBox()
        self.candidates_combo = QComboBox()
        form.addRow(tr("Incidents"), self.incidents_combo)
        form.addRow(tr("Protected trees"), self.trees_combo)
        form.addRow(tr("Existing cameras"), self.existing_combo)
        for combo in (self.incidents_combo, self.trees_combo, self.existing_combo):
            combo.currentIndexChanged.connect(self._on_inputs_chosen)
        outer.addWidget(src)

        tools = QHBoxLayout()
        self.tool_group = QButtonGroup(self)
        self.tool_group.setExclusive(True)
        self.tool_buttons: dict[str, QToolButton] = {}
        labels = {"pan": (tr("Pan"), tr("Drag the map (the canvas's own tools)")),
                  "add": (tr("Add camera"), tr("Click on the map to place a camera facing north; "
                                               "drag while placing to aim it")),
                  "move": (tr("Move"), tr("Drag a camera; Shift+drag rotates it")),
                  "rotate": (tr("Rotate"), tr("Drag around a camera to aim it")),
                  "delete": (tr("Delete"), tr("Click a camera to delete it"))}
        for name in TOOLS:
            b = QToolButton()
            b.setText(labels[name][0])
            b.setToolTip(labels[name][1])
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, n=name: self.set_tool(n))
            self.tool_group.addButton(b)
            self.tool_buttons[name] = b
            tools.addWidget(b)
        tools.addStretch(1)
        self.undo_button = QToolButton()
        self.undo_button.setText(tr("Undo"))
        self.redo_button = QToolButton()
        self.redo_button.setText(tr("Redo"))
        tools.addWidget(self.undo_button)
        tools.addWidget(self.redo_button)
        outer.addLayout(tools)

        self.numbers_label = QLabel(tr("No camera planned yet."))
        self.numbers_label.setWordWrap(True)
        bold = QFont(self.numbers_label.font())
        bold.setBold(True)
        self.numbers_label.setFont(bold)
        self.coverage_label = QLabel()
        self.coverage_label.setWordWrap(True)
        outer.addWidget(self.numbers_label)
        outer.addWidget(self.coverage_label)
        self.type_table = QTableWidget(0, 4)
        self.type_table.setHorizontalHeaderLabels([tr("Type"), tr("Incidents"), tr("Covered now"),
                                                   tr("With plan")])
        self.type_table.verticalHeader().setVisible(False)
        self.type_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.type_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.type_table.verticalHeader().setDefaultSectionSize(20)
        self.type_table.horizontalHeader().setStretchLastSection(True)
        self.type_table.setMaximumHeight(170)
        outer.addWidget(self.type_table)

        cams = QGroupBox(tr("Proposed cameras"))
        cl = QVBoxLayout(cams)
        self.camera_list = QListWidget()
        self.camera_list.setMaximumHeight(140)
        self.camera_list.currentItemChanged.connect(self._on_list_selection)
        cl.addWidget(self.camera_list)
        edit = QFormLayout()
        self.direction_spin = QDoubleSpinBox(minimum=0.0, maximum=359.9, decimals=1, singleStep=5.0)
        self.direction_spin.setWrapping(True)
        self.direction_spin.setSuffix(" °")
        self.fov_spin = QDoubleSpinBox(minimum=1.0, maximum=360.0, decimals=1, singleStep=5.0)
        self.fov_spin.setSuffix(" °")
        self.range_spin = QDoubleSpinBox(minimum=1.0, maximum=1000.0, decimals=1, singleStep=5.0)
        self.range_spin.setSuffix(" m")
        edit.addRow(tr("Direction (from north)"), self.direction_spin)
        edit.addRow(tr("Field of view"), self.fov_spin)
        edit.addRow(tr("Range"), self.range_spin)
        self.direction_spin.valueChanged.connect(lambda v: self._on_spin("direction_deg", v))
        self.fov_spin.valueChanged.connect(lambda v: self._on_spin("fov_deg", v))
        self.range_spin.valueChanged.connect(lambda v: self._on_spin("range_m", v))
        cl.addLayout(edit)
        self.delete_button = QPushButton(tr("Delete selected camera"))
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        cl.addWidget(self.delete_button)
        outer.addWidget(cams)

        self.conflicts_title = QLabel(tr("Conflicts with tree protection zones"))
        outer.addWidget(self.conflicts_title)
        self.conflict_list = QListWidget()
        self.conflict_list.setMaximumHeight(90)
        self.conflict_list.setWordWrap(True)
        self.conflict_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.conflict_list.itemClicked.connect(self._on_conflict_clicked)
        outer.addWidget(self.conflict_list)

        sug = QGroupBox(tr("Suggest sites"))
        sl = QFormLayout(sug)
        self.k_spin = QSpinBox(minimum=1, maximum=200, value=5)
        self.radius_spin = QDoubleSpinBox(minimum=5.0, maximum=500.0, value=50.0, decimals=0)
        self.radius_spin.setSuffix(" m")
        sl.addRow(tr("Candidate sites"), self.candidates_combo)
        sl.addRow(tr("Number of cameras (k)"), self.k_spin)
        sl.addRow(tr("Camera range"), self.radius_spin)
        row = QHBoxLayout()
        self.suggest_button = QPushButton(tr("Suggest k sites"))
        self.suggest_button.setToolTip(tr("Replace the plan with the k sites that newly cover "
                                          "the most incidents (outside tree protection zones)"))
        self.suggest_button.clicked.connect(lambda: self.suggest())
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setVisible(False)
        self.busy.setMaximumHeight(14)
        row.addWidget(self.suggest_button)
        row.addWidget(self.busy, 1)
        sl.addRow(row)
        self.suggest_status = QLabel()
        self.suggest_status.setWordWrap(True)
        sl.addRow(self.suggest_status)
        outer.addWidget(sug)

        buttons = QHBoxLayout()
        self.save_button = QPushButton(tr("Save plan as layer…"))
        self.save_button.clicked.connect(lambda: self.save_plan())
        self.print_button = QPushButton(tr("Print plan…"))
        self.print_button.clicked.connect(lambda: self.print_plan())
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        outer.addLayout(buttons)
        self.message = QLabel()
        self.message.setWordWrap(True)
        outer.addWidget(self.message)
        outer.addStretch(1)

    # ---- undo stack ----------------------------------------------------------------------
    def set_undo_stack(self, stack: QUndoStack) -> None:
        """Use the main window's undo stack instead of the panel's own."""
        try:
            self.undo_button.clicked.disconnect()
            self.redo_button.clicked.disconnect()
            self.undo_stack.canUndoChanged.disconnect(self.undo_button.setEnabled)
            self.undo_stack.canRedoChanged.disconnect(self.redo_button.setEnabled)
        except (RuntimeError, TypeError):
            pass
        self.undo_stack = stack
        self._bind_undo(stack)

    def _bind_undo(self, stack: QUndoStack) -> None:
        self.undo_button.clicked.connect(stack.undo)
        self.redo_button.clicked.connect(stack.redo)
        stack.canUndoChanged.connect(self.undo_button.setEnabled)
        stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_button.setEnabled(stack.canUndo())
        self.redo_button.setEnabled(stack.canRedo())

    def _push(self, text: str, redo, undo, merge_key: Any = None) -> None:
        try:
            self.undo_stack.push(PlanCommand(text, redo, undo, merge_key))
        except MapdeskError as exc:
            self._show_message(str(exc), error=True)

    # ---- layers --------------------------------------------------------------------------
    def _layers(self) -> list:
        return [lyr for lyr in getattr(self.project, "layers", []) if getattr(lyr, "kind", "vector") == "vector"]

    def _plan_layer(self):
        return self.plan.plan_layer() if self.plan is not None else None

    def _refresh_layer_choices(self) -> None:
        plan_layer = self._plan_layer()
        layers = [lyr for lyr in self._layers() if lyr is not plan_layer]

        def fill(combo: QComboBox, items: list, none_text: str | None, prefer: Any = None) -> None:
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            if none_text is not None:
                combo.addItem(none_text, None)
            for lyr in items:
                combo.addItem(lyr.name, lyr.id)
            ids = [lyr.id for lyr in items]
            pick = current if current in ids else (prefer.id if prefer is not None else None)
            if pick is None and none_text is None and ids:
                pick = ids[0]
            idx = combo.findData(pick)
            combo.setCurrentIndex(max(idx, 0))
            combo.blockSignals(False)

        by_role = {role: [lyr for lyr in layers if lyr.role == role]
                   for role in ("incidents", "trees", "cameras")}
        fill(self.incidents_combo, by_role["incidents"], None)
        fill(self.trees_combo, by_role["trees"], self.tr("(none)"),
             by_role["trees"][0] if by_role["trees"] else None)
        fill(self.existing_combo, by_role["cameras"], self.tr("(none)"),
             by_role["cameras"][0] if by_role["cameras"] else None)
        points = [lyr for lyr in layers if lyr.role in ("generic", "cameras") and _is_points(lyr)]
        cand = next((lyr for lyr in points if "candidate" in (lyr.name + lyr.id).lower()), None)
        fill(self.candidates_combo, points, self.tr("(generated around incidents)"), cand)
        self._on_inputs_chosen()

    def _layer(self, combo: QComboBox):
        lid = combo.currentData()
        return None if lid is None else self.project.layer_by_id(lid)

    def _on_inputs_chosen(self, *_: Any) -> None:
        inc = self._layer(self.incidents_combo)
        trees = self._layer(self.trees_combo)
        existing = self._layer(self.existing_combo)
        enabled = inc is not None
        for w in (self.suggest_button, self.save_button, self.print_button,
                  *self.tool_buttons.values()):
            w.setEnabled(enabled)
        if inc is None:
            self._show_message(self.tr("Add an incident layer to plan cameras."), error=True)
            return
        try:
            if self.plan is None:
                self.plan = CameraPlan(self.project, inc, trees, existing,
                                       name=self.tr("Camera plan"))
                self.plan.set_category_labels(self.tr("Proposed camera"),
                                              self.tr("Inside a tree protection zone"))
                self.plan.numbers_changed.connect(self._on_numbers)
                self.plan.changed.connect(self._on_plan_changed)
                self.plan.plan_layer().changed.connect(self._on_plan_layer_changed)
                # a filter change first redraws the map, then the numbers follow
                self.plan.defer_inputs(True)
                self.plan.set_active(self.on_screen())
            elif (inc, trees, existing) != (self.plan.incidents_layer, self.plan.trees_layer,
                                            self.plan.existing_cameras_layer):
                self.plan.set_inputs(inc, trees, existing)
        except MapdeskError as exc:
            self._show_message(str(exc), error=True)
            return
        self._show_message("")
        self._on_plan_changed("inputs")

    def on_screen(self) -> bool:
        """Shown and not behind another tab of its dock area.

        Qt does not hide a dock widget whose tab is not the current one (it moves it out of
        sight), so ``isVisible()`` alone stays true for a planning tab nobody looks at.
        """
        dock = self._find_dock()
        if dock is not None and not self._dock_visible:
            return False
        return self.isVisible()

    def _find_dock(self) -> QWidget | None:
        if self._dock is None:
            from PySide6.QtWidgets import QDockWidget

            w = self.parentWidget()
            while w is not None and not isinstance(w, QDockWidget):
                w = w.parentWidget()
            if w is not None:
                self._dock = w
                self._dock_visible = not w.visibleRegion().isEmpty() and w.isVisible()
                w.visibilityChanged.connect(self._dock_visibility_changed)
        return self._dock

    def _dock_visibility_changed(self, visible: bool) -> None:
        self._dock_visible = bool(visible)
        if self.plan is not None:
            self.plan.set_active(self.on_screen())

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self.plan is not None:
            self.plan.set_active(self.on_screen())

    def hideEvent(self, event) -> None:  # noqa: N802
        # a hidden panel's plan need not recount on every filter change (1M incidents: ~50 ms)
        if self.plan is not None:
            self.plan.set_active(False)
        super().hideEvent(event)

    # ---- numbers after a change of the incidents ---------------------------------------------
    def _schedule_catch_up(self) -> None:
        """Recount once the canvas shows the change (or soon, when no frame comes)."""
        if not self._catch_up_timer.isActive():
            self._catch_up_timer.start(CATCH_UP_FALLBACK_MS)

    def _frame_shown(self, *_: Any) -> None:
        if self._catch_up_timer.isActive():
            self._catch_up_timer.start(0)  # after the frame is painted

    def _catch_up(self) -> None:
        if self.plan is not None:
            self.plan.catch_up()

    # ---- plan → widgets ------------------------------------------------------------------
    def _on_plan_layer_changed(self, what: str) -> None:
        if what in ("data", "style") and not self._render_timer.isActive():
            self._render_timer.start(0)  # after every other handler of this change

    def _render_plan_layer(self) -> None:
        """Ask the canvas for a frame showing the plan layer's new data.

        The layer's geometry and symbols are prepared here, on the GUI thread, so the
        canvas's render thread finds them cached: building them there means creating pyproj
        objects in the pool thread, which crashes PROJ after the thread's first frame (see
        the report on branch planning). Only then the canvas is asked to refresh.
        """
        lyr = self._plan_layer()
        canvas = self.canvas
        if lyr is None or lyr not in getattr(self.project, "layers", []) \
                or not hasattr(canvas, "refresh"):
            return
        cache = getattr(canvas, "cache", None)
        try:
            frame = lyr.filtered_frame()
            if cache is not None and frame is not None and len(frame):
                geom = cache.geometry(lyr, frame)
                cache.symbology(lyr, frame)
                cache.wedges(lyr, frame, geom)
        except Exception:  # an unexpected cache API: better a stale frame than a crash
            return
        canvas.refresh()

    def _on_plan_changed(self, what: str) -> None:
        plan = self.plan
        if plan is None:
            return
        if what == "stale":
            self._schedule_catch_up()
            return
        if len(plan) and self.project is not None and plan.plan_layer() not in self.project.layers:
            plan.show_in_project()
            self._on_plan_layer_changed("data")
        if self.selected_id is not None and self.selected_id not in plan:
            self.selected_id = None
        self._update_camera_list()
        self._update_conflicts()
        self._update_editor()
        self._on_numbers(plan.numbers)
        self.overlay.update()

    def _type_name(self, code: str) -> str:
        names = {"ebike_theft": self.tr("e-bike thefts"), "other_theft": self.tr("other thefts"),
                 "fraud": self.tr("frauds"), "dispute": self.tr("disputes"),
                 "dog": self.tr("dog-related calls"), "help_request": self.tr("help requests"),
                 "other": self.tr("other incidents")}
        return names.get(code, code)

    def numbers_text(self, nb: PlanNumbers | None = None) -> str:
        """The headline: "Plan covers 214 more incidents (+7.1 %), e-bike thefts +38 %"."""
        nb = nb or (self.plan.numbers if self.plan is not None else PlanNumbers())
        if self.plan is None or not len(self.plan):
            return self.tr("No camera planned yet.")
        loc = QLocale()
        text = self.tr("Plan covers %1 more incidents (+%2 %)").replace(
            "%1", loc.toString(nb.new)).replace("%2", loc.toString(100 * nb.new_share, "f", 1))
        gains = sorted((t for t in nb.by_type.values() if t.new > 0),
                       key=lambda t: (-(t.code == "ebike_theft"), -t.new_share))[:2]
        for t in gains:
            pct = 100 * t.new_share
            text += ", " + self.tr("%1 +%2 %").replace("%1", self._type_name(t.code)).replace(
                "%2", loc.toString(pct, "f", 0 if pct >= 10 else 1))
        return text

    def coverage_text(self, nb: PlanNumbers | None = None) -> str:
        nb = nb or (self.plan.numbers if self.plan is not None else PlanNumbers())
        loc = QLocale()
        return self.tr("Covered: %1 % now → %2 % with the plan, of %3 incidents "
                       "(filtered); %4 cameras planned").replace(
            "%1", loc.toString(100 * nb.share_before, "f", 1)).replace(
            "%2", loc.toString(100 * nb.share_after, "f", 1)).replace(
            "%3", loc.toString(nb.total)).replace(
            "%4", loc.toString(len(self.plan) if self.plan is not None else 0))

    def _on_numbers(self, nb: PlanNumbers) -> None:
        self.numbers_label.setText(self.numbers_text(nb))
        self.coverage_label.setText(self.coverage_text(nb))
        rows = list(nb.by_type.values())
        if self.type_table.rowCount() != len(rows):
            self.type_table.setRowCount(len(rows))
        loc = QLocale()
        lang = "zh" if QLocale().language() == QLocale.Language.Chinese else "en"
        from mapdesk.domain.incidents import type_label

        for r, t in enumerate(rows):
            cells = (type_label(t.code, lang), loc.toString(t.total),
                     f"{loc.toString(t.before)} ({loc.toString(100 * t.before / max(t.total, 1), 'f', 0)} %)",
                     f"{loc.toString(t.after)} (+{loc.toString(t.new)})")
            for c, value in enumerate(cells):
                item = self.type_table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    self.type_table.setItem(r, c, item)
                if item.text() != value:
                    item.setText(value)
        # per-camera gains change with every drag
        for i in range(self.camera_list.count()):
            item = self.camera_list.item(i)
            cid = item.data(Qt.ItemDataRole.UserRole)
            if self.plan is not None and cid in self.plan:
                text = self._camera_text(cid, nb)
                if item.text() != text:
                    item.setText(text)

    def _camera_text(self, cid: str, nb: PlanNumbers) -> str:
        cam = self.plan.camera(cid)
        if cam.direction_deg is None or cam.fov_deg >= 360:
            aim = self.tr("all round")
        else:
            aim = f"{cam.direction_deg:.0f}° / {cam.fov_deg:.0f}°"
        return self.tr("%1  %2, %3 m  +%4 incidents").replace("%1", cid).replace("%2", aim).replace(
            "%3", f"{cam.range_m:.0f}").replace("%4", str(nb.new_by_camera.get(cid, 0)))

    def _update_camera_list(self) -> None:
        plan = self.plan
        ids = plan.ids
        lw = self.camera_list
        current = [lw.item(i).data(Qt.ItemDataRole.UserRole) for i in range(lw.count())]
        self._syncing = True
        try:
            if current != ids:
                lw.clear()
                for cid in ids:
                    item = QListWidgetItem(self._camera_text(cid, plan.numbers))
                    item.setData(Qt.ItemDataRole.UserRole, cid)
                    lw.addItem(item)
            for i, cid in enumerate(ids):
                item = lw.item(i)
                item.setText(self._camera_text(cid, plan.numbers))
                item.setForeground(QColor(CONFLICT_COLOR) if plan.conflicts(cid) else QColor("#222222"))
                if cid == self.selected_id and lw.currentRow() != i:
                    lw.setCurrentRow(i)
            if self.selected_id is None:
                lw.setCurrentRow(-1)
        finally:
            self._syncing = False

    def conflict_texts(self) -> list[str]:
        """One sentence per conflict, as listed in red."""
        out = []
        plan = self.plan
        if plan is None:
            return out
        for c in plan.conflicts():
            grade = self.tr(" (grade %1)").replace("%1", str(c.grade)) if c.grade is not None else ""
            out.append(self.tr("%1 is inside the protection zone of tree %2%3, %4 m from the trunk")
                       .replace("%1", c.camera_id).replace("%2", c.tree_id).replace("%3", grade)
                       .replace("%4", QLocale().toString(c.distance_m, "f", 1)))
        return out

    def _update_conflicts(self) -> None:
        texts = self.conflict_texts()
        ids = [c.camera_id for c in self.plan.conflicts()] if self.plan is not None else []
        lw = self.conflict_list
        lw.clear()
        for text, cid in zip(texts, ids, strict=True):
            item = QListWidgetItem(text)
            item.setForeground(QColor(CONFLICT_COLOR))
            item.setData(Qt.ItemDataRole.UserRole, cid)
            lw.addItem(item)
        if not texts:
            lw.addItem(QListWidgetItem(self.tr("No proposed camera is inside a protection zone.")))
        n = len({*ids})
        self.conflicts_title.setText(self.tr("Conflicts with tree protection zones: %1").replace(
            "%1", str(n)))
        self.conflicts_title.setStyleSheet(f"color: {CONFLICT_COLOR}; font-weight: bold;" if n else "")

    def _update_editor(self) -> None:
        cid = self.selected_id
        enabled = self.plan is not None and cid is not None and cid in self.plan
        for w in (self.direction_spin, self.fov_spin, self.range_spin, self.delete_button):
            w.setEnabled(enabled)
        if not enabled:
            return
        cam = self.plan.camera(cid)
        self._syncing = True
        try:
            self.direction_spin.setValue(0.0 if cam.direction_deg is None else cam.direction_deg)
            self.fov_spin.setValue(360.0 if cam.direction_deg is None else cam.fov_deg)
            self.range_spin.setValue(cam.range_m)
        finally:
            self._syncing = False

    def _show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {CONFLICT_COLOR};" if error and text else "")

    # ---- selection -----------------------------------------------------------------------
    def select(self, cid: str | None) -> None:
        if cid == self.selected_id:
            return
        self.selected_id = cid
        self._update_camera_list()
        self._update_editor()
        self.overlay.update()
        self.selection_changed.emit(cid)

    def _on_list_selection(self, current, _previous) -> None:
        if self._syncing:
            return
        self.select(None if current is None else current.data(Qt.ItemDataRole.UserRole))

    def _on_conflict_clicked(self, item) -> None:
        cid = item.data(Qt.ItemDataRole.UserRole)
        if cid:
            self.select(cid)

    # ---- edits from widgets --------------------------------------------------------------
    def _on_spin(self, field: str, value: float) -> None:
        if self._syncing or self.plan is None or self.selected_id not in self.plan:
            return
        cid = self.selected_id
        cam = self.plan.camera(cid)
        if field == "fov_deg" and cam.direction_deg is None and value < 360:
            # a circle camera given a field of view starts facing the direction shown
            new = {"fov_deg": value, "direction_deg": self.direction_spin.value()}
        elif field == "direction_deg" and (cam.direction_deg is None or cam.fov_deg >= 360):
            new = {"direction_deg": value}
        else:
            new = {field: value}
        old = {k: getattr(cam, k) for k in new}
        names = {"direction_deg": self.tr("direction"), "fov_deg": self.tr("field of view"),
                 "range_m": self.tr("range")}
        plan = self.plan
        self._push(self.tr("Set %1 of %2").replace("%1", names[field]).replace("%2", cid),
                   lambda: plan.update(cid, **new), lambda: plan.update(cid, **old),
                   merge_key=(id(plan), cid, field))

    def delete_selected(self) -> None:
        if self.plan is not None and self.selected_id in self.plan:
            self.delete_camera(self.selected_id)

    def delete_camera(self, cid: str) -> None:
        plan = self.plan
        index = plan.ids.index(cid)
        cam = plan.camera(cid)

        def redo() -> None:
            if cid in plan:
                plan.remove(cid)

        self._push(self.tr("Delete %1").replace("%1", cid), redo, lambda: plan.restore(cam, index))

    # ---- tools and mouse -----------------------------------------------------------------
    def set_tool(self, tool: str) -> None:
        if tool not in TOOLS:
            raise ValueError(f"unknown tool {tool!r}; one of {TOOLS}")
        self.tool = tool
        self.tool_buttons[tool].setChecked(True)
        if tool == "pan":
            self.canvas.unsetCursor()
            if hasattr(self.canvas, "set_tool"):
                self.canvas.set_tool("pan")
        else:
            shapes = {"add": Qt.CursorShape.CrossCursor, "move": Qt.CursorShape.SizeAllCursor,
                      "rotate": Qt.CursorShape.PointingHandCursor,
                      "delete": Qt.CursorShape.ForbiddenCursor}
            self.canvas.setCursor(shapes[tool])

    def pixel_to_metric(self, px: float, py: float) -> tuple[float, float]:
        x, y = self.canvas.settings.pixel_to_map(px, py)
        xm, ym = self.plan.to_metric(float(x), float(y))
        return float(xm), float(ym)

    def metric_to_pixel(self, x_m, y_m):
        x, y = self.plan.from_metric(x_m, y_m)
        return self.canvas.settings.map_to_pixel(x, y)

    def camera_outline_px(self, cam: PlannedCamera) -> tuple[QPolygonF, QPointF]:
        """The camera's sector (or circle) and position in canvas pixels."""
        circle = cam.direction_deg is None or cam.fov_deg >= 360
        if circle:
            ang = np.linspace(0.0, 360.0, 73)
            xs = cam.x_m + cam.range_m * np.sin(np.radians(ang))
            ys = cam.y_m + cam.range_m * np.cos(np.radians(ang))
        else:
            ang = np.linspace(cam.direction_deg - cam.fov_deg / 2, cam.direction_deg + cam.fov_deg / 2,
                              max(int(cam.fov_deg / 4), 2) + 1)
            xs = np.r_[cam.x_m, cam.x_m + cam.range_m * np.sin(np.radians(ang))]
            ys = np.r_[cam.y_m, cam.y_m + cam.range_m * np.cos(np.radians(ang))]
        px, py = self.metric_to_pixel(np.r_[cam.x_m, xs], np.r_[cam.y_m, ys])
        poly = QPolygonF([QPointF(float(a), float(b)) for a, b in zip(px[1:], py[1:], strict=True)])
        return poly, QPointF(float(px[0]), float(py[0]))

    def _pick(self, px: float, py: float) -> str | None:
        xm, ym = self.pixel_to_metric(px, py)
        tol = PICK_PX * self.canvas.settings.ground_m_per_pixel()
        return self.plan.camera_at(xm, ym, tol)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.canvas:
            et = event.type()
            if et == QEvent.Type.Resize:
                self.overlay.setGeometry(self.canvas.rect())
            elif self.plan is not None and self.tool != "pan":
                if et == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
                    return self._press(event)
                if et == QEvent.Type.MouseMove and self._gesture is not None:
                    return self._move(event)
                if et == QEvent.Type.MouseButtonRelease and self._gesture is not None \
                        and event.button() == Qt.MouseButton.LeftButton:
                    return self._release(event)
                if et == QEvent.Type.MouseButtonDblClick:
                    return True
                if et == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape \
                        and self._gesture is not None:
                    self.cancel_gesture()
                    return True
                if et == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Delete,
                                                                  Qt.Key.Key_Backspace):
                    self.delete_selected()
                    return True
        return super().eventFilter(obj, event)

    def _press(self, event) -> bool:
        pos = event.position()
        plan = self.plan
        hit = self._pick(pos.x(), pos.y())
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        g = {"pos": QPointF(pos), "moved": False}
        if self.tool == "add":
            xm, ym = self.pixel_to_metric(pos.x(), pos.y())
            try:
                cid = plan.add(xm, ym)
            except MapdeskError as exc:
                self._show_message(str(exc), error=True)
                return True
            g.update(kind="add", cid=cid, index=plan.ids.index(cid))
        elif self.tool == "delete":
            g.update(kind="delete", cid=hit)
        elif self.tool == "move" and hit is not None and not shift:
            cam = plan.camera(hit)
            xm, ym = self.pixel_to_metric(pos.x(), pos.y())
            g.update(kind="move", cid=hit, old=(cam.x_m, cam.y_m), offset=(cam.x_m - xm, cam.y_m - ym))
        elif self.tool in ("rotate", "move"):
            cid = hit if hit is not None else (self.selected_id if self.tool == "rotate" else None)
            if cid is None or cid not in plan:
                return False  # nothing to act on: let the canvas pan
            g.update(kind="rotate", cid=cid, old=plan.camera(cid).direction_deg)
        else:
            return False
        self._gesture = g
        if g.get("cid") is not None and g["kind"] != "delete":
            self.dragging_id = g["cid"]
            plan.hold_layer(True)
            self.select(g["cid"])
        self.overlay.update()
        return True

    def _move(self, event) -> bool:
        g = self._gesture
        pos = event.position()
        d = pos - g["pos"]
        if abs(d.x()) + abs(d.y()) > CLICK_SLOP_PX:
            g["moved"] = True
        if not g["moved"] or g.get("cid") is None:
            return True
        plan = self.plan
        xm, ym = self.pixel_to_metric(pos.x(), pos.y())
        cid = g["cid"]
        if g["kind"] == "move":
            plan.move(cid, xm + g["offset"][0], ym + g["offset"][1])
        elif g["kind"] in ("add", "rotate"):
            cam = plan.camera(cid)
            if (xm, ym) != (cam.x_m, cam.y_m):
                plan.rotate(cid, math.degrees(math.atan2(xm - cam.x_m, ym - cam.y_m)) % 360.0)
        if not self._flush_timer.isActive():
            self._flush_timer.start(LAYER_FLUSH_MS)
        self.overlay.update()
        return True

    def cancel_gesture(self) -> None:
        """Esc during a drag: put the camera back as it was (nothing goes on the undo stack)."""
        g, self._gesture = self._gesture, None
        if g is None or self.plan is None:
            return
        plan, cid = self.plan, g.get("cid")
        self.dragging_id = None
        self._flush_timer.stop()
        if cid is not None and cid in plan:
            if g["kind"] == "add":
                plan.remove(cid)
            elif g["kind"] == "move":
                plan.move(cid, *g["old"])
            elif g["kind"] == "rotate":
                plan.rotate(cid, g["old"])
        plan.hold_layer(False)
        self.overlay.update()

    def _flush_layer(self) -> None:
        if self.plan is not None:
            self.plan.flush_layer()

    def _release(self, event) -> bool:
        g, self._gesture = self._gesture, None
        plan = self.plan
        cid = g.get("cid")
        self.dragging_id = None
        self._flush_timer.stop()
        plan.hold_layer(False)
        kind = g["kind"]
        if kind == "add":
            final, index = plan.camera(cid), g["index"]

            def redo_add() -> None:
                if cid in plan:
                    plan.update(cid, x_m=final.x_m, y_m=final.y_m,
                                direction_deg=final.direction_deg)
                else:
                    plan.restore(replace(final), index)

            self._push(self.tr("Add %1").replace("%1", cid), redo_add, lambda: plan.remove(cid))
            self.select(cid)
        elif kind == "delete":
            if cid is not None and not g["moved"]:
                self.delete_camera(cid)
        elif kind == "move" and g["moved"]:
            cam = plan.camera(cid)
            new, old = (cam.x_m, cam.y_m), g["old"]
            self._push(self.tr("Move %1").replace("%1", cid),
                       lambda: plan.move(cid, *new), lambda: plan.move(cid, *old))
        elif kind == "rotate" and g["moved"]:
            new_dir, old_dir = plan.camera(cid).direction_deg, g["old"]
            self._push(self.tr("Rotate %1").replace("%1", cid),
                       lambda: plan.rotate(cid, new_dir), lambda: plan.rotate(cid, old_dir))
        self.overlay.update()
        return True

    # ---- suggestions ---------------------------------------------------------------------
    def suggest(self) -> None:
        """Run ``suggest_sites`` for k sites in a worker thread; the result replaces the plan
        (one undo step)."""
        if self.plan is None or self._thread is not None:
            return
        from mapdesk.domain.cameras import select_cameras
        from mapdesk.io.schema import to_canonical

        inc_layer = self.plan.incidents_layer
        incidents = to_canonical(inc_layer.filtered_frame(), inc_layer.field_map)
        kwargs: dict[str, Any] = {"incidents": incidents, "k": self.k_spin.value(),
                                  "radius_m": float(self.radius_spin.value()),
                                  "compute_gap": False}
        ex = self.plan.existing_cameras_layer
        if ex is not None and ex.filtered_frame() is not None:
            kwargs["existing"] = select_cameras(to_canonical(ex.filtered_frame(), ex.field_map))[0]
        trees = self.plan.trees_layer
        if trees is not None and trees.frame is not None:
            kwargs["trees"] = to_canonical(trees.frame, trees.field_map)
        cands = self._layer(self.candidates_combo)
        if cands is not None and cands.frame is not None:
            kwargs["candidates"] = to_canonical(cands.filtered_frame(), cands.field_map)
        self.suggest_button.setEnabled(False)
        self.busy.setVisible(True)
        self.suggest_status.setText(self.tr("Searching for the best %1 sites…").replace(
            "%1", str(kwargs["k"])))
        self._thread = QThread(self)
        app = QCoreApplication.instance()
        if app is not None:
            # a QThread destroyed while running aborts the process: let quitting wait for it
            app.aboutToQuit.connect(self.wait_for_suggestion, Qt.ConnectionType.UniqueConnection)
        self._worker = _SuggestWorker(kwargs)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.finished.connect(self._on_suggested)
        self._worker.failed.connect(self._on_suggest_failed)
        self._thread.start()

    def _end_suggest(self) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(5000)
            self._thread.deleteLater()
            self._worker.deleteLater()
        self._thread = self._worker = None
        self.busy.setVisible(False)
        self.suggest_button.setEnabled(self.plan is not None)

    def _on_suggested(self, result: Any) -> None:
        self._end_suggest()
        self.last_suggestion = result
        plan = self.plan
        old = plan.cameras
        try:
            plan.from_suggestion(result)
        except MapdeskError as exc:
            self._on_suggest_failed(str(exc))
            return
        new = plan.cameras
        plan.replace_all(old)
        self._push(self.tr("Suggest %1 sites").replace("%1", str(len(new))),
                   lambda: plan.replace_all(new), lambda: plan.replace_all(old))
        text = self.tr("%1 sites suggested; they newly cover %2 incidents.").replace(
            "%1", str(len(result.sites))).replace("%2", str(result.stats.get("new_incidents_covered", 0)))
        excluded = int((result.excluded["reason_kind"] == "protection_zone").sum()) \
            if len(result.excluded) else 0
        if excluded:
            text += " " + self.tr("%1 candidate sites inside tree protection zones were left out.") \
                .replace("%1", str(excluded))
        for w in result.warnings[:3]:
            text += "\n" + w
        self.suggest_status.setText(text)
        self.suggest_finished.emit(result)

    def _on_suggest_failed(self, message: str) -> None:
        self._end_suggest()
        self.suggest_status.setText(self.tr("No sites suggested: %1").replace("%1", message))
        self.suggest_finished.emit(None)

    # ---- save and print ------------------------------------------------------------------
    def save_plan(self, path: str | None = None) -> Path | None:
        """Save the plan as a GeoPackage (file dialog unless ``path``); the plan layer is in
        the project and refers to that file afterwards."""
        if self.plan is None:
            return None
        if path is None:
            proj_path = getattr(self.project, "path", None)
            start = str(Path(proj_path).parent / "camera_plan.gpkg") if proj_path else "camera_plan.gpkg"
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save plan as layer"), start,
                                                  self.tr("GeoPackage (*.gpkg);;GeoJSON (*.geojson)"))
            if not path:
                return None
        if not Path(path).suffix:
            path = f"{path}.gpkg"
        try:
            out = self.plan.save_as_layer(path)
        except MapdeskError as exc:
            QMessageBox.warning(self, self.tr("Save plan"), str(exc))
            return None
        lyr = self.plan.show_in_project()
        lyr.set_name(Path(out).stem)
        self._show_message(self.tr("Plan saved to %1 (layer “%2”).").replace("%1", str(out))
                           .replace("%2", lyr.name))
        return out

    def caption_lines(self) -> tuple[list[str], list[str]]:
        """Text printed under the map: (numbers, conflicts)."""
        lines = [self.numbers_text(), self.coverage_text()]
        conflicts = self.conflict_texts()
        if len(conflicts) > 8:
            conflicts = [*conflicts[:8], self.tr("… and %1 more conflicts").replace(
                "%1", str(len(conflicts) - 8))]
        if not conflicts and self.plan is not None and len(self.plan):
            lines.append(self.tr("No proposed camera is inside a protection zone."))
        return lines, conflicts

    def print_plan(self, path: str | None = None) -> str | None:
        """Print the plan: the export layouts' dialog when the build has it (subtitle = the
        plan's numbers), else a PDF written here (file dialog unless ``path``)."""
        if self.plan is None:
            return None
        self.plan.show_in_project()
        self.plan.flush_layer()
        if path is None:
            from mapdesk.gui.export_dialog import ExportDialog

            dlg = ExportDialog(self.project, self, print_mode=True,
                               extent_wgs84=self.canvas.settings.extent_wgs84)
            dlg.subtitle_edit.setText(self.numbers_text())
            self.last_print = "export_dialog"
            dlg.exec()
            return self.last_print
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Print plan to PDF"),
                                                  "camera_plan.pdf", self.tr("PDF (*.pdf)"))
            if not path:
                return None
        caption, conflicts = self.caption_lines()
        try:
            write_plan_pdf(self.project, self.canvas.settings, path,
                           title=self.tr("Camera plan — %1").replace("%1", str(self.project.title)),
                           caption=caption, conflicts=conflicts,
                           synthetic_note=self.tr("Synthetic sample data")
                           if getattr(self.project, "is_synthetic", False) else "")
        except (MapdeskError, OSError) as exc:
            QMessageBox.warning(self, self.tr("Print plan"), str(exc))
            return None
        self.last_print = str(path)
        self._show_message(self.tr("Plan printed to %1.").replace("%1", str(path)))
        return self.last_print

    def wait_for_suggestion(self, timeout_ms: int = 60_000) -> None:
        """Block until a running optimisation ends (closing, quitting)."""
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(timeout_ms)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.wait_for_suggestion()
        super().closeEvent(event)


def _is_points(layer) -> bool:
    f = layer.frame if getattr(layer, "status", "ok") == "ok" else None
    if f is None or len(f) == 0 or not hasattr(f, "geom_type"):
        return False
    return bool(f.geom_type.isin(["Point", "MultiPoint"]).all())


def write_plan_pdf(project: Any, view, path: str | Path, *, title: str, caption: list[str],
                   conflicts: list[str] = (), synthetic_note: str = "", dpi: int = 200) -> Path:
    """An A4 landscape PDF: title, the map at the view's extent (the shared renderer, so it
    looks as on screen), the plan's numbers as a caption and its conflicts in red.

    ``view`` is a :class:`~mapdesk.render.viewport.MapSettings`; its extent is fitted to the
    page's map frame."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    from mapdesk.io.atomic import atomic_path
    from mapdesk.render.fonts import ensure_fonts
    from mapdesk.render.job import render_image
    from mapdesk.render.viewport import MapSettings

    family = ensure_fonts()
    path = Path(path)
    with atomic_path(path) as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(dpi)
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                         QPageLayout.Orientation.Landscape, QMarginsF(12, 12, 12, 12),
                                         QPageLayout.Unit.Millimeter))
        writer.setTitle(title)
        writer.setCreator("mapdesk")
        p = QPainter(writer)
        try:
            page = QRectF(0, 0, writer.width(), writer.height())
            px_per_mm = dpi / 25.4
            title_font = QFont(family or ensure_fonts())
            title_font.setPointSizeF(14)
            title_font.setBold(True)
            text_font = QFont(family or ensure_fonts())
            text_font.setPointSizeF(9)
            p.setFont(title_font)
            p.setPen(QColor("#111111"))
            title_h = 9 * px_per_mm
            p.drawText(QRectF(0, 0, page.width(), title_h), int(Qt.AlignmentFlag.AlignLeft
                                                                | Qt.AlignmentFlag.AlignVCenter), title)
            line_h = 5.2 * px_per_mm
            red = [False] * len(caption) + [True] * len(conflicts) + [False] * bool(synthetic_note)
            lines = [*caption, *conflicts, *([synthetic_note] if synthetic_note else [])]
            caption_h = line_h * len(lines) + 2 * px_per_mm
            map_rect = QRectF(0, title_h + 2 * px_per_mm, page.width(),
                              page.height() - title_h - caption_h - 4 * px_per_mm)
            settings = MapSettings(view.extent, int(map_rect.width()), int(map_rect.height()), dpi=dpi)
            image = render_image(project, settings, tile_wait_s=5.0)
            p.drawImage(map_rect.topLeft(), image)
            p.setPen(QPen(QColor("#555555"), 1.0))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(map_rect)
            p.setFont(text_font)
            y = map_rect.bottom() + 2 * px_per_mm
            for line, is_conflict in zip(lines, red, strict=True):
                p.setPen(QColor(CONFLICT_COLOR if is_conflict else "#111111"))
                p.drawText(QRectF(0, y, page.width(), line_h),
                           int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), line)
                y += line_h
        finally:
            p.end()
    return path
