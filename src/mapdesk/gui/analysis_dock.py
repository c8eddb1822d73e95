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
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mapdesk.gui.chart_widget import ChartWidget
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
        made = self.make_job()
        if made is None:
            return
        fn, handler = made
        self.window.jobs.start(
            fn, self.title(), on_done=handler,
            on_error=lambda msg, tb: self.window.show_error(self.tr("Analysis failed"), msg, tb),
            on_cancel=lambda: self.dock.show_message(self.tr("{0}: cancelled").format(self.title())))


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
                          ("hex", self.tr("Hexagon counts")), ("gi", self.tr("Gi* hot spots")),
                          ("compare", self.tr("Last 28 days against the 28 before"))):
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
        remote = getattr(src, "remote", None)
        if remote is not None and method in ("square", "hex"):
            # a table kept on the server: count the whole table there, not the rows in view
            flt_obj, fmap = src.filter, dict(src.field_map)

            def server_job(progress: Any, cancelled: Any) -> Any:
                return remote.cell_counts(method, cell or 100.0, flt_obj, fmap, cancel=cancelled)

            name = f"{self.method.currentText()} — {src.name}"
            return server_job, lambda res: self.dock.add_result(res, name)
        if remote is not None:
            self.dock.show_message(self.tr(
                "{0} is kept on the database server: this analysis uses the {1:,} rows fetched for "
                "the current view. Square and hexagon counts run on the server over the whole table.")
                .format(src.name, len(frame)))

        def job(progress: Any, cancelled: Any) -> Any:
            if method == "kde":
                from mapdesk.analysis.density import kernel_density
                return kernel_density(frame, cell_m=cell, bandwidth_m=bw, filter_text=flt,
                                      progress=progress, cancelled=cancelled)
            if method in ("square", "hex"):
                from mapdesk.analysis import bins
                fn = bins.square_counts if method == "square" else bins.hex_counts
                return fn(frame, cell or 100.0, filter_text=flt)  # one pass: nothing to report
            if method == "compare":
                from mapdesk.analysis.compare import compare_periods, data_dates

                last = data_dates(frame)[1]
                day = pd.Timedelta(days=1)
                a = (str((last - 55 * day).date()), str((last - 28 * day).date()))
                b = (str((last - 27 * day).date()), str(last.date()))
                return compare_periods(frame, a, b, method="kde", cell_m=cell, bandwidth_m=bw,
                                       progress=progress, cancelled=cancelled)
            from mapdesk.analysis.hotspots import gistar_incidents
            return gistar_incidents(frame, cell_m=cell, distance_m=bw, filter_text=flt,
                                    progress=progress, cancelled=cancelled)

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
        # the rows are taken in the worker: copying a million filtered rows here would hold
        # the GUI thread for a quarter of a second after every filter change
        base = self.source.frame
        if base is None:
            return
        mask = self.source.filter_mask().copy()
        if not mask.any():
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

            frame = base if mask.all() else base[mask]
            return kernel_density(frame, progress=progress, cancelled=cancelled, **params)

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
        self.counts: np.ndarray | None = None
        self.daily: pd.DataFrame | None = None
        self.briefing: pd.DataFrame | None = None
        self.week_chart = ChartWidget(190, "hour_weekday")
        self.daily_chart = ChartWidget(150, "daily_counts")
        self.briefing_label = QLabel()
        self.briefing_label.setWordWrap(True)
        self.briefing_table = QTableWidget(0, 4)
        self.briefing_table.verticalHeader().hide()
        self.briefing_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.briefing_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.briefing_table.setMinimumHeight(160)
        self.briefing_table.setVisible(False)
        lay = self.layout()
        for i, w in enumerate((self.week_chart, self.daily_chart, self.briefing_label, self.briefing_table)):
            lay.insertWidget(3 + i, w)

    def retranslate(self) -> None:
        super().retranslate()
        self.layer_label.setText(self.tr("Incidents"))
        self.info.setText(self.tr("Incidents by weekday and hour of the filtered layer: when "
                                  "offenders are most likely to strike; incidents per day; and "
                                  "yesterday against the previous 28 days (the morning briefing)."))
        self.run_button.setText(self.tr("Count"))
        self.briefing_table.setHorizontalHeaderLabels(
            [self.tr("Type / beat"), self.tr("Yesterday"), self.tr("Mean of 28 days"), self.tr("Change")])
        if self.counts is not None:  # redraw the charts with translated titles
            self.show_counts((self.counts, self.daily, self.briefing), announce=False)

    def weekday_names(self) -> list[str]:
        return [self.tr("Mon"), self.tr("Tue"), self.tr("Wed"), self.tr("Thu"),
                self.tr("Fri"), self.tr("Sat"), self.tr("Sun")]

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

        def job(progress: Any, cancelled: Any) -> tuple:
            from mapdesk.analysis.temporal import briefing_compare, daily_counts

            t = times.dropna()
            counts = np.zeros((7, 24), dtype=np.int64)
            np.add.at(counts, (t.dt.weekday.to_numpy(), t.dt.hour.to_numpy()), 1)
            daily = brief = None
            if len(t):
                try:
                    daily = daily_counts(frame)
                except Exception:  # no usable event time in the canonical frame
                    daily = None
                last = pd.Timestamp(t.max()).normalize()
                yesterday = pd.Timestamp.today().normalize() - pd.Timedelta(days=1)
                day = yesterday if yesterday <= last else last
                try:
                    brief = briefing_compare(frame, day, lang=_lang())
                except Exception:
                    brief = None
            return counts, daily, brief

        return job, self.show_counts

    def show_counts(self, result: Any, announce: bool = True) -> None:
        if isinstance(result, tuple):
            counts, daily, brief = result
        else:
            counts, daily, brief = result, None, None
        self.counts, self.daily, self.briefing = counts, daily, brief
        lang = _lang()
        table = pd.DataFrame(counts, index=range(7), columns=range(24))
        title = self.tr("Incidents by weekday and hour")
        self.week_chart.set_chart(
            lambda p, r: _paint_hour_weekday(p, r, table, title=title, lang=lang))
        if daily is not None and len(daily):
            dtitle = self.tr("Incidents per day")
            kind = "bar" if len(daily) <= 120 else "line"
            self.daily_chart.set_chart(
                lambda p, r: _paint_daily(p, r, daily, title=dtitle, lang=lang, kind=kind))
        else:
            self.daily_chart.set_chart(None)
        self.show_briefing(brief)
        names = self.weekday_names()
        d, h = np.unravel_index(int(np.argmax(counts)), counts.shape)
        self.peak_text = self.tr("Peak: {0} incidents on {1} {2:02d}:00–{3:02d}:00").format(
            int(counts[d, h]), names[int(d)], int(h), int(h) + 1)
        if announce:
            self.dock.show_message(self.peak_text)

    def show_briefing(self, brief: pd.DataFrame | None) -> None:
        t = self.briefing_table
        if brief is None or not len(brief):
            t.setVisible(False)
            self.briefing_label.setText("")
            return
        prm = brief.attrs.get("params", {})
        self.briefing_label.setText("<b>" + self.tr("Morning briefing: {0} against {1} – {2}").format(
            prm.get("date", ""), prm.get("baseline_start", ""), prm.get("baseline_end", "")) + "</b>")
        t.setRowCount(len(brief))
        for i, r in enumerate(brief.to_dict(orient="records")):
            label = self.tr("All incidents") if r["group"] == "all" else str(r["label"])
            if r["group"] == "community":
                label = "  " + label
            diff = float(r["diff"])
            cells = [label, f"{int(r['count']):,}", f"{float(r['baseline_mean']):.1f}", f"{diff:+.1f}"]
            for j, c in enumerate(cells):
                it = QTableWidgetItem(c)
                if j:
                    it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if j == 3 and abs(diff) >= 1:
                    it.setForeground(QColor("#b2182b") if diff > 0 else QColor("#2166ac"))
                if r["group"] == "all":
                    f = it.font()
                    f.setBold(True)
                    it.setFont(f)
                t.setItem(i, j, it)
        t.resizeColumnsToContents()
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        t.setVisible(True)


