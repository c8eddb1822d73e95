"""The cameras CLI writes its charts (coverage-versus-k curve, before/after bars) as PNGs."""

import numpy as np
from PySide6.QtGui import QImage

from mapdesk.cli import main


def _ink_fraction(path) -> float:
    img = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine())
    rgb = arr[:, : img.width() * 4].reshape(img.height(), img.width(), 4)[..., :3]
    return float((rgb.min(axis=2) < 200).mean())


def test_suggest_and_impact_write_chart_pngs(sample_dir, tmp_path):
    s = sample_dir
    assert main(["cameras", "suggest", "--incidents", str(s / "incidents.gpkg"), "--cameras",
                 str(s / "cameras.geojson"), "--candidates", str(s / "candidates.geojson"),
                 "--k", "5", "--out", str(tmp_path / "sites.gpkg")]) == 0
    assert main(["cameras", "impact", "--cameras", str(s / "cameras.geojson"), "--incidents",
                 str(s / "incidents.gpkg"), "--type", "ebike_theft",
                 "--out", str(tmp_path / "impact.csv")]) == 0
    for png in ("sites_curve.png", "impact_chart.png"):
        assert 0.01 < _ink_fraction(tmp_path / png) < 0.5, png
