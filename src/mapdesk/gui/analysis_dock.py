"""The analysis dock: hotspot, temporal, camera-planning and tree tools.

Each tool page reads its input layers *as filtered* (a filter applies alike to map, table,
analyses and exports), runs the analysis in a background job with progress and Cancel, and
adds its results as new layers (or shows a summary). Analysis modules are imported when a tool
runs, so a missing optional module disables one tool, not the window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mapdesk.model import Layer

if TYPE_CHECKING:
    from mapdesk.gui.main_window import MainWindow


class LayerCombo(QComboBox):
    """Layers of the window's project with one of ``roles`` (any vector layer when empty)."""

    def __init__(self, window: MainWindow, roles: tuple[str, ...] = (), optional: bool = False) -> None:
        super().__init__()
        self.window, self.roles, self.optional = window, roles, optional
        self.setMinimumContentsLength(14)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)

    def refresh(self) -> None:
        cur = self.currentData()
        self.blockSignals(True)
        self.clear()
        if self.optional:
            self.addItem(self.tr("(none)"), None)
        layers = [lyr for lyr in self.window.project.layers
                  if lyr.kind == "vector" and lyr.status == "ok" and (not self.roles or lyr.role in self.roles)]
        for lyr in reversed(layers):
            self.addItem(lyr.name, lyr.id)
        i = self.findData(cur)
        if i >= 0:
            self.setCurrentIndex(i)
        self.blockSignals(False)

    def layer(self) -> Layer | None:
        lid = self.currentData()
        return self.window.project.layer_by_id(lid) if lid else None

    def frame(self) -> Any:
        """The layer's rows that pass its filter, with canonical column names (the analysis
        functions expect ``type``, ``time``, ``direction_deg`` …)."""
        lyr = self.layer()
        if lyr is None or lyr.frame is None:
            return None
        from mapdesk.io.schema import to_canonical

        return to_canonical(lyr.filtered_frame(), lyr.field_map)


class ToolPage(QWidget):
    """A form and a Run button; subclasses give ``title``, ``build`` and ``make_job``."""

    key = "tool"

    def __init__(self, dock: AnalysisDock) -> None:
        super().__init__()
        self.dock = dock
        self.window = dock.window
        self.form = QFormLayout()
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setStyleSheet("color: #555;")
        self.run_button = QPushButton()
        self.run_button.clicked.connect(self.run)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.info)
        lay.addLayout(self.form)
        lay.addWidget(self.run_button)
        self.combos: list[LayerCombo] = []
        self.build()
        lay.addStretch(1)

    def combo(self, roles: tuple[str, ...] = (), optional: bool = False) -> LayerCombo:
        c = LayerCombo(self.window, roles, optional)
        self.combos.append(c)
        return c

    def refresh(self) -> None:
        for c in self.combos:
            c.refresh()

    def title(self) -> str:
        raise NotImplementedError

    def build(self) -> None:
        raise NotImplementedError

    def retranslate(self) -> None:
        self.run_button.setText(self.tr("Run"))
        self.run_button.setToolTip(self.tr("Run in the background; results are added as new layers"))

    def make_job(self) -> tuple[Callable[[Any, Any], Any], Callable[[Any], None]] | None:
        """(job function, result handler), or None after telling the user what is missing."""
        raise NotImplementedError

    def need(self, frame: Any, what: str) -> bool:
        if frame is None or len(frame) == 0:
            self.dock.show_message(self.tr("Choose a layer with features for {0}.").format(what))
            return False
        return True

    def run(self) -> None:
        try:
            made = self.make_job()
        except ImportError as exc:
            self.dock.show_message(self.tr("This tool is not available in this build: {0}").format(exc))
            return
        if made is None:
            return
        fn, handler = made
        self.window.jobs.start(
            fn, self.title(), on_done=handler,
            on_error=lambda msg, tb: self.window.show_error(self.tr("Analysis failed"), msg, tb),
            on_cancel=lambda: self.dock.show_message(self.tr("{0}: cancelled").format(self.title())))


def _kw(fn: Any, **kw: Any) -> dict:
    """Keep only keyword arguments ``fn`` accepts (the analysis APIs grow independently)."""
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return kw
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return kw
    return {k: v for k, v in kw.items() if k in params}


