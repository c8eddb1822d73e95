"""``mapdesk trees record`` and ``mapdesk trees census --worklist F.pdf``."""

import json
import unicodedata
from pathlib import Path

import pypdf
import pytest

from mapdesk.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture(autouse=True)
def _widgets_capable_app(qapp):
    """Rendering creates a QGuiApplication when none runs, and a widget test later in the same
    session would then abort: pytest-qt's QApplication, created first, serves both."""
    return qapp


def _run(capsys, *argv):
    code = main(["trees", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def _text(path):
    return [unicodedata.normalize("NFKC", "".join((p.extract_text() or "").split()))
            for p in pypdf.PdfReader(str(path)).pages]


def test_record_selected_ids(capsys, tmp_path):
    out = tmp_path / "records.pdf"
    code, stdout, _ = _run(capsys, "record", SAMPLE / "trees.csv", "--out", out, "--id", "XHL-0001,XHL-0002",
                           "--id", "XHL-0010", "--lang", "en", "--as-of", "2026-11-28",
                           "--context", SAMPLE / "sample.mapdesk.json", "--json")
    assert code == 0
    doc = json.loads(stdout)
    assert doc["pages"] == 3 and doc["as_of"] == "2026-11-28"
    pages = _text(out)
    assert len(pages) == 3
    assert [p.count("XHL-0001") > 0 for p in pages] == [True, False, False]
    assert "XHL-0010" in pages[2] and "page3of3" in pages[2]


def test_record_bad_input(capsys, tmp_path):
    code, _, err = _run(capsys, "record", SAMPLE / "trees.csv", "--out", tmp_path / "r.pdf", "--id", "NOPE")
    assert code == 2 and "NOPE" in err and "Traceback" not in err
    assert not (tmp_path / "r.pdf").exists()
    code, _, err = _run(capsys, "record", SAMPLE / "trees.csv", "--out", tmp_path / "r.png")
    assert code == 2 and ".pdf" in err
    code, _, err = _run(capsys, "record", SAMPLE / "trees.csv", "--out", tmp_path / "r.pdf",
                        "--context", tmp_path / "missing.mapdesk.json")
    assert code == 2 and "not found" in err


def test_census_worklist_pdf(capsys, tmp_path):
    wl = tmp_path / "worklist.pdf"
    code, stdout, _ = _run(capsys, "census", SAMPLE / "trees.csv", "--out", tmp_path / "census.csv",
                           "--as-of", "2026-11-28", "--worklist", wl, "--lang", "en", "--json")
    assert code == 0
    doc = json.loads(stdout)
    pages = _text(wl)
    assert len(pages) >= 2
    assert f"Treestovisit:{doc['worklist_trees']}in" in pages[0]
    assert f"page1of{len(pages)}" in pages[0]


@pytest.mark.parametrize("suffix", [".txt", ".png"])
def test_census_worklist_bad_suffix(capsys, tmp_path, suffix):
    code, _, err = _run(capsys, "census", SAMPLE / "trees.csv", "--out", tmp_path / "c.csv",
                        "--worklist", tmp_path / f"wl{suffix}")
    assert code == 2 and ".pdf" in err
