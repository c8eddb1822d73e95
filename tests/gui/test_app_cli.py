"""The application entry points: translations, fonts, the CLI screenshot mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from mapdesk.gui import i18n

SRC = Path(__file__).resolve().parents[2] / "src"


def test_compiled_catalogue_translates(qapp):
    assert (i18n.I18N_DIR / "mapdesk_zh_CN.qm").exists()
    assert i18n.install_language("zh_CN")
    try:
        assert QCoreApplication.translate("MainWindow", "&File") == "文件(&F)"
        assert QCoreApplication.translate("Undo", "Reorder layers") == "调整图层顺序"
    finally:
        i18n.install_language("en")
    assert QCoreApplication.translate("MainWindow", "&File") == "&File"


def test_language_detection(monkeypatch):
    assert i18n.normalize("zh-CN") == "zh_CN"
    assert i18n.normalize("zh_CN.UTF-8") == "zh_CN"
    assert i18n.normalize("en_US") == "en"
    assert i18n.normalize("fr_FR") is None
    assert i18n.detect_language("zh_CN") == "zh_CN"
    assert i18n.detect_language("en") == "en"


def test_cjk_font_is_registered(qapp):
    from PySide6.QtGui import QFontDatabase, QFontMetrics

    from mapdesk.gui.app import make_app

    app = make_app()
    families = QFontDatabase.families()
    from mapdesk.render.fonts import FAMILY

    assert FAMILY in families
    assert FAMILY in app.font().families()
    assert QFontMetrics(app.font()).inFont("图")


def test_cli_screenshot_writes_png_and_exits_0(tmp_path):
    out = tmp_path / "shot.png"
    env = {**os.environ, "PYTHONPATH": str(SRC), "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    res = subprocess.run([sys.executable, "-m", "mapdesk", "gui", "--lang", "zh_CN", "--screenshot", str(out)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    from PySide6.QtGui import QImage

    img = QImage(str(out))
    assert img.width() >= 1000 and img.height() >= 600


def test_cli_rejects_two_projects(capsys):
    from mapdesk.cli import main

    assert main(["gui", "a.mapdesk.json", "b.mapdesk.json", "--screenshot", "x.png"]) == 2
    assert "at most one project" in capsys.readouterr().err


def test_cli_screenshot_with_a_broken_project_does_not_wait_for_a_click(tmp_path):
    bad = tmp_path / "bad.mapdesk.json"
    bad.write_text("{ nope", encoding="utf-8")
    out = tmp_path / "shot.png"
    env = {**os.environ, "PYTHONPATH": str(SRC), "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    res = subprocess.run([sys.executable, "-m", "mapdesk", "gui", str(bad), "--screenshot", str(out)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and out.exists()
    assert "Cannot open project" in res.stderr


def test_gui_without_a_display_says_so_and_screenshot_goes_offscreen(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update({"PYTHONPATH": str(SRC), "XDG_CONFIG_HOME": str(tmp_path / "cfg")})
    res = subprocess.run([sys.executable, "-m", "mapdesk", "gui"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 2 and "no display" in res.stderr and "Traceback" not in res.stderr
    out = tmp_path / "shot.png"
    res = subprocess.run([sys.executable, "-m", "mapdesk", "gui", "--screenshot", str(out)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-1000:]
    assert out.stat().st_size > 10_000
