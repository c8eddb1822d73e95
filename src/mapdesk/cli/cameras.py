"""``mapdesk cameras coverage|suggest|impact``: camera coverage, new sites, before/after effect.

Every output goes through ``atomic_path``. A vector ``--out`` (``.gpkg``, ``.geojson``,
``.fgb``) gets the main layer; companion tables are written beside it as CSV
(``<stem>_by_type.csv``, ``<stem>_curve.csv`` ...), chart-ready.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapdesk.cli._common import guarded, print_json
from mapdesk.errors import LoadError, MapdeskError
from mapdesk.io.atomic import atomic_path

if TYPE_CHECKING:  # geopandas/pandas load lazily: `mapdesk --help` must stay quick
    import geopandas as gpd
    import pandas as pd

# no Shapefile: its side-car files cannot be renamed into place atomically
VECTOR_SUFFIXES = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON",
                   ".fgb": "FlatGeobuf"}
_LON = ("lon", "lng", "long", "longitude", "x", "经度")
_LAT = ("lat", "latitude", "y", "纬度")


# --------------------------------------------------------------------------- loading

def load_input(path: str, role: str, **options: Any) -> gpd.GeoDataFrame:
    """Read ``path`` (every layer of it) as a layer of ``role`` with canonical column names;
    ``options`` go to :func:`mapdesk.io.load_layer` (``coords``, ``x``, ``y``, ``field_map`` …)."""
    from mapdesk.cli._common import check_input

    check_input(path)
    return _normalise(_load_all_layers(path, role, **options), role)


def _load_all_layers(p: str, role: str, **options: Any) -> gpd.GeoDataFrame:
    """Every layer of ``p`` (all folders of a KML: existing, new, planned cameras …) as one
    frame with canonical columns; the loader's notes go to stderr so nothing is hidden."""
    import sys

    import pandas as pd

    from mapdesk.cli._common import input_label
    from mapdesk.io import list_layers, load_layer
    from mapdesk.io.schema import to_canonical

    label = input_label(p)
    names = [n for n, _ in list_layers(p)]
    if len(names) <= 1:
        loaded = [load_layer(p, role=role, **options)]
    else:
        loaded = [ld for ld in (load_layer(p, n, role=role, **options) for n in names) if len(ld.frame)]
        counts = " + ".join(f"{len(ld.frame)} ({ld.layer})" for ld in loaded)
        sys.stderr.write(f"mapdesk: note: {label}: read all {len(names)} layers: {counts}\n")
        if not loaded:
            raise LoadError(f"{label}: none of its {len(names)} layers has features")
    for ld in loaded:
        for w in ld.report.warnings:
            if "loaded '" in w and len(names) > 1:
                continue  # "file has N layers; loaded the first" no longer applies
            sys.stderr.write(f"mapdesk: note: {label}: {w}\n")
    frames = [to_canonical(ld.frame, ld.field_map) for ld in loaded]
    if len(frames) == 1:
        return frames[0]
    crs = frames[0].crs
    frames = [f.to_crs(crs) if f.crs != crs else f for f in frames]
    import geopandas as gpd

    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry=frames[0].geometry.name, crs=crs)


def _normalise(frame: gpd.GeoDataFrame, role: str) -> gpd.GeoDataFrame:
    import pandas as pd

    frame = frame.copy()
    if role == "incidents":
        from mapdesk.domain.incidents import normalize_type

        if "type" in frame.columns:
            frame["type"] = normalize_type(frame["type"])
        for col in ("time", "time_start", "time_end"):
            if col in frame.columns and not pd.api.types.is_datetime64_any_dtype(frame[col]):
                frame[col] = pd.to_datetime(frame[col], errors="coerce")
    if role == "cameras" and "install_date" in frame.columns:
        frame["install_date"] = pd.to_datetime(frame["install_date"], errors="coerce")
    if role == "cameras":
        frame["camera_id"] = camera_ids(frame)
    if frame.crs is None:
        raise LoadError("the layer has no CRS; give one when loading it")
    return frame


