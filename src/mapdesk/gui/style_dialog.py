"""Layer properties: every style option of the renderer, and the layer's role and field mapping.

The dialog edits a copy; ``style()`` and ``role_and_fields()`` return the result and the main
window applies it through the undo stack (Apply keeps the dialog open).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mapdesk.io.schema import ROLES, SCHEMA, match_fields
from mapdesk.model import Category, Layer, Style, compute_breaks
from mapdesk.model.style import CLASS_METHODS, MARKERS, STYLE_KINDS, categories_for

RAMPS = ("YlOrRd", "Reds", "OrRd", "YlGnBu", "Blues", "Greens", "Purples", "viridis", "magma",
         "RdYlGn", "Spectral")


class ColorButton(QPushButton):
    """A button showing a colour; clicking opens a colour chooser."""

    color_changed = Signal(str)

    def __init__(self, color: str = "#000000", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedWidth(56)
        self.clicked.connect(self._choose)
        self.set_color(color)

    def color(self) -> str:
        return self._color

    def set_color(self, color: str) -> None:
        self._color = QColor(color).name() if QColor(color).isValid() else "#000000"
        self.setStyleSheet(f"background-color: {self._color}; border: 1px solid #777; min-height: 16px;")
        self.setToolTip(self._color)

    def _choose(self) -> None:
        c = QColorDialog.getColor(QColor(self._color), self, self.tr("Choose a colour"))
        if c.isValid():
            self.set_color(c.name())
            self.color_changed.emit(self._color)


def _fields(layer: Layer) -> list[str]:
    f = layer.frame
    return [] if f is None else [str(c) for c in f.columns if c != "geometry"]


def _numeric_fields(layer: Layer) -> list[str]:
    import pandas as pd

    f = layer.frame
    if f is None:
        return []
    return [str(c) for c in f.columns if c != "geometry" and pd.api.types.is_numeric_dtype(f[c])
            and not pd.api.types.is_bool_dtype(f[c])]


def _combo(items: list[str], current: str | None, none_text: str | None = None) -> QComboBox:
    cb = QComboBox()
    if none_text is not None:
        cb.addItem(none_text, None)
    for it in items:
        cb.addItem(it, it)
    i = cb.findData(current)
    cb.setCurrentIndex(max(0, i))
    return cb


class StyleDialog(QDialog):
    """Style and field mapping of one layer."""

    applied = Signal()

    def __init__(self, layer: Layer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer = layer
        self.setWindowTitle(self.tr("Layer properties — {0}").format(layer.name))
        self.resize(620, 560)
        st = layer.style
        fields = _fields(layer)
        nums = _numeric_fields(layer)
        none = self.tr("(none)")
        self.tabs = QTabWidget()

        # ---- symbology -------------------------------------------------------------------
        sym = QWidget()
        form = QFormLayout(sym)
        self.kind = QComboBox()
        kind_labels = {"single": self.tr("Single symbol"), "categorized": self.tr("Categorized"),
                       "graduated": self.tr("Graduated"), "raster": self.tr("Raster (density)")}
        for k in STYLE_KINDS:
            self.kind.addItem(kind_labels[k], k)
        self.kind.setCurrentIndex(max(0, self.kind.findData(st.kind)))
        self.color = ColorButton(st.color)
        self.stroke_color = ColorButton(st.stroke_color)
        self.stroke_width = QDoubleSpinBox()
        self.stroke_width.setRange(0, 20)
        self.stroke_width.setSingleStep(0.25)
        self.stroke_width.setValue(st.stroke_width)
        self.fill_opacity = QDoubleSpinBox()
        self.fill_opacity.setRange(0, 1)
        self.fill_opacity.setSingleStep(0.05)
        self.fill_opacity.setValue(st.fill_opacity)
        self.size = QDoubleSpinBox()
        self.size.setRange(0.5, 100)
        self.size.setValue(st.size)
        self.size_field = _combo(nums, st.size_field, none)
        self.size_min = QDoubleSpinBox()
        self.size_max = QDoubleSpinBox()
        for w, v in ((self.size_min, st.size_range[0]), (self.size_max, st.size_range[1])):
            w.setRange(0.5, 100)
            w.setValue(v)
        size_row = QHBoxLayout()
        size_row.addWidget(self.size_field, 1)
        size_row.addWidget(QLabel(self.tr("from")))
        size_row.addWidget(self.size_min)
        size_row.addWidget(QLabel(self.tr("to")))
        size_row.addWidget(self.size_max)
        self.marker = QComboBox()
        marker_labels = {"circle": self.tr("Circle"), "square": self.tr("Square"),
                         "triangle": self.tr("Triangle"), "diamond": self.tr("Diamond"),
                         "cross": self.tr("Cross"), "star": self.tr("Star")}
        for m in MARKERS:
            self.marker.addItem(marker_labels[m], m)
        self.marker.setCurrentIndex(max(0, self.marker.findData(st.marker)))
        self.wedge = QCheckBox(self.tr("Draw camera view wedges"))
        self.wedge.setChecked(st.wedge)
        form.addRow(self.tr("Style"), self.kind)
        form.addRow(self.tr("Fill colour"), self.color)
        form.addRow(self.tr("Stroke colour"), self.stroke_color)
        form.addRow(self.tr("Stroke width (px)"), self.stroke_width)
        form.addRow(self.tr("Fill opacity"), self.fill_opacity)
        form.addRow(self.tr("Symbol size (px)"), self.size)
        form.addRow(self.tr("Size by field"), size_row)
        form.addRow(self.tr("Marker"), self.marker)
        form.addRow("", self.wedge)
        self.tabs.addTab(sym, self.tr("Symbol"))

        # ---- classes -------------------------------------------------------------------------
        cls = QWidget()
        cl = QVBoxLayout(cls)
        cform = QFormLayout()
        self.field = _combo(fields, st.field, none)
        cform.addRow(self.tr("Classify by field"), self.field)
        self.method = QComboBox()
        method_labels = {"quantiles": self.tr("Quantiles"), "natural_breaks": self.tr("Natural breaks (Jenks)"),
                         "equal_interval": self.tr("Equal interval")}
        for m in CLASS_METHODS:
            self.method.addItem(method_labels[m], m)
        self.method.setCurrentIndex(max(0, self.method.findData(st.method)))
        self.classes = QSpinBox()
        self.classes.setRange(2, 12)
        self.classes.setValue(st.classes)
        self.ramp = QComboBox()
        self.ramp.addItems(list(RAMPS))
        if st.ramp not in RAMPS:
            self.ramp.addItem(st.ramp)
        self.ramp.setCurrentText(st.ramp)
        self.breaks = QLineEdit(", ".join(f"{b:g}" for b in st.breaks))
        self.breaks.setToolTip(self.tr("Class bounds, lowest first, separated by commas"))
        self.compute_button = QPushButton(self.tr("Compute breaks"))
        self.compute_button.clicked.connect(self.compute)
        brow = QHBoxLayout()
        brow.addWidget(self.breaks, 1)
        brow.addWidget(self.compute_button)
        cform.addRow(self.tr("Method"), self.method)
        cform.addRow(self.tr("Classes"), self.classes)
        cform.addRow(self.tr("Colour ramp"), self.ramp)
        cform.addRow(self.tr("Breaks"), brow)
        cl.addLayout(cform)
        self.cat_table = QTableWidget(0, 3)
        self.cat_table.setHorizontalHeaderLabels([self.tr("Value"), self.tr("Label"), self.tr("Colour")])
        self.cat_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for c in st.categories:
            self._add_category_row(c)
        crow = QHBoxLayout()
        self.classify_button = QPushButton(self.tr("Classify"))
        self.classify_button.setToolTip(self.tr("One category per distinct value of the field"))
        self.classify_button.clicked.connect(self.classify)
        self.add_cat_button = QPushButton(self.tr("Add"))
        self.add_cat_button.clicked.connect(lambda: self._add_category_row(Category("", "", "#888888")))
        self.del_cat_button = QPushButton(self.tr("Remove"))
        self.del_cat_button.clicked.connect(self._remove_category_rows)
        for b in (self.classify_button, self.add_cat_button, self.del_cat_button):
            crow.addWidget(b)
        crow.addStretch(1)
        cl.addWidget(QLabel(self.tr("Categories (untick to hide a category)")))
        cl.addWidget(self.cat_table, 1)
        cl.addLayout(crow)
        self.tabs.addTab(cls, self.tr("Classes"))

        # ---- labels and raster ----------------------------------------------------------------
        lab = QWidget()
        lform = QFormLayout(lab)
        self.label_field = _combo(fields, st.label_field, none)
        self.label_size = QDoubleSpinBox()
        self.label_size.setRange(4, 48)
        self.label_size.setValue(st.label_size)
        self.label_color = ColorButton(st.label_color)
        self.vmin = QLineEdit("" if st.vmin is None else f"{st.vmin:g}")
        self.vmax = QLineEdit("" if st.vmax is None else f"{st.vmax:g}")
        for w in (self.vmin, self.vmax):
            w.setPlaceholderText(self.tr("automatic"))
        self.vmin.setToolTip(self.tr("Fix the colour scale so two maps are comparable"))
        self.raster_opacity = QDoubleSpinBox()
        self.raster_opacity.setRange(0, 1)
        self.raster_opacity.setSingleStep(0.05)
        self.raster_opacity.setValue(st.raster_opacity)
        self.layer_opacity = QDoubleSpinBox()
        self.layer_opacity.setRange(0, 1)
        self.layer_opacity.setSingleStep(0.05)
        self.layer_opacity.setValue(layer.opacity)
        lform.addRow(self.tr("Label field"), self.label_field)
        lform.addRow(self.tr("Label size (pt)"), self.label_size)
        lform.addRow(self.tr("Label colour"), self.label_color)
        lform.addRow(self.tr("Colour scale minimum"), self.vmin)
        lform.addRow(self.tr("Colour scale maximum"), self.vmax)
        lform.addRow(self.tr("Raster opacity"), self.raster_opacity)
        lform.addRow(self.tr("Layer opacity"), self.layer_opacity)
        self.tabs.addTab(lab, self.tr("Labels and scale"))

        # ---- role and fields ----------------------------------------------------------------------
        rolew = QWidget()
        rl = QVBoxLayout(rolew)
        rtop = QFormLayout()
        self.role = QComboBox()
        role_labels = {"trees": self.tr("Protected trees"), "incidents": self.tr("Incidents"),
                       "cameras": self.tr("Cameras"), "generic": self.tr("Other (generic)"),
                       "result": self.tr("Analysis result")}
        for r in (*ROLES, "result"):
            self.role.addItem(role_labels[r], r)
        self.role.setCurrentIndex(max(0, self.role.findData(layer.role)))
        self.role.currentIndexChanged.connect(self._rebuild_mapping)
        self.detect_button = QPushButton(self.tr("Match fields by name"))
        self.detect_button.clicked.connect(self._auto_match)
        rtop.addRow(self.tr("Layer role"), self.role)
        rl.addLayout(rtop)
        rl.addWidget(self.detect_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.mapping_host = QWidget()
        self.mapping_form = QFormLayout(self.mapping_host)
        rl.addWidget(self.mapping_host, 1)
        self.field_combos: dict[str, QComboBox] = {}
        self._rebuild_mapping()
        self.tabs.addTab(rolew, self.tr("Role and fields"))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Apply
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.applied.emit)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._enable)
        self._enable()

    # ---- categories --------------------------------------------------------------------------
    def _add_category_row(self, cat: Category) -> None:
        r = self.cat_table.rowCount()
        self.cat_table.insertRow(r)
        value = QTableWidgetItem(str(cat.value))
        value.setFlags(value.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        value.setCheckState(Qt.CheckState.Checked if cat.visible else Qt.CheckState.Unchecked)
        self.cat_table.setItem(r, 0, value)
        self.cat_table.setItem(r, 1, QTableWidgetItem(str(cat.label)))
        self.cat_table.setCellWidget(r, 2, ColorButton(cat.color))

    def _remove_category_rows(self) -> None:
        for r in sorted({i.row() for i in self.cat_table.selectedIndexes()}, reverse=True):
            self.cat_table.removeRow(r)

    def categories(self) -> list[Category]:
        out = []
        for r in range(self.cat_table.rowCount()):
            v = self.cat_table.item(r, 0)
            lab = self.cat_table.item(r, 1)
            btn = self.cat_table.cellWidget(r, 2)
            out.append(Category(v.text(), lab.text() if lab else v.text(),
                                btn.color() if isinstance(btn, ColorButton) else "#888888",
                                v.checkState() == Qt.CheckState.Checked))
        return out

    def classify(self) -> None:
        fld = self.field.currentData()
        frame = self.layer.frame
        if not fld or frame is None:
            return
        self.cat_table.setRowCount(0)
        for c in categories_for(frame[fld], limit=50):
            self._add_category_row(c)
        self.kind.setCurrentIndex(self.kind.findData("categorized"))

    def compute(self) -> None:
        fld = self.field.currentData()
        frame = self.layer.frame
        if not fld or frame is None:
            return
        br = compute_breaks(frame[fld], self.method.currentData(), self.classes.value())
        self.breaks.setText(", ".join(f"{b:.6g}" for b in br))

    # ---- role and fields --------------------------------------------------------------------
    def _rebuild_mapping(self) -> None:
        while self.mapping_form.rowCount():
            self.mapping_form.removeRow(0)
        self.field_combos.clear()
        role = self.role.currentData()
        fields = _fields(self.layer)
        from mapdesk.gui.i18n import current_language

        zh = current_language().startswith("zh")
        for spec in SCHEMA.get(role, ()):
            cb = _combo(fields, self.layer.field_map.get(spec.name), self.tr("(not mapped)"))
            cb.setToolTip(self.tr("Column holding the canonical field “{0}”").format(spec.name))
            label = spec.label_zh if zh else spec.label_en
            self.mapping_form.addRow(f"{label} ({spec.name})", cb)
            self.field_combos[spec.name] = cb
        if not SCHEMA.get(role):
            self.mapping_form.addRow(QLabel(self.tr("This role has no canonical fields.")))

    def _auto_match(self) -> None:
        fm = match_fields(_fields(self.layer), self.role.currentData())
        for name, cb in self.field_combos.items():
            cb.setCurrentIndex(max(0, cb.findData(fm.get(name))))

    def role_and_fields(self) -> tuple[str, dict[str, str]]:
        fm = {name: cb.currentData() for name, cb in self.field_combos.items() if cb.currentData()}
        return self.role.currentData(), fm

    # ---- result -------------------------------------------------------------------------------
    def _enable(self) -> None:
        k = self.kind.currentData()
        for w in (self.method, self.classes, self.ramp, self.breaks, self.compute_button):
            w.setEnabled(k in ("graduated", "raster"))
        for w in (self.cat_table, self.classify_button, self.add_cat_button, self.del_cat_button):
            w.setEnabled(k == "categorized")

    @staticmethod
    def _float_or_none(text: str) -> float | None:
        try:
            return float(text.strip().replace(",", "."))
        except ValueError:
            return None

    def style(self) -> Style:
        """The style as edited (a new object)."""
        breaks = [b for b in (self._float_or_none(t) for t in self.breaks.text().split(",")) if b is not None]
        kind = self.kind.currentData()
        if kind == "graduated" and not breaks and self.field.currentData():
            self.compute()
            breaks = [b for b in (self._float_or_none(t) for t in self.breaks.text().split(","))
                      if b is not None]
        return self.layer.style.copy(
            kind=kind,
            color=self.color.color(),
            stroke_color=self.stroke_color.color(),
            stroke_width=self.stroke_width.value(),
            fill_opacity=self.fill_opacity.value(),
            size=self.size.value(),
            size_field=self.size_field.currentData(),
            size_range=(self.size_min.value(), self.size_max.value()),
            marker=self.marker.currentData(),
            field=self.field.currentData(),
            categories=self.categories(),
            method=self.method.currentData(),
            classes=self.classes.value(),
            ramp=self.ramp.currentText(),
            breaks=sorted(breaks),
            label_field=self.label_field.currentData(),
            label_size=self.label_size.value(),
            label_color=self.label_color.color(),
            wedge=self.wedge.isChecked(),
            vmin=self._float_or_none(self.vmin.text()),
            vmax=self._float_or_none(self.vmax.text()),
            raster_opacity=self.raster_opacity.value(),
        )

    def opacity(self) -> float:
        return self.layer_opacity.value()


