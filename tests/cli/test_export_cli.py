"""``mapdesk export`` and ``mapdesk briefing`` end to end (real renderer, real reader)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "export"))
from export_factories import make_project  # noqa: E402

# A QApplication first: the export code would otherwise create a QGuiApplication, and a widget
# test later in the session would abort.
pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def project_file(tmp_path):
    path = tmp_path / "julun.mapdesk.json"
    make_project().save(path)
    return path


def _run(argv):
    from mapdesk.cli import main

    return main(argv)


def test_export_pdf_png_html(project_file, tmp_path, capsys):
    from pypdf import PdfReader

    out = tmp_path / "map.pdf"
    assert _run(["export", str(project_file), "--out", str(out), "--title", "命令行 CLI map",
                 "--page", "A3", "--landscape", "--dpi", "150"]) == 0
    assert "wrote" in capsys.readouterr().out
    page = PdfReader(out).pages[0]
    assert abs(float(page.mediabox.width) - 1190.6) < 2
    assert "命令行 CLI map" in re.sub(r"\s+", " ", page.extract_text())
    png = tmp_path / "map.png"
    assert _run(["export", str(project_file), "--out", str(png), "--dpi", "60", "--no-legend"]) == 0
    assert png.stat().st_size > 1000
    html = tmp_path / "map.html"
    assert _run(["export", str(project_file), "--out", str(html), "--lang", "zh_CN"]) == 0
    assert "L.map(" in html.read_text(encoding="utf-8")


def test_export_refuses_to_overwrite(project_file, tmp_path, capsys):
    out = tmp_path / "map.pdf"
    out.write_text("old")
    assert _run(["export", str(project_file), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err and out.read_text() == "old"
    assert _run(["export", str(project_file), "--out", str(out), "--overwrite", "--dpi", "72"]) == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_export_bad_arguments(project_file, tmp_path, capsys):
    assert _run(["export", str(project_file), "--out", str(tmp_path / "x.doc")]) == 2
    assert "format" in capsys.readouterr().err
    assert _run(["export", str(project_file), "--out", str(tmp_path / "no" / "x.pdf")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert _run(["export", str(project_file), "--out", str(tmp_path / "x.pdf"), "--page", "B4"]) == 2
    assert "paper" in capsys.readouterr().err
    assert _run(["export", str(tmp_path / "missing.mapdesk.json"), "--out", str(tmp_path / "x.pdf")]) == 2


def test_export_a_data_file_directly(tmp_path, capsys):
    from export_factories import make_incidents

    src = tmp_path / "incidents.geojson"
    make_incidents(200).to_file(src, driver="GeoJSON")
    out = tmp_path / "quick.png"
    assert _run(["export", str(src), "--out", str(out), "--dpi", "60"]) == 0
    assert out.exists() and "quick.png" in capsys.readouterr().out


def test_briefing_cli(tmp_path, capsys):
    from pypdf import PdfReader
    from test_export_briefing import incidents_56_days

    src = tmp_path / "incidents.gpkg"
    incidents_56_days().to_file(src, driver="GPKG")
    out = tmp_path / "brief.pdf"
    assert _run(["briefing", "--incidents", str(src), "--date", "2026-11-20", "--out", str(out),
                 "--dpi", "150"]) == 0
    assert "4 pages" in capsys.readouterr().out
    assert len(PdfReader(out).pages) == 4
    assert _run(["briefing", "--incidents", str(src), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert _run(["briefing", "--incidents", str(src), "--out", str(tmp_path / "b.png")]) == 2
