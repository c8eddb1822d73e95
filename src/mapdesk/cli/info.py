"""``mapdesk info FILE``: what is in a file, as mapdesk would load it."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from mapdesk.cli._common import guarded, is_table_source, print_json, shown_source
from mapdesk.errors import MapdeskError
from mapdesk.io import LoadedLayer, list_layers, load_layer
from mapdesk.io.datum import DATUMS
from mapdesk.io.schema import ROLES


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "info", help="describe the layers of a file (fields, CRS, role, rejected rows)",
        description="Load every layer of FILE (or one with --layer) as mapdesk would, and print its "
        "name, geometry type, CRS, feature count, fields, detected role and field mapping, bounds "
        "and the rows that could not be placed.")
    p.add_argument("file", metavar="FILE", help="a data file, a project, or a database table "
                                                "(pg:CONNECTION/schema.table, postgresql://...?table=schema.table)")
    p.add_argument("--layer", help="only this layer (or Excel sheet)")
    p.add_argument("--encoding", help="text encoding of a CSV or Shapefile .dbf (e.g. gbk, cp1252)")
    p.add_argument("--coords", choices=DATUMS, default="wgs84",
                   help="datum of lon/lat values: gcj02 (Gaode/Tencent) and bd09 (Baidu) are converted to WGS 84")
    p.add_argument("--x", metavar="COL", help="x / longitude column of a table")
    p.add_argument("--y", metavar="COL", help="y / latitude column of a table")
    p.add_argument("--wkt", metavar="COL", help="column of WKT geometries")
    p.add_argument("--crs", help="coordinate system when the file gives none, e.g. EPSG:32649")
    p.add_argument("--swap-axes", dest="swap_axes", action="store_const", const=True, default=None,
                   help="the coordinates are (lat, lon): swap them")
    p.add_argument("--no-swap", dest="swap_axes", action="store_const", const=False,
                   help="never swap axes, even when they look swapped")
    p.add_argument("--role", choices=ROLES, help="treat the layer as this role instead of the detected one")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    kw = dict(encoding=args.encoding, coords=args.coords, x=args.x, y=args.y, wkt=args.wkt, crs=args.crs,
              role=args.role, swap_axes=args.swap_axes)
    from mapdesk.model.project import is_project_file

    if is_project_file(args.file):
        docs = project_docs(args.file)
    elif args.layer is not None:
        docs = [describe(load_layer(args.file, args.layer, **kw))]
    else:
        names = list_layers(args.file)
        if len(names) == 1:
            docs = [describe(load_layer(args.file, None, **kw))]
        else:
            # One unreadable layer must not hide the others: report it and go on.
            docs = []
            for name, _ in names:
                try:
                    docs.append(describe(load_layer(args.file, name, **kw)))
                except MapdeskError as exc:
                    docs.append({"name": name, "layer": name, "error": str(exc)})
    errors = [d for d in docs if "error" in d]
    if args.json:
        print_json({"file": shown_source(args.file), "layers": docs})
    else:
        print("\n\n".join(format_text(d) for d in docs if "error" not in d))
    for d in errors:
        print(f"mapdesk: error: layer {d['layer']}: {d['error']}", file=sys.stderr)
    return 2 if errors else 0


def project_docs(path: str) -> list[dict]:
    """Describe every data layer of a ``.mapdesk.json`` project, each loaded with the
    options saved in the project; a layer whose file is missing or unreadable becomes an
    ``error`` entry instead of stopping the others."""
    from pathlib import Path

    from mapdesk.model import Project

    project = Project.load(path, load_data=False)
    docs = []
    for lyr in project.layers:
        if not lyr.source or lyr.kind != "vector":
            continue
        try:
            if not is_table_source(lyr.source) and not Path(lyr.source).exists():
                raise MapdeskError(f"file not found: {lyr.source}")
            doc = describe(load_layer(lyr.source, lyr.layer_name, **lyr.load_options))
            doc["name"] = lyr.name
            docs.append(doc)
        except MapdeskError as exc:
            docs.append({"name": lyr.name, "layer": lyr.name, "error": str(exc)})
    return docs


def describe(layer: LoadedLayer) -> dict:
    """A JSON-ready description of a loaded layer."""
    frame = layer.frame
    geom = frame.geometry
    types = sorted(set(geom.geom_type.dropna())) if len(frame) else []
    bounds = [float(v) for v in frame.total_bounds] if len(frame) else None
    if bounds is not None and not np.all(np.isfinite(bounds)):
        bounds = None
    fields = [{"name": str(c), "dtype": str(frame[c].dtype)} for c in frame.columns if c != geom.name]
    return {
        "name": layer.name,
        "layer": layer.layer,
        "source": layer.source,
        "geometry_type": "/".join(types) if types else "none",
        "crs": layer.report.crs,
        "feature_count": len(frame),
        "fields": fields,
        "role": layer.role,
        "field_map": layer.field_map,
        "bounds": bounds,
        "report": layer.report.to_dict(),
    }


def format_text(d: dict) -> str:
    rep = d["report"]
    lines = [f"Layer: {d['name']}" + (f"  (layer '{d['layer']}')" if d["layer"] else ""),
             f"  geometry: {d['geometry_type']}",
             f"  CRS: {d['crs']}" + (f"  (converted from {rep['datum']})" if rep["datum"] != "wgs84" else ""),
             f"  features: {d['feature_count']} of {rep['total_rows']} rows"]
    if rep.get("encoding"):
        lines.append(f"  encoding: {rep['encoding']}")
    if rep.get("x_column"):
        xy = (f"'{rep['x_column']}'" if rep["x_column"] == rep["y_column"]
              else f"x='{rep['x_column']}', y='{rep['y_column']}'")
        lines.append(f"  coordinates from: {xy}")
    if d["bounds"]:
        b = d["bounds"]
        lines.append(f"  bounds: {b[0]:.6f}, {b[1]:.6f} .. {b[2]:.6f}, {b[3]:.6f}")
    lines.append(f"  role: {d['role']}")
    for canon, col in d["field_map"].items():
        lines.append(f"    {canon} <- {col}")
    lines.append(f"  fields ({len(d['fields'])}):")
    for f in d["fields"]:
        lines.append(f"    {f['name']}: {f['dtype']}")
    if rep["rejected"]:
        lines.append("  rejected rows:")
        for reason, n in rep["rejected"].items():
            ex = ", ".join(str(r) for r in rep["rejected_examples"].get(reason, []))
            lines.append(f"    {n} {reason}" + (f" (e.g. rows {ex})" if ex else ""))
    else:
        lines.append("  rejected rows: none")
    for col, n in rep["unparsed_dates"].items():
        lines.append(f"  unparsed dates: {n} in '{col}' (kept, time unknown)")
    for w in rep["warnings"]:
        lines.append(f"  note: {w}")
    if rep.get("datum", "wgs84") == "wgs84" and in_china(d["bounds"]):
        lines.append("  hint: the points lie in China; coordinates copied from a Chinese web map (Gaode, "
                     "Tencent: GCJ-02; Baidu: BD-09) are 300-700 m off WGS 84: load them with "
                     "--coords gcj02 or --coords bd09")
    return "\n".join(lines)


def in_china(bounds: list[float] | None) -> bool:
    """True when a WGS 84 box lies within mainland China's rough extent (where GCJ-02 applies)."""
    if not bounds:
        return False
    minx, miny, maxx, maxy = bounds
    return 73.0 <= minx and maxx <= 135.5 and 18.0 <= miny and maxy <= 53.6
