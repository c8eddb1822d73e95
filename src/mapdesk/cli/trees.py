"""``mapdesk trees``: grade a protected-tree registry, census state, protection zones, conflicts.

    mapdesk trees grade REGISTRY --out F [--json] [--dbh-unit cm|mm|circumference]
    mapdesk trees census REGISTRY [--as-of DATE] --out F [--worklist F.pdf|.xlsx|.csv] [--lang L] [--json]
    mapdesk trees record REGISTRY --out F.pdf [--id ID ...] [--lang zh_CN|en] [--as-of DATE] [--context PROJECT]
    mapdesk trees zones REGISTRY --out F [--margin-m G=M ...] [--fixed-radius-m G=M ...]
    mapdesk trees conflicts REGISTRY --against F --out F [--json]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from mapdesk.cli._common import guarded, print_json, shown_source
from mapdesk.errors import LoadError, MapdeskError

GEO_SUFFIXES = (".gpkg", ".geojson", ".json")
TABLE_SUFFIXES = (".csv", ".xlsx")


# ----------------------------------------------------------------------------- loading

@dataclass
class Registry:
    """A loaded layer with canonical tree columns, and how to give the user's names back."""

    frame: gpd.GeoDataFrame
    field_map: dict[str, str]
    rejected: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dbh_unit_hint: str | None = None  # from a header such as 胸径(mm) or 胸围(cm)

    def to_source_names(self, frame: pd.DataFrame) -> pd.DataFrame:
        back = {canon: src for canon, src in self.field_map.items() if canon in frame.columns and canon != src}
        return frame.rename(columns=back)




def load_registry(path: str, *, layer: str | None = None, encoding: str | None = None,
                  coords: str = "wgs84", role: str | None = "trees") -> Registry:
    """Load a layer for the tree tools with :func:`mapdesk.io.load_layer`.

    The returned frame has canonical column names for ``role`` (``to_canonical``).
    """
    from mapdesk.io import load_layer
    from mapdesk.io.schema import to_canonical

    loaded = load_layer(path, layer, encoding=encoding, coords=coords, role=role)
    raw = loaded.frame
    fm = dict(loaded.field_map or {}) if role == "trees" else {}
    rejected = dict(loaded.report.rejected or {})
    notes = list(loaded.report.warnings)
    hint = None
    if role == "trees" and "dbh_cm" not in fm:
        found = _dbh_column(raw.columns, set(fm.values()))
        if found is not None:
            col, hint = found
            fm["dbh_cm"] = col
            what = "millimetres" if hint == "mm" else "a circumference (girth) in cm"
            notes.append(f"column '{col}' read as DBH given in {what}")
    if role == "trees" and not set(fm) & _TREE_EVIDENCE:
        cols = ", ".join(str(c) for c in list(raw.columns)[:12] if c != "geometry")
        from mapdesk.cli._common import input_label

        raise LoadError(f"{input_label(path)} does not look like a tree registry: no column for species, "
                        f"age, DBH, height, crown, famous tree or grade was found (columns: {cols}); "
                        "rename the columns (see sample_data/README.md) or choose the right file")
    frame = to_canonical(raw, fm) if fm else raw
    return Registry(frame, fm, rejected, notes, hint)


# Columns only a tree registry has (an id or a community alone could be any table).
_TREE_EVIDENCE = frozenset({"species", "age_years", "famous", "leaf_habit", "dbh_cm", "height_m",
                            "ground_diameter_cm", "crown_radius_m", "crown_diameter_m",
                            "recorded_grade"})


def _dbh_column(columns, used: set[str]) -> tuple[str, str] | None:
    """A DBH column whose header names another unit: 胸径(mm) → mm, 胸围/干围/girth → circumference."""
    import re

    for col in columns:
        if col in used or col == "geometry":
            continue
        key = re.sub(r"[\s_\-()（）]+", "", str(col)).lower()
        if key in ("胸径mm", "胸径毫米", "dbhmm"):
            return str(col), "mm"
        if key in ("胸围", "胸围cm", "胸围厘米", "干围", "干围cm", "girth", "girthcm", "circumference",
                   "circumferencecm", "周长", "周长cm"):
            return str(col), "circumference_cm"
    return None


