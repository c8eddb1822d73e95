"""Protected-tree registry rules: grades (Shanxi rules), census, protection zones, conflicts.

All functions take frames with the canonical tree columns of ``mapdesk.io.schema``
(call ``to_canonical(frame, field_map)`` first) and import no Qt.

- ``grade_trees(frame, dbh_unit=None)`` / ``grading_summary(graded)``
- ``census_state(frame, as_of)`` / ``census_summary`` / ``census_worklist``
- ``protection_zones(trees, ZoneSettings(...))``
- ``find_conflicts(zones, features)`` / ``sites_in_zones(points, zones)``
- ``tree_record(row)`` (inspector / printed record) / ``export_registry(frame, path)``
"""

from mapdesk.domain.trees.census import (
    CENSUS_STATES,
    census_counts,
    census_label,
    census_state,
    census_summary,
    census_worklist,
)
from mapdesk.domain.trees.computed import COMPUTED_COLUMNS, merge_computed
from mapdesk.domain.trees.conflicts import conflicts_summary, find_conflicts, sites_in_zones
from mapdesk.domain.trees.grading import (
    GRADE_LABELS,
    ISSUE_CODES,
    grade_label,
    grade_trees,
    grading_summary,
)
from mapdesk.domain.trees.registry import column_label, export_registry, tree_record
from mapdesk.domain.trees.species import SPECIES, habit_label, lookup_species, species_habit
from mapdesk.domain.trees.values import parse_chinese_numeral, parse_grade, parse_quantity
from mapdesk.domain.trees.zones import ZoneSettings, crown_radius_m, local_utm_crs, protection_zones

__all__ = [
    "CENSUS_STATES",
    "COMPUTED_COLUMNS",
    "GRADE_LABELS",
    "ISSUE_CODES",
    "SPECIES",
    "ZoneSettings",
    "census_counts",
    "merge_computed",
    "census_label",
    "census_state",
    "census_summary",
    "census_worklist",
    "column_label",
    "conflicts_summary",
    "crown_radius_m",
    "export_registry",
    "find_conflicts",
    "grade_label",
    "grade_trees",
    "grading_summary",
    "habit_label",
    "local_utm_crs",
    "lookup_species",
    "parse_chinese_numeral",
    "parse_grade",
    "parse_quantity",
    "protection_zones",
    "sites_in_zones",
    "species_habit",
    "tree_record",
]