class HotspotPage(ToolPage):
    key = "hotspots"

    def title(self) -> str:
        return self.tr("Hotspots")

    def build(self) -> None:
        self.layer_combo = self.combo(("incidents",))
        self.method = QComboBox()
        self.cell = QDoubleSpinBox()
        self.cell.setRange(0, 5000)
        self.cell.setValue(0)
        self.cell.setSuffix(" m")
        self.bandwidth = QDoubleSpinBox()
        self.bandwidth.setRange(0, 10000)
        self.bandwidth.setValue(0)
        self.bandwidth.setSuffix(" m")
        self.labels = [QLabel() for _ in range(4)]
        for lab, w in zip(self.labels, (self.layer_combo, self.method, self.cell, self.bandwidth), strict=True):
            self.form.addRow(lab, w)
        self.follow = QCheckBox()
        self.follow.setChecked(True)
        self.form.addRow("", self.follow)
        self.links: list[LiveDensity] = []

    def retranslate(self) -> None:
        super().retranslate()
        self.info.setText(self.tr("Where incidents concentrate: kernel density, counts per "
                                  "square or hexagon, or Getis-Ord Gi* hot and cold spots. "
                                  "0 m means automatic."))
        i = self.method.currentIndex()
        self.method.clear()
        for key, text in (("kde", self.tr("Kernel density (KDE)")), ("square", self.tr("Square grid counts")),
                          ("hex", self.tr("Hexagon counts")), ("gi", self.tr("Gi* hot spots"))):
            self.method.addItem(text, key)
        self.method.setCurrentIndex(max(0, i))
        for lab, t in zip(self.labels, (self.tr("Incidents"), self.tr("Method"), self.tr("Cell size"),
                                        self.tr("Bandwidth")), strict=True):
            lab.setText(t)
        self.cell.setSpecialValueText(self.tr("automatic"))
        self.bandwidth.setSpecialValueText(self.tr("automatic"))
        self.follow.setText(self.tr("Density follows the filter and time window"))
        self.follow.setToolTip(self.tr("Recompute the density surface whenever the incidents' "
                                       "filter or time window changes"))

    def make_job(self) -> Any:
        frame = self.layer_combo.frame()
        if not self.need(frame, self.title()):
            return None
        src = self.layer_combo.layer()
        method = self.method.currentData()
        cell = self.cell.value() or None
        bw = self.bandwidth.value() or None
        flt = src.filter.describe() if src is not None else ""

        def job(progress: Any, cancelled: Any) -> Any:
            if method == "kde":
                from mapdesk.analysis.density import kernel_density
                return kernel_density(frame, **_kw(kernel_density, cell_m=cell, bandwidth_m=bw,
                                                   filter_text=flt, progress=progress, cancelled=cancelled))
            if method in ("square", "hex"):
                from mapdesk.analysis import bins
                fn = bins.square_counts if method == "square" else bins.hex_counts
                return fn(frame, cell or 100.0, **_kw(fn, filter_text=flt, progress=progress,
                                                      cancelled=cancelled))
            from mapdesk.analysis.hotspots import gistar_incidents
            return gistar_incidents(frame, **_kw(gistar_incidents, cell_m=cell, distance_m=bw,
                                                 filter_text=flt, progress=progress, cancelled=cancelled))

        name = f"{self.method.currentText()} — {src.name if src else ''}"

        def done(res: Any) -> None:
            layers = self.dock.add_result(res, name)
            if method == "kde" and self.follow.isChecked() and layers and src is not None:
                self.links.append(LiveDensity(self, src, layers[0], cell, bw))

        return job, done


class LiveDensity(QObject):
    """Keeps a KDE result layer in step with its incidents layer's filter (time window too)."""

    def __init__(self, page: HotspotPage, source: Layer, result: Layer, cell: float | None,
                 bandwidth: float | None) -> None:
        super().__init__(page)
        self.page, self.source, self.result = page, source, result
        self.cell, self.bandwidth = cell, bandwidth
        self.job: Any = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self.recompute)
        source.changed.connect(self._source_changed)

    def _source_changed(self, what: str) -> None:
        if what in ("filter", "data"):
            self.timer.start()

    def alive(self) -> bool:
        layers = self.page.window.project.layers
        return self.source in layers and self.result in layers

    def recompute(self) -> None:
        if not self.alive():
            return
        if self.job is not None:
            self.job.cancel()
        frame = self.source.filtered_frame()
        if frame is None or len(frame) == 0:
            return
        params = {"cell_m": self.cell, "bandwidth_m": self.bandwidth,
                  "filter_text": self.source.filter.describe()}
        grid = self.result.raster
        if grid is not None:  # keep the grid fixed so frames of an animation are comparable
            params.update(cell_m=getattr(grid, "cell_m", self.cell),
                          bandwidth_m=(getattr(grid, "params", {}) or {}).get("bandwidth_m", self.bandwidth),
                          bounds=tuple(grid.bounds))

        def job(progress: Any, cancelled: Any) -> Any:
            from mapdesk.analysis.density import kernel_density
            return kernel_density(frame, **_kw(kernel_density, progress=progress, cancelled=cancelled,
                                               **params))

        def done(res: Any) -> None:
            self.job = None
            if self.alive():
                self.result.set_raster(res)

        self.job = self.page.window.jobs.start(job, self.result.name, on_done=done,
                                               on_error=lambda m, tb: self.page.dock.show_message(m))


