"""The filter panel, built from the selected layer's fields.

Category checklists (≤ 50 distinct values), range sliders for numbers, and for layers with a
time column a date range, a time-of-day range and weekdays; a free expression for experts.
Edits apply after a short pause through the undo stack; the live count reads the model.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QCoreApplication, QDate, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mapdesk.gui.range_slider import RangeSlider
from mapdesk.gui.undo import apply_filter
from mapdesk.io.schema import SCHEMA
from mapdesk.model import Filter, FilterError, Layer

MAX_CATEGORIES = 50
SLIDER_STEPS = 1000


def count_text(layer: Layer) -> str:
    """'1,234 of 3,012 incidents' in the UI language."""
    shown, total = layer.feature_count()
    remote = getattr(layer, "remote", None)
    if remote is not None:  # a table on the server: the rows of the view, of the whole table
        view = remote.last_view
        total = int(remote.info.estimated_rows or 0)
        if view is not None and view.total is not None:
            shown = view.total
        elif layer.filter.is_empty():
            shown = total
    nouns = {"incidents": QCoreApplication.translate("FilterPanel", "{0} of {1} incidents"),
             "trees": QCoreApplication.translate("FilterPanel", "{0} of {1} trees"),
             "cameras": QCoreApplication.translate("FilterPanel", "{0} of {1} cameras")}
    text = nouns.get(layer.role, QCoreApplication.translate("FilterPanel", "{0} of {1} features"))
    return text.format(f"{shown:,}", f"{total:,}")


def time_span(layer: Layer) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last filter time of the layer: of the whole table for a layer kept on a
    database server (its frame holds only a sample or the rows in view), else of its rows."""
    remote = getattr(layer, "remote", None)
    if remote is not None:
        times = (getattr(remote, "profile", None) or {}).get("times", {})
        cols = [layer.time_column, layer.field_map.get("time"), layer.field_map.get("time_start")]
        spans = [times[c] for c in cols if c in times]
        if spans:
            return min(pd.Timestamp(a) for a, _ in spans), max(pd.Timestamp(b) for _, b in spans)
    t = time_values(layer).dropna()
    return (t.min(), t.max()) if len(t) else None


def time_values(layer: Layer) -> pd.Series:
    """The layer's filter times as datetimes (also when the time column is derived, e.g. an
    incident's instant time, else the start of its time window)."""
    col = layer.time_column
    frame = layer.frame
    if col is None or frame is None:
        return pd.Series([], dtype="datetime64[ns]")
    if col in frame.columns:
        t = pd.to_datetime(frame[col], errors="coerce")
        if getattr(t.dt, "tz", None) is not None:
            t = t.dt.tz_localize(None)
        return t
    ns = layer._cache.times_ns(col)
    return pd.Series(pd.to_datetime(np.where(ns == np.iinfo(np.int64).min, np.datetime64("NaT"),
                                             ns.view("datetime64[ns]"))), index=frame.index)


def field_label(layer: Layer, column: str, zh: bool) -> str:
    """The canonical field's label for a mapped column, else the column name."""
    for canon, col in layer.field_map.items():
        if col == column:
            for spec in SCHEMA.get(layer.role, ()):
                if spec.name == canon:
                    return spec.label_zh if zh else spec.label_en
    return column


class _CategoryBox(QGroupBox):
    changed = Signal()

    def __init__(self, title: str, column: str, values: list[str], counts: list[int],
                 labels: dict[str, str]) -> None:
        super().__init__(title)
        self.column = column
        self.values = values
        self.list = QListWidget()
        for v, n in zip(values, counts, strict=True):
            it = QListWidgetItem(f"{labels.get(v, v)}  ({n:,})")
            it.setData(Qt.ItemDataRole.UserRole, v)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(it)
        self.list.setFixedHeight(min(170, 21 * len(values) + 8))
        self.list.itemChanged.connect(lambda *_: self.changed.emit())
        self.all_button = QPushButton(self.tr("All"))
        self.none_button = QPushButton(self.tr("None"))
        self.all_button.clicked.connect(lambda: self.set_all(True))
        self.none_button.clicked.connect(lambda: self.set_all(False))
        row = QHBoxLayout()
        row.addWidget(self.all_button)
        row.addWidget(self.none_button)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.list)
        lay.addLayout(row)

    def set_all(self, on: bool) -> None:
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            self.list.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self.changed.emit()

    def checked(self) -> list[str] | None:
        """Allowed values, or None when every value is ticked (no condition)."""
        vals = [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]
        return None if len(vals) == self.list.count() else vals

    def load(self, allowed: list[Any] | None) -> None:
        allowed_s = None if allowed is None else {str(a) for a in allowed}
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            it = self.list.item(i)
            on = allowed_s is None or it.data(Qt.ItemDataRole.UserRole) in allowed_s
            it.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)