def camera_ids(frame: pd.DataFrame) -> pd.Series:
    """Camera ids as text, one per row, for joins and messages.

    Ids read as numbers (``17.0`` because one id is missing) become ``"17"``; a camera
    without an id is named after its row (``"row 5"``, 1-based), so warnings can point at it.
    """
    import pandas as pd

    n = len(frame)
    rows = pd.Series([f"row {i}" for i in range(1, n + 1)], index=frame.index, dtype="string")
    if "camera_id" not in frame.columns:
        return rows
    raw = frame["camera_id"]
    if pd.api.types.is_float_dtype(raw):
        whole = raw.notna() & (raw == raw.round())
        text = raw.astype("string")
        text[whole] = raw[whole].astype("int64").astype("string")
    else:
        text = raw.astype("string").str.strip()
        text = text.mask(text == "")
    return text.fillna(rows)


def _same_area(layers: dict[str, Any]) -> None:
    from mapdesk.analysis.projection import require_same_area

    require_same_area(layers)


def load_zones(path: str) -> gpd.GeoDataFrame:
    """Tree protection zones from a tree layer (points → ``protection_zones``) or a layer
    that already holds zone polygons."""
    trees = load_input(path, "trees")
    polys = trees.geom_type.isin(["Polygon", "MultiPolygon"])
    if len(trees) and polys.all():
        return trees
    from mapdesk.domain.trees import protection_zones

    return protection_zones(trees)


# --------------------------------------------------------------------------- writing

def _companion(out: Path, suffix: str, ext: str = ".csv") -> Path:
    return out.with_name(f"{out.stem}_{suffix}{ext}")


def write_layer(frame: gpd.GeoDataFrame, out: Path) -> None:
    import pandas as pd

    """Write a result layer by suffix (vector formats, or CSV with WKT geometry)."""
    suffix = out.suffix.lower()
    frame = frame.copy()
    for col in frame.columns:
        if col != frame.geometry.name and isinstance(frame[col].dtype, pd.StringDtype):
            frame[col] = frame[col].astype(object)
    with atomic_path(out) as tmp:
        if suffix == ".csv":
            table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
            table["geometry_wkt"] = frame.geometry.to_wkt()
            table.to_csv(tmp, index=False)
        elif suffix == ".gpkg":
            # the layer is named after the final file, not the temporary one
            frame.to_file(tmp, driver="GPKG", layer=out.stem)
        elif suffix in VECTOR_SUFFIXES:
            frame.to_file(tmp, driver=VECTOR_SUFFIXES[suffix])
        else:
            raise MapdeskError(f"unsupported output format {out.suffix!r}: use .gpkg, .geojson, "
                               ".fgb or .csv")


def write_table(frame: pd.DataFrame, out: Path) -> None:
    with atomic_path(out) as tmp:
        frame.to_csv(tmp, index=False)


def _check_out(path: str, allowed: tuple[str, ...]) -> Path:
    out = Path(path)
    if out.suffix.lower() not in allowed:
        raise MapdeskError(f"unsupported output format {out.suffix!r} for {out.name}: use "
                           + ", ".join(allowed))
    return out


def _defaults(args: argparse.Namespace):
    from mapdesk.domain.cameras import CameraDefaults

    return CameraDefaults(fov_deg=args.default_fov_deg, range_m=args.default_range_m)


# --------------------------------------------------------------------------- commands

def _coverage(args: argparse.Namespace) -> int:
    from mapdesk.analysis.coverage import coverage_report

    out = _check_out(args.out, (*VECTOR_SUFFIXES, ".csv"))
    cams = load_input(args.cameras, "cameras")
    inc = _filter_types(load_input(args.incidents, "incidents", **_incident_options(args)), args.type)
    beats = load_input(args.beats, "generic") if args.beats else None
    clusters = load_input(args.clusters, "generic") if args.clusters else None
    _same_area({"cameras": cams, "incidents": inc, "beats": beats, "clusters": clusters})
    rep = coverage_report(cams, inc, beats, clusters, defaults=_defaults(args),
                          cell_m=args.cell_m, min_uncovered=args.min_uncovered,
                          exclude_statuses=tuple(args.exclude_status or ("planned",)))
    cov = rep.coverage.merge(rep.per_camera[["camera_id", "incidents_seen"]], on="camera_id",
                             how="left") if len(rep.coverage) else rep.coverage
    write_layer(cov, out)
    write_table(rep.by_type, _companion(out, "by_type"))
    write_table(rep.by_beat, _companion(out, "by_beat"))
    write_layer(rep.clusters, _companion(out, "uncovered_clusters", out.suffix if out.suffix.lower() != ".csv" else ".csv"))
    doc = rep.summary()
    doc["outputs"] = [str(out), str(_companion(out, "by_type")), str(_companion(out, "by_beat")),
                      str(_companion(out, "uncovered_clusters", out.suffix))]
    _report(args, doc, f"{rep.n_covered} of {rep.n_incidents} incidents covered "
                       f"({rep.share_covered:.1%}); coverage written to {out}", rep.warnings)
    return 0


