"""The layout dialog: live preview, settings remembered, export and print through it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "export"))
from export_factories import make_project, stub_paint_map  # noqa: E402

from mapdesk.export.writers import ExportResult  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path):
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "cfg"))
    yield


def _dialog(qtbot, **kw):
    from mapdesk.gui.export_dialog import ExportDialog

    dlg = ExportDialog(make_project(), paint_map=stub_paint_map, **kw)
    qtbot.addWidget(dlg)
    dlg.resize(900, 700)
    dlg.show()
    return dlg


def test_preview_follows_settings(qtbot):
    dlg = _dialog(qtbot)
    assert dlg.title_edit.text() == "Julun test map"
    qtbot.waitUntil(lambda: dlg.preview_image() is not None, timeout=5000)
    portrait = dlg.preview_image()
    assert portrait.height() > portrait.width()
    dlg.orientation.setCurrentIndex(1)
    qtbot.waitUntil(lambda: dlg.preview_image().width() > dlg.preview_image().height(), timeout=5000)
    assert dlg.preview.pixmap() is not None and not dlg.preview.pixmap().isNull()
    assert dlg.page_spin.maximum() == 1
    from mapdesk.gui.export_dialog import web_preview_available

    assert dlg.web_button.isEnabled() == web_preview_available()


def test_export_and_settings_are_remembered(qtbot, tmp_path):
    from pypdf import PdfReader

    dlg = _dialog(qtbot)
    dlg.paper.setCurrentText("A3")
    dlg.title_edit.setText("对话框 Dialog")
    dlg.author_edit.setText("巨轮派出所")
    dlg.overview.setChecked(True)
    out = tmp_path / "dlg.pdf"
    res = dlg.export_to(out)
    assert isinstance(res, ExportResult) and out.exists()
    page = PdfReader(out).pages[0]
    assert abs(float(page.mediabox.height) - 1190.6) < 2
    assert "对话框" in page.extract_text()
    dlg.close()
    again = _dialog(qtbot)
    assert again.paper.currentText() == "A3"
    assert again.author_edit.text() == "巨轮派出所" and again.overview.isChecked()
    assert again.title_edit.text() == "Julun test map"  # titles belong to the project


def test_print_path_paints_the_same_layout(qtbot, tmp_path):
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter

    dlg = _dialog(qtbot, print_mode=True)
    assert dlg.print_button.isDefault()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    report = dlg.print_to(printer)
    assert report.pages == 1 and len(PdfReader(out).pages) == 1


def test_export_error_is_shown_not_raised(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    dlg = _dialog(qtbot)
    shown = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "missing" / "x.pdf"), "")))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: shown.append(a[2])))
    dlg.choose_and_export()
    assert shown and "does not exist" in shown[0]