class _RangeBox(QWidget):
    changed = Signal()

    def __init__(self, column: str, lo: float, hi: float, integer: bool) -> None:
        super().__init__()
        self.column, self.lo, self.hi = column, lo, hi
        self.slider = RangeSlider(0, SLIDER_STEPS)
        self.low = QDoubleSpinBox()
        self.high = QDoubleSpinBox()
        # enough decimals to move in steps of ~1/1000 of the data's span (lon/lat need 5)
        span = max(abs(hi - lo), 1e-12)
        decimals = 0 if integer else int(min(6, max(2, math.ceil(-math.log10(span / 1000)))))
        self._eps = 0.5 * 10 ** -decimals  # the spin boxes round the ends by up to this much
        for sb, v in ((self.low, lo), (self.high, hi)):
            sb.setDecimals(decimals)
            sb.setRange(lo, hi)
            sb.setValue(v)
            sb.setKeyboardTracking(False)
            sb.valueChanged.connect(self._spin_changed)
        self.slider.range_changed.connect(self._slider_changed)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.low)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.high)

    def _to_value(self, step: int) -> float:
        return self.lo + (self.hi - self.lo) * step / SLIDER_STEPS

    def _to_step(self, v: float) -> int:
        return round((v - self.lo) / max(1e-12, self.hi - self.lo) * SLIDER_STEPS)

    def _slider_changed(self, a: int, b: int) -> None:
        for sb, v in ((self.low, self._to_value(a)), (self.high, self._to_value(b))):
            sb.blockSignals(True)
            sb.setValue(v)
            sb.blockSignals(False)
        self.changed.emit()

    def _spin_changed(self) -> None:
        self.slider.set_values(self._to_step(self.low.value()), self._to_step(self.high.value()))
        self.changed.emit()

    def value(self) -> tuple[float | None, float | None] | None:
        a, b = self.low.value(), self.high.value()
        # an untouched end is no condition, even where the spin box rounded the data's min/max
        lo = None if a <= self.lo + self._eps else a
        hi = None if b >= self.hi - self._eps else b
        return None if lo is None and hi is None else (lo, hi)

    def load(self, rng: tuple[float | None, float | None] | None) -> None:
        lo, hi = rng if rng else (None, None)
        for sb, v in ((self.low, self.lo if lo is None else lo), (self.high, self.hi if hi is None else hi)):
            sb.blockSignals(True)
            sb.setValue(v)
            sb.blockSignals(False)
        self.slider.set_values(self._to_step(self.low.value()), self._to_step(self.high.value()))


