"""A slider with two handles for a [low, high] range (Qt has none built in)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget


class RangeSlider(QWidget):
    """Integer range slider; ``range_changed(low, high)`` fires while dragging."""

    range_changed = Signal(int, int)

    def __init__(self, minimum: int = 0, maximum: int = 100, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._min, self._max = minimum, maximum
        self._low, self._high = minimum, maximum
        self._drag: int | None = None
        self.setMinimumWidth(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(160, 22)

    def setRange(self, minimum: int, maximum: int) -> None:  # noqa: N802 (Qt naming)
        self._min, self._max = int(minimum), int(max(maximum, minimum + 1))
        self.set_values(self._min, self._max)

    def minimum(self) -> int:
        return self._min

    def maximum(self) -> int:
        return self._max

    def values(self) -> tuple[int, int]:
        return self._low, self._high

    def set_values(self, low: int, high: int, emit: bool = False) -> None:
        low = max(self._min, min(int(low), self._max))
        high = max(low, min(int(high), self._max))
        if (low, high) != (self._low, self._high):
            self._low, self._high = low, high
            self.update()
            if emit:
                self.range_changed.emit(low, high)

    def is_full(self) -> bool:
        return self._low <= self._min and self._high >= self._max

    # ---- geometry --------------------------------------------------------------------
    def _x(self, v: float) -> float:
        w = self.width() - 16
        return 8 + w * (v - self._min) / max(1, self._max - self._min)

    def _value_at(self, x: float) -> int:
        w = max(1, self.width() - 16)
        return round(self._min + (x - 8) / w * (self._max - self._min))

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        cy = self.height() / 2
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(pal.color(QPalette.ColorRole.Mid))
        p.drawRoundedRect(QRectF(8, cy - 2, self.width() - 16, 4), 2, 2)
        hl = pal.color(QPalette.ColorRole.Highlight) if self.isEnabled() else QColor("#aaaaaa")
        p.setBrush(hl)
        p.drawRect(QRectF(self._x(self._low), cy - 2, self._x(self._high) - self._x(self._low), 4))
        p.setPen(pal.color(QPalette.ColorRole.Dark))
        p.setBrush(pal.color(QPalette.ColorRole.Button))
        for v in (self._low, self._high):
            p.drawEllipse(QPointF(self._x(v), cy), 6, 6)
        p.end()

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802
        x = event.position().x()
        dl, dh = abs(x - self._x(self._low)), abs(x - self._x(self._high))
        self._drag = 0 if (dl < dh or (dl == dh and x < self._x(self._low))) else 1
        self.mouseMoveEvent(event)

    def mouseMoveEvent(self, event: Any) -> None:  # noqa: N802
        if self._drag is None:
            return
        v = self._value_at(event.position().x())
        if self._drag == 0:
            self.set_values(min(v, self._high), self._high, emit=True)
        else:
            self.set_values(self._low, max(v, self._low), emit=True)

    def mouseReleaseEvent(self, event: Any) -> None:  # noqa: N802
        self._drag = None
