"""Derived-column recipes: a graded registry is graded again on load, identically."""

from pathlib import Path

import pytest

from mapdesk.model import Layer
from mapdesk.model.derived import apply_derived

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def test_recipe_matches_direct_grading():
    from mapdesk.domain.trees import grade_trees
    from mapdesk.io.schema import to_canonical

    lyr = Layer.from_file(str(SAMPLE / "trees.csv"))
    out = apply_derived(lyr.frame, lyr.field_map, {"tree_grades": {"as_of": "2026-11-28"}})
    direct = grade_trees(to_canonical(lyr.frame, lyr.field_map), as_of="2026-11-28")
    assert (out["grade_computed"].fillna(0).to_numpy() == direct["grade_computed"].fillna(0).to_numpy()).all()
    assert out["grade_computed"].notna().sum() == direct["grade_computed"].notna().sum() > 0
    assert set(lyr.frame.columns) < set(out.columns)  # own columns kept, computed ones added
    assert "census_state" not in out.columns


def test_unknown_recipe_and_bad_data():
    lyr = Layer.from_file(str(SAMPLE / "trees.csv"))
    with pytest.raises(ValueError, match="unknown"):
        apply_derived(lyr.frame, lyr.field_map, {"frobnicate": {}})
    # a recipe that no longer fits the data keeps the rows and warns instead of failing the load
    broken = Layer.from_dict({**lyr.to_dict(), "derived": {"frobnicate": {}}})
    broken.load()
    assert broken.status == "ok" and len(broken.frame) == len(lyr.frame)
    assert any("not restored" in w for w in broken.report.warnings)
