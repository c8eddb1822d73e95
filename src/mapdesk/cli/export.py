"""``mapdesk export PROJECT --out FILE``: print layout to PDF/PNG/JPEG/TIFF/SVG, or offline HTML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mapdesk.cli._common import guarded
from mapdesk.errors import MapdeskError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "export", help="export a map (PDF, PNG, JPEG, TIFF, SVG, offline HTML)",
        description="Export a project (or one data file) as a print layout (PDF, PNG, JPEG, TIFF, SVG) "
                    "or as an interactive HTML map that opens without network.")
    p.add_argument("project", help="a mapdesk project (*.mapdesk.json), a data file or a database table "
                                   "(pg:CONNECTION/schema.table) to map")
    p.add_argument("--out", "-o", required=True, help="output file: .pdf .png .jpg .tif .svg .html")
    p.add_argument("--page", default="A4", help="paper: A4 (default), A3, A2, Letter")
    p.add_argument("--landscape", action="store_true", help="landscape orientation")
    p.add_argument("--title", help="map title (default: the project's title)")
    p.add_argument("--subtitle", default="", help="subtitle under the title")
    p.add_argument("--author", default="", help="author or unit printed in the title block")
    p.add_argument("--source", default="", help="data source / attribution printed in the footer")
    p.add_argument("--date", help="printed date (default: today)")
    p.add_argument("--dpi", type=int, default=None, help="resolution (default 300; 150 for PNG/JPEG/TIFF)")
    p.add_argument("--margins-mm", type=float, default=10.0, help="page margins in mm (default 10)")
    p.add_argument("--lang", default="en", choices=["en", "zh_CN"], help="language of the page labels")
    p.add_argument("--overview", action="store_true", help="add an overview inset map")
    p.add_argument("--no-legend", action="store_true", help="leave the legend out")
    p.add_argument("--no-basemap", action="store_true", help="do not draw the project's basemap")
    p.add_argument("--tiles", help="HTML only: an online XYZ tile URL (default: no basemap, fully offline)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    p.set_defaults(handler=guarded(run))


def _open_project(path: str):
    from mapdesk.cli._common import input_label, is_table_source
    from mapdesk.model import Project
    from mapdesk.model.project import is_project_file

    if is_table_source(path):
        proj = Project(input_label(path))
        lyr = proj.add_layer_from_file(path)
        lyr.name = input_label(path)
        return proj
    src = Path(path)
    if not src.exists():
        raise MapdeskError(f"file not found: {src}")
    if is_project_file(src):
        return Project.load(src)
    if src.is_dir():
        raise MapdeskError(f"{src} is a folder, not a project or data file")
    proj = Project(src.stem)
    proj.add_layers_from_file(src)
    return proj


def run(args: argparse.Namespace) -> int:
    from mapdesk.export import PageLayout, export_map, format_for

    fmt = format_for(args.out)
    project = _open_project(args.project)
    broken = [f"{lyr.name}: {lyr.error}" for lyr in project.layers if lyr.status not in ("ok",)]
    for msg in broken:
        print(f"mapdesk: warning: layer not drawn: {msg}", file=sys.stderr)
    dpi = args.dpi or (150 if fmt in ("png", "jpeg", "tiff") else 300)
    layout = PageLayout(paper=args.page, landscape=args.landscape, margins_mm=args.margins_mm, dpi=dpi,
                        title=args.title if args.title is not None else project.title,
                        subtitle=args.subtitle, author=args.author, source=args.source, date=args.date,
                        overview=args.overview, legend=not args.no_legend, lang=args.lang,
                        basemap=not args.no_basemap)
    extra = {"tiles": args.tiles} if fmt == "html" and args.tiles else {}
    if args.tiles and fmt != "html":
        raise MapdeskError("--tiles only applies to .html output")
    res = export_map(project, args.out, layout, overwrite=args.overwrite, **extra)
    for w in res.warnings:
        print(f"mapdesk: warning: {w}", file=sys.stderr)
    files = ", ".join(str(p) for p in res.paths)
    scale = f", scale 1:{res.scale_denominator:,.0f}" if res.scale_denominator else ""
    print(f"wrote {files} ({res.format}, {res.pages} page(s){scale}, {res.seconds:.2f} s)")
    return 0
