"""Fixtures for GUI tests: isolated settings, synthetic layers, dialogs that never block."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox

from mapdesk.model import Layer


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Every test gets its own settings folder (recent files, layout, recovery file)."""
    d = tmp_path_factory.mktemp("settings")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(d))
    yield d


class Dialogs:
    """Records every QMessageBox / QFileDialog call; answers are configurable."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.question_answer = QMessageBox.StandardButton.Discard
        self.save_path = ""
        self.open_paths: list[str] = []

    def kinds(self) -> list[str]:
        return [c[0] for c in self.calls]


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    rec = Dialogs()

    def box(kind: str) -> Any:
        def f(parent: Any, title: str, text: str = "", *a: Any, **k: Any) -> Any:
            rec.calls.append((kind, str(title), str(text)))
            if kind == "question":
                return rec.question_answer
            return QMessageBox.StandardButton.Ok
        return f

    for kind in ("warning", "critical", "information", "question", "about"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(box(kind)))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: rec.calls.append(
        ("exec", self.windowTitle(), self.text())) or int(QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "show", lambda self: rec.calls.append(
        ("show", self.windowTitle(), self.text() + "\n" + self.informativeText())))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (rec.save_path, "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *a, **k: (rec.open_paths, "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (rec.open_paths[0] if rec.open_paths else "", "")))
    return rec


def incidents_frame(n: int = 300, seed: int = 1) -> gpd.GeoDataFrame:
    """Synthetic incidents around Taiyuan (WGS 84) with type, time and status."""
    rng = np.random.default_rng(seed)
    types = np.array(["ebike_theft", "other_theft", "fraud", "dispute"])
    t0 = pd.Timestamp("2026-03-01")
    times = t0 + pd.to_timedelta(rng.integers(0, 60 * 24 * 60, n), unit="min")
    return gpd.GeoDataFrame({
        "incident_id": [f"I{i:05d}" for i in range(n)],
        "type": types[rng.integers(0, 4, n)],
        "time": times,
        "status": np.where(rng.random(n) < 0.3, "cleared", "reported"),
        "loss_yuan": rng.integers(0, 5000, n).astype(float),
    }, geometry=gpd.points_from_xy(112.55 + rng.random(n) * 0.03, 37.87 + rng.random(n) * 0.02),
        crs="EPSG:4326")


@pytest.fixture
def incidents_layer() -> Layer:
    return Layer.from_frame("incidents", incidents_frame(),
                            role="incidents", field_map={"incident_id": "incident_id", "type": "type",
                                                         "time": "time", "status": "status"})


@pytest.fixture
def window(qtbot: Any, dialogs: Dialogs) -> Any:
    from mapdesk.gui.main_window import MainWindow

    w = MainWindow(autosave_s=0)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    yield w
    w.jobs.cancel_all(5000)
    w.project.set_dirty(False)
