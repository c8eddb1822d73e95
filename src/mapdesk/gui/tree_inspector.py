"""The registry view in the window: the tree inspector and the tree tools of the analysis dock.

``TreeInspector`` shows one tree as :func:`mapdesk.domain.trees.tree_record` describes it
(all attributes, the computed grade and its reason, the census state, adoption) with "Print
record…" and "Zoom to tree". ``TreeToolsPanel`` runs the registry tools on a trees layer of
the project: grading (the computed columns go into the layer, the layer is restyled by grade),
the census as of a date, protection zones, conflicts with another layer, the census work list
and the registry export.

Both widgets are self-contained: the host window places them and, if it wants, gives the panel
a runner (``set_runner``) that executes the panel's jobs in a worker thread. A job is a plain
``fn(progress, cancelled) -> result``; its result is applied on the GUI thread by a ``done``
callback, so the model is only changed there.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mapdesk.domain.trees.computed import COMPUTED_COLUMNS, merge_computed
from mapdesk.errors import MapdeskError
from mapdesk.model import Layer
from mapdesk.model.style import TREE_GRADE_COLORS, Category, Style

ProgressFn = Callable[..., None]
JobFn = Callable[[ProgressFn, Callable[[], bool]], Any]
Runner = Callable[[str, JobFn, Callable[[Any], None]], None]

def ui_language() -> str:
    """``"zh"`` or ``"en"``: the GUI's language when the window says, else the system's."""
    try:
        from mapdesk.gui.i18n import current_language  # the main window's helper (branch gui)

        lang = str(current_language())
    except Exception:  # not there yet, or no window: fall back to the locale
        from PySide6.QtCore import QLocale

        lang = QLocale().name()
    return "zh" if lang.lower().startswith("zh") else "en"


def run_now(title: str, job: JobFn, done: Callable[[Any], None]) -> None:
    """The default runner: run ``job`` here and now, then ``done`` (errors propagate)."""
    done(job(lambda *a, **k: None, lambda: False))


def canonical_rows(layer: Layer) -> pd.DataFrame | None:
    """The layer's frame with canonical tree column names (all rows, not only filtered)."""
    frame = layer.canonical_frame()
    if frame is None:
        return None
    if isinstance(layer.frame, gpd.GeoDataFrame) and not isinstance(frame, gpd.GeoDataFrame):
        frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=layer.frame.crs)
    return frame


def grade_style(frame: pd.DataFrame, base: Style | None, labels: dict[str, str]) -> Style:
    """A categorized style on ``grade_computed`` (grades 1–4 in the registry colours, not graded grey)."""
    style = (base or Style(size=6, stroke_color="#1b3d1b", marker="circle")).copy()
    cats = [Category(g, labels[str(g)], TREE_GRADE_COLORS[str(g)]) for g in (1, 2, 3, 4)]
    cats.append(Category(None, labels["none"], TREE_GRADE_COLORS["none"]))
    return style.copy(kind="categorized", field="grade_computed", categories=cats)


def _lonlat(geom: Any, crs: Any) -> tuple[float, float] | None:
    if geom is None or getattr(geom, "is_empty", True):
        return None
    pt = geom if geom.geom_type == "Point" else geom.representative_point()
    s = gpd.GeoSeries([pt], crs=crs)
    if crs is not None and not (s.crs.is_geographic and s.crs.to_epsg() == 4326):
        s = s.to_crs(4326)
    p = s.iloc[0]
    return float(p.x), float(p.y)


# ---- inspector ---------------------------------------------------------------------------

