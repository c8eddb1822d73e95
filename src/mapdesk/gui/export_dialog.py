"""The layout dialog behind File ▸ Export map and File ▸ Print: settings, live preview, print.

The preview is the exporter's own page painted into a small image (same code as the PDF),
redrawn 250 ms after the last change so typing a title does not render every keystroke. The
last settings are remembered in QSettings (``export/layout``); the title defaults to the
project's. Printing goes through ``QPrintDialog`` (or a print preview) to
:func:`mapdesk.export.print_layout`, which paints the very same layout on the printer.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mapdesk.errors import MapdeskError
from mapdesk.export import PageLayout, export_map, print_layout, render_page_image
from mapdesk.export.layout import MapPainter
from mapdesk.export.paper import PAPER_MM

SETTINGS_KEY = "export/layout"
_FILTERS = ("PDF (*.pdf);;PNG image (*.png);;JPEG image (*.jpg);;TIFF image (*.tif);;SVG (*.svg);;"
            "Interactive HTML map (*.html)")


def _settings() -> QSettings:
    # The same INI file as the rest of the application (mapdesk.gui.settings).
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "mapdesk", "mapdesk")


def web_preview_available() -> bool:
    """True when QtWebEngine (PySide6-Addons) can be imported."""
    try:
        import PySide6.QtWebEngineWidgets  # noqa: F401
    except ImportError:
        return False
    return True


def load_saved_layout() -> dict:
    raw = _settings().value(SETTINGS_KEY, "")
    try:
        d = json.loads(raw) if raw else {}
    except (TypeError, ValueError):
        d = {}
    return d if isinstance(d, dict) else {}


def save_layout(layout: PageLayout) -> None:
    d = layout.to_dict()
    for per_project in ("title", "subtitle", "extent_wgs84", "date"):
        d.pop(per_project, None)
    s = _settings()
    s.setValue(SETTINGS_KEY, json.dumps(d, ensure_ascii=False))
    s.sync()


class ExportDialog(QDialog):
    """Layout settings with a live page preview; Export… writes a file, Print… a printer.

    Parameters
    ----------
    project
        The :class:`mapdesk.model.Project` to lay out.
    print_mode
        Opened from File ▸ Print: the default button prints.
    paint_map
        Replaces the map renderer (tests).
    """

    def __init__(self, project: Any, parent: QWidget | None = None, *, print_mode: bool = False,
                 paint_map: MapPainter | None = None, extent_wgs84: tuple | None = None):
        super().__init__(parent)
        self.project = project
        self.paint_map = paint_map
        self.extent_wgs84 = extent_wgs84
        self.last_result: Any = None
        self.preview_pages = 1
        self._preview_image: QImage | None = None
        self.setWindowTitle(self.tr("Print map") if print_mode else self.tr("Export map"))
        self._build(print_mode)
        self._load()
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.refresh_preview)
        for w in self._inputs:
            if isinstance(w, QComboBox):
                w.currentIndexChanged.connect(self.schedule_preview)
            elif isinstance(w, QCheckBox):
                w.toggled.connect(self.schedule_preview)
            elif isinstance(w, QLineEdit):
                w.textChanged.connect(self.schedule_preview)
            else:
                w.valueChanged.connect(self.schedule_preview)
        self.schedule_preview()

    # ---- widgets -------------------------------------------------------------------------
    def _build(self, print_mode: bool) -> None:
        form = QFormLayout()
        self.paper = QComboBox()
        self.paper.addItems(list(PAPER_MM))
        self.orientation = QComboBox()
        self.orientation.addItems([self.tr("Portrait"), self.tr("Landscape")])
        self.margins = QDoubleSpinBox(minimum=0, maximum=50, value=10, suffix=" mm", decimals=1)
        self.dpi = QSpinBox(minimum=72, maximum=1200, value=300, suffix=" dpi", singleStep=50)
        self.title_edit = QLineEdit()
        self.subtitle_edit = QLineEdit()
        self.author_edit = QLineEdit()
        self.source_edit = QLineEdit()
        self.date_edit = QLineEdit()
        self.date_edit.setPlaceholderText(self.tr("today"))
        self.lang = QComboBox()
        self.lang.addItem("English", "en")
        self.lang.addItem("中文", "zh_CN")
        self.legend = QCheckBox(self.tr("Legend"), checked=True)
        self.scale_bar = QCheckBox(self.tr("Scale bar"), checked=True)
        self.north_arrow = QCheckBox(self.tr("North arrow"), checked=True)
        self.overview = QCheckBox(self.tr("Overview map"))
        self.basemap = QCheckBox(self.tr("Basemap"), checked=True)
        form.addRow(self.tr("Paper"), self.paper)
        form.addRow(self.tr("Orientation"), self.orientation)
        form.addRow(self.tr("Margins"), self.margins)
        form.addRow(self.tr("Resolution"), self.dpi)
        form.addRow(self.tr("Title"), self.title_edit)
        form.addRow(self.tr("Subtitle"), self.subtitle_edit)
        form.addRow(self.tr("Author / unit"), self.author_edit)
        form.addRow(self.tr("Source"), self.source_edit)
        form.addRow(self.tr("Date"), self.date_edit)
        form.addRow(self.tr("Labels"), self.lang)
        checks = QVBoxLayout()
        for c in (self.legend, self.scale_bar, self.north_arrow, self.overview, self.basemap):
            checks.addWidget(c)
        form.addRow(checks)
        self._inputs = [self.paper, self.orientation, self.margins, self.title_edit, self.subtitle_edit,
                        self.author_edit, self.source_edit, self.date_edit, self.lang, self.legend,
                        self.scale_bar, self.north_arrow, self.overview, self.basemap]
        self.preview = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(360, 420)
        self.preview.setStyleSheet("background:#888;")
        self.page_label = QLabel()
        self.page_spin = QSpinBox(minimum=1, maximum=1)
        self.page_spin.valueChanged.connect(self.schedule_preview)
        self.status = QLabel(wordWrap=True)
        right = QVBoxLayout()
        right.addWidget(self.preview, 1)
        pages = QHBoxLayout()
        pages.addWidget(QLabel(self.tr("Page")))
        pages.addWidget(self.page_spin)
        pages.addWidget(self.page_label, 1)
        right.addLayout(pages)
        right.addWidget(self.status)
        body = QHBoxLayout()
        left = QWidget()
        left.setLayout(form)
        left.setMinimumWidth(320)
        body.addWidget(left)
        body.addLayout(right, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = QPushButton(self.tr("Export…"))
        self.print_button = QPushButton(self.tr("Print…"))
        self.print_preview_button = QPushButton(self.tr("Print preview…"))
        self.web_button = QPushButton(self.tr("Web map preview…"))
        self.web_button.setEnabled(web_preview_available())
        self.web_button.setToolTip(self.tr("The interactive HTML map as it opens offline")
                                   if self.web_button.isEnabled()
                                   else self.tr("Needs QtWebEngine (PySide6-Addons)"))
        buttons.addButton(self.web_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.print_preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        self._default_button = self.print_button if print_mode else self.export_button
        self.export_button.clicked.connect(self.choose_and_export)
        self.print_button.clicked.connect(self.print_dialog)
        self.print_preview_button.clicked.connect(self.print_preview)
        self.web_button.clicked.connect(self.web_preview)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(body, 1)
        outer.addWidget(buttons)

    # ---- settings <-> widgets --------------------------------------------------------------
    def _load(self) -> None:
        saved = load_saved_layout()
        try:
            lo = PageLayout.from_dict(saved)
        except (MapdeskError, TypeError):
            lo = PageLayout()
        self.paper.setCurrentText(lo.paper)
        self.orientation.setCurrentIndex(1 if lo.landscape else 0)
        self.margins.setValue(lo.margins_mm)
        self.dpi.setValue(lo.dpi)
        self.title_edit.setText(getattr(self.project, "title", "") or "")
        self.author_edit.setText(lo.author)
        self.source_edit.setText(lo.source)
        self.lang.setCurrentIndex(max(0, self.lang.findData(lo.lang)))
        self.legend.setChecked(lo.legend)
        self.scale_bar.setChecked(lo.scale_bar)
        self.north_arrow.setChecked(lo.north_arrow)
        self.overview.setChecked(lo.overview)
        self.basemap.setChecked(lo.basemap)

    def layout_settings(self) -> PageLayout:
        """The :class:`PageLayout` the widgets describe."""
        return PageLayout(
            paper=self.paper.currentText(), landscape=self.orientation.currentIndex() == 1,
            margins_mm=self.margins.value(), dpi=self.dpi.value(), title=self.title_edit.text(),
            subtitle=self.subtitle_edit.text(), author=self.author_edit.text(),
            source=self.source_edit.text(), date=self.date_edit.text().strip() or None,
            lang=self.lang.currentData(), legend=self.legend.isChecked(),
            scale_bar=self.scale_bar.isChecked(), north_arrow=self.north_arrow.isChecked(),
            overview=self.overview.isChecked(), basemap=self.basemap.isChecked(),
            extent_wgs84=self.extent_wgs84)

    # ---- preview -------------------------------------------------------------------------
    def schedule_preview(self, *_: Any) -> None:
        self._timer.start()

    def preview_dpi(self, layout: PageLayout) -> int:
        w_mm, h_mm = layout.size_mm
        box = self.preview.size()
        fit = min(box.width() / (w_mm / 25.4), box.height() / (h_mm / 25.4))
        return int(max(30, min(150, fit)))

    def refresh_preview(self) -> None:
        lo = self.layout_settings()
        lo = replace(lo, dpi=self.preview_dpi(lo))
        page = self.page_spin.value() - 1
        try:
            img, report = render_page_image(self.project, lo, page, paint_map=self.paint_map)
        except MapdeskError as exc:
            if "does not exist" in str(exc):
                self.page_spin.setValue(1)
                return
            self.status.setText(str(exc))
            self.preview.clear()
            return
        self._preview_image = img
        self.preview_pages = report.pages
        self.page_spin.setMaximum(report.pages)
        self.page_label.setText(self.tr("of {0}").format(report.pages))
        self.status.setText("\n".join(report.warnings))
        self.preview.setPixmap(QPixmap.fromImage(img).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))

    def preview_image(self) -> QImage | None:
        return self._preview_image

    # ---- actions ---------------------------------------------------------------------------
    def export_to(self, path: str | Path, overwrite: bool = False) -> Any:
        """Export the current layout to ``path`` (format from the suffix); remembers settings."""
        lo = self.layout_settings()
        save_layout(lo)
        self.last_result = export_map(self.project, path, lo, overwrite=overwrite, paint_map=self.paint_map)
        return self.last_result

    def choose_and_export(self) -> None:
        start = _settings().value("paths/last_map_export_dir", "") or str(Path.home())
        name = (self.title_edit.text().strip() or "map").replace("/", "_")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export map"), str(Path(start) / f"{name}.pdf"),
                                              _FILTERS)
        if not path:
            return
        # The file dialog already asked before replacing an existing file.
        try:
            res = self.export_to(path, overwrite=True)
        except MapdeskError as exc:
            QMessageBox.warning(self, self.tr("Export failed"), str(exc))
            return
        s = _settings()
        s.setValue("paths/last_map_export_dir", str(Path(path).parent))
        s.sync()
        msg = self.tr("Wrote {0}").format(", ".join(str(p) for p in res.paths))
        if res.warnings:
            QMessageBox.warning(self, self.tr("Exported with warnings"), msg + "\n\n" + "\n".join(res.warnings))
        self.status.setText(msg)

    def _printer(self) -> Any:
        from PySide6.QtPrintSupport import QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.title_edit.text() or "map")
        return printer

    def print_to(self, printer: Any) -> Any:
        """Paint the layout on ``printer`` (used by the print dialog and the print preview)."""
        lo = self.layout_settings()
        save_layout(lo)
        return print_layout(printer, self.project, lo, paint_map=self.paint_map)

    def print_dialog(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog

        printer = self._printer()
        dlg = QPrintDialog(printer, self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            self.print_to(printer)
        except MapdeskError as exc:
            QMessageBox.warning(self, self.tr("Printing failed"), str(exc))

    def print_preview(self) -> None:
        from PySide6.QtPrintSupport import QPrintPreviewDialog

        printer = self._printer()
        dlg = QPrintPreviewDialog(printer, self)
        dlg.paintRequested.connect(self.print_to)
        dlg.exec()

    def web_preview(self) -> QDialog | None:
        """Write the offline HTML map to a temporary file and show it in a QtWebEngine view."""
        import tempfile

        from PySide6.QtCore import QUrl
        from PySide6.QtWebEngineWidgets import QWebEngineView

        from mapdesk.export.html import export_html

        self._web_dir = tempfile.TemporaryDirectory(prefix="mapdesk-web-")
        path = Path(self._web_dir.name) / "map.html"
        try:
            export_html(self.project, path, title=self.title_edit.text() or None, lang=self.lang.currentData())
        except MapdeskError as exc:
            QMessageBox.warning(self, self.tr("Web preview failed"), str(exc))
            return None
        dlg = QDialog(self)
        dlg.setWindowTitle(self.tr("Web map preview"))
        view = QWebEngineView(dlg)
        # From a file, not setHtml: setHtml silently fails above ~2 MB.
        view.load(QUrl.fromLocalFile(str(path)))
        lay = QVBoxLayout(dlg)
        lay.addWidget(view)
        dlg.resize(1000, 750)
        dlg.show()
        self._web_dialog = dlg
        return dlg

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        # QDialog picks its default button when shown; ours depends on Export vs Print.
        self._default_button.setDefault(True)

    def done(self, result: int) -> None:  # noqa: D401 (Qt override)
        save_layout(self.layout_settings())
        super().done(result)
