"""``mapdesk briefing --incidents F --out briefing.pdf``: the daily briefing PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mapdesk.cli._common import guarded
from mapdesk.errors import MapdeskError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "briefing", help="write the daily briefing PDF (map, density, time chart, top places)",
        description="Write the daily briefing: the day's incidents on the map with counts by type; the "
                    "last 28 days' density next to the previous 28 days' on one colour scale; the "
                    "hour x weekday chart; the top locations against the previous period.")
    p.add_argument("--incidents", required=True, help="incident layer (GeoPackage, GeoJSON, CSV, ...)")
    p.add_argument("--layer", help="layer or sheet name inside the incidents file")
    p.add_argument("--date", help="the day to brief on, YYYY-MM-DD (default: yesterday)")
    p.add_argument("--project", help="a mapdesk project whose other layers are drawn under the incidents")
    p.add_argument("--lang", default="en", choices=["en", "zh_CN"], help="language of the briefing")
    p.add_argument("--out", "-o", required=True, help="output PDF")
    p.add_argument("--page", default="A4", help="paper: A4 (default), A3, A2, Letter")
    p.add_argument("--author", default="", help="unit printed in the title block")
    p.add_argument("--cell-m", type=float, default=250.0, help="grid cell for the top-locations table (m)")
    p.add_argument("--dpi", type=int, default=300, help="PDF resolution (default 300)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    p.set_defaults(handler=guarded(run))


def load_incidents(path: str, layer: str | None = None):
    """Read an incident file with the io reader and give it canonical column names."""
    from mapdesk.cli._common import is_table_source
    from mapdesk.io.schema import to_canonical

    if not is_table_source(path) and not Path(path).exists():
        raise MapdeskError(f"file not found: {path}")
    from mapdesk.io import load_layer

    loaded = load_layer(path, layer, role="incidents")
    return to_canonical(loaded.frame, loaded.field_map)


def run(args: argparse.Namespace) -> int:
    from mapdesk.export import PageLayout
    from mapdesk.export.briefing import write_briefing

    if not str(args.out).lower().endswith(".pdf"):
        raise MapdeskError("the briefing is a PDF: give --out a .pdf file")
    project = None
    if args.project:
        from mapdesk.model import Project

        project = Project.load(args.project)
    frame = load_incidents(args.incidents, args.layer)
    layout = PageLayout(paper=args.page, dpi=args.dpi, author=args.author, lang=args.lang)
    res = write_briefing(frame, args.out, day=args.date, project=project, lang=args.lang,
                         overwrite=args.overwrite, layout=layout, cell_m=args.cell_m)
    from mapdesk.cli.temporal import _outside_data

    info = res.info
    for w in [*_outside_data(frame, info["day"], 28), *res.warnings]:
        print(f"mapdesk: warning: {w}", file=sys.stderr)
    print(f"wrote {args.out} ({res.pages} pages, {info['incidents_on_day']} incidents on {info['day']}, "
          f"28-day daily mean {info['daily_mean_28d']}, {res.seconds:.2f} s)")
    return 0
