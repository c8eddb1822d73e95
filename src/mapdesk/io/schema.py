"""Layer roles and the canonical field schema, with English and Chinese aliases.

A file keeps its own column names. On load, each role's canonical fields are matched
to the file's columns by name (exact alias first, then case/space/underscore-insensitive),
giving a ``field_map`` {canonical: source column}. ``to_canonical`` renames a frame so
that domain and analysis code can rely on the canonical names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ROLES = ("trees", "incidents", "cameras", "generic")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # "str" | "float" | "int" | "bool" | "datetime" | "date"
    aliases: tuple[str, ...]
    label_en: str
    label_zh: str
    key: bool = False  # strong evidence of the role when present


def _f(name: str, kind: str, label_en: str, label_zh: str, *aliases: str, key: bool = False) -> FieldSpec:
    return FieldSpec(name, kind, (name, *aliases), label_en, label_zh, key)


SCHEMA: dict[str, tuple[FieldSpec, ...]] = {
    "trees": (
        _f("tree_id", "str", "Tree ID", "古树编号", "treeid", "tree_no", "tree_number", "编号", "古树编号", "树木编号", "挂牌号", "id"),
        _f("species", "str", "Species", "树种", "species_name", "species_cn", "common_name", "树种", "树种名称", "中文名", "种名", key=True),
        _f("age_years", "float", "Age (years)", "树龄", "age", "tree_age", "estimated_age", "树龄", "估测树龄", "树龄(年)", key=True),
        _f("famous", "bool", "Famous tree", "名木", "is_famous", "famous_tree", "名木", "是否名木"),
        _f("leaf_habit", "str", "Leaf habit", "叶性", "habit", "deciduous_evergreen", "叶性", "落叶常绿", "常绿落叶"),
        _f("dbh_cm", "float", "DBH (cm)", "胸径", "dbh", "diameter_breast_height", "胸径", "胸径(cm)", "胸径cm", key=True),
        _f("height_m", "float", "Height (m)", "株高", "height", "tree_height", "株高", "树高", "树高(m)", "株高(m)"),
        _f("ground_diameter_cm", "float", "Ground diameter (cm)", "地径", "ground_diameter", "basal_diameter", "地径", "地径(cm)"),
        _f("crown_radius_m", "float", "Crown radius (m)", "冠幅半径", "crown_radius", "canopy_radius", "冠幅半径", "冠幅半径(m)"),
        _f("crown_diameter_m", "float", "Crown diameter (m)", "冠幅", "crown_diameter", "crown_spread", "canopy_diameter", "冠幅", "平均冠幅", "冠幅(m)"),
        _f("recorded_grade", "str", "Recorded grade", "登记等级", "grade", "protection_grade", "保护等级", "等级", "登记等级", "古树等级"),
        _f("last_survey", "date", "Last survey", "最近普查", "last_survey_date", "survey_date", "census_date", "普查日期", "最近普查", "调查日期", "最近调查日期"),
        _f("adopted_by", "str", "Adopted / sponsored by", "认养/捐资", "adoption", "sponsor", "adopter", "认养", "认养人", "认养单位", "捐资", "认养/捐资"),
        _f("community", "str", "Community", "社区", "beat", "neighbourhood", "neighborhood", "社区", "所属社区", "街道"),
    ),
    "incidents": (
        _f("incident_id", "str", "Incident ID", "警情编号", "case_id", "case_no", "crime_id", "event_id", "警情编号", "案件编号", "编号", "id"),
        _f("type", "str", "Type", "类型", "incident_type", "crime_type", "offense", "offence", "category", "description", "案件类型", "警情类型", "类型", "案由", key=True),
        _f("time", "datetime", "Time", "时间", "datetime", "date_time", "occurred", "occurred_at", "reported_at", "crimedate", "date", "发生时间", "报警时间", "时间", "案发时间", key=True),
        _f("time_start", "datetime", "Window start", "时段起", "start", "start_time", "occurred_from", "from", "time_from", "起始时间", "开始时间", "时段起", key=True),
        _f("time_end", "datetime", "Window end", "时段止", "end", "end_time", "occurred_to", "to", "time_to", "结束时间", "截止时间", "时段止"),
        _f("status", "str", "Status", "状态", "case_status", "cleared", "案件状态", "状态", "办理状态"),
        _f("community", "str", "Community", "社区", "beat", "neighbourhood", "neighborhood", "district", "社区", "所属社区", "责任区"),
    ),
    "cameras": (
        _f("camera_id", "str", "Camera ID", "摄像头编号", "cam_id", "cctv_id", "camera_no", "摄像头编号", "点位编号", "编号", "id"),
        _f("install_date", "date", "Install date", "安装日期", "installed", "installation_date", "date_installed", "安装日期", "建设日期", key=True),
        _f("direction_deg", "float", "Direction (° from north)", "朝向", "direction", "azimuth", "bearing", "heading", "朝向", "方位角", key=True),
        _f("fov_deg", "float", "Field of view (°)", "视场角", "fov", "field_of_view", "view_angle", "视场角", "视角", key=True),
        _f("range_m", "float", "Range (m)", "可视距离", "range", "view_distance", "distance_m", "可视距离", "监控距离", key=True),
        _f("status", "str", "Status", "状态", "camera_status", "state", "状态", "运行状态"),
    ),
}

# Words in a layer/file name or columns that hint at a role when fields alone are ambiguous.
ROLE_HINTS: dict[str, tuple[str, ...]] = {
    "trees": ("tree", "古树", "名木", "树木"),
    "incidents": ("crime", "incident", "警情", "案件", "theft", "offence", "offense"),
    "cameras": ("camera", "cctv", "摄像", "监控", "video"),
}


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-()（）/]+", "", str(name)).lower()


def match_fields(columns: Iterable[str], role: str) -> dict[str, str]:
    """Map canonical field names of ``role`` to source columns, by alias.

    Each source column is used at most once; exact alias matches win over
    normalised ones. Returns ``{canonical: source_column}``.
    """
    cols = [c for c in columns if c != "geometry"]
    if role not in SCHEMA:
        return {}
    by_exact = {c: c for c in cols}
    by_norm: dict[str, str] = {}
    for c in cols:
        by_norm.setdefault(_norm(c), c)
    used: set[str] = set()
    out: dict[str, str] = {}
    for spec in SCHEMA[role]:
        hit = None
        for alias in spec.aliases:
            c = by_exact.get(alias)
            if c is not None and c not in used:
                hit = c
                break
        if hit is None:
            for alias in spec.aliases:
                c = by_norm.get(_norm(alias))
                if c is not None and c not in used:
                    hit = c
                    break
        if hit is not None:
            out[spec.name] = hit
            used.add(hit)
    return out


@dataclass
class RoleGuess:
    role: str
    field_map: dict[str, str] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)


def detect_role(columns: Iterable[str], name_hint: str = "") -> RoleGuess:
    """Guess a layer's role from its column names (and optionally its file/layer name).

    A role needs at least two of its key fields, or one key field plus a name hint.
    """
    cols = list(columns)
    hint = name_hint.lower()
    best = RoleGuess("generic")
    best_score = 0.0
    scores: dict[str, float] = {}
    for role, specs in SCHEMA.items():
        fm = match_fields(cols, role)
        keys = sum(1 for s in specs if s.key and s.name in fm)
        hinted = any(h in hint for h in ROLE_HINTS[role])
        score = keys + 0.25 * (len(fm) - keys) + (1.0 if hinted else 0.0)
        scores[role] = score
        ok = keys >= 2 or (keys >= 1 and hinted)
        if ok and score > best_score:
            best, best_score = RoleGuess(role, fm), score
    best.scores = scores
    return best


def field_label(role: str, name: str, lang: str = "en") -> str:
    for spec in SCHEMA.get(role, ()):
        if spec.name == name:
            return spec.label_zh if lang.startswith("zh") else spec.label_en
    return name


def to_canonical(frame, field_map: Mapping[str, str]):
    """Return a copy of ``frame`` whose mapped columns carry their canonical names.

    Unmapped columns are kept; a column that would collide with a canonical name is
    suffixed with ``_src``.
    """
    rename = {src: canon for canon, src in field_map.items() if src in frame.columns and src != canon}
    clash = {c: f"{c}_src" for c in frame.columns if c in rename.values() and c not in rename}
    out = frame.rename(columns={**clash, **rename})
    return out
