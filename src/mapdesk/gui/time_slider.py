"""The temporal controller: a moving date window over a layer's time column.

It sets the layer filter's ``date_from``/``date_to`` (the rest of the filter is kept), so the
map, the table, density views and exports all follow the window. Playback is not recorded on
the undo stack (one entry per frame would bury the user's own edits).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QToolButton,
    QWidget,
)

from mapdesk.model import Filter, FilterError, Layer


class TimeSlider(QWidget):
    """Window length (day/week/month/custom), step, play/pause over one layer."""

    window_changed = Signal(str, str)  # date_from, date_to (inclusive ISO dates)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer: Layer | None = None
        self.t0: pd.Timestamp | None = None
        self.t1: pd.Timestamp | None = None
        self.enabled = QCheckBox()
        self.enabled.toggled.connect(self._toggled)
        self.window = QComboBox()
        self.custom_days = QSpinBox()
        self.custom_days.setRange(1, 3650)
        self.custom_days.setValue(14)
        self.custom_days.setSuffix(" d")
        self.step = QComboBox()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setMinimumWidth(200)
        self.play_button = QToolButton()
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._play_toggled)
        self.speed = QSpinBox()
        self.speed.setRange(100, 10000)
        self.speed.setSingleStep(100)
        self.speed.setValue(800)
        self.speed.setSuffix(" ms")
        self.label = QLabel()
        self.label.setMinimumWidth(190)
        self.window_label = QLabel()
        self.step_label = QLabel()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.advance)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        for w in (self.enabled, self.window_label, self.window, self.custom_days, self.step_label,
                  self.step, self.play_button, self.slider, self.label, self.speed):
            lay.addWidget(w, 1 if w is self.slider else 0)
        self.retranslate()
        for w in (self.window, self.step):
            w.currentIndexChanged.connect(self._recompute)
        self.custom_days.valueChanged.connect(self._recompute)
        self.slider.valueChanged.connect(self._position_changed)
        self.speed.valueChanged.connect(self.timer.setInterval)
        self.set_layer(None)

    def retranslate(self) -> None:
        self.enabled.setText(self.tr("Time window"))
        self.enabled.setToolTip(self.tr("Show only the features inside a moving date window"))
        self.window_label.setText(self.tr("Length"))
        self.step_label.setText(self.tr("Step"))
        wi, si = self.window.currentIndex(), self.step.currentIndex()
        self.window.blockSignals(True)
        self.step.blockSignals(True)
        self.window.clear()
        for key, text in (("day", self.tr("Day")), ("week", self.tr("Week")),
                          ("month", self.tr("Month")), ("custom", self.tr("Custom"))):
            self.window.addItem(text, key)
        self.step.clear()
        for key, text in (("window", self.tr("One window")), ("day", self.tr("One day")),
                          ("week", self.tr("One week"))):
            self.step.addItem(text, key)
        self.window.setCurrentIndex(max(1, wi) if wi >= 0 else 1)
        self.step.setCurrentIndex(max(0, si))
        self.window.blockSignals(False)
        self.step.blockSignals(False)
        self._set_play_text()
        self.speed.setToolTip(self.tr("Time between frames while playing"))
        self._update_label()

    def changeEvent(self, event: Any) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _set_play_text(self) -> None:
        self.play_button.setText(self.tr("Pause") if self.play_button.isChecked() else self.tr("Play"))
        self.play_button.setToolTip(self.tr("Play the time window forward (Ctrl+Space)"))

    # ---- layer --------------------------------------------------------------------------------
    def set_layer(self, layer: Layer | None) -> None:
        self.stop()
        self.layer = layer
        col = layer.time_column if layer is not None and layer.kind == "vector" else None
        usable = col is not None and layer.frame is not None
        if usable:
            from mapdesk.gui.filter_panel import time_span

            span = time_span(layer)
            usable = span is not None
            if usable:
                self.t0, self.t1 = span[0].normalize(), span[1]
        for w in (self.enabled, self.window, self.custom_days, self.step, self.slider,
                  self.play_button, self.speed):
            w.setEnabled(bool(usable))
        self.enabled.blockSignals(True)
        self.enabled.setChecked(bool(usable and (layer.filter.date_from or layer.filter.date_to)))
        self.enabled.blockSignals(False)
        if not usable:
            self.t0 = self.t1 = None
        self._loading = True  # showing a layer must not change its filter
        try:
            self._recompute()
            if usable and layer.filter.date_from:
                start = pd.Timestamp(layer.filter.date_from)
                i = 0
                while i < self.slider.maximum() and self.window_at(i + 1)[0] <= start:
                    i += 1
                self.slider.setValue(i)
        finally:
            self._loading = False

    # ---- window arithmetic -----------------------------------------------------------------
    def _window_offset(self) -> pd.DateOffset | pd.Timedelta:
        key = self.window.currentData()
        return {"day": pd.Timedelta(days=1), "week": pd.Timedelta(days=7),
                "month": pd.DateOffset(months=1)}.get(key, pd.Timedelta(days=self.custom_days.value()))

    def _step_offset(self) -> pd.DateOffset | pd.Timedelta:
        key = self.step.currentData()
        if key == "day":
            return pd.Timedelta(days=1)
        if key == "week":
            return pd.Timedelta(days=7)
        return self._window_offset()

    def window_at(self, i: int) -> tuple[pd.Timestamp, pd.Timestamp]:
        """(first day, last day) of window ``i``, both inclusive."""
        assert self.t0 is not None
        step = self._step_offset()
        start = self.t0 + step * i if isinstance(step, pd.Timedelta) else self.t0 + pd.DateOffset(
            months=i * step.months)
        end = start + self._window_offset() - pd.Timedelta(days=1)
        return start, end

    def _recompute(self, *_: Any) -> None:
        self.custom_days.setVisible(self.window.currentData() == "custom")
        n = 0
        if self.t0 is not None:
            while n < 100000 and self.window_at(n + 1)[0] <= self.t1:
                n += 1
        self.slider.blockSignals(True)
        self.slider.setRange(0, n)
        self.slider.setValue(min(self.slider.value(), n))
        self.slider.blockSignals(False)
        self._position_changed()

    def _position_changed(self, *_: Any) -> None:
        self._update_label()
        if self.enabled.isChecked() and not getattr(self, "_loading", False):
            self.apply()

    def _update_label(self) -> None:
        if self.t0 is None:
            self.label.setText(self.tr("No time column"))
            return
        a, b = self.window_at(self.slider.value())
        self.label.setText(f"{a:%Y-%m-%d} – {b:%Y-%m-%d}")

    def current_window(self) -> tuple[str, str] | None:
        if self.t0 is None:
            return None
        a, b = self.window_at(self.slider.value())
        return f"{a:%Y-%m-%d}", f"{b:%Y-%m-%d}"

    def apply(self) -> None:
        if self.layer is None or self.t0 is None:
            return
        win = self.current_window() if self.enabled.isChecked() else (None, None)
        d = self.layer.filter.to_dict()
        d["date_from"], d["date_to"] = win
        try:
            self.layer.set_filter(Filter.from_dict(d))
        except FilterError:
            self.enabled.setChecked(False)
            return
        if win[0]:
            self.window_changed.emit(win[0], win[1])

    def _toggled(self, on: bool) -> None:
        if not on:
            self.stop()
        self.apply()

    # ---- playback -------------------------------------------------------------------------------
    def _play_toggled(self, on: bool) -> None:
        self._set_play_text()
        if on:
            if not self.enabled.isChecked():
                self.enabled.setChecked(True)
            if self.slider.value() >= self.slider.maximum():
                self.slider.setValue(0)
            self.timer.start(self.speed.value())
        else:
            self.timer.stop()

    def advance(self) -> None:
        if self.slider.value() >= self.slider.maximum():
            self.stop()
            return
        self.slider.setValue(self.slider.value() + 1)

    def stop(self) -> None:
        self.timer.stop()
        if self.play_button.isChecked():
            self.play_button.setChecked(False)