class TemporalPage(ToolPage):
    key = "temporal"

    def title(self) -> str:
        return self.tr("Temporal pattern")

    def build(self) -> None:
        self.layer_combo = self.combo(("incidents",))
        self.layer_label = QLabel()
        self.form.addRow(self.layer_label, self.layer_combo)
        self.grid = QTableWidget(7, 24)
        self.grid.setMinimumHeight(200)
        self.grid.horizontalHeader().setDefaultSectionSize(22)
        self.grid.verticalHeader().setDefaultSectionSize(22)
        self.grid.setHorizontalHeaderLabels([f"{h}" for h in range(24)])
        self.layout().insertWidget(3, self.grid)

    def retranslate(self) -> None:
        super().retranslate()
        self.layer_label.setText(self.tr("Incidents"))
        self.info.setText(self.tr("Incidents by weekday and hour of the filtered layer: when "
                                  "offenders are most likely to strike."))
        self.grid.setVerticalHeaderLabels([self.tr("Mon"), self.tr("Tue"), self.tr("Wed"), self.tr("Thu"),
                                           self.tr("Fri"), self.tr("Sat"), self.tr("Sun")])
        self.run_button.setText(self.tr("Count"))

    def make_job(self) -> Any:
        lyr = self.layer_combo.layer()
        frame = self.layer_combo.frame()
        if not self.need(frame, self.title()):
            return None
        if lyr.time_column is None:
            self.dock.show_message(self.tr("{0} has no time column.").format(lyr.name))
            return None
        from mapdesk.gui.filter_panel import time_values

        times = time_values(lyr)[lyr.filter_mask()]

        def job(progress: Any, cancelled: Any) -> np.ndarray:
            t = times.dropna()
            counts = np.zeros((7, 24), dtype=np.int64)
            np.add.at(counts, (t.dt.weekday.to_numpy(), t.dt.hour.to_numpy()), 1)
            return counts

        return job, self.show_counts

    def show_counts(self, counts: np.ndarray) -> None:
        top = max(1, int(counts.max()))
        for d in range(7):
            for h in range(24):
                v = int(counts[d, h])
                it = QTableWidgetItem(str(v) if v else "")
                a = v / top
                it.setBackground(QColor.fromRgbF(1.0, 1.0 - 0.8 * a, 1.0 - 0.9 * a))
                it.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.grid.setItem(d, h, it)
        d, h = np.unravel_index(int(np.argmax(counts)), counts.shape)
        self.dock.show_message(self.tr("Peak: {0} incidents on {1} {2:02d}:00–{3:02d}:00").format(
            int(counts[d, h]), self.grid.verticalHeaderItem(int(d)).text(), int(h), int(h) + 1))