def _suggest(args: argparse.Namespace) -> int:

    from mapdesk.analysis.placement import incident_weights, suggest_sites

    out = _check_out(args.out, (*VECTOR_SUFFIXES, ".csv"))
    inc = _filter_types(load_input(args.incidents, "incidents", **_incident_options(args)), args.type)
    cams = load_input(args.cameras, "cameras") if args.cameras else None
    # read as cameras so that direction/fov/range columns get their canonical names
    cands = load_input(args.candidates, "cameras") if args.candidates else None
    zones = load_zones(args.trees) if args.trees else None
    excl = load_input(args.exclude, "generic") if args.exclude else None
    _same_area({"incidents": inc, "cameras": cams, "candidate sites": cands,
                       "tree zones": zones, "exclusion areas": excl})
    type_weights = _parse_type_weights(args.type_weight)
    weights = incident_weights(inc, half_life_days=args.half_life_days, type_weights=type_weights)
    res = suggest_sites(inc, args.k, candidates=cands, existing=cams, zones=zones,
                        exclusions=excl, radius_m=args.radius_m, min_spacing_m=args.min_spacing_m,
                        existing_spacing_m=args.existing_spacing_m, weights=weights,
                        solver=args.solver, compute_gap=True if args.gap else None,
                        candidate_spacing_m=args.candidate_spacing_m,
                        time_limit_s=args.time_limit_s, defaults=_defaults(args),
                        exact_curve=args.exact_curve)
    write_layer(res.sites, out)
    ext = out.suffix if out.suffix.lower() != ".csv" else ".csv"
    write_layer(res.excluded, _companion(out, "excluded", ext))
    write_table(res.curve, _companion(out, "curve"))
    _curve_png(res.curve, _companion(out, "curve", ".png"))
    doc = res.summary()
    doc["outputs"] = [str(out), str(_companion(out, "excluded", ext)), str(_companion(out, "curve")),
                      str(_companion(out, "curve", ".png"))]
    if res.gap is None:
        gap = "; optimality not proven (time limit)" if res.solver == "exact" else ""
    elif res.solver == "exact":
        gap = "; optimal" if res.gap < 1e-6 else f"; remaining MIP gap {res.gap:.2%}"
    else:
        gap = f"; gap to optimum {res.gap:.2%}"
    _report(args, doc, f"{len(res.sites)} site(s) chosen ({res.solver}); share covered "
                       f"{res.stats['share_covered']:.1%}{gap}; written to {out}", res.warnings)
    return 0


def _impact(args: argparse.Namespace) -> int:
    import pandas as pd

    from mapdesk.analysis.impact import camera_impact

    out = _check_out(args.out, (".csv", *VECTOR_SUFFIXES))
    cams = load_input(args.cameras, "cameras")
    inc = load_input(args.incidents, "incidents", **_incident_options(args))
    beats = load_input(args.beats, "generic") if args.beats else None
    _same_area({"cameras": cams, "incidents": inc, "beats": beats})
    res = camera_impact(cams, inc, window_days=args.window_days, types=args.type or None,
                        group_by=args.group_by, control=args.control, buffer_m=args.buffer_m,
                        control_inner_m=args.control_ring_m[0],
                        control_outer_m=args.control_ring_m[1], beats=beats,
                        only_new=not args.all_dated, defaults=_defaults(args))
    if out.suffix.lower() == ".csv":
        write_table(res.table, out)
        areas_out = _companion(out, "areas", ".gpkg")
    else:
        write_layer(res.areas, out)
        areas_out = out
        write_table(res.table, _companion(out, "table"))
    if areas_out != out:
        write_layer(res.areas, areas_out)
    write_table(res.chart, _companion(out, "chart"))
    _impact_png(res.chart, _companion(out, "chart", ".png"))
    doc = res.summary()
    doc["outputs"] = sorted({str(out), str(areas_out), str(_companion(out, "chart")),
                             str(_companion(out, "chart", ".png"))})
    last = res.table.iloc[-1]
    wdq = "n/a" if pd.isna(last["wdq"]) else f"{last['wdq']:.2f}"
    _report(args, doc, f"{last['group']}: treatment {last['Rb']}→{last['Ra']}, buffer "
                       f"{last['Db']}→{last['Da']}, control {last['Cb']}→{last['Ca']}; WDQ {wdq}: "
                       f"{last['interpretation']}; written to {out}", res.warnings)
    return 0


