"""Layer styles as plain, JSON-serialisable values, and sensible defaults per role."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from dataclasses import field as dc_field
from typing import Any

import numpy as np
import pandas as pd

# Colours shared by every default style (the renderer and legends read them from the style).
TREE_GRADE_COLORS = {"1": "#b2182b", "2": "#ef8a62", "3": "#4daf4a", "4": "#1b9e9e", "none": "#9e9e9e"}
INCIDENT_TYPE_COLORS = {
    "ebike_theft": "#d7191c",
    "other_theft": "#fdae61",
    "fraud": "#7b3294",
    "dispute": "#2c7bb6",
    "dog": "#8c510a",
    "help_request": "#1a9641",
    "other": "#969696",
}
CAMERA_STATUS_COLORS = {"active": "#225ea8", "planned": "#41b6c4", "fault": "#e31a1c", "proposed": "#ff7f00"}
FALLBACK_COLORS = ["#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928",
                   "#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99"]

STYLE_KINDS = ("single", "categorized", "graduated", "raster")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "star")
CLASS_METHODS = ("quantiles", "natural_breaks", "equal_interval")


@dataclass
class Category:
    value: Any
    label: str
    color: str
    visible: bool = True


@dataclass
class Style:
    kind: str = "single"
    color: str = "#1f78b4"
    stroke_color: str = "#333333"
    stroke_width: float = 0.5
    fill_opacity: float = 0.8
    size: float = 5.0
    size_field: str | None = None
    size_range: tuple[float, float] = (3.0, 14.0)
    marker: str = "circle"
    field: str | None = None
    categories: list[Category] = dc_field(default_factory=list)
    method: str = "quantiles"
    classes: int = 5
    ramp: str = "YlOrRd"
    breaks: list[float] = dc_field(default_factory=list)
    label_field: str | None = None
    label_size: float = 8.0
    label_color: str = "#222222"
    wedge: bool = False
    vmin: float | None = None
    vmax: float | None = None
    raster_opacity: float = 0.7

    def copy(self, **changes: Any) -> Style:
        out = replace(self, **changes)
        cats = changes["categories"] if "categories" in changes else self.categories
        out.categories = [replace(c) for c in cats]
        out.breaks = list(changes.get("breaks", self.breaks))
        return out

    def to_dict(self) -> dict:
        d = asdict(self)
        d["size_range"] = list(self.size_range)
        d["categories"] = [{**asdict(c), "value": _jsonable(c.value)} for c in self.categories]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Style:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        kw["categories"] = [Category(**c) for c in d.get("categories", [])]
        if "size_range" in kw:
            kw["size_range"] = tuple(kw["size_range"])
        if kw.get("kind", "single") not in STYLE_KINDS:
            kw["kind"] = "single"
        return cls(**kw)


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


def categories_for(values: pd.Series, colors: dict[str, str] | None = None,
                   labels: dict[str, str] | None = None, limit: int = 24) -> list[Category]:
    """Categories for the distinct values of ``values`` (most frequent first, at most ``limit``)."""
    counts = values.dropna().astype(str).value_counts()
    cats = []
    for i, v in enumerate(counts.index[:limit]):
        color = (colors or {}).get(v, FALLBACK_COLORS[i % len(FALLBACK_COLORS)])
        cats.append(Category(v, (labels or {}).get(v, v), color))
    return cats


def compute_breaks(values: pd.Series | np.ndarray, method: str = "quantiles", classes: int = 5) -> list[float]:
    """Class upper bounds for a graduated style, lowest bound first.

    Quantiles and equal intervals are computed with numpy exactly as mapclassify does
    (importing mapclassify costs seconds, too slow for a dialog); natural breaks use mapclassify.
    """
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(float)
    if v.size == 0:
        return []
    k = max(1, min(classes, np.unique(v).size))
    if k == 1:
        return [float(v.min()), float(v.max())]
    if method == "natural_breaks":
        import mapclassify

        c = mapclassify.NaturalBreaks(v, k=k) if v.size <= 5000 else mapclassify.FisherJenksSampled(v, k=k)
        bins = [float(b) for b in c.bins]
    elif method == "equal_interval":
        lo, hi = float(v.min()), float(v.max())
        width = (hi - lo) / k
        bins = [lo + width * i for i in range(1, k)] + [hi]
    else:
        bins = [float(b) for b in np.unique(np.percentile(v, np.linspace(100 / k, 100, k)))]
    return [float(v.min()), *bins]


GRADE_LABELS = {"en": {"1": "Grade 1", "2": "Grade 2", "3": "Grade 3", "4": "Grade 4", "none": "Not graded"},
                "zh": {"1": "一级", "2": "二级", "3": "三级", "4": "四级", "none": "未分级"}}


def category_label(role: str, value: object, label: object, lang: str = "en") -> str:
    """A category's label in ``lang`` when it is a known vocabulary's default label (incident
    types, tree grades), so a legend follows the language of the map it is on; a label the user
    typed is kept as is."""
    v = str(value)
    text = v if label in (None, "") else str(label)
    zh = str(lang).startswith("zh")
    if role == "incidents":
        from mapdesk.domain.incidents import INCIDENT_TYPES, type_label

        if v in INCIDENT_TYPES and text in (v, type_label(v, "en"), type_label(v, "zh")):
            return type_label(v, "zh" if zh else "en")
    if role == "trees" and v in GRADE_LABELS["en"]:
        if text in (v, GRADE_LABELS["en"][v], GRADE_LABELS["zh"][v]):
            return GRADE_LABELS["zh" if zh else "en"][v]
    return text


def default_style(role: str, frame: pd.DataFrame | None = None, field_map: dict[str, str] | None = None,
                  lang: str = "en") -> Style:
    """A good first style for a layer of ``role`` (trees by grade, incidents by type, cameras as wedges)."""
    fm = field_map or {}
    cols = set(frame.columns) if frame is not None else set()
    geom = _geom_kind(frame)
    if role == "trees":
        fld = next((c for c in ("grade_computed", fm.get("recorded_grade")) if c and c in cols), None)
        style = Style(kind="single", color="#2e7d32", size=6, stroke_color="#1b3d1b", marker="circle")
        if fld:
            labels = GRADE_LABELS["zh" if lang.startswith("zh") else "en"]
            vals = _grade_strings(frame[fld])
            present = [g for g in ("1", "2", "3", "4", "none") if g in set(vals)] or ["1", "2", "3", "4"]
            style = style.copy(kind="categorized", field=fld, categories=[
                Category(g, labels[g], TREE_GRADE_COLORS[g]) for g in present])
        return style
    if role == "incidents":
        fld = fm.get("type")
        style = Style(kind="single", color="#d7191c", size=4, stroke_width=0.0, fill_opacity=0.85)
        if fld and fld in cols:
            from mapdesk.domain.incidents import INCIDENT_TYPES, type_label

            vals = frame[fld].dropna().astype(str)
            labels = {v: type_label(v, lang) if v in INCIDENT_TYPES else v for v in vals.unique()}
            style = style.copy(kind="categorized", field=fld,
                               categories=categories_for(vals, INCIDENT_TYPE_COLORS, labels))
        return style
    if role == "cameras":
        fld = fm.get("status")
        style = Style(kind="single", color="#225ea8", size=7, marker="square", stroke_color="#ffffff",
                      wedge=True, fill_opacity=0.25)
        if fld and fld in cols:
            style = style.copy(kind="categorized", field=fld,
                               categories=categories_for(frame[fld], CAMERA_STATUS_COLORS))
        return style
    if role == "result":
        return Style(kind="raster", ramp="YlOrRd", raster_opacity=0.7)
    if geom == "polygon":
        return Style(color="#9ecae1", stroke_color="#3182bd", stroke_width=0.8, fill_opacity=0.25,
                     label_field=_name_field(cols))
    if geom == "line":
        return Style(color="#636363", stroke_color="#636363", stroke_width=2.0)
    return Style(color="#1f78b4", size=6, label_field=None)


def _grade_strings(s: pd.Series) -> pd.Series:
    digits = s.astype("string").str.extract(r"([1-4一二三四])", expand=False)
    digits = digits.replace({"一": "1", "二": "2", "三": "3", "四": "4"})
    return digits.fillna("none")


def _geom_kind(frame: pd.DataFrame | None) -> str:
    if frame is None or "geometry" not in getattr(frame, "columns", []) or len(frame) == 0:
        return "point"
    t = str(frame.geometry.geom_type.dropna().iloc[0]) if frame.geometry.notna().any() else "Point"
    if "Polygon" in t:
        return "polygon"
    if "Line" in t:
        return "line"
    return "point"


def _name_field(cols: set[str]) -> str | None:
    for c in ("name", "名称", "NAME", "label", "name_zh"):
        if c in cols:
            return c
    return None
