"""The census work list: summary on page 1, a section per community, repeated table headers."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from tree_pdf_checks import load_sample_registry, norm, pdf_pages_text, render_page, squash

from mapdesk.domain.trees import census_counts, census_state, census_worklist
from mapdesk.errors import ExportError
from mapdesk.export.census_worklist import write_census_worklist

AS_OF = "2026-11-28"


@pytest.fixture(autouse=True)
def _widgets_capable_app(qapp):
    """Rendering creates a QGuiApplication when none runs, and a widget test later in the same
    session would then abort: pytest-qt's QApplication, created first, serves both."""
    return qapp


@pytest.fixture(scope="module")
def sample_registry():
    return load_sample_registry()


@pytest.fixture(scope="module")
def expected(sample_registry):
    frame = census_state(sample_registry, AS_OF)
    return census_worklist(frame, AS_OF), census_counts(frame)


@pytest.fixture(scope="module")
def english_pdf(sample_registry, tmp_path_factory):
    out = tmp_path_factory.mktemp("wl") / "worklist.pdf"
    write_census_worklist(sample_registry, out, as_of=AS_OF, lang="en")
    return out


def test_summary_totals_on_page_one(english_pdf, expected):
    wl, counts = expected
    pages = pdf_pages_text(english_pdf)
    first = squash(pages[0])
    n_comm = wl["community"].nunique()
    assert f"Treestovisit:{len(wl)}in{n_comm}communit(ies)" in first
    assert f"Overdue{counts['overdue']}" in first
    assert f"Neversurveyed{counts['never_surveyed']}" in first
    assert f"Duethisyear{counts['due_this_year']}" in first
    assert f"Uptodate{counts['ok']}" in first
    assert f"Total{sum(counts.values())}" in first
    # by grade: the work list's grade-4 trees per state and in total
    g4 = wl[wl["grade"] == 4]
    row = "Grade4" + "".join(str(int((g4["census_state"] == s).sum()))
                             for s in ("overdue", "never_surveyed", "due_this_year")) + str(len(g4))
    assert row in first


def test_page_numbers_and_repeated_headers(english_pdf):
    pages = pdf_pages_text(english_pdf)
    n = len(pages)
    assert n >= 3
    for i, text in enumerate(pages, start=1):
        flat = squash(text)
        assert f"page{i}of{n}" in flat
        assert "TreeIDSpeciesGradeStateLastsurveyDue" in flat  # the table header on every page
        assert "SYNTHETIC" in flat


def test_sections_per_community_hold_every_tree(english_pdf, expected):
    wl, _ = expected
    text = squash("\n".join(pdf_pages_text(english_pdf)))
    for community, rows in wl.groupby("community", sort=False):
        assert f"{community}—{len(rows)}tree(s)tovisit" in text
    printed = re.findall(r"XHL-\d{4}", text)
    assert sorted(printed) == sorted(wl["tree_id"].astype(str))  # each tree once, none extra
    # grouped and ordered as the domain orders them: communities appear in work-list order
    firsts = [text.index(f"{c}—") for c in wl["community"].unique()]
    assert firsts == sorted(firsts)


def test_continued_sections_repeat_the_heading(english_pdf):
    pages = pdf_pages_text(english_pdf)
    cont = [p for p in pages[1:] if "(continued)" in p]
    for p in cont:  # a continued section starts the page
        assert squash(p).index("(continued)") < squash(p).index("TreeID")


def test_chinese_pdf(sample_registry, expected, tmp_path):
    wl, _ = expected
    out = write_census_worklist(sample_registry, tmp_path / "清单.pdf", as_of=AS_OF, lang="zh_CN")
    pages = pdf_pages_text(out)
    first = squash(pages[0])
    assert norm(f"待普查古树：{len(wl)}株") in first
    assert norm(f"第1页，共{len(pages)}页") in first
    assert norm("古树编号") in first and norm("逾期未普查") in first
    img = render_page(out, 1)
    assert (img.min(axis=2) < 200).sum() > 5000  # tables drawn, not a blank page


def test_tables_and_include_due(sample_registry, expected, tmp_path):
    wl, _ = expected
    csv = write_census_worklist(sample_registry, tmp_path / "wl.csv", as_of=AS_OF, lang="en")
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert len(table) == len(wl)
    assert list(table.columns[:3]) == ["community", "tree_id", "species"]
    assert list(table["tree_id"]) == list(wl["tree_id"].astype(str))
    xlsx = write_census_worklist(sample_registry, tmp_path / "wl.xlsx", as_of=AS_OF, lang="zh_CN")
    sheet = pd.read_excel(xlsx)
    assert len(sheet) == len(wl) and "古树编号" in sheet.columns
    fewer = write_census_worklist(sample_registry, tmp_path / "fewer.csv", as_of=AS_OF, lang="en",
                                  include_due=False)
    assert len(pd.read_csv(fewer)) == int((wl["census_state"] != "due_this_year").sum())


def test_nothing_to_visit(sample_registry, tmp_path):
    fresh = sample_registry.head(5).copy()
    fresh["last_survey"] = pd.Timestamp("2026-03-01")
    pages = pdf_pages_text(write_census_worklist(fresh, tmp_path / "none.pdf", as_of=AS_OF, lang="en"))
    assert len(pages) == 1
    assert "Notreeneedsacensusvisitasof2026-11-28" in squash(pages[0])


def test_bad_input(sample_registry, tmp_path):
    with pytest.raises(ExportError, match="pdf"):
        write_census_worklist(sample_registry, tmp_path / "wl.txt", as_of=AS_OF, lang="en")
    with pytest.raises(ExportError, match="as-of"):
        write_census_worklist(sample_registry, tmp_path / "wl.pdf", as_of=None, lang="en")
    with pytest.raises(ExportError, match="language"):
        write_census_worklist(sample_registry, tmp_path / "wl.pdf", as_of=AS_OF, lang="de")
    assert not list(tmp_path.iterdir())
