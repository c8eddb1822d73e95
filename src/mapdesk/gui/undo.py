"""Undoable edits of the project: style, filter, visibility, opacity, role, layer list.

Each command stores the old and the new value and calls the model's setter, so views update
through the model's signals whether a change comes from a dialog, an undo or a redo.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand, QUndoStack

from mapdesk.model import Filter, Layer, Project, Style


class SetStyleCommand(QUndoCommand):
    def __init__(self, layer: Layer, new: Style, old: Style | None = None) -> None:
        super().__init__(QCoreApplication.translate("Undo", "Change style of {0}").format(layer.name))
        self.layer, self.new, self.old = layer, new.copy(), (old or layer.style).copy()

    def redo(self) -> None:
        self.layer.set_style(self.new.copy())

    def undo(self) -> None:
        self.layer.set_style(self.old.copy())


class SetFilterCommand(QUndoCommand):
    """Pushed after the filter was applied once (a bad filter never reaches the stack)."""

    def __init__(self, layer: Layer, new: Filter, old: Filter) -> None:
        super().__init__(QCoreApplication.translate("Undo", "Filter {0}").format(layer.name))
        self.layer, self.new, self.old = layer, new, old
        self._applied = True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.layer.set_filter(Filter.from_dict(self.new.to_dict()))

    def undo(self) -> None:
        self.layer.set_filter(Filter.from_dict(self.old.to_dict()))


class SetVisibleCommand(QUndoCommand):
    def __init__(self, layer: Layer, visible: bool) -> None:
        text = QCoreApplication.translate("Undo", "Show {0}") if visible else QCoreApplication.translate("Undo", "Hide {0}")
        super().__init__(text.format(layer.name))
        self.layer, self.visible = layer, visible

    def redo(self) -> None:
        self.layer.set_visible(self.visible)

    def undo(self) -> None:
        self.layer.set_visible(not self.visible)


class SetOpacityCommand(QUndoCommand):
    """Consecutive opacity changes of one layer (a slider drag) merge into one step."""

    ID = 4101

    def __init__(self, layer: Layer, new: float, old: float | None = None) -> None:
        super().__init__(QCoreApplication.translate("Undo", "Opacity of {0}").format(layer.name))
        self.layer, self.new = layer, float(new)
        self.old = float(layer.opacity if old is None else old)

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt API)
        if not isinstance(other, SetOpacityCommand) or other.layer is not self.layer:
            return False
        self.new = other.new
        return True

    def redo(self) -> None:
        self.layer.set_opacity(self.new)

    def undo(self) -> None:
        self.layer.set_opacity(self.old)


class SetRoleCommand(QUndoCommand):
    def __init__(self, layer: Layer, role: str, field_map: dict[str, str]) -> None:
        super().__init__(QCoreApplication.translate("Undo", "Field mapping of {0}").format(layer.name))
        self.layer = layer
        self.new = (role, dict(field_map))
        self.old = (layer.role, dict(layer.field_map))

    def redo(self) -> None:
        self.layer.set_role(*self.new)

    def undo(self) -> None:
        self.layer.set_role(*self.old)


class RenameLayerCommand(QUndoCommand):
    def __init__(self, layer: Layer, name: str) -> None:
        super().__init__(QCoreApplication.translate("Undo", "Rename {0}").format(layer.name))
        self.layer, self.new, self.old = layer, name, layer.name

    def redo(self) -> None:
        self.layer.set_name(self.new)

    def undo(self) -> None:
        self.layer.set_name(self.old)


class AddLayerCommand(QUndoCommand):
    def __init__(self, project: Project, layer: Layer, index: int | None = None) -> None:
        super().__init__(QCoreApplication.translate("Undo", "Add layer {0}").format(layer.name))
        self.project, self.layer = project, layer
        self.index = len(project.layers) if index is None else index

    def redo(self) -> None:
        self.project.add_layer(self.layer, min(self.index, len(self.project.layers)))

    def undo(self) -> None:
        if self.layer in self.project.layers:
            self.project.remove_layer(self.layer)


class RemoveLayerCommand(QUndoCommand):
    def __init__(self, project: Project, layer: Layer) -> None:
        super().__init__(QCoreApplication.translate("Undo", "Remove layer {0}").format(layer.name))
        self.project, self.layer = project, layer
        self.index = project.layers.index(layer)

    def redo(self) -> None:
        self.index = self.project.remove_layer(self.layer)

    def undo(self) -> None:
        self.project.add_layer(self.layer, self.index)


class ReorderLayersCommand(QUndoCommand):
    def __init__(self, project: Project, new_order: list[Layer]) -> None:
        super().__init__(QCoreApplication.translate("Undo", "Reorder layers"))
        self.project = project
        self.new, self.old = list(new_order), list(project.layers)

    def redo(self) -> None:
        self.project.set_order(self.new)

    def undo(self) -> None:
        self.project.set_order(self.old)


def apply_filter(stack: QUndoStack, layer: Layer, flt: Filter) -> None:
    """Apply ``flt`` to ``layer`` and record it; a FilterError propagates and changes nothing."""
    old = layer.filter
    if flt.to_dict() == old.to_dict():
        return
    layer.set_filter(flt)
    stack.push(SetFilterCommand(layer, flt, old))