def _curve_png(curve: pd.DataFrame, path: Path) -> None:
    """The coverage-versus-k curve as a chart (share of all incidents covered, in %)."""
    from mapdesk.render.charts import paint_line_chart, save_chart_png

    def paint(p, rect):
        paint_line_chart(p, rect, curve["k"], 100 * curve["share_covered"],
                         title="Coverage versus number of new cameras",
                         xlabel="new cameras (k)", ylabel="incidents covered (%)")

    save_chart_png(paint, path, 1200, 700)


def _impact_png(chart: pd.DataFrame, path: Path) -> None:
    """Before/after incident counts per area (treatment, buffer, control), per camera group."""
    from mapdesk.render.charts import paint_grouped_bars, save_chart_png

    table = chart.pivot_table(index=["group", "area"], columns="period", values="incidents",
                              aggfunc="sum", sort=False).fillna(0)
    groups = [a if table.index.get_level_values(0).nunique() == 1 else f"{g}: {a}"
              for g, a in table.index]
    series = {per: table[per].to_numpy() for per in ("before", "after") if per in table.columns}

    def paint(p, rect):
        paint_grouped_bars(p, rect, groups, series, title="Incidents before and after installation",
                           ylabel="incidents")

    save_chart_png(paint, path, 1200, 700)


def _filter_types(inc: gpd.GeoDataFrame, types: list[str] | None) -> gpd.GeoDataFrame:
    if not types:
        return inc
    if "type" not in inc.columns:
        raise MapdeskError("--type given but the incidents have no type column")
    out = inc[inc["type"].astype("string").isin(types).to_numpy()]
    if len(out) == 0:
        raise MapdeskError(f"no incident of type {', '.join(types)}")
    return out


def _parse_type_weights(items: list[str] | None) -> dict[str, float] | None:
    if not items:
        return None
    out = {}
    for item in items:
        name, sep, val = item.partition("=")
        try:
            out[name.strip()] = float(val)
        except ValueError:
            sep = ""
        if not sep:
            raise MapdeskError(f"--type-weight expects TYPE=WEIGHT, got {item!r}")
    return out


def _report(args: argparse.Namespace, doc: dict[str, Any], line: str, warnings: list[str]) -> None:
    import sys

    if args.json:
        print_json(doc)
        return
    for w in warnings:
        print(f"mapdesk: warning: {w}", file=sys.stderr)
    print(line)


# --------------------------------------------------------------------------- parser

def _incident_options(args: argparse.Namespace) -> dict[str, Any]:
    from mapdesk.cli._incidents import load_options

    return {"coords": args.coords, **load_options(args)}