class TreeInspector(QWidget):
    """All that is known about one tree, with "Print record…" and "Zoom to tree".

    ``set_tree(layer, row_index)`` shows row ``row_index`` (a position in ``layer.frame``) of
    a trees layer. ``zoom_requested(lon, lat)`` (WGS 84) asks the host to centre the map.
    """

    zoom_requested = Signal(float, float)

    def __init__(self, parent: QWidget | None = None, *, project: Any = None, lang: str | None = None,
                 as_of: Any = None) -> None:
        super().__init__(parent)
        self.project = project
        self.lang = lang or ui_language()
        self.as_of = as_of
        self.layer: Layer | None = None
        self.row_index: int | None = None
        self.record: list[tuple[str, str, str]] = []
        self._lonlat: tuple[float, float] | None = None
        self._followed: Layer | None = None
        self._runner: Runner = run_now

        self.title_label = QLabel()
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.species_label = QLabel()
        self.grade_label = QLabel()
        self.grade_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grade_label.setMinimumWidth(70)
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.census_label = QLabel()
        self.census_label.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(True)
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self.print_record)
        self.zoom_button = QPushButton()
        self.zoom_button.clicked.connect(self.request_zoom)

        top = QHBoxLayout()
        names = QVBoxLayout()
        names.addWidget(self.title_label)
        names.addWidget(self.species_label)
        top.addLayout(names, 1)
        top.addWidget(self.grade_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.zoom_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.reason_label)
        lay.addWidget(self.census_label)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)
        self.retranslate()
        self.clear()

    def retranslate(self) -> None:
        self.print_button.setText(self.tr("Print record…"))
        self.print_button.setToolTip(self.tr("A one-page PDF record of this tree with a locator map"))
        self.zoom_button.setText(self.tr("Zoom to tree"))
        self.table.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Value")])

    def clear(self) -> None:
        """Show no tree."""
        self.layer, self.row_index, self.record, self._lonlat = None, None, [], None
        self.title_label.setText(self.tr("No tree selected"))
        for w in (self.species_label, self.grade_label, self.reason_label, self.census_label):
            w.setText("")
        self.grade_label.setStyleSheet("")
        self.table.setRowCount(0)
        self.print_button.setEnabled(False)
        self.zoom_button.setEnabled(False)

    def set_tree(self, layer: Layer, row_index: int) -> None:
        """Show row ``row_index`` (position in ``layer.frame``) of the trees ``layer``.

        The inspector then follows the layer: when its data change (graded, census state
        added) the same row is shown again.
        """
        from mapdesk.domain.trees import grade_label, lookup_species, tree_record

        self._follow(layer)
        frame = canonical_rows(layer)
        if frame is None or not (0 <= int(row_index) < len(frame)):
            self.clear()
            return
        self.layer, self.row_index = layer, int(row_index)
        row = frame.iloc[self.row_index]
        crs = getattr(frame, "crs", None)
        self.record = tree_record(row, lang=self.lang, crs=crs, as_of=self.as_of)
        values = {en: value for en, _zh, value in self.record}
        tid, species = values.get("Tree ID", ""), values.get("Species", "")
        self.title_label.setText(tid or self.tr("(no tree id)"))
        sp = lookup_species(species) if species else None
        self.species_label.setText(" · ".join(v for v in (species, sp.name_en if sp else "",
                                                           sp.latin if sp else "") if v))
        g = row.get("grade_computed") if "grade_computed" in row.index else None
        if g is None or pd.isna(g):
            from mapdesk.domain.trees import grade_trees

            g = grade_trees(pd.DataFrame([row.drop(labels=["geometry"], errors="ignore").to_dict()]))[
                "grade_computed"].iloc[0]
        key = "none" if pd.isna(g) else str(int(g))
        self.grade_label.setText(values.get("Computed grade", "") or grade_label(None if key == "none" else g,
                                                                                  self.lang))
        self.grade_label.setStyleSheet(f"background:{TREE_GRADE_COLORS[key]}; color:white; font-weight:bold;"
                                       "padding:6px; border-radius:4px;")
        self.reason_label.setText(self.tr("Reason: {0}").format(values.get("Grade reason", "") or "—"))
        self.census_label.setText(self.tr("Census: {0} · next survey due {1} · adopted by: {2}").format(
            values.get("Census state", "") or "—", values.get("Next survey due", "") or "—",
            values.get("Adopted / sponsored by", "") or "—"))
        self.table.setRowCount(len(self.record))
        for i, (en, zh, value) in enumerate(self.record):
            label = QTableWidgetItem(zh if self.lang == "zh" else en)
            label.setForeground(QColor("#555555"))
            self.table.setItem(i, 0, label)
            self.table.setItem(i, 1, QTableWidgetItem(value))
        self.table.resizeRowsToContents()
        geom = row.get("geometry") if "geometry" in row.index else None
        self._lonlat = _lonlat(geom, crs) if geom is not None and not pd.isna(geom) else None
        self.zoom_button.setEnabled(self._lonlat is not None)
        self.print_button.setEnabled(True)

    def _follow(self, layer: Layer | None) -> None:
        if self._followed is layer:
            return
        if self._followed is not None:
            self._followed.changed.disconnect(self._on_layer_changed)
        self._followed = layer
        if layer is not None:
            layer.changed.connect(self._on_layer_changed)

    def _on_layer_changed(self, what: str) -> None:
        if what == "data" and self.layer is not None and self.row_index is not None:
            try:
                self.set_tree(self.layer, self.row_index)
            except RuntimeError:  # the widget is already deleted on the C++ side
                pass

    def value(self, label_en: str) -> str:
        """The shown value of a record field by its English label ("" when absent)."""
        return next((v for en, _zh, v in self.record if en == label_en), "")

    def request_zoom(self) -> None:
        if self._lonlat is not None:
            self.zoom_requested.emit(*self._lonlat)

    def print_record(self) -> str | None:
        """Ask for a PDF path and write this tree's record; returns the path written."""
        from mapdesk.export.tree_record import write_tree_records

        if self.layer is None or self.row_index is None:
            return None
        tid = self.value("Tree ID")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Print tree record"),
                                              f"{tid or 'tree'}.pdf", self.tr("PDF files (*.pdf)"))
        if not path:
            return None
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        frame = canonical_rows(self.layer)
        ids = frame["tree_id"].astype(str).str.strip() if "tree_id" in frame.columns else None
        if tid and ids is not None and int((ids == tid).sum()) == 1:
            target, which = frame, [tid]  # the whole registry, so the map shows the neighbours
        else:  # no id, or a duplicate id: print exactly this row
            target, which = frame.iloc[[self.row_index]], None
        lang = "zh_CN" if self.lang == "zh" else "en"
        as_of, context = self.as_of, self.project

        def job(progress: ProgressFn, cancelled: Callable[[], bool]) -> Any:
            return write_tree_records(target, which, path, lang=lang, as_of=as_of, context_layers=context)

        try:
            self._runner(self.tr("Print record"), job, lambda _p: None)
        except (MapdeskError, OSError) as exc:
            QMessageBox.warning(self, self.tr("Print record"), self.tr("Cannot write the record: {0}").format(exc))
            return None
        return path

    def set_runner(self, runner: Runner) -> None:
        """Run the printing through ``runner(title, job, done)`` (e.g. the window's worker pool)."""
        self._runner = runner