def _paint_hour_weekday(p: Any, r: Any, table: pd.DataFrame, **kw: Any) -> None:
    from mapdesk.render.charts import paint_hour_weekday

    paint_hour_weekday(p, r, table, **kw)


def _paint_daily(p: Any, r: Any, daily: pd.DataFrame, **kw: Any) -> None:
    from mapdesk.render.charts import paint_daily_counts

    paint_daily_counts(p, r, daily, **kw)


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
        self.chart = ChartWidget(200, "cameras")
        self.layout().insertWidget(3, self.chart)
        self.task.currentIndexChanged.connect(self._task_changed)

    def _task_changed(self) -> None:
        task = self.task.currentData()
        self.k.setEnabled(task == "suggest")
        self.radius.setEnabled(task == "suggest")

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
        if getattr(self, "last_result", None) is not None:  # chart titles in the new language
            self.show_chart(self.last_result)

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
                return suggest_sites(inc, k, existing=cams, radius_m=radius)
            from mapdesk.analysis.impact import camera_impact
            return camera_impact(cams, inc)

        name = self.task.currentText()

        def done(res: Any) -> None:
            self.dock.add_result(res, name)
            self.show_chart(res)

        return job, done

    def show_chart(self, res: Any) -> None:
        """The coverage-versus-k curve of a placement, the before/after bars of an impact study."""
        self.last_result = res
        cls = type(res).__name__
        if cls == "PlacementResult" and len(res.curve):
            k = res.curve["k"].to_numpy(dtype=float)
            share = 100.0 * res.curve["share_covered"].to_numpy(dtype=float)
            title, xl, yl = (self.tr("Coverage by number of new cameras"), self.tr("new cameras"),
                             self.tr("% of incidents covered"))

            def paint(p: Any, r: Any) -> None:
                from mapdesk.render.charts import paint_line_chart
                paint_line_chart(p, r, k, share, title=title, xlabel=xl, ylabel=yl, lang=_lang())

            self.chart.set_chart(paint)
        elif cls == "ImpactResult" and len(res.table):
            row = res.table.iloc[-1]
            groups = [self.tr("Covered area"), self.tr("Buffer"), self.tr("Control area")]
            series = {self.tr("Before"): [float(row["Rb"]), float(row["Db"]), float(row["Cb"])],
                      self.tr("After"): [float(row["Ra"]), float(row["Da"]), float(row["Ca"])]}
            title, yl = self.tr("Incidents before and after the cameras"), self.tr("incidents")

            def paint(p: Any, r: Any) -> None:
                from mapdesk.render.charts import paint_grouped_bars
                paint_grouped_bars(p, r, groups, series, title=title, ylabel=yl)

            self.chart.set_chart(paint)
        else:
            self.chart.set_chart(None)


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
            rec = tree_record(row, lang=_lang(), crs=lyr.frame.crs)
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
                if task == "grade":
                    import html

                    from mapdesk.domain.trees import grading_summary
                    from mapdesk.gui.result_text import ResultText

                    body = ResultText(_lang()).grading(grading_summary(res))
                    self.dock.show_html(f"<p><b>{html.escape(name)}</b><br>{body}</p>")
                elif "census_state" in res.columns:
                    import html

                    from mapdesk.gui.result_text import ResultText

                    body = ResultText(_lang()).census(res)
                    self.dock.show_html(f"<p><b>{html.escape(name)}</b><br>{body}</p>")
                else:
                    self.dock.show_message(name)
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
        self.output = QTextBrowser()
        self.output.setOpenLinks(False)
        self.output.setMinimumHeight(140)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.chooser)
        lay.addWidget(self.stack, 10)
        lay.addWidget(self.output, 1)
        self.pages: list[ToolPage] = [HotspotPage(self), TemporalPage(self), CameraPage(self), TreePage(self)]
        for p in self.pages:
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(p)
            self.stack.addWidget(scroll)
        self.chooser.currentIndexChanged.connect(self.stack.setCurrentIndex)
        self.chooser.currentIndexChanged.connect(self.fit_page)
        self._menu_actions: list[Any] = []
        self.retranslate()
        self.fit_page()

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
        import html

        self.show_html(html.escape(text).replace("\n", "<br>"))

    def fit_page(self, *_: Any) -> None:
        """The tool page takes the height it needs (charts included); the summaries take the rest."""
        QTimer.singleShot(0, self._fit_page_now)

    def _fit_page_now(self) -> None:
        i = self.stack.currentIndex()
        if not 0 <= i < len(self.pages):
            return
        page = self.pages[i]
        page.layout().activate()
        self.stack.setMaximumHeight(max(120, page.sizeHint().height() + 6))

    def show_html(self, fragment: str) -> None:
        """Append a paragraph (HTML) to the summaries and scroll to it."""
        self.fit_page()
        self.output.append(fragment)
        bar = self.output.verticalScrollBar()
        bar.setValue(bar.maximum())

    def add_result(self, result: Any, name: str) -> list[Layer]:
        """Turn an analysis result into styled layers and a readable summary."""
        from mapdesk.gui.result_text import ResultText

        parts = {"sites": self.tr("sites"), "chosen": self.tr("sites"), "cells": self.tr("cells"),
                 "zones": self.tr("zones"), "uncovered": self.tr("uncovered"),
                 "coverage": self.tr("coverage"), "clusters": self.tr("uncovered clusters"),
                 "areas": self.tr("study areas")}
        layers = result_layers(result, name, lang=_lang(), part_names=parts)
        if layers:
            self.window.add_result_layers(layers)
        import html

        body = ResultText(_lang()).describe(result)
        if not body and isinstance(result, dict):
            body = html.escape(_as_text(result)).replace("\n", "<br>")
        head = html.escape(self.tr("{0}: {1} new layer(s)").format(name, len(layers)))
        self.show_html(f"<p><b>{head}</b><br>{body}</p>" if body else f"<p><b>{head}</b></p>")
        return layers