def _camera_defaults_args(p: argparse.ArgumentParser) -> None:
    from mapdesk.cli._incidents import add_loader_arguments

    add_loader_arguments(p.add_argument_group("reading the --incidents table"))
    p.add_argument("--default-range-m", type=float, default=50.0,
                   help="range assumed for cameras without one (default 50)")
    p.add_argument("--default-fov-deg", type=float, default=90.0,
                   help="field of view assumed for cameras with a direction but no angle (default 90)")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("cameras", help="camera coverage, new sites, before/after effect",
                                   description=__doc__)
    sub = parser.add_subparsers(dest="cameras_command", metavar="ACTION")
    parser.set_defaults(handler=lambda a: (parser.print_help(), 2)[1])

    c = sub.add_parser("coverage", help="share of incidents inside camera coverage")
    c.add_argument("--cameras", required=True, help="camera layer")
    c.add_argument("--incidents", required=True, help="incident layer (already filtered)")
    c.add_argument("--beats", help="community-beat polygons")
    c.add_argument("--clusters", help="polygons of hot cells (from `mapdesk hotspots`)")
    c.add_argument("--type", action="append", help="count only this incident type (repeatable)")
    c.add_argument("--cell-m", type=float, default=100.0,
                   help="grid cell for uncovered clusters when no --clusters (default 100)")
    c.add_argument("--min-uncovered", type=int, default=3,
                   help="uncovered incidents a grid cell needs to be a cluster (default 3)")
    c.add_argument("--exclude-status", action="append", metavar="STATUS",
                   help="leave out cameras with this status (repeatable; default: planned; "
                        "e.g. --exclude-status planned --exclude-status fault)")
    c.add_argument("--out", required=True, help="coverage wedges (.gpkg/.geojson/.csv)")
    _camera_defaults_args(c)
    c.set_defaults(handler=guarded(_coverage))

    s = sub.add_parser("suggest", help="where the next k cameras would cover most incidents")
    s.add_argument("--incidents", required=True)
    s.add_argument("--cameras", help="existing cameras (what they cover counts as covered)")
    s.add_argument("--candidates", help="candidate sites (default: generated near incidents)")
    s.add_argument("--trees", help="tree layer (protection zones are computed) or zone polygons")
    s.add_argument("--exclude", help="polygons where no camera may go")
    s.add_argument("--k", type=int, default=19, help="number of new cameras (default 19)")
    s.add_argument("--radius-m", type=float, default=50.0,
                   help="coverage radius of a candidate without direction (default 50)")
    s.add_argument("--min-spacing-m", type=float, default=0.0,
                   help="minimum distance between new cameras (default 0)")
    s.add_argument("--existing-spacing-m", type=float, default=None,
                   help="minimum distance from existing cameras (default: --min-spacing-m)")
    s.add_argument("--solver", choices=("greedy", "exact"), default="greedy")
    s.add_argument("--gap", action="store_true",
                   help="also solve exactly to report the greedy gap (automatic on small instances)")
    s.add_argument("--exact-curve", action="store_true",
                   help="add the optimum for every k to the curve CSV (one MILP per k)")
    s.add_argument("--time-limit-s", type=float, default=60.0, help="exact solver time limit")
    s.add_argument("--half-life-days", type=float, default=None,
                   help="weight incidents by recency with this half-life")
    s.add_argument("--type", action="append", help="only incidents of this type (repeatable)")
    s.add_argument("--type-weight", action="append", metavar="TYPE=W",
                   help="weight of an incident type, e.g. ebike_theft=2 ('*' for the rest)")
    s.add_argument("--candidate-spacing-m", type=float, default=25.0,
                   help="grid spacing of generated candidates (default 25)")
    s.add_argument("--out", required=True, help="chosen sites (.gpkg/.geojson/.csv)")
    _camera_defaults_args(s)
    s.set_defaults(handler=guarded(_suggest))

    i = sub.add_parser("impact", help="before/after effect of installed cameras (WDQ)")
    i.add_argument("--cameras", required=True, help="cameras with install_date")
    i.add_argument("--incidents", required=True)
    i.add_argument("--window-days", type=int, default=180,
                   help="length of the before and after windows (default 180, capped by data)")
    i.add_argument("--type", action="append", help="only incidents of this type (repeatable)")
    i.add_argument("--group-by", choices=("all", "month", "camera"), default="all")
    i.add_argument("--control", choices=("ring", "beat"), default="ring")
    i.add_argument("--beats", help="community-beat polygons (for --control beat)")
    i.add_argument("--buffer-m", type=float, default=100.0, help="buffer ring width (default 100)")
    i.add_argument("--control-ring-m", type=float, nargs=2, default=(100.0, 300.0),
                   metavar=("INNER", "OUTER"), help="control ring (default 100 300)")
    i.add_argument("--all-dated", action="store_true",
                   help="evaluate every camera with an install date, not only is_new ones")
    i.add_argument("--out", required=True, help="table (.csv) or areas layer (.gpkg)")
    _camera_defaults_args(i)
    i.set_defaults(handler=guarded(_impact))
