"""Protected-tree registry rules: grades (Shanxi rules), census, protection zones, conflicts.

All functions take frames with the canonical tree columns of ``mapdesk.io.schema``
(call ``to_canonical(frame, field_map)`` first) and import no Qt.
"""

from mapdesk.domain.trees.grading import (
    GRADE_LABELS,
    ISSUE_CODES,
    grade_label,
    grade_trees,
    grading_summary,
)
from mapdesk.domain.trees.species import SPECIES, lookup_species, species_habit
from mapdesk.domain.trees.values import parse_chinese_numeral, parse_grade, parse_quantity
from mapdesk.domain.trees.zones import ZoneSettings, crown_radius_m, protection_zones

__all__ = [
    "GRADE_LABELS",
    "ISSUE_CODES",
    "SPECIES",
    "ZoneSettings",
    "crown_radius_m",
    "grade_label",
    "grade_trees",
    "grading_summary",
    "lookup_species",
    "parse_chinese_numeral",
    "parse_grade",
    "parse_quantity",
    "protection_zones",
    "species_habit",
]