def result_layers(result: Any, name: str, lang: str = "en",
                  part_names: dict[str, str] | None = None) -> list[Layer]:
    """Layers from a result: a raster grid, a GeoDataFrame, or an object holding some.

    Densities, cell counts, Gi* cells and comparisons arrive styled
    (:func:`mapdesk.model.result_styles.result_layer`): Gi* red/blue by class, counts
    graduated, densities on a ramp."""
    import geopandas as gpd

    from mapdesk.model.result_styles import comparison_layers, result_layer

    if result is None:
        return []
    if all(hasattr(result, a) for a in ("a", "b", "diff")):
        return comparison_layers(result, name, lang=lang)
    if hasattr(result, "values") and hasattr(result, "bounds") and hasattr(result, "cell_m"):
        try:
            return [result_layer(result, name, lang=lang)]
        except (ValueError, TypeError, AttributeError):
            return [Layer.from_raster(name, result)]
    if isinstance(result, gpd.GeoDataFrame):
        if not len(result):
            return []
        if {"gi_class", "count"} & set(result.columns) or "diff" in result.columns:
            try:
                return [result_layer(result, name, lang=lang)]
            except (ValueError, TypeError, KeyError):
                pass
        return [Layer.from_frame(name, result, role="generic")]
    out: list[Layer] = []
    for attr in ("sites", "chosen", "frame", "cells", "zones", "uncovered", "coverage", "clusters",
                 "areas"):
        v = getattr(result, attr, None)
        if isinstance(v, gpd.GeoDataFrame) and len(v):
            out.append(Layer.from_frame(f"{name} ({(part_names or {}).get(attr, attr)})", v))
    return out