class FilterPanel(QWidget):
    """Filter widgets for one layer at a time (``set_layer``)."""

    filter_applied = Signal(object)  # layer

    def __init__(self, undo: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.undo = undo
        self.layer: Layer | None = None
        self._loading = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(150)
        self.timer.timeout.connect(self.apply)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.count = QLabel()
        self.count.setObjectName("filterCount")
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.reset_button = QPushButton()
        self.reset_button.clicked.connect(self.reset)
        top = QHBoxLayout()
        top.addWidget(self.count, 1)
        top.addWidget(self.reset_button)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.title)
        lay.addLayout(top)
        lay.addWidget(self.error)
        lay.addWidget(self.scroll, 1)
        self.categories: dict[str, _CategoryBox] = {}
        self.ranges: dict[str, _RangeBox] = {}
        self.expression = QLineEdit()
        self.retranslate()
        self.set_layer(None)

    def retranslate(self) -> None:
        self.reset_button.setText(self.tr("Reset"))
        self.reset_button.setToolTip(self.tr("Remove every condition of this layer's filter"))
        self._refresh_count()

    def changeEvent(self, event: Any) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            if self.layer is not None:
                self.set_layer(self.layer)  # rebuild: labels of fields and values change too
        super().changeEvent(event)

    # ---- building ------------------------------------------------------------------------
    def set_layer(self, layer: Layer | None) -> None:
        if self.layer is not None:
            try:
                self.layer.changed.disconnect(self._layer_changed)
            except (TypeError, ValueError, RuntimeError):
                pass
        self.timer.stop()
        self.layer = layer
        self.categories, self.ranges = {}, {}
        self.time_box: QGroupBox | None = None
        body = QWidget()
        form = QVBoxLayout(body)
        frame = layer.frame if layer is not None and layer.kind == "vector" else None
        if layer is None or frame is None:
            self.title.setText(self.tr("Select a vector layer to filter it.") if layer is None
                               else self.tr("{0}: nothing to filter").format(layer.name))
            form.addStretch(1)
            self.scroll.setWidget(body)
            self._refresh_count()
            return
        layer.changed.connect(self._layer_changed)
        self.title.setText(self.tr("Filter of <b>{0}</b>").format(layer.name))
        from mapdesk.gui.i18n import current_language

        zh = current_language().startswith("zh")
        tcol = layer.time_column
        if tcol:
            form.addWidget(self._build_time(layer, tcol))
        numeric_box = QGroupBox(self.tr("Ranges"))
        nform = QFormLayout(numeric_box)
        for col in frame.columns:
            if col == "geometry" or col == tcol:
                continue
            s = frame[col]
            if pd.api.types.is_datetime64_any_dtype(s):
                continue
            cats = self._category_values(layer, col)
            if cats is not None:
                values, counts = cats
                labels = self._value_labels(layer, col, values, zh)
                box = _CategoryBox(field_label(layer, col, zh), col, values, counts, labels)
                box.changed.connect(self._schedule)
                self.categories[col] = box
                form.addWidget(box)
            elif pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
                arr = pd.to_numeric(s, errors="coerce").to_numpy(float)
                if getattr(layer, "remote", None) is not None:  # the whole table's range
                    arr = np.asarray(layer.remote.profile["ranges"].get(col, ()), dtype=float)
                finite = arr[np.isfinite(arr)]
                if finite.size == 0 or finite.min() == finite.max():
                    continue
                integer = bool(np.all(finite == np.round(finite)))
                rb = _RangeBox(col, float(finite.min()), float(finite.max()), integer)
                rb.changed.connect(self._schedule)
                self.ranges[col] = rb
                nform.addRow(field_label(layer, col, zh), rb)
        if self.ranges:
            form.addWidget(numeric_box)
        expr_box = QGroupBox(self.tr("Expression"))
        el = QVBoxLayout(expr_box)
        self.expression = QLineEdit()
        self.expression.setPlaceholderText(self.tr("e.g. age_years >= 100 and dbh_cm > 40"))
        self.expression.setToolTip(self.tr("A pandas expression over the layer's columns; "
                                           "applied when you press Enter"))
        self.expression.returnPressed.connect(self.apply)
        el.addWidget(self.expression)
        form.addWidget(expr_box)
        form.addStretch(1)
        self.scroll.setWidget(body)
        self.load_filter(layer.filter)
        self._refresh_count()

    def _category_values(self, layer: Layer, col: str) -> tuple[list[str], list[int]] | None:
        remote = getattr(layer, "remote", None)
        if remote is not None:  # a table on the server: its values and counts, read on load
            return remote.profile["categories"].get(col)
        frame = layer.frame
        s = frame[col]
        is_text = (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)
                   or isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(s))
        is_small_int = (pd.api.types.is_integer_dtype(s) and not pd.api.types.is_bool_dtype(s))
        if not (is_text or is_small_int):
            return None
        limit = 8 if is_small_int else MAX_CATEGORIES
        if len(s) > 5000 and not isinstance(s.dtype, pd.CategoricalDtype):
            # an ID column has too many values already in a sample: skip factorising a million
            if s.iloc[:5000].nunique(dropna=True) > limit:
                return None
        cache = getattr(layer, "_cache", None)
        if cache is not None:
            codes, uniques = cache.codes(col)
        else:
            codes, uniques = pd.factorize(s.astype("string"))
        if len(uniques) > limit or len(uniques) == 0:
            return None
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        order = np.argsort(-counts, kind="stable")
        if is_small_int:
            order = np.argsort(pd.to_numeric(pd.Index(uniques), errors="coerce").to_numpy(float))
        return [str(uniques[i]) for i in order], [int(counts[i]) for i in order]

    @staticmethod
    def _value_labels(layer: Layer, col: str, values: list[str], zh: bool) -> dict[str, str]:
        if layer.role == "incidents" and layer.field_map.get("type") == col:
            from mapdesk.domain.incidents import INCIDENT_TYPES, type_label

            return {v: type_label(v, "zh" if zh else "en") for v in values if v in INCIDENT_TYPES}
        if layer.style.field == col:
            from mapdesk.gui.layer_panel import display_label

            return {str(c.value): display_label(layer, c.value, str(c.label)) for c in layer.style.categories}
        return {}

    def _build_time(self, layer: Layer, tcol: str) -> QGroupBox:
        shown = tcol if tcol in layer.frame.columns else " / ".join(
            c for c in (layer.field_map.get("time"), layer.field_map.get("time_start")) if c)
        box = QGroupBox(self.tr("Time ({0})").format(shown))
        f = QFormLayout(box)
        span = time_span(layer)
        tmin, tmax = span if span is not None else (pd.NaT, pd.NaT)
        self.date_check = QCheckBox(self.tr("Only dates from"))
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for w in (self.date_from, self.date_to):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            if pd.notna(tmin):
                w.setDateRange(QDate(tmin.year, tmin.month, tmin.day), QDate(tmax.year, tmax.month, tmax.day))
            w.dateChanged.connect(self._schedule)
        if pd.notna(tmin):
            self.date_from.setDate(QDate(tmin.year, tmin.month, tmin.day))
            self.date_to.setDate(QDate(tmax.year, tmax.month, tmax.day))
        self.date_check.toggled.connect(self._schedule)
        row = QHBoxLayout()
        row.addWidget(self.date_from, 1)
        row.addWidget(QLabel(self.tr("to")))
        row.addWidget(self.date_to, 1)
        f.addRow(self.date_check)
        f.addRow(row)
        self.hours = RangeSlider(0, 24)
        self.hours_label = QLabel("00:00–24:00")
        self.hours.range_changed.connect(self._hours_changed)
        hrow = QHBoxLayout()
        hrow.addWidget(self.hours, 1)
        hrow.addWidget(self.hours_label)
        f.addRow(self.tr("Time of day"), hrow)
        self.weekday_checks: list[QCheckBox] = []
        wrow = QGridLayout()
        wrow.setHorizontalSpacing(4)
        names = [self.tr("Mon"), self.tr("Tue"), self.tr("Wed"), self.tr("Thu"), self.tr("Fri"),
                 self.tr("Sat"), self.tr("Sun")]
        for n in names:
            cb = QCheckBox(n)
            cb.setChecked(True)
            cb.toggled.connect(self._schedule)
            wrow.addWidget(cb, len(self.weekday_checks) // 4, len(self.weekday_checks) % 4)
            self.weekday_checks.append(cb)
        f.addRow(self.tr("Weekdays"), wrow)
        self.time_box = box
        return box

    def _hours_changed(self, a: int, b: int) -> None:
        self.hours_label.setText(f"{a:02d}:00–{b:02d}:00")
        self._schedule()

    # ---- filter <-> widgets ----------------------------------------------------------------
    def build_filter(self) -> Filter:
        """The filter the widgets describe (conditions of fields not shown here are kept)."""
        assert self.layer is not None
        old = self.layer.filter
        cats = {k: v for k, v in old.categories.items() if k not in self.categories}
        for col, box in self.categories.items():
            allowed = box.checked()
            if allowed is not None:
                cats[col] = allowed
        ranges = {k: v for k, v in old.ranges.items() if k not in self.ranges}
        for col, rb in self.ranges.items():
            r = rb.value()
            if r is not None:
                ranges[col] = r
        flt = Filter(categories=cats, ranges=ranges, expression=self.expression.text().strip(),
                     time_field=old.time_field)
        if self.time_box is not None:
            if self.date_check.isChecked():
                flt.date_from = self.date_from.date().toString("yyyy-MM-dd")
                flt.date_to = self.date_to.date().toString("yyyy-MM-dd")
            a, b = self.hours.values()
            if not self.hours.is_full():
                flt.hour_from, flt.hour_to = a, b
            days = [i for i, cb in enumerate(self.weekday_checks) if cb.isChecked()]
            if len(days) < 7:
                flt.weekdays = days
        else:
            flt.date_from, flt.date_to = old.date_from, old.date_to
        return flt

    def load_filter(self, flt: Filter) -> None:
        self._loading = True
        try:
            for col, box in self.categories.items():
                box.load(flt.categories.get(col))
            for col, rb in self.ranges.items():
                rb.load(flt.ranges.get(col))
            self.expression.setText(flt.expression)
            if self.time_box is not None:
                widgets = [self.date_check, self.date_from, self.date_to, self.hours, *self.weekday_checks]
                for w in widgets:
                    w.blockSignals(True)
                self.date_check.setChecked(bool(flt.date_from or flt.date_to))
                if flt.date_from:
                    self.date_from.setDate(QDate.fromString(flt.date_from[:10], "yyyy-MM-dd"))
                if flt.date_to:
                    self.date_to.setDate(QDate.fromString(flt.date_to[:10], "yyyy-MM-dd"))
                if flt.hour_from is not None and flt.hour_to is not None:
                    self.hours.set_values(flt.hour_from, flt.hour_to)
                else:
                    self.hours.set_values(0, 24)
                a, b = self.hours.values()
                self.hours_label.setText(f"{a:02d}:00–{b:02d}:00")
                for i, cb in enumerate(self.weekday_checks):
                    cb.setChecked(flt.weekdays is None or i in flt.weekdays)
                for w in widgets:
                    w.blockSignals(False)
        finally:
            self._loading = False

    # ---- applying ---------------------------------------------------------------------------
    def _schedule(self, *_: Any) -> None:
        if not self._loading:
            self.timer.start()

    def apply(self) -> None:
        self.timer.stop()
        if self.layer is None or self.layer.frame is None:
            return
        flt = self.build_filter()
        try:
            self._applying = True
            apply_filter(self.undo, self.layer, flt)
        except FilterError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        finally:
            self._applying = False
        self.error.hide()
        self._refresh_count()
        self.filter_applied.emit(self.layer)

    def reset(self) -> None:
        if self.layer is None:
            return
        try:
            apply_filter(self.undo, self.layer, Filter())
        except FilterError as exc:  # an empty filter always applies; keep the dialog-free path
            self.error.setText(str(exc))
            return
        self.load_filter(self.layer.filter)
        self.error.hide()
        self._refresh_count()

    def _layer_changed(self, what: str) -> None:
        if what == "rows":  # a database layer fetched its view: only the count changes
            self._refresh_count()
            return
        if what in ("role", "data", "name"):
            QTimer.singleShot(0, self, self._rebuild)  # fields or labels changed
            return
        if what == "filter":
            if not getattr(self, "_applying", False):
                self.load_filter(self.layer.filter)
            self._refresh_count()

    def _rebuild(self) -> None:
        self.set_layer(self.layer)

    def _refresh_count(self) -> None:
        if self.layer is None or self.layer.kind != "vector" or self.layer.frame is None:
            self.count.setText("")
            return
        self.count.setText(count_text(self.layer))