# ----------------------------------------------------------------------------- options

def _grade_values(items: list[str] | None, what: str) -> dict[int, float]:
    out: dict[int, float] = {}
    for item in items or []:
        for part in item.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise MapdeskError(f"{what}: expected GRADE=METRES such as 1=5, not {part!r}")
            g, m = part.split("=", 1)
            try:
                gi, mv = int(g), float(m)
            except ValueError:
                raise MapdeskError(f"{what}: expected GRADE=METRES such as 1=5, not {part!r}") from None
            if gi not in (1, 2, 3, 4):
                raise MapdeskError(f"{what}: grade must be 1-4, not {gi}")
            if not np.isfinite(mv) or mv < 0:
                raise MapdeskError(f"{what}: metres must be a number >= 0, not {m}")
            out[gi] = mv
    return out


def _zone_settings(args: argparse.Namespace):
    from mapdesk.domain.trees.zones import ZoneSettings

    return ZoneSettings(margin_m=_grade_values(args.margin_m, "--margin-m"),
                        fixed_radius_m=_grade_values(args.fixed_radius_m, "--fixed-radius-m"))


def _as_of(text: str | None) -> pd.Timestamp:
    from mapdesk.domain.trees.census import as_of_date

    try:
        return as_of_date(text)
    except ValueError:
        raise MapdeskError(f"--as-of: {text!r} is not a date (use YYYY-MM-DD)") from None


def _check_out(path: str, allowed: tuple[str, ...], what: str) -> Path:
    p = Path(path)
    if p.suffix.lower() not in allowed:
        raise MapdeskError(f"--out {p.name}: {what} can be written as {', '.join(allowed)}")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():  # fail before the (slow) load, not after
        raise MapdeskError(f"cannot write {p}: folder {folder} does not exist")
    return p


def _common_summary(reg: Registry) -> dict[str, Any]:
    no_geom = 0
    if "geometry" in reg.frame.columns:
        g = reg.frame.geometry
        no_geom = int((g.isna() | g.is_empty).sum())
    not_loaded = {k: int(v) for k, v in reg.rejected.items()}
    placed_fail = sum(v for k, v in not_loaded.items() if "coordinate" in k or "geometry" in k)
    return {"not_loaded": not_loaded, "without_coordinates": no_geom + placed_fail}


def _dbh_unit(args: argparse.Namespace, reg: Registry) -> str | None:
    """--dbh-unit wins; else a unit named by the column header (胸径(mm), 胸围)."""
    unit = getattr(args, "dbh_unit", None) or reg.dbh_unit_hint
    for note in reg.notes:
        sys.stderr.write(f"mapdesk: note: {note}\n")
    return "circumference_cm" if unit == "circumference" else unit


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


# ----------------------------------------------------------------------------- commands

def _cmd_grade(args: argparse.Namespace) -> int:
    from mapdesk.domain.trees.grading import grade_trees, grading_summary
    from mapdesk.domain.trees.registry import export_registry

    out = _check_out(args.out, TABLE_SUFFIXES + GEO_SUFFIXES, "the graded registry")
    reg = load_registry(args.registry, layer=args.layer, encoding=args.encoding, coords=args.coords)
    graded = grade_trees(reg.frame, dbh_unit=_dbh_unit(args, reg))
    export_registry(reg.to_source_names(graded), out, chinese_headers=args.chinese_headers)
    doc = {"registry": shown_source(args.registry), "out": str(out), **grading_summary(graded), **_common_summary(reg)}
    if args.json:
        print_json(doc)
    else:
        g = doc["by_grade"]
        cannot = doc.get("by_status", {}).get("cannot_grade", 0)
        why = ""
        if cannot:
            top = sorted(doc.get("issues", {}).items(), key=lambda kv: -kv[1])[:3]
            why = (f" (cannot grade {cannot}: "
                   + ", ".join(f"{code.replace('_', ' ')} {n}" for code, n in top) + ")")
        _say(f"{doc['trees']} trees graded: grade 1 {g['1']}, grade 2 {g['2']}, grade 3 {g['3']}, "
             f"grade 4 {g['4']}, none {g['none']}{why}; {doc['mismatches']} recorded grade(s) differ; "
             f"{doc['trees_with_issues']} tree(s) with data issues -> {out}")
        for h in doc["hints"]:
            _say(f"note: {h}")
        _report_not_loaded(doc)
    return 0


