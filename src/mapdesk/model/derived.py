"""Columns a layer derives from its own data (tree grades, census state), kept as a recipe.

A project file stores a layer's source path, not its data; the recipe (``Layer.derived``) lets a
reopened project compute the same columns again, so a registry graded in the app reopens graded
and coloured by grade. Recipes are deterministic functions of the source rows and a date.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: Recipe names in the order they are applied (a census needs the grades).
RECIPES = ("tree_grades", "tree_census")


def apply_derived(frame: pd.DataFrame, field_map: dict[str, str], derived: dict[str, dict[str, Any]]
                  ) -> pd.DataFrame:
    """``frame`` (the layer's own column names) with the derived columns of ``derived`` added.

    Parameters
    ----------
    frame
        The layer's rows as loaded.
    field_map
        Canonical field -> the layer's column, as found on load.
    derived
        ``{"tree_grades": {"as_of": "2026-11-28"}, "tree_census": {"as_of": ...}}``.

    Raises
    ------
    ValueError
        For an unknown recipe name.
    """
    unknown = set(derived) - set(RECIPES)
    if unknown:
        raise ValueError(f"unknown derived columns recipe: {', '.join(sorted(unknown))}")
    if not derived:
        return frame
    from mapdesk.domain.trees import census_state, grade_trees, merge_computed
    from mapdesk.io.schema import to_canonical

    canonical = to_canonical(frame, field_map)
    computed = canonical
    if "tree_grades" in derived or "tree_census" in derived:
        spec = derived.get("tree_grades") or derived["tree_census"]
        computed = grade_trees(canonical, as_of=_date(spec))
    if "tree_census" in derived:
        computed = census_state(computed, _date(derived["tree_census"]))
    return merge_computed(frame, computed)


def _date(spec: dict[str, Any]) -> pd.Timestamp | None:
    return pd.Timestamp(spec["as_of"]) if spec.get("as_of") else None
