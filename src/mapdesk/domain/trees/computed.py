"""The columns the tree tools add to a registry layer, and how they join the layer's own columns."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

#: Columns the tree tools add to a trees layer (dropped before they are computed again).
COMPUTED_COLUMNS = (
    "grade_computed", "grade_status", "grade_reason", "grade_reason_zh", "grade_recorded",
    "grade_mismatch", "grade_issue", "grade_issue_zh", "grade_issue_codes", "age_years_used",
    "dbh_cm_used", "height_m_used", "ground_diameter_cm_used", "leaf_habit_used",
    "leaf_habit_source", "last_survey_date", "next_survey_due", "census_state",
    "years_since_survey", "census_issue",
)


def merge_computed(source: pd.DataFrame, computed: pd.DataFrame) -> pd.DataFrame:
    """``source`` (the layer's own column names) plus the computed columns of ``computed``."""
    out = source.drop(columns=[c for c in COMPUTED_COLUMNS if c in source.columns]).copy()
    for col in COMPUTED_COLUMNS:
        if col in computed.columns:
            out[col] = computed[col].to_numpy()
    if isinstance(source, gpd.GeoDataFrame) and not isinstance(out, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=source.geometry.name, crs=source.crs)
    return out