class CameraPage(ToolPage):
    key = "cameras"

    def title(self) -> str:
        return self.tr("Camera planning")

    def build(self) -> None:
        self.task = QComboBox()
        self.cameras_combo = self.combo(("cameras",))
        self.incidents_combo = self.combo(("incidents",))
        self.k = QSpinBox()
        self.k.setRange(1, 500)
        self.k.setValue(19)
        self.radius = QDoubleSpinBox()
        self.radius.setRange(5, 1000)
        self.radius.setValue(50)
        self.radius.setSuffix(" m")
        self.labels = [QLabel() for _ in range(5)]
        for lab, w in zip(self.labels, (self.task, self.cameras_combo, self.incidents_combo, self.k,
                                        self.radius), strict=True):
            self.form.addRow(lab, w)

    def retranslate(self) -> None:
        super().retranslate()
        self.info.setText(self.tr("Which incidents existing cameras cover, where the next "
                                  "cameras would cover most, and the before/after effect."))
        i = self.task.currentIndex()
        self.task.clear()
        for key, text in (("coverage", self.tr("Coverage of existing cameras")),
                          ("suggest", self.tr("Suggest new sites")),
                          ("impact", self.tr("Before/after impact"))):
            self.task.addItem(text, key)
        self.task.setCurrentIndex(max(0, i))
        for lab, t in zip(self.labels, (self.tr("Task"), self.tr("Cameras"), self.tr("Incidents"),
                                        self.tr("New cameras"), self.tr("Radius without direction")),
                          strict=True):
            lab.setText(t)

    def make_job(self) -> Any:
        task = self.task.currentData()
        inc = self.incidents_combo.frame()
        cams = self.cameras_combo.frame()
        if not self.need(inc, self.title()):
            return None
        if task in ("coverage", "impact") and not self.need(cams, self.title()):
            return None
        k, radius = self.k.value(), self.radius.value()

        def job(progress: Any, cancelled: Any) -> Any:
            if task == "coverage":
                from mapdesk.analysis.coverage import coverage_report
                return coverage_report(cams, inc)
            if task == "suggest":
                from mapdesk.analysis.placement import suggest_sites
                return suggest_sites(inc, k, **_kw(suggest_sites, existing=cams, radius_m=radius,
                                                   progress=progress, cancelled=cancelled))
            from mapdesk.analysis.impact import camera_impact
            return camera_impact(cams, inc)

        return job, lambda res: self.dock.add_result(res, self.task.currentText())


class TreePage(ToolPage):
    key = "trees"

    def title(self) -> str:
        return self.tr("Trees")

    def build(self) -> None:
        self.task = QComboBox()
        self.trees_combo = self.combo(("trees",))
        self.works_combo = self.combo((), optional=True)
        self.labels = [QLabel() for _ in range(3)]
        for lab, w in zip(self.labels, (self.task, self.trees_combo, self.works_combo), strict=True):
            self.form.addRow(lab, w)

    def retranslate(self) -> None:
        super().retranslate()
        self.info.setText(self.tr("Protection grades by the Shanxi rules, the five-yearly census, "
                                  "protection zones, conflicts with planned works, and the record "
                                  "of the selected tree."))
        i = self.task.currentIndex()
        self.task.clear()
        for key, text in (("grade", self.tr("Grade trees")), ("census", self.tr("Census status")),
                          ("zones", self.tr("Protection zones")),
                          ("conflicts", self.tr("Conflicts with planned works")),
                          ("inspect", self.tr("Inspect selected tree"))):
            self.task.addItem(text, key)
        self.task.setCurrentIndex(max(0, i))
        for lab, t in zip(self.labels, (self.tr("Task"), self.tr("Trees"), self.tr("Planned works")),
                          strict=True):
            lab.setText(t)

    def make_job(self) -> Any:
        task = self.task.currentData()
        lyr = self.trees_combo.layer()
        if lyr is None:
            self.dock.show_message(self.tr("Add a trees layer first."))
            return None
        if task == "inspect":
            from mapdesk.domain.trees import tree_record

            if lyr.selection.size == 0:
                self.dock.show_message(self.tr("Select a tree on the map or in the table first."))
                return None
            row = lyr.canonical_frame().iloc[int(lyr.selection[0])]
            rec = tree_record(row, **_kw(tree_record, lang=_lang(), crs=lyr.frame.crs))
            self.dock.show_message(_as_text(rec))
            return None
        frame = lyr.filtered_frame()
        canon = lyr.canonical_frame()
        if canon is not None and len(frame) != len(canon):
            canon = canon[lyr.filter_mask()]
        works = self.works_combo.frame()
        if task == "conflicts" and works is None:
            self.dock.show_message(self.tr("Choose the layer of planned works."))
            return None

        def job(progress: Any, cancelled: Any) -> Any:
            from mapdesk.domain import trees as T
            if task == "grade":
                return T.grade_trees(canon)
            if task == "census":
                return T.census_state(canon)
            zones = T.protection_zones(canon)
            if task == "zones":
                return zones
            return T.find_conflicts(zones, works)

        name = f"{self.task.currentText()} — {lyr.name}"
        crs = getattr(lyr.frame, "crs", None)

        def done(res: Any) -> None:
            if task in ("grade", "census") and isinstance(res, pd.DataFrame):
                import geopandas as gpd

                from mapdesk.io.schema import SCHEMA

                if not isinstance(res, gpd.GeoDataFrame) and "geometry" in res.columns:
                    res = gpd.GeoDataFrame(res, geometry="geometry", crs=crs)
                fm = {f.name: f.name for f in SCHEMA["trees"] if f.name in res.columns}
                new = Layer.from_frame(name, res, role="trees", field_map=fm)
                self.window.add_result_layers([new])
                summary = ""
                if task == "grade":
                    from mapdesk.domain.trees import grading_summary
                    summary = _as_text(grading_summary(res))
                self.dock.show_message(f"{name}\n{summary}".strip())
                return
            self.dock.add_result(res, name)

        return job, done


