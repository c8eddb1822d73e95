"""QA: outputs never replace the files a command reads."""

from __future__ import annotations

import pytest

from mapdesk.errors import ExportError
from mapdesk.io import load_layer
from mapdesk.io.atomic import is_protected, protecting_sources, write_text_atomic


def _csv(tmp_path):
    src = tmp_path / "pts.csv"
    src.write_text("name,lon,lat\na,112.55,37.89\n", encoding="utf-8")
    return src


def test_files_read_inside_a_command_cannot_be_overwritten(tmp_path):
    src = _csv(tmp_path)
    with protecting_sources():
        load_layer(src)
        assert is_protected(tmp_path / "." / "pts.csv")
        with pytest.raises(ExportError, match="one of the input files"):
            write_text_atomic(src, "oops")
        write_text_atomic(tmp_path / "other.csv", "fine")
    assert src.read_text(encoding="utf-8").startswith("name,lon,lat")


def test_protection_ends_with_the_command(tmp_path):
    """A long-lived process (the GUI, the test session) may write a file it read earlier."""
    src = _csv(tmp_path)
    with protecting_sources():
        load_layer(src)
    assert not is_protected(src)
    load_layer(src)  # outside a command: nothing is recorded
    write_text_atomic(src, "replaced")
    assert src.read_text(encoding="utf-8") == "replaced"


def test_workbook_with_a_notes_sheet_first_loads_the_data_sheet(tmp_path):
    """`trees grade` on a workbook whose first sheet is a notes page failed with
    'no coordinate columns found (columns: 说明)' without naming the other sheets."""
    import pandas as pd

    from mapdesk.errors import LoadError

    book = tmp_path / "trees.xlsx"
    with pd.ExcelWriter(book) as w:
        pd.DataFrame({"说明": ["填表说明"]}).to_excel(w, sheet_name="说明", index=False)
        pd.DataFrame({"编号": ["T1"], "经度": [112.55], "纬度": [37.89]}).to_excel(w, sheet_name="古树", index=False)
    loaded = load_layer(book)
    assert loaded.layer == "古树" and len(loaded.frame) == 1
    assert any("loaded '古树' instead" in w for w in loaded.report.warnings)
    with pytest.raises(LoadError, match="no coordinate columns"):
        load_layer(book, "说明")  # a sheet named explicitly is not replaced
    only_notes = tmp_path / "notes.xlsx"
    with pd.ExcelWriter(only_notes) as w:
        for name in ("a", "b"):
            pd.DataFrame({"说明": ["x"]}).to_excel(w, sheet_name=name, index=False)
    with pytest.raises(LoadError, match=r"its layers: a, b; choose one with --layer"):
        load_layer(only_notes)
