"""The attribute table: a Qt model over the layer's filtered rows (no per-row items).

Rows are positional indices into the layer's frame (``rows``), sorted by an index array, so a
million incidents cost one ``flatnonzero`` and an ``argsort``. Selection is the layer's
``selection`` (positional indices), synced both ways: the map and the table observe the layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mapdesk.model import Layer

AnyIndex = QModelIndex | QPersistentModelIndex
BLOCK = 256
#: After a filter change the table repaints once the map shows the change (see
#: :meth:`AttributeTable.map_frame_shown`), or after this long (ms) when no frame comes.
PAINT_AFTER_FRAME_MS = 300


def _fmt(v: Any) -> str:
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, float | np.floating):
        return "" if np.isnan(v) else f"{v:.6g}"
    if isinstance(v, pd.Timestamp | np.datetime64):
        ts = pd.Timestamp(v)
        if pd.isna(ts):
            return ""
        return f"{ts:%Y-%m-%d}" if ts == ts.normalize() else f"{ts:%Y-%m-%d %H:%M:%S}"
    return str(v)


class LayerTableModel(QAbstractTableModel):
    """Columns of one layer (without geometry); rows = rows passing the filter."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.layer: Layer | None = None
        self.frame: pd.DataFrame | None = None
        self.columns: list[str] = []
        self.rows = np.empty(0, dtype=np.int64)
        self.only_selected = False
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._series: dict[str, pd.Series] = {}
        self._blocks: dict[tuple[int, int], list[str]] = {}

    def set_layer(self, layer: Layer | None) -> None:
        self.beginResetModel()
        self.layer = layer
        self._sort = None
        self._load()
        self.endResetModel()

    def refresh(self) -> None:
        self.beginResetModel()
        self._load()
        self.endResetModel()

    def _load(self) -> None:
        layer = self.layer
        frame = layer.frame if layer is not None and layer.kind == "vector" else None
        if frame is not self.frame:
            self._series = {}
        self.frame = frame
        self._blocks = {}
        if frame is None:
            self.columns, self.rows = [], np.empty(0, dtype=np.int64)
            return
        self.columns = [str(c) for c in frame.columns if c != "geometry"]
        rows = np.flatnonzero(layer.filter_mask())
        if self.only_selected:
            rows = np.intersect1d(rows, layer.selection)
        self.rows = rows.astype(np.int64, copy=False)
        if self._sort is not None:
            self._apply_sort(*self._sort)

    def _cell(self, row: int, col: int) -> Any:
        """Values come in blocks of BLOCK rows per column: one ``take`` per block, not per cell
        and not a whole-column conversion (a million Arrow strings take a second)."""
        b = row // BLOCK
        key = (col, b)
        block = self._blocks.get(key)
        if block is None:
            if len(self._blocks) > 4000:
                self._blocks.clear()
            name = self.columns[col]
            s = self._series.get(name)
            if s is None:
                s = self._series[name] = self.frame[name]
            block = self._blocks[key] = list(s.iloc[self.rows[b * BLOCK:(b + 1) * BLOCK]].to_numpy(
                dtype=object))
        return block[row - b * BLOCK]

    # ---- Qt API --------------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else int(self.rows.size)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.TextAlignmentRole):
            return None
        v = self._cell(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        return _fmt(v)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section] if section < len(self.columns) else None
        return str(int(self.rows[section]) + 1) if section < self.rows.size else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self.frame is None or column < 0 or column >= len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort(column, order)
        self._blocks = {}
        self.layoutChanged.emit()

    def _apply_sort(self, column: int, order: Qt.SortOrder) -> None:
        s = self.frame[self.columns[column]].iloc[self.rows].reset_index(drop=True)
        asc = order == Qt.SortOrder.AscendingOrder
        try:
            pos = s.sort_values(ascending=asc, na_position="last", kind="stable").index.to_numpy()
        except TypeError:  # mixed types: compare as text
            pos = s.astype("string").sort_values(ascending=asc, na_position="last",
                                                 kind="stable").index.to_numpy()
        self.rows = self.rows[pos]

    # ---- row <-> feature index ------------------------------------------------------------------
    def table_rows_of(self, indices: np.ndarray) -> np.ndarray:
        """Table rows showing the features ``indices`` (features not shown are dropped)."""
        if self.frame is None or indices.size == 0:
            return np.empty(0, dtype=np.int64)
        inverse = np.full(len(self.frame), -1, dtype=np.int64)
        inverse[self.rows] = np.arange(self.rows.size)
        idx = indices[(indices >= 0) & (indices < len(self.frame))]
        rows = inverse[idx]
        return np.sort(rows[rows >= 0])

    def features_of(self, table_rows: np.ndarray) -> np.ndarray:
        return np.sort(self.rows[table_rows])