def _report_not_loaded(doc: dict) -> None:
    for reason, n in doc.get("not_loaded", {}).items():
        sys.stderr.write(f"mapdesk: warning: {n} row(s) not loaded: {reason}\n")


def _cmd_census(args: argparse.Namespace) -> int:
    from mapdesk.domain.trees.census import (
        census_counts,
        census_state,
        census_summary,
        census_worklist,
    )
    from mapdesk.domain.trees.grading import grade_trees
    from mapdesk.domain.trees.registry import export_registry

    out = _check_out(args.out, TABLE_SUFFIXES + GEO_SUFFIXES, "the registry with census state")
    wl_path = _check_out(args.worklist, TABLE_SUFFIXES + (".pdf",), "the work list") if args.worklist else None
    as_of = _as_of(args.as_of)
    reg = load_registry(args.registry, layer=args.layer, encoding=args.encoding, coords=args.coords)
    frame = census_state(grade_trees(reg.frame, dbh_unit=_dbh_unit(args, reg), as_of=as_of), as_of)
    export_registry(reg.to_source_names(frame), out, chinese_headers=args.chinese_headers)
    worklist = census_worklist(frame, as_of)
    if wl_path is not None and wl_path.suffix.lower() == ".pdf":
        from mapdesk.export.census_worklist import write_census_worklist

        write_census_worklist(frame, wl_path, as_of=as_of, lang=args.lang)
    elif wl_path is not None:
        _write_table(worklist, wl_path)
    summary = census_summary(frame)
    doc = {
        "registry": shown_source(args.registry), "out": str(out), "as_of": as_of.date().isoformat(),
        "trees": int(len(frame)),
        "by_state": census_counts(frame),
        "by_grade": summary["by_grade"].to_dict(orient="records"),
        "by_community": summary["by_community"].to_dict(orient="records"),
        "worklist_trees": int(len(worklist)),
        "worklist": str(wl_path) if wl_path else None,
        "date_issues": int((frame["census_issue"].fillna("") != "").sum()),
        **_common_summary(reg),
    }
    if args.json:
        print_json(doc)
    else:
        s = doc["by_state"]
        _say(f"{doc['trees']} trees as of {doc['as_of']}: overdue {s['overdue']}, due this year "
             f"{s['due_this_year']}, never surveyed {s['never_surveyed']}, up to date {s['ok']} -> {out}")
        if wl_path:
            _say(f"work list: {len(worklist)} tree(s) in {worklist['community'].nunique()} "
                 f"communit(ies) -> {wl_path}")
        _report_not_loaded(doc)
    return 0


def _cmd_record(args: argparse.Namespace) -> int:
    from mapdesk.domain.trees.census import census_state
    from mapdesk.domain.trees.grading import grade_trees
    from mapdesk.export.tree_record import write_tree_records

    out = _check_out(args.out, (".pdf",), "tree records")
    as_of = _as_of(args.as_of)
    context = None
    if args.context:
        from mapdesk.model import Project

        context = Project.load(args.context)
        for lyr in context.layers:
            if lyr.status != "ok":
                sys.stderr.write(f"mapdesk: warning: context layer {lyr.name!r} not drawn: {lyr.error}\n")
    reg = load_registry(args.registry, layer=args.layer, encoding=args.encoding, coords=args.coords)
    frame = census_state(grade_trees(reg.frame, dbh_unit=_dbh_unit(args, reg), as_of=as_of), as_of)
    ids = [i for item in (args.id or []) for i in item.split(",") if i.strip()] or None
    write_tree_records(frame, ids, out, lang=args.lang, as_of=as_of, context_layers=context,
                       settings=_zone_settings(args))
    pages = len(ids) if ids else len(frame)
    if ids:  # an id that occurs twice in the registry prints twice
        wanted = {i.strip() for i in ids}
        pages = int(frame["tree_id"].astype(str).str.strip().isin(wanted).sum())
    doc = {"registry": shown_source(args.registry), "out": str(out), "pages": pages, "lang": args.lang,
           "as_of": as_of.date().isoformat(), "context": args.context, **_common_summary(reg)}
    if args.json:
        print_json(doc)
    else:
        _say(f"{pages} tree record page(s) -> {out}")
        _report_not_loaded(doc)
    return 0


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    from mapdesk.domain.trees.registry import export_registry

    export_registry(frame, path)


