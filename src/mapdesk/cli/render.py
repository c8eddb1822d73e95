"""``mapdesk render``: draw a project or data files to PNG/PDF/SVG without a window."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mapdesk.cli._common import guarded
from mapdesk.errors import MapdeskError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "render", help="render a project or data files to PNG/PDF/SVG (headless)",
        description="Render a mapdesk project (.mapdesk.json) or data files to an image. "
                    "Works offline; online basemaps are used only when named.")
    p.add_argument("inputs", nargs="+", metavar="PROJECT_OR_FILES",
                   help="a .mapdesk.json project, or one or more data files or database tables "
                        "(pg:CONNECTION/schema.table, postgresql://...?table=schema.table)")
    p.add_argument("--out", "-o", required=True, help="output file: .png, .jpg, .pdf or .svg")
    p.add_argument("--width", type=int, default=1600, help="width in pixels (default 1600)")
    p.add_argument("--height", type=int, default=1000, help="height in pixels (default 1000)")
    p.add_argument("--dpi", type=float, default=96.0, help="resolution for symbol and text sizes (default 96)")
    p.add_argument("--extent", help="minlon,minlat,maxlon,maxlat (WGS 84); default: the project's "
                                    "saved view, else all layers")
    p.add_argument("--basemap", help="none, a .mbtiles file, a z/x/y tile folder, osm, tianditu, or a "
                                     "URL template (default: the project's basemap, else none)")
    p.add_argument("--tianditu-key", help="Tianditu API key (or set MAPDESK_TIANDITU_KEY)")
    p.add_argument("--no-decorations", action="store_true", help="no scale bar, north arrow, attribution")
    p.add_argument("--tile-timeout", type=float, default=10.0,
                   help="seconds to wait for online tiles (default 10)")
    p.set_defaults(handler=guarded(run))


def parse_extent(text: str) -> tuple[float, float, float, float]:
    parts = [s for s in text.replace(" ", "").split(",") if s]
    try:
        vals = tuple(float(v) for v in parts)
    except ValueError as exc:
        raise MapdeskError(f"invalid --extent {text!r}: need four numbers minlon,minlat,maxlon,maxlat") from exc
    if len(vals) != 4:
        raise MapdeskError(f"invalid --extent {text!r}: need four numbers minlon,minlat,maxlon,maxlat")
    minlon, minlat, maxlon, maxlat = vals
    if minlon >= maxlon or minlat >= maxlat:
        raise MapdeskError(f"invalid --extent {text!r}: the box has no area (min must be below max)")
    return vals  # type: ignore[return-value]


def load_inputs(inputs: list[str]):
    from mapdesk.cli._common import input_label, is_table_source
    from mapdesk.model import Project
    from mapdesk.model.project import distinct_colours, is_project_file

    tables = [s for s in inputs if is_table_source(s)]
    paths = [Path(s) for s in inputs if not is_table_source(s)]
    if len(paths) == 1 and not tables and is_project_file(paths[0]):
        return Project.load(paths[0])
    projects = [p for p in paths if is_project_file(p)]
    if projects:
        raise MapdeskError(f"{projects[0]} is a project: render it on its own, not with data files")
    first = inputs[0]
    project = Project("map" if len(inputs) > 1 else
                       input_label(first) if is_table_source(first) else Path(first).stem)
    for source in inputs:
        if is_table_source(source):
            # a database table: the model loads it whole, or keeps a big one on the server
            lyr = project.add_layer_from_file(source)
            lyr.name = input_label(source)
            continue
        path = Path(source)
        if not path.exists():
            raise MapdeskError(f"input not found: {path}")
        if path.is_dir():
            raise MapdeskError(f"{path} is a folder, not a data file")
        project.add_layers_from_file(path)
    distinct_colours(project.layers)
    return project


def run(args: argparse.Namespace) -> int:
    from mapdesk.render.basemaps import basemap_from_arg, basemap_source
    from mapdesk.render.fonts import ensure_qt_app
    from mapdesk.render.output import FORMATS, render_to_file
    from mapdesk.render.viewport import MapSettings

    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        raise MapdeskError(f"--out {out}: unknown format; use .png, .jpg, .pdf or .svg")
    if args.width <= 0 or args.height <= 0 or args.width * args.height > 400_000_000:
        raise MapdeskError(f"invalid size {args.width}x{args.height} px")
    if not (args.dpi > 0):
        raise MapdeskError(f"invalid --dpi {args.dpi}")
    ensure_qt_app()
    project = load_inputs(args.inputs)
    for layer in project.layers:
        if getattr(layer, "status", "ok") != "ok":
            print(f"mapdesk: warning: layer {layer.name!r} not drawn: {layer.error}", file=sys.stderr)
    if args.basemap is not None:
        spec = basemap_from_arg(args.basemap, key=args.tianditu_key)
        project.basemap = {**(getattr(project, "basemap", None) or {}), **spec}
    elif args.tianditu_key and (project.basemap or {}).get("kind") == "xyz":
        project.basemap = {**project.basemap, "key": args.tianditu_key}
    # A named basemap that cannot be used is an error here (in the GUI it is only reported).
    if (project.basemap or {}).get("kind", "none") != "none" and args.basemap is not None:
        basemap_source(project.basemap)
    if args.extent:
        extent = parse_extent(args.extent)
        margin = 0.0
    else:
        extent = getattr(project, "extent_wgs84", None)
        margin = 0.0
        if not extent:
            full = project.full_extent_wgs84() if hasattr(project, "full_extent_wgs84") else None
            if full is None:
                raise MapdeskError("nothing to draw: no layer has data; give --extent to render "
                                   "the basemap alone")
            extent, margin = full, 0.05
    settings = MapSettings.from_wgs84_extent(extent, args.width, args.height, dpi=args.dpi,
                                             margin=margin)
    report = render_to_file(project, settings, out, decorations=not args.no_decorations,
                            tile_wait_s=args.tile_timeout)
    print(f"wrote {out} ({settings.width_px}x{settings.height_px} px, "
          f"1:{settings.scale_denominator():,.0f}, {report.elapsed_ms:.0f} ms)")
    summary = report.summary()
    if summary:
        print(summary)
    for w in report.warnings:
        print(f"mapdesk: warning: {w}", file=sys.stderr)
    for e in report.tile_errors[:5]:
        print(f"mapdesk: warning: basemap: {e}", file=sys.stderr)
    return 0
