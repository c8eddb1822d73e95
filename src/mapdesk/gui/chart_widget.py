"""A chart in the window: a widget painted by one of the :mod:`mapdesk.render.charts`
painters, with a "Save PNG…" button that writes the same chart with ``save_chart_png``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QRectF
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

PaintFn = Callable[[QPainter, QRectF], None]


class ChartCanvas(QWidget):
    """Paints ``paint_fn(painter, rect)`` on white; nothing (a hint) until a chart is set."""

    def __init__(self, min_height: int = 180) -> None:
        super().__init__()
        self.paint_fn: PaintFn | None = None
        self.setMinimumHeight(min_height)
        self.setMinimumWidth(200)

    def set_chart(self, paint_fn: PaintFn | None) -> None:
        self.paint_fn = paint_fn
        self.update()

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        p = QPainter(self)
        try:
            p.fillRect(self.rect(), QColor(255, 255, 255))
            if self.paint_fn is not None:
                self.paint_fn(p, QRectF(self.rect()))
        finally:
            p.end()


class ChartWidget(QWidget):
    """A :class:`ChartCanvas` with a Save PNG… button (hidden until a chart is set)."""

    def __init__(self, min_height: int = 180, file_stem: str = "chart") -> None:
        super().__init__()
        self.canvas = ChartCanvas(min_height)
        self.file_stem = file_stem
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save_dialog)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.canvas, 1)
        lay.addLayout(row)
        self.setVisible(False)
        self.retranslate()

    @property
    def paint_fn(self) -> PaintFn | None:
        return self.canvas.paint_fn

    def set_chart(self, paint_fn: PaintFn | None) -> None:
        self.canvas.set_chart(paint_fn)
        self.setVisible(paint_fn is not None)

    def retranslate(self) -> None:
        self.save_button.setText(self.tr("Save PNG…"))
        self.save_button.setToolTip(self.tr("Save this chart as a PNG image (1200 × 600)"))

    def changeEvent(self, event: Any) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def save_png(self, path: str) -> None:
        from mapdesk.render.charts import save_chart_png

        if self.paint_fn is None:
            return
        save_chart_png(self.paint_fn, path)

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save chart"), f"{self.file_stem}.png",
                                              self.tr("PNG images (*.png)"))
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        try:
            self.save_png(path)
        except Exception as exc:  # disk full, no permission: tell the user, keep the window
            QMessageBox.warning(self, self.tr("Cannot save chart"), str(exc))