def _cmd_zones(args: argparse.Namespace) -> int:
    from mapdesk.domain.trees.grading import grade_trees
    from mapdesk.domain.trees.zones import protection_zones

    out = _check_out(args.out, GEO_SUFFIXES, "protection zones (polygons)")
    settings = _zone_settings(args)
    reg = load_registry(args.registry, layer=args.layer, encoding=args.encoding, coords=args.coords)
    graded = grade_trees(reg.frame, dbh_unit=_dbh_unit(args, reg))
    zones = protection_zones(graded, settings)
    _write_geo(zones, out, "protection_zones")
    doc = {
        "registry": shown_source(args.registry), "out": str(out), "trees": int(len(graded)), "zones": int(len(zones)),
        "by_grade": {str(g): int((zones["grade"] == g).sum()) for g in (1, 2, 3, 4)},
        "radius_source": {k: int(v) for k, v in zones["radius_source"].value_counts().items()},
        "no_zone_ungraded": int(graded["grade_computed"].isna().sum()),
        "margin_m": {str(k): v for k, v in settings.margin_m.items()},
        "fixed_radius_m": {str(k): v for k, v in settings.fixed_radius_m.items()},
        **_common_summary(reg),
    }
    if args.json:
        print_json(doc)
    else:
        _say(f"{doc['zones']} protection zone(s) for {doc['trees']} trees "
             f"({doc['no_zone_ungraded']} without a grade get none) -> {out}")
        _report_not_loaded(doc)
    return 0


def _write_geo(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    from mapdesk.io.atomic import atomic_path

    gdf = frame.copy()
    for col in gdf.columns:
        if col != gdf.geometry.name and pd.api.types.is_object_dtype(gdf[col].dtype):
            gdf[col] = gdf[col].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                                    else str(v)).astype("string")
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".gpkg":
            gdf.to_file(tmp, layer=layer, driver="GPKG", engine="pyogrio")
        else:
            gdf.to_file(tmp, driver="GeoJSON", engine="pyogrio")


def _cmd_conflicts(args: argparse.Namespace) -> int:
    from mapdesk.domain.trees.conflicts import conflicts_summary, find_conflicts
    from mapdesk.domain.trees.grading import grade_trees
    from mapdesk.domain.trees.zones import protection_zones

    out = _check_out(args.out, TABLE_SUFFIXES + GEO_SUFFIXES, "conflicts")
    settings = _zone_settings(args)
    reg = load_registry(args.registry, layer=args.layer, encoding=args.encoding, coords=args.coords)
    against = load_registry(args.against, layer=args.against_layer, encoding=args.encoding,
                            coords=args.coords, role=None)
    from mapdesk.analysis.projection import require_same_area

    require_same_area({"trees": reg.frame, "--against features": against.frame})
    zones = protection_zones(grade_trees(reg.frame, dbh_unit=_dbh_unit(args, reg)), settings)
    conflicts = find_conflicts(zones, against.frame, feature_id=args.feature_id)
    if out.suffix.lower() in GEO_SUFFIXES:
        _write_geo(conflicts, out, "conflicts")
    else:
        table = pd.DataFrame(conflicts.drop(columns="geometry"))
        table["feature_index"] = table["feature_index"].astype(str)
        _write_table(table, out)
    doc = {"registry": shown_source(args.registry), "against": shown_source(args.against), "out": str(out),
           "features": int(len(against.frame)), "zones": int(len(zones)),
           **conflicts_summary(conflicts), **_common_summary(reg)}
    if args.json:
        print_json(doc)
    else:
        _say(f"{doc['conflicts']} conflict(s): {doc['features_in_conflict']} of {doc['features']} "
             f"feature(s) touch the protection zones of {doc['trees_affected']} tree(s) -> {out}")
        _report_not_loaded(doc)
    return 0


# ----------------------------------------------------------------------------- parser