# ---- tools panel -------------------------------------------------------------------------

class TreeToolsPanel(QWidget):
    """Registry tools for the analysis dock, on a trees layer of ``project``.

    Result layers (protection zones, conflicts) are added to the project here and announced
    with ``layer_added(layer)`` (do not add them again). ``message(text)`` carries summaries.
    """

    layer_added = Signal(object)
    message = Signal(str)

    def __init__(self, project: Any, parent: QWidget | None = None, *, lang: str | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.lang = lang or ui_language()
        self._runner: Runner = run_now
        self.last_conflicts: gpd.GeoDataFrame | None = None
        self.last_census_counts: dict[str, int] = {}

        self.trees_combo = QComboBox()
        self.against_combo = QComboBox()
        self.as_of_edit = QDateEdit(QDate.currentDate())
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        self.grade_button = QPushButton()
        self.census_button = QPushButton()
        self.zones_button = QPushButton()
        self.conflicts_button = QPushButton()
        self.worklist_button = QPushButton()
        self.export_button = QPushButton()
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setMaximumHeight(150)
        self.conflicts_table = QTableWidget(0, 3)
        self.conflicts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.conflicts_table.verticalHeader().setVisible(False)
        self.conflicts_table.horizontalHeader().setStretchLastSection(True)

        self.grade_button.clicked.connect(self.grade)
        self.census_button.clicked.connect(lambda: self.census())
        self.zones_button.clicked.connect(self.zones)
        self.conflicts_button.clicked.connect(lambda: self.conflicts())
        self.worklist_button.clicked.connect(lambda: self.print_worklist())
        self.export_button.clicked.connect(lambda: self.export_registry())

        self.form = QFormLayout()
        self.trees_caption, self.as_of_caption, self.against_caption = QLabel(), QLabel(), QLabel()
        self.form.addRow(self.trees_caption, self.trees_combo)
        self.registry_box = QGroupBox()
        rb = QVBoxLayout(self.registry_box)
        rb.addWidget(self.grade_button)
        rb.addWidget(self.zones_button)
        rb.addWidget(self.export_button)
        self.census_box = QGroupBox()
        cb = QFormLayout(self.census_box)
        cb.addRow(self.as_of_caption, self.as_of_edit)
        row = QHBoxLayout()
        row.addWidget(self.census_button)
        row.addWidget(self.worklist_button)
        cb.addRow(row)
        self.conflicts_box = QGroupBox()
        xb = QFormLayout(self.conflicts_box)
        xb.addRow(self.against_caption, self.against_combo)
        xb.addRow(self.conflicts_button)
        xb.addRow(self.conflicts_table)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.registry_box)
        lay.addWidget(self.census_box)
        lay.addWidget(self.conflicts_box)
        lay.addWidget(self.summary)
        lay.addStretch(1)

        for sig in ("layers_changed", "layer_added", "layer_removed"):
            s = getattr(project, sig, None)
            if s is not None:
                s.connect(self._on_layers_changed)
        self.retranslate()
        self.refresh_layers()

    # ---- host hooks ------------------------------------------------------------------------
    def set_runner(self, runner: Runner) -> None:
        """Run jobs through ``runner(title, job, done)`` (e.g. the window's worker pool)."""
        self._runner = runner

    def retranslate(self) -> None:
        self.trees_caption.setText(self.tr("Trees layer"))
        self.as_of_caption.setText(self.tr("As of"))
        self.against_caption.setText(self.tr("Planned works layer"))
        self.registry_box.setTitle(self.tr("Registry"))
        self.census_box.setTitle(self.tr("Five-yearly census"))
        self.conflicts_box.setTitle(self.tr("Conflicts with protection zones"))
        self.grade_button.setText(self.tr("Grade the registry"))
        self.grade_button.setToolTip(self.tr("Compute grades by the Shanxi rules; the layer is coloured by grade"))
        self.census_button.setText(self.tr("Census state"))
        self.zones_button.setText(self.tr("Build protection zones"))
        self.conflicts_button.setText(self.tr("Check conflicts"))
        self.worklist_button.setText(self.tr("Print census work list…"))
        self.export_button.setText(self.tr("Export registry…"))
        self.conflicts_table.setHorizontalHeaderLabels([self.tr("Tree ID"), self.tr("Grade"),
                                                        self.tr("Distance (m)")])
        self.summary.setPlaceholderText(self.tr("Summaries appear here."))

    def _on_layers_changed(self, *args: Any) -> None:
        self.refresh_layers()

    def refresh_layers(self) -> None:
        """Fill the layer choosers from the project (trees layers; any other vector layer)."""
        for combo, want_trees in ((self.trees_combo, True), (self.against_combo, False)):
            cur = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for lyr in reversed(list(getattr(self.project, "layers", []))):
                if lyr.kind != "vector" or lyr.status not in ("ok", "unloaded"):
                    continue
                if (lyr.role == "trees") == want_trees:
                    combo.addItem(lyr.name, lyr.id)
            i = combo.findData(cur)
            if i >= 0:
                combo.setCurrentIndex(i)
            combo.blockSignals(False)

    def trees_layer(self) -> Layer | None:
        lid = self.trees_combo.currentData()
        return self.project.layer_by_id(lid) if lid else None

    def against_layer(self) -> Layer | None:
        lid = self.against_combo.currentData()
        return self.project.layer_by_id(lid) if lid else None

    def as_of(self) -> pd.Timestamp:
        d = self.as_of_edit.date()
        return pd.Timestamp(_dt.date(d.year(), d.month(), d.day()))

    # ---- helpers ---------------------------------------------------------------------------
    def _need_trees(self) -> tuple[Layer, pd.DataFrame] | None:
        lyr = self.trees_layer()
        frame = canonical_rows(lyr) if lyr is not None else None
        if lyr is None or frame is None or len(frame) == 0:
            QMessageBox.information(self, self.tr("Tree tools"), self.tr("Add a layer of protected trees first."))
            return None
        return lyr, frame

    def _run(self, title: str, job: JobFn, done: Callable[[Any], None]) -> None:
        try:
            self._runner(title, job, done)
        except (MapdeskError, OSError, ValueError) as exc:
            QMessageBox.warning(self, title, str(exc))

    def _say(self, text: str) -> None:
        self.summary.setPlainText(text)
        self.message.emit(text)

    def _grade_labels(self) -> dict[str, str]:
        return {"1": self.tr("Grade 1"), "2": self.tr("Grade 2"), "3": self.tr("Grade 3"),
                "4": self.tr("Grade 4"), "none": self.tr("Not graded")}

    def _add_layer(self, layer: Layer) -> Layer:
        self.project.add_layer(layer)
        self.layer_added.emit(layer)
        return layer

    # ---- actions ---------------------------------------------------------------------------
    def grade(self) -> None:
        """Grade the chosen trees layer: computed columns into the layer, coloured by grade."""
        need = self._need_trees()
        if need is None:
            return
        lyr, frame = need
        base = frame.drop(columns=[c for c in COMPUTED_COLUMNS if c in frame.columns])
        version = lyr.data_version
        ref = self.as_of()  # read the widget here: the job may run in a worker thread

        def job(progress: ProgressFn, cancelled: Callable[[], bool]) -> Any:
            from mapdesk.domain.trees import grade_trees, grading_summary

            graded = grade_trees(base, as_of=ref)
            return graded, grading_summary(graded)

        def done(res: Any) -> None:
            graded, summary = res
            if lyr.data_version != version:  # the layer changed meanwhile: the rows may differ
                self._say(self.tr("The layer changed while grading; run it again."))
                return
            merged = merge_computed(lyr.frame, graded)
            lyr.derived["tree_grades"] = {"as_of": None if ref is None else pd.Timestamp(ref).date().isoformat()}
            lyr.set_frame(merged)
            lyr.set_style(grade_style(merged, lyr.style if lyr.style.kind != "categorized" else None,
                                      self._grade_labels()))
            g = summary["by_grade"]
            self._say(self.tr("{0} trees graded: grade 1 {1}, grade 2 {2}, grade 3 {3}, grade 4 {4}, "
                              "not graded {5}; {6} recorded grade(s) differ; {7} tree(s) with data issues")
                      .format(summary["trees"], g["1"], g["2"], g["3"], g["4"], g["none"],
                              summary["mismatches"], summary["trees_with_issues"]))

        self._run(self.tr("Grade the registry"), job, done)

    def census(self, as_of: Any = None) -> None:
        """Census state as of the chosen date: columns into the layer, counts in the summary."""
        need = self._need_trees()
        if need is None:
            return
        lyr, frame = need
        ref = pd.Timestamp(as_of) if as_of is not None else self.as_of()
        version = lyr.data_version

        def job(progress: ProgressFn, cancelled: Callable[[], bool]) -> Any:
            from mapdesk.domain.trees import (
                census_counts,
                census_state,
                census_worklist,
                grade_trees,
            )

            f = frame if "grade_computed" in frame.columns else grade_trees(frame, as_of=ref)
            f = census_state(f, ref)
            return f, census_counts(f), census_worklist(f, ref)

        def done(res: Any) -> None:
            f, counts, worklist = res
            if lyr.data_version == version:
                lyr.derived["tree_census"] = {"as_of": ref.date().isoformat()}
                lyr.set_frame(merge_computed(lyr.frame, f))
            self.last_census_counts = counts
            self._say(self.tr("As of {0}: overdue {1}, never surveyed {2}, due this year {3}, up to date {4} "
                              "({5} trees)").format(ref.date().isoformat(), counts["overdue"],
                                                    counts["never_surveyed"], counts["due_this_year"],
                                                    counts["ok"], sum(counts.values()))
                      + "\n" + self.tr("To visit: {0} tree(s) in {1} communit(ies)").format(
                          len(worklist), worklist["community"].nunique() if len(worklist) else 0))

        self._run(self.tr("Census state"), job, done)

    def zones(self) -> None:
        """Protection-zone polygons of the graded trees, as a new translucent layer."""
        need = self._need_trees()
        if need is None:
            return
        lyr, frame = need

        def job(progress: ProgressFn, cancelled: Callable[[], bool]) -> Any:
            from mapdesk.domain.trees import protection_zones

            return protection_zones(frame)

        def done(zones: gpd.GeoDataFrame) -> None:
            style = Style(kind="categorized", field="grade", fill_opacity=0.22, stroke_width=0.8,
                          stroke_color="#555555",
                          categories=[Category(g, self._grade_labels()[str(g)], TREE_GRADE_COLORS[str(g)])
                                      for g in (1, 2, 3, 4)])
            new = Layer.from_frame(self.tr("Protection zones"), zones, role="generic", style=style)
            self._add_layer(new)
            self._say(self.tr("{0} protection zone(s) for {1} trees").format(len(zones), len(frame)))

        self._run(self.tr("Build protection zones"), job, done)

    def conflicts(self, against: Layer | None = None) -> None:
        """Features of the chosen layer inside protection zones: a layer and the table."""
        need = self._need_trees()
        if need is None:
            return
        lyr, frame = need
        other = against or self.against_layer()
        works = other.filtered_frame() if other is not None else None
        if other is None or works is None or len(works) == 0:
            QMessageBox.information(self, self.tr("Tree tools"),
                                    self.tr("Choose a layer of planned works (points, lines or polygons)."))
            return

        def job(progress: ProgressFn, cancelled: Callable[[], bool]) -> Any:
            from mapdesk.domain.trees import find_conflicts, protection_zones

            return find_conflicts(protection_zones(frame), works)

        def done(found: gpd.GeoDataFrame) -> None:
            self.last_conflicts = found
            self._fill_conflicts(found)
            if len(found):
                style = Style(color="#e31a1c", stroke_color="#b10026", stroke_width=2.0, fill_opacity=0.5,
                              size=8, marker="cross")
                self._add_layer(Layer.from_frame(self.tr("Conflicts — {0}").format(other.name), found,
                                                 role="generic", style=style))
            self._say(self.tr("{0} conflict(s): {1} feature(s) of {2} touch the protection zones of {3} tree(s)")
                      .format(len(found), found["feature_index"].nunique() if len(found) else 0, other.name,
                              found["tree_id"].nunique() if len(found) else 0))

        self._run(self.tr("Check conflicts"), job, done)

    def _fill_conflicts(self, found: pd.DataFrame) -> None:
        from mapdesk.domain.trees import grade_label

        t = self.conflicts_table
        t.setRowCount(len(found))
        for i, (tid, g, d) in enumerate(zip(found["tree_id"].astype(object), found["grade"].astype(object),
                                            found["distance_m"].to_numpy(dtype=float), strict=True)):
            t.setItem(i, 0, QTableWidgetItem("" if pd.isna(tid) else str(tid)))
            t.setItem(i, 1, QTableWidgetItem(grade_label(None if pd.isna(g) else int(g), self.lang)))
            item = QTableWidgetItem(f"{d:.1f}" if np.isfinite(d) else "")
            item.setTextAlignment(int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
            t.setItem(i, 2, item)

    def print_worklist(self, path: str | None = None) -> str | None:
        """Write the census work list (PDF, or .xlsx/.csv) for the chosen date."""
        need = self._need_trees()
        if need is None:
            return None
        lyr, frame = need
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Census work list"), f"census-worklist-{self.as_of().date().isoformat()}.pdf",
                self.tr("PDF (*.pdf);;Excel (*.xlsx);;CSV (*.csv)"))
        if not path:
            return None
        ref = self.as_of()
        lang = "zh_CN" if self.lang == "zh" else "en"

        def job(progress: ProgressFn, cancelled: Callable[[], bool]) -> Any:
            from mapdesk.export.census_worklist import write_census_worklist

            return write_census_worklist(frame, path, as_of=ref, lang=lang)

        self._run(self.tr("Census work list"), job,
                  lambda p: self._say(self.tr("Census work list written to {0}").format(p)))
        return path

    def export_registry(self, path: str | None = None) -> str | None:
        """Export the registry with its computed columns to CSV, Excel or GeoPackage."""
        lyr = self.trees_layer()
        if lyr is None or lyr.frame is None:
            QMessageBox.information(self, self.tr("Tree tools"), self.tr("Add a layer of protected trees first."))
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export registry"), f"{lyr.name}.xlsx",
                                                  self.tr("Excel (*.xlsx);;CSV (*.csv);;GeoPackage (*.gpkg)"))
        if not path:
            return None
        frame = lyr.frame
        zh = self.lang == "zh"

        def job(progress: ProgressFn, cancelled: Callable[[], bool]) -> Any:
            from mapdesk.domain.trees import export_registry

            return export_registry(frame, path, chinese_headers=zh)

        self._run(self.tr("Export registry"), job,
                  lambda p: self._say(self.tr("Registry exported to {0}").format(p)))
        return path
