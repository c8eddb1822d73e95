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
