"""The registry view: everything shown for one tree (inspector, printed record) and the
registry export to CSV, Excel and GeoPackage."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from mapdesk.domain.trees.census import census_label, census_state
from mapdesk.domain.trees.grading import grade_label, grade_trees
from mapdesk.domain.trees.species import habit_label, lookup_species
from mapdesk.domain.trees.values import is_missing, parse_bool
from mapdesk.domain.trees.zones import ZoneSettings, crown_radius_m
from mapdesk.errors import ExportError
from mapdesk.io.atomic import atomic_path
from mapdesk.io.schema import SCHEMA

# Labels of the columns the tree functions add, for Chinese headers and the record.
COMPUTED_LABELS: dict[str, tuple[str, str]] = {
    "grade_computed": ("Computed grade", "计算等级"),
    "grade_status": ("Grading status", "定级状态"),
    "grade_reason": ("Grade reason", "定级依据(英文)"),
    "grade_reason_zh": ("Grade reason (Chinese)", "定级依据"),
    "grade_recorded": ("Recorded grade (read)", "登记等级(解析)"),
    "grade_mismatch": ("Grade mismatch", "等级不符"),
    "grade_issue": ("Data issues", "数据问题(英文)"),
    "grade_issue_zh": ("Data issues (Chinese)", "数据问题"),
    "grade_issue_codes": ("Issue codes", "问题代码"),
    "age_years_used": ("Age used (years)", "采用树龄(年)"),
    "dbh_cm_used": ("DBH used (cm)", "采用胸径(cm)"),
    "height_m_used": ("Height used (m)", "采用株高(m)"),
    "ground_diameter_cm_used": ("Ground diameter used (cm)", "采用地径(cm)"),
    "leaf_habit_used": ("Leaf habit used", "采用叶性"),
    "leaf_habit_source": ("Leaf habit from", "叶性来源"),
    "last_survey_date": ("Last survey date", "最近普查日期"),
    "next_survey_due": ("Next survey due", "下次普查期限"),
    "census_state": ("Census state", "普查状态"),
    "years_since_survey": ("Years since survey", "距上次普查(年)"),
    "census_issue": ("Census date issue", "普查日期问题"),
    "lon": ("Longitude (WGS 84)", "经度"),
    "lat": ("Latitude (WGS 84)", "纬度"),
}

_STATUS_LABELS = {
    "graded": ("graded", "已定级"),
    "not_protected": ("not protected by these rules", "不属保护范围"),
    "cannot_grade": ("cannot grade", "无法定级"),
}


def column_label(name: str, lang: str = "en") -> str:
    """English or Chinese header for a canonical or computed tree column (the name itself if unknown)."""
    zh = lang.startswith("zh")
    for spec in SCHEMA["trees"]:
        if spec.name == name:
            return spec.label_zh if zh else spec.label_en
    if name in COMPUTED_LABELS:
        return COMPUTED_LABELS[name][1 if zh else 0]
    return name


def _text(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float | np.floating):
        v = float(value)
        return str(int(v)) if v == int(v) else f"{v:.2f}".rstrip("0").rstrip(".")
    return str(value).strip()


def _with_used(raw: Any, used: Any, unit: str) -> str:
    r, u = _text(raw), _text(used)
    if not r:
        return ""
    if not u:
        return f"{r} (not used)"
    try:
        same = float(r) == float(u)
    except ValueError:
        same = False
    return f"{r}" if same else f"{r} (read as {u} {unit})"


def tree_record(row: pd.Series, *, lang: str = "en", crs: Any = None, as_of: Any = None,
                settings: ZoneSettings | None = None) -> list[tuple[str, str, str]]:
    """Everything the inspector and the printed record show for one tree.

    Parameters
    ----------
    row
        One row of a tree frame with canonical columns (``frame.loc[i]``), graded
        (``grade_trees``) and with census columns (``census_state``) or not: whatever is
        missing is computed for this row.
    lang
        Language of the *values* that are words (grade reason, census state, leaf habit,
        yes/no): "en" or "zh".
    crs
        The frame's CRS, to show the location as WGS 84 longitude/latitude (a Series does
        not carry it). Without it, coordinates are shown as they are.
    as_of
        Reference date for the census state when it has to be computed (default today).
    settings
        Zone settings for the protection-zone radius (default ``ZoneSettings()``).

    Returns
    -------
    ``[(label_en, label_zh, value), ...]`` with ``value`` as display text ("" when unknown),
    in a fixed order: identity, measurements, grade, census, adoption, location, zone, then
    any other fields of the row.
    """
    zh = lang.startswith("zh")
    settings = settings or ZoneSettings()
    one = pd.DataFrame([row.to_dict()])
    if "geometry" in one.columns:
        one = gpd.GeoDataFrame(one, geometry="geometry", crs=crs)
    if "grade_computed" not in one.columns:
        one = grade_trees(one)
    if "census_state" not in one.columns:
        one = census_state(one, as_of)
    r = one.iloc[0]

    def get(name: str) -> Any:
        return r[name] if name in r.index else None

    def yes_no(v: Any) -> str:
        b = parse_bool(v) if not isinstance(v, bool | np.bool_) else bool(v)
        if b is None:
            return _text(v)
        return ("是" if b else "否") if zh else ("yes" if b else "no")

    out: list[tuple[str, str, str]] = []

    def add(en: str, zh_label: str, value: str) -> None:
        out.append((en, zh_label, value))

    add("Tree ID", "古树编号", _text(get("tree_id")))
    species = _text(get("species"))
    sp = lookup_species(species)
    add("Species", "树种", species)
    if sp:
        add("Latin name", "学名", sp.latin)
        add("English name", "英文名", sp.name_en)
    add("Age (years)", "树龄", _with_used(get("age_years"), get("age_years_used"), "years"))
    add("Famous tree", "名木", yes_no(get("famous")) if not is_missing(get("famous")) else "")
    habit = get("leaf_habit_used")
    src = _text(get("leaf_habit_source"))
    habit_txt = habit_label(None if is_missing(habit) else str(habit), lang)
    if src == "species":
        habit_txt += "（按树种）" if zh else " (from species)"
    add("Leaf habit", "叶性", habit_txt)
    add("DBH (cm)", "胸径(cm)", _with_used(get("dbh_cm"), get("dbh_cm_used"), "cm"))
    add("Height (m)", "株高(m)", _with_used(get("height_m"), get("height_m_used"), "m"))
    add("Ground diameter (cm)", "地径(cm)",
        _with_used(get("ground_diameter_cm"), get("ground_diameter_cm_used"), "cm"))
    crown = crown_radius_m(one).iloc[0]
    add("Crown radius (m)", "冠幅半径(m)", _text(crown) if not math.isnan(crown) else "")
    add("Recorded grade", "登记等级", _text(get("recorded_grade")))
    g = get("grade_computed")
    add("Computed grade", "计算等级", grade_label(g, lang) if not is_missing(g) else
        _STATUS_LABELS.get(_text(get("grade_status")), ("", ""))[1 if zh else 0])
    add("Grade reason", "定级依据", _text(get("grade_reason_zh" if zh else "grade_reason")))
    add("Grade mismatch", "等级不符", yes_no(bool(get("grade_mismatch"))) if get("grade_mismatch") is not None else "")
    add("Data issues", "数据问题", _text(get("grade_issue_zh" if zh else "grade_issue")))
    add("Last survey", "最近普查", _text(get("last_survey_date")) or _text(get("last_survey")))
    add("Next survey due", "下次普查期限", _text(get("next_survey_due")))
    add("Census state", "普查状态", census_label(_text(get("census_state")), lang))
    if _text(get("census_issue")):
        add("Census date issue", "普查日期问题", _text(get("census_issue")))
    add("Adopted / sponsored by", "认养/捐资", _text(get("adopted_by")))
    add("Community", "所属社区", _text(get("community")))
    add("Location", "位置", _location(get("geometry"), crs))
    if not is_missing(g):
        gi = int(g)
        if not math.isnan(crown):
            m = settings.margin_m[gi]
            z = f"{_text(crown + m)} m (crown {_text(crown)} m + {_text(m)} m)" if not zh else \
                f"{_text(crown + m)}米（冠幅半径{_text(crown)}米＋{_text(m)}米）"
        else:
            f = settings.fixed_radius_m[gi]
            z = f"{_text(f)} m (fixed radius, crown unknown)" if not zh else f"{_text(f)}米（冠幅未知，按固定半径）"
        add("Protection zone radius", "保护范围半径", z)
    known = {s.name for s in SCHEMA["trees"]} | set(COMPUTED_LABELS) | {"geometry"}
    for col in row.index:
        if col not in known:
            add(str(col), str(col), _text(row[col]))
    return out


def _location(geom: Any, crs: Any) -> str:
    if geom is None or is_missing(geom) or getattr(geom, "is_empty", True):
        return ""
    pt = geom if geom.geom_type == "Point" else geom.representative_point()
    if crs is not None:
        s = gpd.GeoSeries([pt], crs=crs)
        if not s.crs.is_geographic or s.crs.to_epsg() != 4326:
            s = s.to_crs(4326)
        pt = s.iloc[0]
        return f"{pt.x:.6f}, {pt.y:.6f} (WGS 84)"
    return f"{pt.x:.6f}, {pt.y:.6f}"


_LONLAT_NAMES = {"lon", "lat", "lng", "longitude", "latitude", "经度", "纬度", "x", "y"}


def _tabular(frame: pd.DataFrame, chinese_headers: bool, add_lonlat: bool | None = None) -> pd.DataFrame:
    table = pd.DataFrame(frame.drop(columns="geometry")) if "geometry" in frame.columns else frame.copy()
    if add_lonlat is None:
        # a table that came with its own coordinate columns keeps them and gets no second pair
        add_lonlat = not any(str(c).strip().lower() in _LONLAT_NAMES for c in table.columns)
    if (add_lonlat and isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None
            and "geometry" in frame.columns):
        geom = frame.geometry
        okg = ~(geom.isna() | geom.is_empty)
        lon = np.full(len(frame), np.nan)
        lat = np.full(len(frame), np.nan)
        if okg.any():
            pts = geom[okg].to_crs(4326)
            pts = pts.where(pts.geom_type == "Point", pts.representative_point())
            lon[okg.to_numpy()] = pts.x.to_numpy()
            lat[okg.to_numpy()] = pts.y.to_numpy()
        for name, values in (("lon", lon), ("lat", lat)):
            label = column_label(name, "zh") if chinese_headers else name
            if label not in table.columns:
                table[name] = np.round(values, 7)
    for col in table.columns:
        if isinstance(table[col].dtype, pd.DatetimeTZDtype):
            table[col] = table[col].dt.tz_localize(None)
    if chinese_headers:
        rename: dict[str, str] = {}
        taken = set(table.columns)
        for col in table.columns:
            label = column_label(col, "zh")
            if label != col and label not in taken and label not in rename.values():
                rename[col] = label
        table = table.rename(columns=rename)
    return table


def export_registry(frame: pd.DataFrame, path: str | os.PathLike, *, chinese_headers: bool = False,
                    layer: str = "trees", add_lonlat: bool | None = None, overwrite: bool = True) -> Path:
    """Write the registry (with any computed columns) to CSV, Excel or GeoPackage, atomically.

    The format follows the suffix: ``.csv`` (UTF-8 with BOM, so Excel opens Chinese text;
    coordinates as ``lon``/``lat`` WGS 84 columns), ``.xlsx`` (one sheet, same columns),
    ``.gpkg`` (a layer named ``layer`` with the geometry in the frame's CRS), ``.geojson``.
    ``chinese_headers`` replaces canonical and computed column names with their Chinese
    labels (CSV and Excel only; other names are kept). ``add_lonlat``: add WGS 84 ``lon``/
    ``lat`` columns to CSV/Excel; by default only when the table has no coordinate columns of
    its own (经度/纬度, lon/lat, x/y).
    """
    dest = Path(path)
    suffix = dest.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".gpkg", ".geojson", ".json"):
        raise ExportError(f"cannot export the registry as '{suffix or dest.name}': use .csv, .xlsx, .gpkg or .geojson")
    if suffix in (".csv", ".xlsx"):
        table = _tabular(frame, chinese_headers, add_lonlat)
        with atomic_path(dest, overwrite=overwrite) as tmp:
            if suffix == ".csv":
                table.to_csv(tmp, index=False, encoding="utf-8-sig")
            else:
                _write_xlsx(table, tmp)
        return dest
    if not isinstance(frame, gpd.GeoDataFrame):
        raise ExportError(f"{dest.name}: a {suffix} file needs coordinates; export as .csv or .xlsx")
    gdf = frame.copy()
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        if pd.api.types.is_object_dtype(gdf[col].dtype):
            gdf[col] = gdf[col].map(lambda v: None if is_missing(v) else str(v)).astype("string")
    with atomic_path(dest, overwrite=overwrite) as tmp:
        if suffix == ".gpkg":
            gdf.to_file(tmp, layer=layer, driver="GPKG", engine="pyogrio")
        else:
            gdf.to_file(tmp, driver="GeoJSON", engine="pyogrio")
    return dest


def _write_xlsx(table: pd.DataFrame, tmp: Path) -> None:
    # openpyxl rejects pandas' NA scalars in some dtypes: hand it plain objects.
    clean = table.astype(object).where(table.notna(), None)
    with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
        clean.to_excel(xl, index=False, sheet_name="registry")
        ws = xl.sheets["registry"]
        ws.freeze_panes = "A2"
        for i, col in enumerate(clean.columns, start=1):
            width = max([len(str(col)) * 2] + [len(str(v)) for v in clean[col].head(200) if v is not None])
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(max(width + 2, 8), 60)
