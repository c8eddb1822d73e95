"""The main window: map in the middle, layers and filter on the left, table and time below,
analysis on the right; project and layer actions, undo, autosave and languages.

The window owns no state of its own beyond the widgets: it holds a :class:`Project` and an undo
stack, and every panel observes the project's signals.
"""

from __future__ import annotations

import html
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QStyle,
    QTabBar,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QWidget,
)

from mapdesk import __version__
from mapdesk.errors import MapdeskError
from mapdesk.gui import i18n, recovery, settings, threadsafe_proj
from mapdesk.gui.analysis_dock import AnalysisDock
from mapdesk.gui.attribute_table import AttributeTable, export_rows
from mapdesk.gui.canvas import MapCanvas
from mapdesk.gui.filter_panel import FilterPanel, count_text
from mapdesk.gui.layer_panel import LayerPanel
from mapdesk.gui.lazy_panel import LazyPanel
from mapdesk.gui.style_dialog import StyleDialog
from mapdesk.gui.time_slider import TimeSlider
from mapdesk.gui.undo import (
    AddLayerCommand,
    RemoveLayerCommand,
    SetOpacityCommand,
    SetRoleCommand,
    SetStyleCommand,
)
from mapdesk.gui.workers import JobManager, JobProgress
from mapdesk.model import Layer, Project

PROJECT_SUFFIX = ".mapdesk.json"


def _lang_code() -> str:
    return "zh" if i18n.current_language().startswith("zh") else "en"

LAYER_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".csv", ".xlsx", ".xls", ".parquet",
                  ".geoparquet", ".fgb", ".kml", ".gml", ".zip", ".txt", ".tsv")
DEFAULT_AUTOSAVE_S = 60
TOOL_NAMES = {"tool_pan": "pan", "tool_identify": "identify", "tool_select": "select",
              "tool_distance": "measure_distance", "tool_area": "measure_area"}


