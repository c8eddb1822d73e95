"""The layer panel: a list model over ``project.layers`` (top row = top-most layer).

Check boxes toggle visibility, drag and drop reorders, the slider sets opacity; every edit goes
through the undo stack and the view follows the model's signals.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QEvent,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mapdesk.gui.undo import (
    RenameLayerCommand,
    ReorderLayersCommand,
    SetOpacityCommand,
    SetVisibleCommand,
)
from mapdesk.model import Layer, Project

MIME = "application/x-mapdesk-layer-id"
AnyIndex = QModelIndex | QPersistentModelIndex


def swatch_icon(layer: Layer, size: int = 16) -> QIcon:
    """A small legend swatch: the layer's colour, or its first category colours, or a ramp."""
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    st = layer.style
    if layer.status not in ("ok",):
        p.setPen(QColor("#c62828"))
        p.setBrush(QColor("#ffcdd2"))
        p.drawEllipse(1, 1, size - 2, size - 2)
        p.drawText(pm.rect(), Qt.AlignmentFlag.AlignCenter, "!")
    elif st.kind == "categorized" and st.categories:
        cols = [c.color for c in st.categories[:4]]
        w = size / len(cols)
        for i, c in enumerate(cols):
            p.fillRect(int(i * w), 2, int(w) + 1, size - 4, QColor(c))
    elif st.kind in ("graduated", "raster") or layer.kind == "raster":
        for i, c in enumerate(("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c")):
            p.fillRect(i * size // 4, 2, size // 4 + 1, size - 4, QColor(c))
    else:
        p.setPen(QColor(st.stroke_color))
        p.setBrush(QColor(st.color))
        p.drawEllipse(2, 2, size - 4, size - 4)
    p.end()
    return QIcon(pm)


def _ramp_colors(name: str, n: int) -> list[str]:
    """``n`` colours of the renderer's ramp ``name``."""
    from mapdesk.render.palettes import ramp

    return list(ramp(name, n))


def display_label(layer: Layer, value: object, label: str) -> str:
    """A category label in the UI language (see :func:`mapdesk.model.style.category_label`)."""
    from mapdesk.gui.i18n import current_language
    from mapdesk.model.style import category_label

    return category_label(layer.role, value, label, current_language())


def _color_icon(color: str, size: int = 14) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(QColor(color))
    return QIcon(pm)


class LayerListModel(QAbstractListModel):
    """Rows are ``reversed(project.layers)``: the first row is drawn last (on top)."""

    def __init__(self, project: Project, undo: QUndoStack, parent: Any = None) -> None:
        super().__init__(parent)
        self.undo = undo
        self.project = project
        self._connect()

    def _connect(self) -> None:
        self.project.layers_changed.connect(self._reset)
        self.project.layer_changed.connect(self._layer_changed)

    def set_project(self, project: Project) -> None:
        self.project.layers_changed.disconnect(self._reset)
        self.project.layer_changed.disconnect(self._layer_changed)
        self.beginResetModel()
        self.project = project
        self._connect()
        self.endResetModel()

    def _reset(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def _layer_changed(self, layer: Layer, what: str) -> None:
        if what == "selection":
            return
        row = self.row_of(layer)
        if row >= 0:
            idx = self.index(row)
            self.dataChanged.emit(idx, idx)

    # ---- mapping --------------------------------------------------------------------------
    def layer_at(self, row: int) -> Layer | None:
        n = len(self.project.layers)
        return self.project.layers[n - 1 - row] if 0 <= row < n else None

    def row_of(self, layer: Layer) -> int:
        try:
            return len(self.project.layers) - 1 - self.project.layers.index(layer)
        except ValueError:
            return -1

    # ---- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.project.layers)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        layer = self.layer_at(index.row())
        if layer is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return layer.name
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole:
            return swatch_icon(layer)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(layer)
        if role == Qt.ItemDataRole.ForegroundRole and layer.status != "ok":
            return QColor("#c62828")
        return None

    def _tooltip(self, layer: Layer) -> str:
        lines = [layer.name]
        if layer.source:
            lines.append(self.tr("Source: {0}").format(layer.source))
        lines.append(self.tr("Role: {0}").format(layer.role))
        if layer.status == "ok" and layer.kind == "vector" and layer._frame is not None:
            shown, total = layer.feature_count()
            lines.append(self.tr("{0} of {1} features shown").format(f"{shown:,}", f"{total:,}"))
        elif layer.status == "missing":
            lines.append(self.tr("File not found: {0}").format(layer.source))
        elif layer.status == "error":
            lines.append(self.tr("Cannot be read: {0}").format(layer.error))
        return "\n".join(lines)

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        layer = self.layer_at(index.row())
        if layer is None:
            return False
        if role == Qt.ItemDataRole.CheckStateRole:
            visible = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
            if visible != layer.visible:
                self.undo.push(SetVisibleCommand(layer, visible))
            return True
        if role == Qt.ItemDataRole.EditRole:
            name = str(value).strip()
            if name and name != layer.name:
                self.undo.push(RenameLayerCommand(layer, name))
            return True
        return False

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        return (base | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable
                | Qt.ItemFlag.ItemIsDragEnabled)

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # noqa: N802
        md = QMimeData()
        ids = [self.layer_at(i.row()).id for i in indexes if self.layer_at(i.row()) is not None]
        md.setData(MIME, QByteArray("\n".join(ids).encode()))
        return md

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                     parent: AnyIndex) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if not data.hasFormat(MIME):
            return False
        ids = bytes(data.data(MIME).data()).decode().split("\n")
        if row < 0:
            row = parent.row() if parent.isValid() else self.rowCount()
        self.move_rows(ids, row)
        return False  # the move is done here; the view must not remove the source rows

    def move_rows(self, layer_ids: list[str], dest_row: int) -> None:
        """Move the layers ``layer_ids`` so they sit before ``dest_row`` (in panel order)."""
        rows = [self.layer_at(r) for r in range(self.rowCount())]
        moving = [lyr for lyr in rows if lyr is not None and lyr.id in layer_ids]
        if not moving:
            return
        before = [lyr for lyr in rows[:dest_row] if lyr not in moving]
        after = [lyr for lyr in rows[dest_row:] if lyr not in moving]
        new_rows = before + moving + after
        new_order = list(reversed(new_rows))
        if new_order != self.project.layers:
            self.undo.push(ReorderLayersCommand(self.project, new_order))


class LayerPanel(QWidget):
    """The layer list with an opacity slider and buttons for the common layer actions."""

    current_layer_changed = Signal(object)
    properties_requested = Signal(object)
    zoom_requested = Signal(object)
    remove_requested = Signal(object)
    add_requested = Signal()

    def __init__(self, project: Project, undo: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.undo = undo
        self.model = LayerListModel(project, undo, self)
        self.view = QListView()
        self.view.setObjectName("layerList")
        self.view.setModel(self.model)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.SelectedClicked)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.doubleClicked.connect(lambda idx: self._emit_for(self.properties_requested))
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.model.modelReset.connect(self._after_reset)

        self.legend = QListWidget()
        self.legend.setObjectName("legend")
        self.legend.itemChanged.connect(self._legend_item_changed)
        self.opacity_label = QLabel()
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.valueChanged.connect(self._opacity_changed)

        self.buttons: dict[str, QToolButton] = {}
        row = QHBoxLayout()
        SP = QStyle.StandardPixmap
        for key, icon, slot in (
            ("add", SP.SP_FileDialogNewFolder, self.add_requested.emit),
            ("remove", SP.SP_TrashIcon, lambda: self._emit_for(self.remove_requested)),
            ("up", SP.SP_ArrowUp, lambda: self._move(-1)),
            ("down", SP.SP_ArrowDown, lambda: self._move(1)),
            ("zoom", SP.SP_FileDialogContentsView, lambda: self._emit_for(self.zoom_requested)),
            ("props", SP.SP_FileDialogDetailedView, lambda: self._emit_for(self.properties_requested)),
        ):
            b = QToolButton()
            b.setIcon(self.style().standardIcon(icon))
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            self.buttons[key] = b
            row.addWidget(b)
        row.addStretch(1)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(row)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.legend)
        orow = QHBoxLayout()
        orow.addWidget(self.opacity_label)
        orow.addWidget(self.opacity, 1)
        lay.addLayout(orow)
        self._syncing = False
        project.layer_changed.connect(self._on_layer_changed)
        self.retranslate()
        self._update_controls()

    def retranslate(self) -> None:
        tips = {
            "add": self.tr("Add a layer from a file (Ctrl+L)"),
            "remove": self.tr("Remove the selected layer"),
            "up": self.tr("Move the layer up (drawn later, on top)"),
            "down": self.tr("Move the layer down"),
            "zoom": self.tr("Zoom to the layer"),
            "props": self.tr("Layer properties: style, role and fields"),
        }
        for k, t in tips.items():
            self.buttons[k].setToolTip(t)
        self.opacity_label.setText(self.tr("Opacity"))
        self.opacity.setToolTip(self.tr("Opacity of the selected layer"))
        self.view.setToolTip(self.tr("Tick to show, drag to reorder, double-click for properties"))

    def changeEvent(self, event: Any) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self._fill_legend()
        super().changeEvent(event)

    def set_project(self, project: Project) -> None:
        self.model.project.layer_changed.disconnect(self._on_layer_changed)
        self.model.set_project(project)
        project.layer_changed.connect(self._on_layer_changed)
        self._after_reset()

    # ---- current layer --------------------------------------------------------------------
    def current_layer(self) -> Layer | None:
        idx = self.view.currentIndex()
        return self.model.layer_at(idx.row()) if idx.isValid() else None

    def set_current_layer(self, layer: Layer | None) -> None:
        row = self.model.row_of(layer) if layer is not None else -1
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row))

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._update_controls()
        self.current_layer_changed.emit(self.current_layer())

    def _after_reset(self) -> None:
        if not self.view.currentIndex().isValid() and self.model.rowCount() > 0:
            self.view.setCurrentIndex(self.model.index(0))
        self._update_controls()
        self.current_layer_changed.emit(self.current_layer())

    def _update_controls(self) -> None:
        self._fill_legend()
        layer = self.current_layer()
        for k in ("remove", "up", "down", "zoom", "props"):
            self.buttons[k].setEnabled(layer is not None)
        self.opacity.setEnabled(layer is not None)
        if layer is not None:
            self._syncing = True
            self.opacity.setValue(round(layer.opacity * 100))
            self._syncing = False

    def _on_layer_changed(self, layer: Layer, what: str) -> None:
        if what == "opacity" and layer is self.current_layer():
            self._update_controls()
        if what in ("style", "data") and layer is self.current_layer():
            self._fill_legend()

    # ---- legend of the current layer ------------------------------------------------------------
    def _fill_legend(self) -> None:
        self.legend.blockSignals(True)
        self.legend.clear()
        layer = self.current_layer()
        st = layer.style if layer is not None else None
        if st is not None and st.kind == "categorized":
            for i, c in enumerate(st.categories):
                it = QListWidgetItem(_color_icon(c.color), display_label(layer, c.value, c.label))
                it.setData(Qt.ItemDataRole.UserRole, i)
                it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                it.setCheckState(Qt.CheckState.Checked if c.visible else Qt.CheckState.Unchecked)
                it.setToolTip(self.tr("Untick to hide this category on the map"))
                self.legend.addItem(it)
        elif st is not None and st.kind == "graduated" and len(st.breaks) > 1:
            n = len(st.breaks) - 1
            colors = _ramp_colors(st.ramp, n)
            for i in range(n):
                text = f"{st.breaks[i]:.4g} – {st.breaks[i + 1]:.4g}"
                self.legend.addItem(QListWidgetItem(_color_icon(colors[i]), text))
        self.legend.setFixedHeight(min(5, max(1, self.legend.count())) * 19 + 6)
        self.legend.setVisible(self.legend.count() > 0)
        self.legend.blockSignals(False)

    def _legend_item_changed(self, item: QListWidgetItem) -> None:
        layer = self.current_layer()
        if layer is None or layer.style.kind != "categorized":
            return
        i = item.data(Qt.ItemDataRole.UserRole)
        cats = [c for c in layer.style.categories]
        if i is None or i >= len(cats):
            return
        from dataclasses import replace

        visible = item.checkState() == Qt.CheckState.Checked
        if cats[i].visible == visible:
            return
        cats = [replace(c) for c in cats]
        cats[i].visible = visible
        from mapdesk.gui.undo import SetStyleCommand

        self.undo.push(SetStyleCommand(layer, layer.style.copy(categories=cats)))

    def _opacity_changed(self, value: int) -> None:
        layer = self.current_layer()
        if layer is None or self._syncing:
            return
        if abs(layer.opacity - value / 100) > 1e-9:
            self.undo.push(SetOpacityCommand(layer, value / 100))

    def _emit_for(self, signal: Any) -> None:
        layer = self.current_layer()
        if layer is not None:
            signal.emit(layer)

    def _move(self, delta: int) -> None:
        layer = self.current_layer()
        if layer is None:
            return
        row = self.model.row_of(layer)
        dest = row + delta
        if dest < 0 or dest >= self.model.rowCount():
            return
        self.model.move_rows([layer.id], dest if delta < 0 else dest + 1)
        self.set_current_layer(layer)

    def _context_menu(self, pos: Any) -> None:
        layer = self.current_layer()
        if layer is None:
            return
        menu = QMenu(self)
        menu.addAction(self.tr("Zoom to layer"), lambda: self.zoom_requested.emit(layer))
        menu.addAction(self.tr("Properties…"), lambda: self.properties_requested.emit(layer))
        menu.addAction(self.tr("Rename"), lambda: self.view.edit(self.view.currentIndex()))
        menu.addSeparator()
        menu.addAction(self.tr("Remove"), lambda: self.remove_requested.emit(layer))
        menu.exec(self.view.viewport().mapToGlobal(pos))