def record_label(entry: tuple) -> str:
    """The label of a ``(label_en, label_zh, value)`` record entry in the UI language."""
    if len(entry) >= 3:
        return str(entry[1] if _lang() == "zh" else entry[0])
    return str(entry[0])


def _lang() -> str:
    from mapdesk.gui.i18n import current_language

    return "zh" if current_language().startswith("zh") else "en"


def _as_text(obj: Any) -> str:
    if isinstance(obj, list) and obj and isinstance(obj[0], tuple):
        return "\n".join(f"{record_label(t)}: {t[-1]}" for t in obj)
    if isinstance(obj, dict):
        return "\n".join(f"{k}: {v}" for k, v in obj.items())
    if hasattr(obj, "summary"):
        s = obj.summary()
        return _as_text(s) if isinstance(s, dict) else str(s)
    return str(obj)


class AnalysisDock(QWidget):
    """Tool chooser, the chosen tool's page, and a message area for summaries."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.chooser = QComboBox()
        self.stack = QStackedWidget()
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        self.output.setMaximumHeight(160)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.chooser)
        lay.addWidget(self.stack, 1)
        lay.addWidget(self.output)
        self.pages: list[ToolPage] = [HotspotPage(self), TemporalPage(self), CameraPage(self), TreePage(self)]
        for p in self.pages:
            self.stack.addWidget(p)
        self.chooser.currentIndexChanged.connect(self.stack.setCurrentIndex)
        self._menu_actions: list[Any] = []
        self.retranslate()

    def retranslate(self) -> None:
        for p in self.pages:
            p.retranslate()
        i = self.chooser.currentIndex()
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for p in self.pages:
            self.chooser.addItem(p.title(), p.key)
        self.chooser.setCurrentIndex(max(0, i))
        self.chooser.blockSignals(False)
        self.output.setPlaceholderText(self.tr("Summaries of analyses appear here."))
        for a, p in zip(self._menu_actions, self.pages, strict=False):
            a.setText(p.title() + "…")

    def changeEvent(self, event: Any) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def populate_menu(self, menu: QMenu) -> None:
        for i, p in enumerate(self.pages):
            a = menu.addAction(p.title() + "…")
            a.triggered.connect(lambda checked=False, i=i: self.show_page(i))
            self._menu_actions.append(a)

    def show_page(self, i: int) -> None:
        self.chooser.setCurrentIndex(i)
        dock = self.window.docks.get("analysis")
        if dock is not None:
            dock.show()
            dock.raise_()

    def set_current_layer(self, layer: Layer | None) -> None:
        for p in self.pages:
            p.refresh()
            if layer is not None:
                for c in p.combos:
                    i = c.findData(layer.id)
                    if i >= 0 and not c.optional:
                        c.setCurrentIndex(i)

    def show_message(self, text: str) -> None:
        self.output.appendPlainText(text)

    def add_result(self, result: Any, name: str) -> list[Layer]:
        """Turn an analysis result into layers (rasters, frames, reports with frames)."""
        layers = result_layers(result, name)
        if layers:
            self.window.add_result_layers(layers)
        text = _as_text(result) if hasattr(result, "summary") or isinstance(result, dict) else ""
        self.show_message(self.tr("{0}: {1} new layer(s)").format(name, len(layers))
                          + (f"\n{text}" if text else ""))
        return layers


def result_layers(result: Any, name: str) -> list[Layer]:
    """Layers from a result: a raster grid, a GeoDataFrame, or an object holding some."""
    import geopandas as gpd

    if result is None:
        return []
    if hasattr(result, "values") and hasattr(result, "bounds") and hasattr(result, "cell_m"):
        return [Layer.from_raster(name, result)]
    if isinstance(result, gpd.GeoDataFrame):
        role = "generic"
        return [Layer.from_frame(name, result, role=role)] if len(result) else []
    out: list[Layer] = []
    for attr in ("sites", "chosen", "frame", "cells", "zones", "uncovered", "coverage", "clusters",
                 "areas"):
        v = getattr(result, attr, None)
        if isinstance(v, gpd.GeoDataFrame) and len(v):
            out.append(Layer.from_frame(f"{name} ({attr})", v))
    return out
