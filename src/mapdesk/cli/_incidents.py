"""Loading and filtering incidents for the analysis sub-commands (hotspots, temporal)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import geopandas as gpd

from mapdesk.analysis.filters import prepare_incidents, select_incidents
from mapdesk.cli._common import input_label
from mapdesk.errors import AnalysisError, MapdeskError
from mapdesk.io.atomic import atomic_path
from mapdesk.io.schema import to_canonical


def add_input_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("incidents", metavar="INCIDENTS", help="incident layer (GeoPackage, GeoJSON, Shapefile, CSV ..., "
                                                          "or a table: pg:CONNECTION/schema.table)")
    p.add_argument("--layer", help="layer or sheet name inside the file")
    add_loader_arguments(p)
    p.add_argument("--where", metavar="EXPR", help="pandas query on the (canonical) columns, e.g. \"status == 'reported'\"")
    p.add_argument("--type", dest="types", nargs="+", action="extend", metavar="T",
                   help="incident types to keep (codes such as ebike_theft, or English/Chinese labels)")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day, included (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true", help="print the parameters used and summary numbers as JSON")


def add_loader_arguments(p: Any) -> None:
    """The options that say how to read an incident table (a parser or an argument group)."""
    p.add_argument("--coords", default="wgs84", choices=("wgs84", "gcj02", "bd09"),
                   help="datum of lon/lat coordinates (default wgs84)")
    p.add_argument("--encoding", help="text encoding of a CSV (e.g. gbk, cp1252); detected when not given")
    p.add_argument("--x", metavar="COL", help="x / longitude column of a table (with --y)")
    p.add_argument("--y", metavar="COL", help="y / latitude column of a table (with --x)")
    p.add_argument("--wkt", metavar="COL", help="column of WKT geometries")
    p.add_argument("--crs", help="coordinate system when the file gives none, e.g. EPSG:32649")
    p.add_argument("--field", dest="fields", action="append", metavar="NAME=COLUMN",
                   help="use COLUMN as the incident field NAME (time, time_start, time_end, type, "
                        "status, community, incident_id); repeatable")


def parse_field_args(items: list[str] | None) -> dict[str, str] | None:
    """``["time=发生时间", ...]`` → ``{"time": "发生时间"}`` (``--field`` options)."""
    if not items:
        return None
    out: dict[str, str] = {}
    for item in items:
        name, sep, col = item.partition("=")
        if not sep or not name.strip() or not col.strip():
            raise MapdeskError(f"--field {item!r}: use NAME=COLUMN, e.g. --field time=CrimeDate")
        out[name.strip()] = col.strip()
    return out


def load_options(args: argparse.Namespace) -> dict[str, Any]:
    """The loader options (``--encoding``, ``--x/--y``, ``--wkt``, ``--crs``, ``--field``) given."""
    opts = {k: getattr(args, k, None) for k in ("encoding", "x", "y", "wkt", "crs")}
    opts["field_map"] = parse_field_args(getattr(args, "fields", None))
    return {k: v for k, v in opts.items() if v is not None}


def load_incidents(path: str, layer: str | None = None, coords: str = "wgs84",
                   **options: Any) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Read an incident layer and give it canonical column names and types.

    Uses :func:`mapdesk.io.load_layer` (role ``incidents``); ``options`` are passed on to
    it (``encoding``, ``x``, ``y``, ``wkt``, ``crs``, ``field_map``). Returns the frame and
    a small load summary for the JSON output.
    """
    from mapdesk.cli._common import check_input
    from mapdesk.io import load_layer

    check_input(path)

    loaded = load_layer(path, layer, coords=coords, role="incidents", **options)
    frame = to_canonical(loaded.frame, loaded.field_map)
    info = {"source": loaded.source, "layer": loaded.layer, "field_map": loaded.field_map,
            "loaded_rows": len(frame)}
    if loaded.report.rejected:
        info["rejected_rows"] = dict(loaded.report.rejected)
    return prepare_incidents(frame), info


