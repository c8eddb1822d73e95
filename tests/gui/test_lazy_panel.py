"""Costly hidden panels are built when first shown; the window's start path stays light."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QLabel, QWidget

from mapdesk.gui.lazy_panel import LazyPanel

SRC = Path(__file__).resolve().parents[2] / "src"


def test_lazy_panel_builds_once_on_demand(qtbot):
    made = []

    def factory() -> QWidget:
        made.append(QLabel("real panel"))
        return made[-1]

    host = LazyPanel(factory)
    qtbot.addWidget(host)
    seen = []
    host.built.connect(seen.append)
    assert not host.is_built() and made == []
    assert host.ensure() is made[0] and host.ensure() is made[0]
    assert len(made) == 1 and seen == made and host.widget.parent() is host


def test_lazy_panel_builds_after_it_is_painted(qtbot):
    host = LazyPanel(lambda: QLabel("x"))
    qtbot.addWidget(host)
    host.resize(200, 100)
    host.show()
    qtbot.waitUntil(host.is_built, timeout=3000)


def test_a_failing_factory_shows_the_error_in_place(qtbot, capsys):
    def broken() -> QWidget:
        raise RuntimeError("no scipy here")

    host = LazyPanel(broken)
    qtbot.addWidget(host)
    w = host.ensure()
    assert isinstance(w, QLabel) and "no scipy here" in w.text()
    assert "panel unavailable: no scipy here" in capsys.readouterr().err


def test_planning_panel_is_built_when_its_tab_is_first_shown(window, qtbot):
    from mapdesk.gui.planning import PlanningPanel
    from mapdesk.model import Project

    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    host = window.optional["planning"]
    assert isinstance(host, LazyPanel)
    assert window.docks["analysis"].isVisible()
    qtbot.wait(50)
    assert not host.is_built()  # behind the Analysis tab: never painted
    window.docks["planning"].raise_()
    qtbot.waitUntil(host.is_built, timeout=5000)
    assert isinstance(host.widget, PlanningPanel) and host.widget.project is window.project
    window.set_project(Project("other"))
    fresh = window.optional["planning"]
    assert fresh is not host and not fresh.is_built()
    assert fresh.ensure().project is window.project


def test_opening_the_sample_project_imports_neither_scipy_nor_the_planning_panel(tmp_path):
    code = (
        "import sys\n"
        "from mapdesk.gui.app import make_app, sample_project_path\n"
        "app = make_app()\n"
        "from mapdesk.gui.main_window import MainWindow\n"
        "w = MainWindow(autosave_s=0, remember_layout=False)\n"
        "p = sample_project_path()\n"
        "assert not p.exists() or w.open_project(p, ask_save=False)\n"
        "w.resize(1200, 800); w.show(); app.processEvents()\n"
        "bad = [m for m in ('scipy', 'mapdesk.gui.planning', 'mapdesk.domain.cameras', 'folium',"
        " 'mapclassify', 'rasterio', 'esda') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC), "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp_path)}
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