class MainWindow(QMainWindow):
    """The analyst's window over one project at a time."""

    layer_loaded = Signal(object)  # a layer finished loading and was added
    project_opened = Signal(object)

    def __init__(self, project: Project | None = None, *, autosave_s: int | None = None,
                 remember_layout: bool = True) -> None:
        threadsafe_proj.install()  # before any canvas or job thread touches pyproj
        super().__init__()
        self.setObjectName("MainWindow")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.project = project or Project()
        self.undo = QUndoStack(self)
        self.undo.setUndoLimit(200)
        self.jobs = JobManager(self)
        self.current_layer: Layer | None = None
        self._sync_selection = False

        self.canvas = self._make_canvas()
        self.layer_panel = LayerPanel(self.project, self.undo)
        self.filter_panel = FilterPanel(self.undo)
        self.table = AttributeTable()
        self.time_slider = TimeSlider()
        self.analysis = AnalysisDock(self)
        self.identify_table = QTableWidget(0, 2)
        self.identify_table.horizontalHeader().setStretchLastSection(True)
        self.identify_table.verticalHeader().hide()

        self.docks: dict[str, QDockWidget] = {}
        area = Qt.DockWidgetArea
        for key, widget, where in (("layers", self.layer_panel, area.LeftDockWidgetArea),
                                   ("filter", self.filter_panel, area.LeftDockWidgetArea),
                                   ("analysis", self.analysis, area.RightDockWidgetArea),
                                   ("identify", self.identify_table, area.RightDockWidgetArea),
                                   ("time", self.time_slider, area.BottomDockWidgetArea),
                                   ("table", self.table, area.BottomDockWidgetArea)):
            dock = QDockWidget(self)
            dock.setObjectName(f"dock_{key}")
            dock.setWidget(widget)
            self.addDockWidget(where, dock)
            self.docks[key] = dock
        self.splitDockWidget(self.docks["layers"], self.docks["filter"], Qt.Orientation.Vertical)
        self.tabifyDockWidget(self.docks["analysis"], self.docks["identify"])
        self.docks["analysis"].raise_()
        self.splitDockWidget(self.docks["time"], self.docks["table"], Qt.Orientation.Vertical)
        # the analysis column runs the full height: its charts and tables need the room more
        # than the attribute table needs the width
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self._sized = False

        self.optional: dict[str, QWidget] = {}
        self._build_optional_docks()
        self.actions: dict[str, QAction] = {}
        self._build_actions()
        self._build_menus()
        self._build_status()
        from mapdesk.gui.db_actions import DatabaseActions

        self.db = DatabaseActions(self)  # Database menu, layer menu entries, password prompt

        self.layer_panel.current_layer_changed.connect(self.set_current_layer)
        self.layer_panel.properties_requested.connect(self.edit_layer_properties)
        self.layer_panel.zoom_requested.connect(self.zoom_to_layer)
        self.layer_panel.remove_requested.connect(self.remove_layer)
        self.layer_panel.add_requested.connect(self.add_layer_dialog)
        self.table.zoom_to_selection_requested.connect(self.zoom_to_selection)
        self.table.export_requested.connect(self.export_selection)
        self.canvas.rendered.connect(self.table.map_frame_shown)  # its rows repaint after the map
        self.undo.cleanChanged.connect(self._update_title)

        self._connect_project()
        self.autosave = QTimer(self)
        interval = autosave_s if autosave_s is not None else int(
            settings.get_value("autosave/seconds", DEFAULT_AUTOSAVE_S, int))
        self.autosave.setInterval(max(5, interval) * 1000)
        self.autosave.timeout.connect(self.write_recovery)
        if interval > 0:
            self.autosave.start()
        self.resize(1400, 880)
        self.remember_layout = remember_layout
        if remember_layout:
            self._restore_layout()
        self.retranslate()
        self.set_current_layer(self.layer_panel.current_layer())

    # ---- panels of other modules (tree inspector, tree tools, camera planning) -------------
    def run_job(self, title: str, job: Any, done: Any) -> None:
        """A ``runner(title, job, done)`` for panels that bring their own jobs."""
        self.jobs.start(job, title, on_done=done,
                        on_error=lambda msg, tb: self.show_error(title, msg, tb))

    def _build_optional_docks(self) -> None:
        """Host the tree inspector, tree tools and camera planning panels when installed."""
        area = Qt.DockWidgetArea.RightDockWidgetArea
        makers = {"tree_inspector": self._make_tree_inspector, "tree_tools": self._make_tree_tools,
                  "planning": self._make_planning}
        for key, make in makers.items():
            try:
                widget = make()
            except ImportError:
                continue
            except Exception as exc:  # a broken optional panel must not stop the window
                print(f"mapdesk: {key} panel unavailable: {exc}")
                continue
            dock = QDockWidget(self)
            dock.setObjectName(f"dock_{key}")
            # tall panels scroll instead of making the window taller than the screen
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(widget)
            dock.setWidget(scroll)
            self.addDockWidget(area, dock)
            self.tabifyDockWidget(self.docks["analysis"], dock)
            self.docks[key] = dock
            self.optional[key] = widget
        self.docks["analysis"].raise_()

    def _make_tree_inspector(self) -> QWidget:
        from mapdesk.gui.tree_inspector import TreeInspector

        w = TreeInspector(project=self.project, lang=_lang_code())
        if hasattr(w, "set_runner"):
            w.set_runner(self.run_job)
        if hasattr(w, "zoom_requested") and hasattr(self.canvas, "zoom_to_extent"):
            w.zoom_requested.connect(self._zoom_to_lonlat)
        return w

    def _make_tree_tools(self) -> QWidget:
        from mapdesk.gui.tree_inspector import TreeToolsPanel

        w = TreeToolsPanel(self.project, lang=_lang_code())
        if hasattr(w, "set_runner"):
            w.set_runner(self.run_job)
        return w

    def _make_planning(self) -> QWidget:
        # built when its tab is first shown: importing it (scipy) and building its plan cost
        # ~0.6 s of every start otherwise
        if importlib.util.find_spec("mapdesk.gui.planning") is None:
            raise ImportError("mapdesk.gui.planning")
        project, canvas = self.project, self.canvas

        def make() -> QWidget:
            from mapdesk.gui.planning import PlanningPanel

            return PlanningPanel(project, canvas)

        return LazyPanel(make)

    def _rebuild_optional_docks(self) -> None:
        for key, host in list(self.optional.items()):
            dock = self.docks.pop(key)
            widget = host.widget if isinstance(host, LazyPanel) else host
            if widget is not None:  # None: a lazy panel never shown, nothing to tidy up
                overlay = getattr(widget, "overlay", None)
                if overlay is not None:  # the planning overlay is a child of the canvas
                    overlay.deleteLater()
                if hasattr(self.canvas, "removeEventFilter"):
                    self.canvas.removeEventFilter(widget)
                widget.close()
                widget.deleteLater()
            self.removeDockWidget(dock)
            host.deleteLater()
            dock.deleteLater()
        self.optional.clear()
        self._build_optional_docks()
        panels = self.menus["panels"]
        panels.clear()
        for dock in self.docks.values():
            panels.addAction(dock.toggleViewAction())
        self.retranslate()

    def _zoom_to_lonlat(self, lon: float, lat: float) -> None:
        from mapdesk.render.viewport import lonlat_to_mercator

        x, y = lonlat_to_mercator(lon, lat)
        r = 150.0  # metres around the tree
        self.canvas.zoom_to_extent((float(x) - r, float(y) - r, float(x) + r, float(y) + r))

    # ---- canvas ---------------------------------------------------------------------------------
    def _make_canvas(self) -> QWidget:
        canvas = MapCanvas(self.project)
        canvas.setObjectName("mapCanvas")
        self.setCentralWidget(canvas)
        canvas.selection_changed.connect(self._canvas_selection)
        canvas.cursor_moved.connect(self._cursor_moved)
        canvas.scale_changed.connect(self._scale_changed)
        canvas.identified.connect(self._identified)
        canvas.rendered.connect(self._rendered)
        canvas.measured.connect(self._measured)
        self.change_serial = getattr(self, "change_serial", 0) + 1
        return canvas

    def _measured(self, kind: str, value: float, text: str) -> None:
        label = self.tr("Distance") if kind == "distance" else self.tr("Area")
        self.statusBar().showMessage(f"{label}: {text}", 15000)

    def _rendered(self, *_: Any) -> None:
        self.rendered_serial = self.change_serial

    def map_is_current(self) -> bool:
        """True when the canvas has rendered since the last change of the project."""
        return getattr(self, "rendered_serial", -1) == self.change_serial and not self.jobs.busy()

    def _canvas_selection(self, layer_id: str, indices: Any) -> None:
        layer = self.project.layer_by_id(layer_id)
        if layer is None or self._sync_selection:
            return
        indices = np.asarray(indices, dtype=np.int64)
        if np.array_equal(np.sort(layer.selection), np.sort(indices)):
            return
        self._sync_selection = True
        try:
            layer.set_selection(np.asarray(indices, dtype=np.int64))
        finally:
            self._sync_selection = False
        if layer is not self.current_layer:
            self.layer_panel.set_current_layer(layer)

    def _cursor_moved(self, lon: float, lat: float, x_m: float, y_m: float) -> None:
        self.coords_label.setText(self.tr("Lon {0:.5f}°  Lat {1:.5f}°").format(lon, lat))

    def _scale_changed(self, denominator: float) -> None:
        self.scale_label.setText(self.tr("Scale 1:{0}").format(f"{round(denominator):,}"))

    def _identified(self, layer: Any, row: int, attributes: dict) -> None:
        t = self.identify_table
        t.setRowCount(0)
        name = getattr(layer, "name", str(layer))
        items = [(self.tr("Layer"), name), (self.tr("Row"), str(int(row) + 1))]
        inspector = self.optional.get("tree_inspector")
        if inspector is not None and getattr(layer, "role", None) == "trees":
            try:
                inspector.set_tree(layer, int(row))
                self.docks["tree_inspector"].show()
                self.docks["tree_inspector"].raise_()
                return
            except Exception:  # fall back to the attribute list below
                pass
        record = self._tree_record(layer, row)
        if record:
            items += record
        else:
            items += [(str(k), "" if v is None else str(v)) for k, v in attributes.items() if k != "geometry"]
        t.setRowCount(len(items))
        for r, (k, v) in enumerate(items):
            t.setItem(r, 0, QTableWidgetItem(k))
            t.setItem(r, 1, QTableWidgetItem(v))
        self.docks["identify"].show()
        self.docks["identify"].raise_()

    def _tree_record(self, layer: Any, row: int) -> list[tuple[str, str]]:
        """The tree inspector's record (labels in the UI language) for a tree layer's row."""
        if getattr(layer, "role", None) != "trees" or getattr(layer, "frame", None) is None:
            return []
        from mapdesk.domain.trees import tree_record

        try:
            canon = layer.canonical_frame()
            rec = tree_record(canon.iloc[int(row)], lang="zh" if i18n.current_language() != "en" else "en",
                              crs=layer.frame.crs)
        except Exception:  # an incomplete record falls back to the raw attributes
            return []
        from mapdesk.gui.analysis_dock import record_label

        return [(record_label(t), str(t[-1])) for t in rec]

    # ---- project wiring ---------------------------------------------------------------------------
    def _connect_project(self) -> None:
        p = self.project
        p.dirty_changed.connect(self._dirty_changed)
        p.layer_changed.connect(self._layer_changed)
        p.layers_changed.connect(self._layers_changed)
        self._update_title()

    def _disconnect_project(self) -> None:
        p = self.project
        for sig, slot in ((p.dirty_changed, self._dirty_changed), (p.layer_changed, self._layer_changed),
                          (p.layers_changed, self._layers_changed)):
            try:
                sig.disconnect(slot)
            except (TypeError, ValueError, RuntimeError):
                pass

    def set_project(self, project: Project, current: Layer | None = None) -> None:
        """Show ``project`` (the previous one is dropped; the undo history starts afresh), with
        ``current`` (default: the layer panel's first row) as the current layer."""
        self._disconnect_project()
        self.undo.clear()
        self.project = project
        old = self.canvas
        if hasattr(old, "set_project"):
            old.set_project(project)
        else:
            self.canvas = self._make_canvas()
            old.deleteLater()
        self.change_serial += 1
        # the panels (filter, table, time, analysis) are filled once, for the layer that ends
        # up current, not first for the top row as well (~60 ms of every project opening)
        blocked = self.layer_panel.blockSignals(True)
        try:
            self.layer_panel.set_project(project)
            if current is not None:
                self.layer_panel.set_current_layer(current)
        finally:
            self.layer_panel.blockSignals(blocked)
        if self.optional:
            self._rebuild_optional_docks()
        self._connect_project()
        self.set_current_layer(self.layer_panel.current_layer())
        self.project_opened.emit(project)

    def _dirty_changed(self, dirty: bool) -> None:
        self._update_title()

    def _update_title(self, *_: Any) -> None:
        name = self.project.path.name if self.project.path else self.tr("Untitled")
        self.setWindowTitle(f"{name}[*] — mapdesk")
        self.setWindowModified(self.project.dirty)

    def _layers_changed(self) -> None:
        self.change_serial += 1
        if self.current_layer is not None and self.current_layer not in self.project.layers:
            self.set_current_layer(self.layer_panel.current_layer())
        self._update_counts()

    def _layer_changed(self, layer: Layer, what: str) -> None:
        self.change_serial += 1
        if layer is self.current_layer:
            self._update_counts()

    def set_current_layer(self, layer: Layer | None) -> None:
        if layer is self.current_layer and layer is not None and self.table.layer is layer:
            self._update_counts()
            return
        self.current_layer = layer
        if hasattr(self.canvas, "active_layer_id"):
            self.canvas.active_layer_id = layer.id if layer is not None else None
        self.filter_panel.set_layer(layer)
        self.table.set_layer(layer)
        self.time_slider.set_layer(layer)
        self.analysis.set_current_layer(layer)
        has = layer is not None
        for k in ("layer_props", "layer_remove", "layer_zoom"):
            self.actions[k].setEnabled(has)
        self._update_counts()

    def _update_counts(self) -> None:
        lyr = self.current_layer
        if lyr is None or lyr.kind != "vector" or lyr._frame is None:
            self.count_label.setText("")
            return
        text = f"{lyr.name}: {count_text(lyr)}"
        if lyr.selection.size:
            text += self.tr(", {0} selected").format(f"{lyr.selection.size:,}")
        self.count_label.setText(text)

    # ---- actions ------------------------------------------------------------------------------------
    def _act(self, key: str, slot: Any, shortcut: Any = None, checkable: bool = False) -> QAction:
        a = QAction(self)
        a.setObjectName(f"action_{key}")
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        a.setCheckable(checkable)
        a.triggered.connect(lambda checked=False: slot())
        self.actions[key] = a
        return a

    def _build_actions(self) -> None:
        SK = QKeySequence.StandardKey
        self._act("new", self.new_project, SK.New)
        self._act("open", self.open_project_dialog, SK.Open)
        self._act("save", self.save, SK.Save)
        self._act("save_as", self.save_as, SK.SaveAs)
        self._act("add_layer", self.add_layer_dialog, "Ctrl+L")
        self._act("export_sel", self.export_selection, "Ctrl+E")
        self._act("export_map", lambda: self.open_layout_dialog(False), "Ctrl+Shift+E")
        self._act("print", lambda: self.open_layout_dialog(True), SK.Print)
        self._act("quit", self.close, SK.Quit)
        undo = self.undo.createUndoAction(self)
        undo.setShortcut(QKeySequence(SK.Undo))
        redo = self.undo.createRedoAction(self)
        redo.setShortcut(QKeySequence(SK.Redo))
        self.actions["undo"], self.actions["redo"] = undo, redo
        self._act("clear_sel", self.clear_selection, "Esc")
        self._act("layer_props", lambda: self.edit_layer_properties(self.current_layer), "Ctrl+P")
        self._act("layer_remove", lambda: self.remove_layer(self.current_layer), SK.Delete)
        self._act("layer_zoom", lambda: self.zoom_to_layer(self.current_layer), "Ctrl+Shift+L")
        self._act("zoom_full", self.zoom_full, "Ctrl+0")
        self._act("zoom_sel", self.zoom_to_selection, "Ctrl+J")
        self._act("play", lambda: self.time_slider.play_button.toggle(), "Ctrl+Space")
        self.tool_group = QActionGroup(self)
        for key, sc in (("tool_pan", "P"), ("tool_identify", "I"), ("tool_select", "S"),
                        ("tool_distance", "D"), ("tool_area", "A")):
            a = self._act(key, lambda k=key: self.set_tool(TOOL_NAMES[k]), sc, checkable=True)
            self.tool_group.addAction(a)
        self.actions["tool_pan"].setChecked(True)
        self.lang_group = QActionGroup(self)
        for lang in i18n.LANGUAGES:
            a = self._act(f"lang_{lang}", lambda lg=lang: self.set_language(lg), checkable=True)
            a.setText(i18n.LANGUAGES[lang])
            self.lang_group.addAction(a)
        self.actions[f"lang_{i18n.current_language()}"].setChecked(True)
        self._act("about", self.show_about, SK.HelpContents)
        self._act("shortcuts", self.show_shortcuts)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        A = self.actions
        self.menus: dict[str, QMenu] = {}
        m = self.menus["file"] = mb.addMenu("")
        m.setObjectName("menu_file")
        m.addActions([A["new"], A["open"]])
        self.menus["recent_projects"] = m.addMenu("")
        m.addActions([A["save"], A["save_as"]])
        m.addSeparator()
        m.addAction(A["add_layer"])
        self.menus["recent_files"] = m.addMenu("")
        m.addAction(A["export_sel"])
        m.addActions([A["export_map"], A["print"]])
        m.addSeparator()
        m.addAction(A["quit"])
        m = self.menus["edit"] = mb.addMenu("")
        m.addActions([A["undo"], A["redo"]])
        m.addSeparator()
        m.addAction(A["clear_sel"])
        m = self.menus["view"] = mb.addMenu("")
        m.addActions([A["zoom_full"], A["layer_zoom"], A["zoom_sel"]])
        m.addSeparator()
        m.addAction(A["play"])
        m.addSeparator()
        m.addActions([A[k] for k in ("tool_pan", "tool_identify", "tool_select", "tool_distance", "tool_area")])
        m.addSeparator()
        self.menus["panels"] = m.addMenu("")
        for dock in self.docks.values():
            self.menus["panels"].addAction(dock.toggleViewAction())
        # Delete removes a layer only while the layer list has the focus
        A["layer_remove"].setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.layer_panel.view.addAction(A["layer_remove"])
        m = self.menus["layer"] = mb.addMenu("")
        m.addActions([A["add_layer"], A["layer_props"], A["layer_zoom"], A["layer_remove"]])
        m = self.menus["analysis"] = mb.addMenu("")
        self.analysis.populate_menu(m)
        m = self.menus["settings"] = mb.addMenu("")
        self.menus["language"] = m.addMenu("")
        self.menus["language"].addActions([A[f"lang_{lg}"] for lg in i18n.LANGUAGES])
        self.menus["autosave"] = m.addMenu("")
        self.autosave_group = QActionGroup(self)
        current = int(settings.get_value("autosave/seconds", DEFAULT_AUTOSAVE_S, int))
        for seconds in (0, 60, 300, 600):
            a = self._act(f"autosave_{seconds}", lambda s=seconds: self.set_autosave(s), checkable=True)
            a.setChecked(seconds == current)
            self.autosave_group.addAction(a)
            self.menus["autosave"].addAction(a)
        m = self.menus["help"] = mb.addMenu("")
        m.addActions([A["shortcuts"], A["about"]])
        for key in ("recent_projects", "recent_files"):
            self.menus[key].aboutToShow.connect(lambda k=key: self._fill_recent(k))

        tb = QToolBar(self)
        tb.setObjectName("toolbar_main")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        SP = QStyle.StandardPixmap
        for key, icon in (("open", SP.SP_DialogOpenButton), ("save", SP.SP_DialogSaveButton),
                          ("add_layer", SP.SP_FileDialogNewFolder), ("zoom_full", SP.SP_DesktopIcon)):
            A[key].setIcon(self.style().standardIcon(icon))
        tb.addActions([A["open"], A["save"], A["add_layer"]])
        tb.addSeparator()
        # fixed-width Undo/Redo buttons (the menu entries name the step)
        for key, icon, slot, signal in (("tb_undo", SP.SP_ArrowBack, self.undo.undo, self.undo.canUndoChanged),
                                        ("tb_redo", SP.SP_ArrowForward, self.undo.redo, self.undo.canRedoChanged)):
            a = self._act(key, slot)
            a.setIcon(self.style().standardIcon(icon))
            a.setEnabled(False)
            signal.connect(a.setEnabled)
            tb.addAction(a)
        tb.addSeparator()
        tb.addActions([A[k] for k in ("tool_pan", "tool_identify", "tool_select", "tool_distance", "tool_area")])
        tb.addSeparator()
        tb.addActions([A["zoom_full"], A["zoom_sel"]])
        self.addToolBar(tb)
        self.toolbar = tb

    def _build_status(self) -> None:
        sb = self.statusBar()
        self.count_label = QLabel()
        self.coords_label = QLabel()
        self.scale_label = QLabel()
        self.job_progress = JobProgress(self.jobs)
        sb.addWidget(self.count_label, 1)
        sb.addPermanentWidget(self.job_progress)
        sb.addPermanentWidget(self.coords_label)
        sb.addPermanentWidget(self.scale_label)

    def retranslate(self) -> None:
        A = self.actions
        texts = {
            "new": (self.tr("&New project"), self.tr("Start an empty project")),
            "open": (self.tr("&Open project…"), self.tr("Open a mapdesk project (*.mapdesk.json)")),
            "save": (self.tr("&Save"), self.tr("Save the project")),
            "save_as": (self.tr("Save project &as…"), self.tr("Save the project under a new name")),
            "add_layer": (self.tr("Add &layer…"), self.tr("Add layers from files (GeoPackage, Shapefile, GeoJSON, CSV, Excel, GeoParquet)")),
            "export_sel": (self.tr("&Export selection…"), self.tr("Save the selected features as CSV or GeoPackage")),
            "quit": (self.tr("&Quit"), self.tr("Close mapdesk")),
            "export_map": (self.tr("Export &map…"), self.tr("Page layout with legend, scale bar and title to PDF, PNG or SVG")),
            "print": (self.tr("&Print…"), self.tr("Print the map with its page layout")),
            "clear_sel": (self.tr("Clear selection"), self.tr("Deselect every feature of the current layer")),
            "layer_props": (self.tr("Layer &properties…"), self.tr("Style, role and field mapping of the current layer")),
            "layer_remove": (self.tr("&Remove layer"), self.tr("Remove the current layer from the project")),
            "layer_zoom": (self.tr("Zoom to &layer"), self.tr("Show the whole current layer")),
            "zoom_full": (self.tr("Zoom to &all"), self.tr("Show every layer")),
            "zoom_sel": (self.tr("Zoom to &selection"), self.tr("Show the selected features")),
            "play": (self.tr("Play / pause time"), self.tr("Start or stop the time window animation")),
            "tool_pan": (self.tr("Pan"), self.tr("Drag to move the map, wheel to zoom (P)")),
            "tool_identify": (self.tr("Identify"), self.tr("Click a feature to see its attributes (I)")),
            "tool_select": (self.tr("Select"), self.tr("Drag a rectangle to select features (S)")),
            "tool_distance": (self.tr("Measure distance"), self.tr("Click points, double-click to finish (D)")),
            "tool_area": (self.tr("Measure area"), self.tr("Click a polygon, double-click to finish (A)")),
            "about": (self.tr("&About mapdesk"), self.tr("Version, data sources and licences")),
            "shortcuts": (self.tr("&Keyboard shortcuts"), self.tr("List the keyboard shortcuts")),
        }
        for key, (text, tip) in texts.items():
            A[key].setText(text)
            A[key].setToolTip(tip)
            A[key].setStatusTip(tip)
        A["tb_undo"].setText(self.tr("Undo"))
        A["tb_redo"].setText(self.tr("Redo"))
        A["tb_undo"].setToolTip(self.tr("Undo the last change (Ctrl+Z)"))
        A["tb_redo"].setToolTip(self.tr("Redo (Ctrl+Shift+Z)"))
        menus = {"file": self.tr("&File"), "recent_projects": self.tr("Recent &projects"),
                 "recent_files": self.tr("Recent &files"), "edit": self.tr("&Edit"), "view": self.tr("&View"),
                 "panels": self.tr("&Panels"), "layer": self.tr("&Layer"), "analysis": self.tr("&Analysis"),
                 "settings": self.tr("&Settings"), "language": self.tr("&Language"), "help": self.tr("&Help")}
        for key, text in menus.items():
            self.menus[key].setTitle(text)
        self.menus["autosave"].setTitle(self.tr("&Autosave"))
        A["autosave_0"].setText(self.tr("Off"))
        for seconds in (60, 300, 600):
            A[f"autosave_{seconds}"].setText(self.tr("Every {0} min").format(seconds // 60))
        for key, (short, full) in self.dock_titles().items():
            if key in self.docks:
                self.docks[key].setWindowTitle(short)
                self.docks[key].toggleViewAction().setText(full)
        self._polish_dock_tabs()
        self.identify_table.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Value")])
        self.toolbar.setWindowTitle(self.tr("Main toolbar"))
        self._update_title()
        self._update_counts()

    def dock_titles(self) -> dict[str, tuple[str, str]]:
        """Dock key -> (short title shown on the tab, full name for menus and tooltips)."""
        return {"layers": (self.tr("Layers"), self.tr("Layers")),
                "filter": (self.tr("Filter"), self.tr("Filter")),
                "analysis": (self.tr("Analysis"), self.tr("Analysis")),
                "identify": (self.tr("Identify"), self.tr("Identify")),
                "time": (self.tr("Time"), self.tr("Time")),
                "table": (self.tr("Attribute table"), self.tr("Attribute table")),
                "tree_inspector": (self.tr("Tree"), self.tr("Tree inspector")),
                "tree_tools": (self.tr("Registry"), self.tr("Tree registry")),
                "planning": (self.tr("Plan"), self.tr("Camera plan"))}

    def _polish_dock_tabs(self) -> None:
        """Tabs of tabbed docks show their whole (short) title, with the full name as tooltip."""
        full = {short: f for short, f in self.dock_titles().values()}
        for bar in self.findChildren(QTabBar):
            if bar.parent() is not self:
                continue
            bar.setElideMode(Qt.TextElideMode.ElideNone)
            bar.setExpanding(False)
            bar.setUsesScrollButtons(True)
            for i in range(bar.count()):
                bar.setTabToolTip(i, full.get(bar.tabText(i), bar.tabText(i)))

    def changeEvent(self, event: Any) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ---- tools and zoom ---------------------------------------------------------------------------------
    def set_tool(self, name: str) -> None:
        if hasattr(self.canvas, "set_tool"):
            self.canvas.set_tool(name)

    def zoom_full(self) -> None:
        self.canvas.zoom_full()

    def zoom_to_layer(self, layer: Layer | None) -> None:
        if layer is not None:
            self.canvas.zoom_to_layer(layer)

    def zoom_to_selection(self) -> None:
        self.canvas.zoom_to_selection()

    def clear_selection(self) -> None:
        if self.current_layer is not None:
            self.current_layer.set_selection([])

    def set_autosave(self, seconds: int) -> None:
        """Autosave to the recovery file every ``seconds`` (0: off); remembered."""
        settings.set_value("autosave/seconds", int(seconds))
        self.autosave.stop()
        if seconds > 0:
            self.autosave.start(int(seconds) * 1000)

    # ---- language ----------------------------------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        """Switch the UI language now (every panel retranslates) and remember it."""
        i18n.install_language(lang)
        settings.set_value("ui/language", lang)
        QApplication.processEvents()  # deliver LanguageChange to every panel now
        act = self.actions.get(f"lang_{i18n.current_language()}")
        if act is not None:
            act.setChecked(True)

    # ---- projects --------------------------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False when the user cancels."""
        if not self.project.dirty or not self.project.layers and self.project.path is None:
            return True
        btn = QMessageBox.question(
            self, self.tr("Unsaved changes"),
            self.tr("The project has unsaved changes. Save them first?"),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if btn == QMessageBox.StandardButton.Save:
            return self.save()
        return btn == QMessageBox.StandardButton.Discard

    def new_project(self) -> None:
        if self.maybe_save():
            self.set_project(Project(self.tr("Untitled")))

    def open_project_dialog(self) -> None:
        start = str(self.project.path.parent) if self.project.path else settings.get_value("paths/last_dir", "")
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open project"), start or "",
                                              self.tr("mapdesk projects (*.mapdesk.json *.json)"))
        if path:
            self.open_project(path, background=True)

    def open_project(self, path: str | Path, ask_save: bool = True, background: bool = False) -> bool:
        """Open a project file; problems are shown in dialogs and the window stays as it was.

        With ``background`` the layers' data load in a job (progress and Cancel in the status
        bar, shown when loading takes longer than a moment) and the window stays responsive;
        the return value then only says that loading started.
        """
        if ask_save and not self.maybe_save():
            return False
        if background:
            return self._open_project_in_background(Path(path))
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            project = Project.load(path)
        except MapdeskError as exc:
            QApplication.restoreOverrideCursor()
            QMessageBox.warning(self, self.tr("Cannot open project"), str(exc))
            return False
        except Exception as exc:  # a damaged file must never take the window down
            QApplication.restoreOverrideCursor()
            QMessageBox.warning(self, self.tr("Cannot open project"),
                                self.tr("{0} could not be read: {1}").format(path, exc))
            return False
        QApplication.restoreOverrideCursor()
        self._project_loaded(Path(path), project)
        return True

    def _open_project_in_background(self, path: Path) -> bool:
        def job(progress: Any, cancelled: Any) -> Project:
            project = Project.load(path, load_data=False)
            todo = [lyr for lyr in project.layers if lyr.kind == "vector" and lyr.source]
            for i, lyr in enumerate(todo):
                progress(i / max(1, len(todo)), lyr.name)
                lyr.load()
            progress(1.0, "")
            project.set_dirty(False)
            return project

        def failed(msg: str, tb: str) -> None:
            QMessageBox.warning(self, self.tr("Cannot open project"),
                                self.tr("{0} could not be read: {1}").format(path, msg))

        self.loading_job = self.jobs.start(job, self.tr("Loading {0}").format(path.name),
                                           on_done=lambda project: self._project_loaded(path, project),
                                           on_error=failed)
        return True

    def _project_loaded(self, path: Path, project: Project) -> None:
        top = next((lyr for lyr in reversed(project.layers) if lyr.visible and lyr.status == "ok"), None)
        self.set_project(project, current=top)
        if self.isVisible():
            self.apply_saved_view()
        if top is not None:
            self.layer_panel.set_current_layer(top)
        settings.push_recent("recent/projects", str(Path(path).resolve()))
        settings.set_value("paths/last_dir", str(Path(path).resolve().parent))
        self.report_broken_layers(project.layers)

    def report_broken_layers(self, layers: list[Layer]) -> None:
        bad = [lyr for lyr in layers if lyr.status in ("missing", "error")]
        if not bad:
            return
        lines = "\n".join(f"• {lyr.name}: {lyr.error}" for lyr in bad)
        QMessageBox.warning(
            self, self.tr("Some layers could not be loaded"),
            self.tr("These layers stay in the project, marked in red, so nothing is lost. "
                    "Fix or remove them:\n\n{0}").format(lines))

    def save(self) -> bool:
        if self.project.path is None:
            return self.save_as()
        return self._save_to(self.project.path)

    def save_as(self) -> bool:
        start = str(self.project.path) if self.project.path else str(
            Path(settings.get_value("paths/last_dir", "") or Path.home()) / f"project{PROJECT_SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save project as"), start,
                                              self.tr("mapdesk projects (*.mapdesk.json)"))
        if not path:
            return False
        if not path.endswith(PROJECT_SUFFIX):
            path = str(Path(path).with_suffix("")) + PROJECT_SUFFIX if path.endswith(".json") else path + PROJECT_SUFFIX
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.project.save(path)
        except Exception as exc:  # read-only folder, full disk, a result layer that cannot be written
            QMessageBox.critical(self, self.tr("Cannot save project"),
                                 self.tr("The project was not saved (your data are unchanged):\n{0}")
                                 .format(exc))
            return False
        self.undo.setClean()
        settings.push_recent("recent/projects", str(Path(path).resolve()))
        settings.set_value("paths/last_dir", str(Path(path).resolve().parent))
        self.statusBar().showMessage(self.tr("Saved {0}").format(path), 4000)
        self._update_title()
        return True

    def _fill_recent(self, key: str) -> None:
        menu = self.menus[key]
        menu.clear()
        skey = "recent/projects" if key == "recent_projects" else "recent/files"
        items = settings.get_list(skey)
        for p in items:
            a = menu.addAction(p)
            if key == "recent_projects":
                a.triggered.connect(lambda checked=False, p=p: self.open_project(p, background=True))
            else:
                a.triggered.connect(lambda checked=False, p=p: self.add_layer_files([p]))
        if not items:
            menu.addAction(self.tr("(empty)")).setEnabled(False)

    # ---- layers ----------------------------------------------------------------------------------------------
    def add_layer_dialog(self) -> None:
        start = settings.get_value("paths/last_data_dir", "") or ""
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Add layers"), start,
            self.tr("Geodata (*.gpkg *.geojson *.json *.shp *.csv *.xlsx *.xls *.parquet *.fgb *.kml *.zip);;"
                    "All files (*)"))
        if paths:
            self.add_layer_files(paths)

    def add_layer(self, layer: Layer) -> Layer:
        """Add a loaded layer (undoable) and make it current."""
        self.undo.push(AddLayerCommand(self.project, layer))
        self.layer_panel.set_current_layer(layer)
        return layer

    def add_layer_files(self, paths: list[str]) -> None:
        """Load files in the background; each good one becomes a layer, each bad one a dialog."""
        for p in paths:
            path = str(p)
            if path.endswith(PROJECT_SUFFIX):
                self.open_project(path, background=True)
                continue

            def job(progress: Any, cancelled: Any, path: str = path) -> Layer:
                progress(0.1, Path(path).name)
                return Layer.from_file(path)

            self.jobs.start(job, self.tr("Loading {0}").format(Path(path).name),
                            on_done=lambda lyr, path=path: self._layer_file_loaded(path, lyr),
                            on_error=lambda msg, tb, path=path: self._load_failed(path, msg))

    def _layer_file_loaded(self, path: str, layer: Layer) -> None:
        if layer.status != "ok":
            self._load_failed(path, layer.error)
            return
        if i18n.current_language() != "en" and layer.kind == "vector":
            from mapdesk.model import default_style

            # legend labels (incident types, tree grades) in the UI language
            layer.style = default_style(layer.role, layer.frame, layer.field_map,
                                        lang=i18n.current_language())
        self.add_layer(layer)
        settings.push_recent("recent/files", str(Path(path).resolve()))
        settings.set_value("paths/last_data_dir", str(Path(path).resolve().parent))
        self.show_load_report(layer)
        self.layer_loaded.emit(layer)

    def _load_failed(self, path: str, message: str) -> None:
        QMessageBox.warning(self, self.tr("Cannot add layer"),
                            self.tr("{0} could not be loaded:\n{1}").format(Path(path).name, message))

    def show_load_report(self, layer: Layer) -> None:
        """Tell the user what was rejected while loading (a dialog when rows were lost)."""
        rep = layer.report
        if rep is None:
            return
        summary = rep.summary() if hasattr(rep, "summary") else str(rep)
        rejected = sum(getattr(rep, "rejected", {}).values()) if isinstance(getattr(rep, "rejected", None), dict) else 0
        warnings = list(getattr(rep, "warnings", []) or [])
        remote = getattr(layer, "remote", None)
        if remote is not None:
            # a table kept on the server: the rows read on opening are only a sample, by design
            warnings = [w for w in warnings if not w.startswith("row limit reached")]
            if not (rejected or warnings):
                self.statusBar().showMessage(self.tr(
                    "{0}: about {1:,} rows kept on the database server; the map fetches what the "
                    "view shows").format(layer.name, int(remote.info.estimated_rows or 0)), 8000)
                return
        if rejected or warnings or getattr(rep, "unparsed_dates", None):
            box = QMessageBox(QMessageBox.Icon.Information, self.tr("Load report"),
                              self.tr("{0} was loaded with notes. Rows that could not be used "
                                      "were skipped:").format(layer.name),
                              QMessageBox.StandardButton.Ok, self)
            box.setInformativeText(html.escape(summary).replace("\n", "<br>"))
            box.setDetailedText(summary)
            box.setModal(False)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.show()
            self.last_report_box = box
        else:
            self.statusBar().showMessage(summary.splitlines()[0] if summary else "", 6000)

    def remove_layer(self, layer: Layer | None) -> None:
        if layer is not None and layer in self.project.layers:
            self.undo.push(RemoveLayerCommand(self.project, layer))

    def edit_layer_properties(self, layer: Layer | None) -> None:
        if layer is None:
            return
        dlg = StyleDialog(layer, self)
        dlg.applied.connect(lambda: self.apply_properties(layer, dlg))
        if dlg.exec():
            self.apply_properties(layer, dlg)

    def apply_properties(self, layer: Layer, dlg: StyleDialog) -> None:
        """Record the dialog's changes as one undo step."""
        style = dlg.style()
        role, fm = dlg.role_and_fields()
        opacity = dlg.opacity()
        changes = []
        if role != layer.role or fm != layer.field_map:
            changes.append(SetRoleCommand(layer, role, fm))
        if style.to_dict() != layer.style.to_dict():
            changes.append(SetStyleCommand(layer, style))
        if abs(opacity - layer.opacity) > 1e-9:
            changes.append(SetOpacityCommand(layer, opacity))
        if not changes:
            return
        self.undo.beginMacro(self.tr("Properties of {0}").format(layer.name))
        for c in changes:
            self.undo.push(c)
        self.undo.endMacro()

    def export_selection(self) -> None:
        frame = self.table.rows_to_export()
        if frame is None or len(frame) == 0:
            QMessageBox.information(self, self.tr("Export"), self.tr("There are no rows to export."))
            return
        start = str(Path(settings.get_value("paths/last_export_dir", "") or Path.home())
                    / f"{self.current_layer.name}_selection.csv")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export rows"), start,
                                              self.tr("CSV (*.csv);;GeoPackage (*.gpkg)"))
        if not path:
            return
        try:
            export_rows(frame, path)
        except Exception as exc:
            QMessageBox.warning(self, self.tr("Export failed"), str(exc))
            return
        settings.set_value("paths/last_export_dir", str(Path(path).parent))
        self.statusBar().showMessage(self.tr("Exported {0} rows to {1}").format(f"{len(frame):,}", path), 5000)

    def open_layout_dialog(self, print_mode: bool = False) -> None:
        """File ▸ Export map / Print: the page-layout dialog over the current view."""
        from mapdesk.gui.export_dialog import ExportDialog

        try:
            dlg = ExportDialog(self.project, self, print_mode=print_mode,
                               extent_wgs84=self.canvas.extent_wgs84())
        except Exception as exc:
            QMessageBox.warning(self, self.tr("Export failed"), str(exc))
            return
        dlg.exec()

    # ---- drag and drop ---------------------------------------------------------------------------------------
    def dragEnterEvent(self, event: Any) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_layer_files(paths)

    # ---- results of analyses ----------------------------------------------------------------------------------
    def add_result_layers(self, layers: list[Layer]) -> None:
        if not layers:
            return
        self.undo.beginMacro(self.tr("Add analysis results"))
        for lyr in layers:
            self.undo.push(AddLayerCommand(self.project, lyr))
        self.undo.endMacro()
        self.layer_panel.set_current_layer(layers[-1])

    def show_error(self, title: str, message: str, details: str = "") -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        if details:
            box.setDetailedText(details)
        box.exec()

    # ---- autosave and layout ----------------------------------------------------------------------------------
    def recovery_file(self) -> Path:
        return recovery.recovery_path(settings.settings_dir())

    def write_recovery(self) -> bool:
        if not self.project.dirty:
            return False
        try:
            recovery.write_recovery(self.project, self.recovery_file())
        except Exception as exc:  # never interrupt work for an autosave problem
            self.statusBar().showMessage(self.tr("Autosave failed: {0}").format(exc), 5000)
            return False
        return True

    def _default_dock_sizes(self) -> None:
        self.resizeDocks([self.docks["layers"], self.docks["analysis"]], [330, 420],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["layers"], self.docks["filter"]], [300, 240], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["time"], self.docks["table"]], [36, 230], Qt.Orientation.Vertical)

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            if not self.remember_layout or settings.get_value("window/state") is None:
                QTimer.singleShot(0, self._default_dock_sizes)
            QTimer.singleShot(0, self._polish_dock_tabs)
            # the canvas fitted the project's saved view at its size before the window was shown
            QTimer.singleShot(0, self.apply_saved_view)

    def apply_saved_view(self) -> None:
        """Show the project's saved map extent (``project.extent_wgs84``) at the canvas's size."""
        ext = getattr(self.project, "extent_wgs84", None)
        if ext and hasattr(self.canvas, "set_extent_wgs84"):
            try:
                self.canvas.set_extent_wgs84(ext)
            except MapdeskError:
                return
            self.change_serial += 1

    def _restore_layout(self) -> None:
        geo = settings.get_value("window/geometry")
        state = settings.get_value("window/state")
        screen = QApplication.primaryScreen()
        avail = screen.availableGeometry() if screen is not None else None
        if isinstance(geo, QByteArray | bytes):
            self.restoreGeometry(geo)
            if avail is not None and (self.width() > avail.width() or self.height() > avail.height()):
                self.setGeometry(avail)  # saved on a larger screen
        elif avail is not None:  # first start: use the screen
            self.setGeometry(avail)
        if isinstance(state, QByteArray | bytes):
            self.restoreState(state)

    def save_layout(self) -> None:
        settings.set_value("window/geometry", self.saveGeometry())
        settings.set_value("window/state", self.saveState())

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        if self.jobs.busy():
            btn = QMessageBox.question(
                self, self.tr("A job is running"),
                self.tr("A background job is still running. Cancel it and close?"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No)
            if btn != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            self.jobs.cancel_all(15000)
        if not self.maybe_save():
            event.ignore()
            return
        self.autosave.stop()
        if self.remember_layout:
            self.save_layout()
        recovery.discard(self.recovery_file())
        event.accept()

    # ---- help ------------------------------------------------------------------------------------------------
    def show_about(self) -> None:
        QMessageBox.about(self, self.tr("About mapdesk"), self.about_text())

    def about_text(self) -> str:
        parts = [f"<h3>mapdesk {__version__}</h3>",
                 self.tr("<p>Desktop GIS for protected city trees, theft hotspots and CCTV camera "
                    "planning. Works fully offline.</p>"),
                 self.tr("<p><b>Sample data are synthetic</b>: generated for demonstration; they do not "
                    "describe real incidents, trees or cameras.</p>"),
                 self.tr("<p>Data attributions: basemap tiles as credited on the map (none by default; "
                    "OpenStreetMap contributors, ODbL, when an OSM tile package is used). "
                    "Bundled font: Noto Sans CJK SC, SIL Open Font License.</p>"),
                 self.tr("<p>Built with Qt for Python (PySide6, LGPL), GeoPandas, Shapely, pyogrio/GDAL, "
                    "pyproj/PROJ, NumPy, pandas and SciPy.</p>")]
        if self.project.is_synthetic:
            parts.append(self.tr("<p>The open project is marked as synthetic sample data.</p>"))
        return "".join(parts)

    def show_shortcuts(self) -> None:
        rows = []
        for a in self.actions.values():
            sc = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if sc:
                rows.append(f"<tr><td><b>{html.escape(sc)}</b></td><td>{html.escape(a.text().replace('&', ''))}</td></tr>")
        QMessageBox.information(self, self.tr("Keyboard shortcuts"), "<table>" + "".join(rows) + "</table>")
