"""The map canvas of the main window, behind one factory so the real canvas swaps in cleanly.

``create_canvas`` returns :class:`mapdesk.gui.canvas.MapCanvas` when the renderer is present and
a :class:`PlaceholderCanvas` with the same signals and methods otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

from mapdesk.model import Project


class PlaceholderCanvas(QWidget):
    """Stands in for the map canvas: same API, draws only a notice."""

    identified = Signal(object, int, dict)
    selection_changed = Signal(str, object)
    cursor_moved = Signal(float, float, float, float)
    scale_changed = Signal(float)
    rendered = Signal(object)
    measured = Signal(str, float, str)

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.selections: dict[str, np.ndarray] = {}
        self.setMinimumSize(320, 240)
        QTimer.singleShot(0, self, lambda: self.rendered.emit(None))

    def set_project(self, project: Project) -> None:
        self.project = project
        self.update()
        QTimer.singleShot(0, self, lambda: self.rendered.emit(None))

    def zoom_to_layer(self, layer: Any) -> None:
        self.update()

    def zoom_to_selection(self) -> None:
        self.update()

    def zoom_full(self) -> None:
        self.update()

    def set_selection(self, layer_id: str, indices: Any) -> None:
        self.selections[layer_id] = np.asarray(indices, dtype=np.int64)
        self.update()

    def set_tool(self, name: str) -> None:
        self.tool = name

    def paintEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#f4f3ef"))
        p.setPen(QColor("#888888"))
        p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                   self.tr("Map canvas (the renderer is not installed)"))
        p.end()


def create_canvas(project: Project, parent: QWidget | None = None) -> QWidget:
    """The map canvas for ``project``: the real one when available."""
    try:
        from mapdesk.gui.canvas import MapCanvas
    except ImportError:
        return PlaceholderCanvas(project, parent)
    return MapCanvas(project)