def _add_load_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("registry", metavar="REGISTRY", help="tree registry: CSV/Excel with 经度/纬度, GeoPackage, ...")
    p.add_argument("--layer", help="layer or sheet of the registry file")
    p.add_argument("--encoding", help="text encoding of a CSV (detected when omitted)")
    p.add_argument("--coords", default="wgs84", choices=("wgs84", "gcj02", "bd09"),
                   help="datum of lon/lat columns (default wgs84); gcj02/bd09 are converted")
    p.add_argument("--json", action="store_true", help="print summary numbers as JSON")


def _add_dbh(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dbh-unit", choices=("cm", "mm", "circumference"), default=None,
                   help="unit of DBH numbers without a unit in the cell: cm (trusted), mm, or a "
                        "circumference in cm; default: cm, with values above 300 flagged as "
                        "probably mm and not used")


def _add_zone_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--margin-m", action="append", metavar="G=M",
                   help="margin added to the crown radius for grade G (default 1=5 2=5 3=3 4=3); repeatable")
    p.add_argument("--fixed-radius-m", action="append", metavar="G=M",
                   help="zone radius for grade G when the crown is unknown (default 1=15 2=12 3=8 4=6)")


def register(subparsers: argparse._SubParsersAction) -> None:
    trees = subparsers.add_parser(
        "trees", help="protected-tree registry: grades, census, protection zones, conflicts",
        description="Tools for the protected-tree registry (Shanxi urban ancient-tree rules).")
    sub = trees.add_subparsers(dest="trees_command", metavar="ACTION")
    trees.set_defaults(handler=lambda a: (trees.print_help(), 2)[1])

    p = sub.add_parser("grade", help="compute protection grades with reasons and mismatches")
    _add_load_options(p)
    _add_dbh(p)
    p.add_argument("--out", required=True, help="output .csv/.xlsx/.gpkg/.geojson")
    p.add_argument("--chinese-headers", action="store_true", help="Chinese names for the added columns")
    p.set_defaults(handler=guarded(_cmd_grade))

    p = sub.add_parser("census", help="five-yearly census state and the work list")
    _add_load_options(p)
    _add_dbh(p)
    p.add_argument("--as-of", help="reference date YYYY-MM-DD (default today)")
    p.add_argument("--out", required=True, help="registry with census columns: .csv/.xlsx/.gpkg/.geojson")
    p.add_argument("--worklist", help="also write the work list (trees to visit by community): "
                                       ".pdf (printable), .csv or .xlsx")
    p.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"), help="language of the PDF work list")
    p.add_argument("--chinese-headers", action="store_true", help="Chinese names for the added columns")
    p.set_defaults(handler=guarded(_cmd_census))

    p = sub.add_parser("record", help="printable record (PDF): one A4 page per tree with a locator map")
    _add_load_options(p)
    _add_dbh(p)
    _add_zone_options(p)
    p.add_argument("--out", required=True, help="output .pdf")
    p.add_argument("--id", action="append", metavar="ID",
                   help="tree id to print (repeatable, or comma-separated); default: every tree")
    p.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"), help="language of the record")
    p.add_argument("--as-of", help="census reference date YYYY-MM-DD (default today)")
    p.add_argument("--context", metavar="PROJECT",
                   help="a .mapdesk.json project whose streets, beats ... are drawn on the locator maps")
    p.set_defaults(handler=guarded(_cmd_record))

    p = sub.add_parser("zones", help="protection-zone polygons (crown + margin, or a fixed radius)")
    _add_load_options(p)
    _add_dbh(p)
    _add_zone_options(p)
    p.add_argument("--out", required=True, help="output .gpkg or .geojson")
    p.set_defaults(handler=guarded(_cmd_zones))

    p = sub.add_parser("conflicts", help="planned features (points/lines/polygons) inside protection zones")
    _add_load_options(p)
    _add_dbh(p)
    _add_zone_options(p)
    p.add_argument("--against", required=True, metavar="F", help="planned features: camera sites, works, pipes")
    p.add_argument("--against-layer", help="layer of the --against file")
    p.add_argument("--feature-id", help="column naming the planned features (default: id-like column)")
    p.add_argument("--out", required=True, help="conflicts: .gpkg/.geojson (with overlap geometry) or .csv/.xlsx")
    p.set_defaults(handler=guarded(_cmd_conflicts))