def export_rows(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to CSV (UTF-8 with BOM, geometry as WKT) or GeoPackage, atomically."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in (".csv", ".gpkg"):
        from mapdesk.errors import ExportError

        raise ExportError(f"cannot export to {path.name}: choose a .csv or .gpkg file")
    from mapdesk.io import save_layer

    if hasattr(frame, "geometry"):
        save_layer(frame, path, overwrite=True)
        return path
    from mapdesk.io.atomic import atomic_path

    with atomic_path(path) as tmp:
        if ext == ".csv":
            out = pd.DataFrame(frame).copy()
            if "geometry" in out.columns:
                out["geometry"] = frame.geometry.to_wkt() if hasattr(frame, "geometry") else out["geometry"]
            out.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            frame.to_file(tmp, driver="GPKG", layer=path.stem or "export")
    return path


class AttributeTable(QWidget):
    """Table view + 'selected only', zoom to selection, clear, export selection."""

    zoom_to_selection_requested = Signal()
    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LayerTableModel(self)
        self.view = QTableView()
        self.view.setObjectName("attributeTable")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicatorShown(True)
        self.view.horizontalHeader().setStretchLastSection(True)  # no blank strip on the right
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.verticalHeader().setDefaultSectionSize(20)
        self.view.setAlternatingRowColors(True)
        self.view.selectionModel().selectionChanged.connect(self._view_selection_changed)
        self.info = QLabel()
        self.only_selected = QCheckBox()
        self.only_selected.toggled.connect(self._only_selected)
        self.zoom_button = QPushButton()
        self.zoom_button.clicked.connect(self.zoom_to_selection_requested.emit)
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(self.clear_selection)
        self.export_button = QPushButton()
        self.export_button.clicked.connect(self.export_requested.emit)
        top = QHBoxLayout()
        top.addWidget(self.info, 1)
        for w in (self.only_selected, self.zoom_button, self.clear_button, self.export_button):
            top.addWidget(w)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.addLayout(top)
        lay.addWidget(self.view, 1)
        self.layer: Layer | None = None
        self._syncing = False
        self._paint_timer = QTimer(self)
        self._paint_timer.setSingleShot(True)
        self._paint_timer.timeout.connect(self._resume_paint)
        self.retranslate()

    def retranslate(self) -> None:
        self.only_selected.setText(self.tr("Selected only"))
        self.zoom_button.setText(self.tr("Zoom to selection"))
        self.zoom_button.setToolTip(self.tr("Zoom the map to the selected features (Ctrl+J)"))
        self.clear_button.setText(self.tr("Clear selection"))
        self.export_button.setText(self.tr("Export…"))
        self.export_button.setToolTip(self.tr("Save the selected rows (or all shown rows when "
                                              "nothing is selected) as CSV or GeoPackage"))
        self._update_info()

    def changeEvent(self, event: Any) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_layer(self, layer: Layer | None) -> None:
        if self.layer is not None:
            try:
                self.layer.changed.disconnect(self._layer_changed)
            except (TypeError, ValueError, RuntimeError):
                pass
        self.layer = layer
        self.model.set_layer(layer)
        header = self.view.horizontalHeader()
        header.setResizeContentsPrecision(200)  # sample rows, never scan a million
        self.view.resizeColumnsToContents()
        for i in range(self.model.columnCount()):
            header.resizeSection(i, min(max(header.sectionSize(i), 70), 260))
        if layer is not None:
            layer.changed.connect(self._layer_changed)
            self._select_in_view(layer.selection)
        self._update_info()

    def _layer_changed(self, what: str) -> None:
        if what in ("filter", "data", "rows"):  # rows: a database layer fetched its view
            if what == "filter":
                self._hold_paint()
            self.model.refresh()  # the rows follow at once (exports, selection sync)
            self._select_in_view(self.layer.selection)
        elif what == "selection":
            if self.only_selected.isChecked():
                self.model.refresh()
            self._select_in_view(self.layer.selection)
        self._update_info()

    # ---- painting after the map -------------------------------------------------------------
    def _hold_paint(self) -> None:
        """Repaint the rows only after the map's new frame is on screen.

        The cells are made by Python (``LayerTableModel.data``): painting them while the
        canvas renders the filter change in its thread takes the GIL from that thread, so the
        table waits for the map instead (a fraction of a second at most)."""
        if self.view.updatesEnabled():
            self.view.setUpdatesEnabled(False)
        self._paint_timer.start(PAINT_AFTER_FRAME_MS)

    def map_frame_shown(self, *_: Any) -> None:
        """The map canvas showed a new frame (connect its ``rendered`` signal here)."""
        if self._paint_timer.isActive():
            self._paint_timer.start(0)  # after the canvas has painted it

    def _resume_paint(self) -> None:
        self._paint_timer.stop()
        if not self.view.updatesEnabled():
            self.view.setUpdatesEnabled(True)

    def _update_info(self) -> None:
        if self.layer is None or self.model.frame is None:
            self.info.setText(self.tr("No layer"))
            return
        self.info.setText(self.tr("{0}: {1} rows shown, {2} selected").format(
            self.layer.name, f"{self.model.rowCount():,}", f"{self.layer.selection.size:,}"))

    # ---- selection sync ------------------------------------------------------------------------
    def _view_selection_changed(self, *_: Any) -> None:
        if self._syncing or self.layer is None:
            return
        rows = np.array(sorted({i.row() for i in self.view.selectionModel().selectedRows()}), dtype=np.int64)
        feats = self.model.features_of(rows)
        self._syncing = True
        try:
            self.layer.set_selection(feats)
        finally:
            self._syncing = False

    def _select_in_view(self, indices: np.ndarray) -> None:
        if self._syncing:
            return
        rows = self.model.table_rows_of(np.asarray(indices, dtype=np.int64))
        sel = QItemSelection()
        ncol = max(0, self.model.columnCount() - 1)
        if rows.size:
            breaks = np.flatnonzero(np.diff(rows) != 1)
            starts = np.r_[rows[0], rows[breaks + 1]]
            ends = np.r_[rows[breaks], rows[-1]]
            for a, b in zip(starts[:5000], ends[:5000], strict=False):
                sel.select(self.model.index(int(a), 0), self.model.index(int(b), ncol))
        self._syncing = True
        try:
            self.view.selectionModel().select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            if rows.size:
                self.view.scrollTo(self.model.index(int(rows[0]), 0))
        finally:
            self._syncing = False
        self._update_info()

    def select_table_rows(self, rows: list[int]) -> None:
        """Select table rows as a user would (used by tests and keyboard actions)."""
        sel = QItemSelection()
        ncol = max(0, self.model.columnCount() - 1)
        for r in rows:
            sel.select(self.model.index(r, 0), self.model.index(r, ncol))
        self.view.selectionModel().select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def clear_selection(self) -> None:
        if self.layer is not None:
            self.layer.set_selection([])

    def _only_selected(self, on: bool) -> None:
        self.model.only_selected = on
        self.model.refresh()
        if self.layer is not None:
            self._select_in_view(self.layer.selection)

    def rows_to_export(self) -> pd.DataFrame | None:
        """The selected rows, or every shown row when nothing is selected."""
        if self.layer is None or self.model.frame is None:
            return None
        sel = self.layer.selection
        idx = np.sort(sel) if sel.size else np.sort(self.model.rows)
        return self.model.frame.iloc[idx]