def filtered_incidents(args: argparse.Namespace) -> tuple[gpd.GeoDataFrame, str, dict[str, Any]]:
    frame, info = load_incidents(args.incidents, args.layer, args.coords, **load_options(args))
    n_loaded = len(frame)
    if n_loaded == 0:
        rejected = info.get("rejected_rows") or {}
        why = ("; rows not placed: " + ", ".join(f"{n} {r}" for r, n in rejected.items())) if rejected else ""
        raise AnalysisError(f"{input_label(args.incidents)} holds no incidents with a location{why}")
    rejected = info.get("rejected_rows") or {}
    if rejected:
        import sys

        total = n_loaded + sum(rejected.values())
        why = ", ".join(f"{n} {r}" for r, n in rejected.items())
        sys.stderr.write(f"mapdesk: warning: {total - n_loaded} of {total} rows of "
                         f"{input_label(args.incidents)} are left out ({why}); "
                         "`mapdesk info` lists them\n")
    sel, text = select_incidents(frame, where=args.where, types=args.types,
                                 start=args.date_from, end=args.date_to)
    if len(sel) == 0:
        raise AnalysisError(f"no incidents left after filtering ({text}); {n_loaded} were loaded"
                            + (types_present(frame) if args.types else ""))
    info["n_after_filter"] = len(sel)
    return sel, text, info


def types_present(frame: gpd.GeoDataFrame, limit: int = 8) -> str:
    """``"; the types in the file are: burglary (6197), arson (125)"`` for an empty --type filter."""
    if "type" not in frame.columns or not len(frame):
        return "; the file has no incident type column"
    counts = frame["type"].astype("string").fillna("(none)").value_counts()
    listed = ", ".join(f"{t} ({n})" for t, n in counts.head(limit).items())
    more = f" and {len(counts) - limit} more" if len(counts) > limit else ""
    return f"; the types in the file are: {listed}{more}"


def period_text(args: argparse.Namespace) -> str | None:
    if not (args.date_from or args.date_to):
        return None
    return f"{args.date_from or '…'} to {args.date_to or '…'}"


def write_cells(cells: gpd.GeoDataFrame, out: Path) -> None:
    """Write a polygon result as GeoPackage, GeoJSON (WGS 84, as the format requires) or CSV
    (attributes, cell centre lon/lat and WKT geometry in the metric CRS); a database source
    (``pg:CONNECTION/schema.table``) gets the cells as a table, replaced in one transaction."""
    from mapdesk.cli._common import is_table_source

    if is_table_source(out):
        write_cells_to_table(cells, str(out))
        return
    suffix = out.suffix.lower()
    frame = cells.copy()
    frame.attrs = {}
    if suffix == ".gpkg":
        with atomic_path(out) as tmp:
            frame.to_file(tmp, driver="GPKG", layer=out.stem)
    elif suffix in (".geojson", ".json"):
        with atomic_path(out) as tmp:
            frame.to_crs(4326).to_file(tmp, driver="GeoJSON")
    elif suffix == ".csv":
        centre = frame.geometry.centroid.to_crs(4326)
        table = frame.drop(columns=frame.geometry.name)
        table["center_lon"] = centre.x.round(7).to_numpy()
        table["center_lat"] = centre.y.round(7).to_numpy()
        table["wkt"] = frame.geometry.to_wkt().to_numpy()
        with atomic_path(out) as tmp:
            table.to_csv(tmp, index=False, encoding="utf-8-sig")
    else:
        raise MapdeskError(f"cannot write cells to {out.name}: use .gpkg, .geojson or .csv")


def write_cells_to_table(cells: gpd.GeoDataFrame, source: str) -> int:
    """Write a result layer to the table ``source`` (replacing it), all rows or none."""
    from mapdesk.io.postgis.connections import connect
    from mapdesk.io.postgis.ref import parse_source
    from mapdesk.io.postgis.write import write_table

    ref, password = parse_source(source)
    frame = cells.copy()
    frame.attrs = {}
    with connect(ref, password=password) as conn:
        return write_table(conn, frame, ref.schema, ref.table, mode="replace", geometry=ref.geometry or "geom")
