"""``mapdesk hotspots``: kernel density, grid/hex counts or Getis-Ord Gi* of incidents."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from mapdesk.analysis.density import KERNELS
from mapdesk.cli._common import guarded, is_table_source, print_json, shown_source
from mapdesk.cli._incidents import add_input_arguments, filtered_incidents, period_text, write_cells
from mapdesk.errors import MapdeskError

RASTER_SUFFIXES = (".tif", ".tiff", ".png")
CELL_SUFFIXES = (".gpkg", ".geojson", ".json", ".csv")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "hotspots", help="where incidents concentrate: kernel density, grid/hex counts, Gi* hot spots",
        description="Kernel density (raster .tif/.png), grid or hexagon counts, or Getis-Ord Gi* "
                    "hot/cold spots (cells .gpkg/.geojson/.csv) of an incident layer. Distances are "
                    "in metres in the local UTM zone; defaults are chosen from the data and reported "
                    "with --json.")
    add_input_arguments(p)
    p.add_argument("--method", choices=("kde", "grid", "hex", "gistar"), default="kde",
                   help="kde: density surface; grid/hex: counts per cell; gistar: hot spots (default kde)")
    p.add_argument("--cell-m", type=float, help="cell size in metres (default from the data)")
    p.add_argument("--bandwidth-m", type=float, help="KDE search radius in metres (σ for gaussian); "
                   "default ArcGIS's rule")
    p.add_argument("--kernel", choices=KERNELS, default="quartic", help="KDE kernel (default quartic)")
    p.add_argument("--units", choices=("per_km2", "count"), default="per_km2",
                   help="KDE output: incidents per km² or expected incidents per cell")
    p.add_argument("--weight-field", metavar="F", help="column of weights (KDE, grid, hex)")
    p.add_argument("--cells", choices=("square", "hex"), default="square",
                   help="cell shape Gi* aggregates into (default square)")
    p.add_argument("--include-empty", action="store_true",
                   help="grid/hex: also write the cells without incidents")
    p.add_argument("--nonempty-only", action="store_true",
                   help="Gi*: analyse only cells with incidents (default: every cell of the grid "
                        "spanning the incidents, zeros included)")
    p.add_argument("--distance-m", type=float, help="Gi* distance band in metres (default: as "
                   "ArcGIS Optimized Hot Spot Analysis)")
    p.add_argument("--knn", type=int, metavar="K", help="Gi* with K nearest neighbours instead of a distance band")
    p.add_argument("--fdr", action="store_true", help="Gi*: Benjamini-Hochberg false discovery rate correction")
    p.add_argument("--ramp", default="heat", help="PNG colour ramp for KDE (default heat)")
    p.add_argument("--vmax", type=float, help="PNG colour-scale maximum (to compare maps)")
    p.add_argument("--figure", action="store_true",
                   help="kde/grid/hex with --out FILE.png: a printable figure (title, colour strip in "
                        "real units, scale bar, parameters) instead of a bare one-pixel-per-cell overlay")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="output: .tif/.png (kde), .gpkg/.geojson/.csv (cells) or a database table "
                        "pg:CONNECTION/schema.table (cells; replaced in one transaction); with a comparison "
                        "a prefix: PREFIX_a, PREFIX_b and PREFIX_diff files (.gpkg: one file, three layers)")
    cmp_ = p.add_argument_group(
        "comparing two periods (kde, grid or hex)",
        "Period A, period B and the difference B − A on the same cells with one shared colour "
        "scale. PNG output draws figures with title, periods, units, parameters and a colour "
        "strip (PREFIX_a.png, PREFIX_b.png, PREFIX_diff.png and all three side by side in PREFIX.png).")
    modes = cmp_.add_mutually_exclusive_group()
    modes.add_argument("--compare", nargs=2, metavar=("A_FROM..A_TO", "B_FROM..B_TO"),
                       help="two periods, each FROM..TO with both days included")
    modes.add_argument("--compare-this-month", action="store_true",
                       help="this month so far vs the same days of last month, as of --as-of "
                            "(default: the data's last date)")
    modes.add_argument("--before-after", metavar="DATE",
                       help="equal windows before DATE and from DATE on (see --window-days)")
    cmp_.add_argument("--as-of", metavar="DATE", help="'today' for --compare-this-month (default: the last incident's day)")
    cmp_.add_argument("--window-days", type=int, metavar="N",
                      help="--before-after window length in days (default: the longest the data cover on both sides)")
    p.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    if args.compare or args.compare_this_month or args.before_after:
        from mapdesk.cli._hotspots_compare import run_compare

        if is_table_source(args.out):
            raise MapdeskError("a comparison writes files (PREFIX_a, PREFIX_b, PREFIX_diff): give --out a "
                               "file prefix, then `mapdesk db import` the ones to keep")

        return run_compare(args)
    if args.as_of or args.window_days is not None:
        raise MapdeskError("--as-of and --window-days belong to --compare-this-month / --before-after")
    to_table = is_table_source(args.out)
    out = args.out if to_table else Path(args.out)
    suffix = "" if to_table else out.suffix.lower()
    if to_table and (args.method == "kde" or args.figure):
        raise MapdeskError("a database table holds cells: use --method grid, hex or gistar (no --figure) with "
                           "--out pg:CONNECTION/schema.table")
    if not to_table:
        if args.method == "kde" and suffix not in RASTER_SUFFIXES:
            raise MapdeskError(f"--method kde writes a raster: use --out FILE.tif or FILE.png, not {out.name}")
        if args.figure and (suffix != ".png" or args.method == "gistar"):
            raise MapdeskError("--figure draws --method kde, grid or hex into --out FILE.png")
        if args.method != "kde" and suffix not in CELL_SUFFIXES and not args.figure:
            raise MapdeskError(f"--method {args.method} writes cells: use --out FILE.gpkg, .geojson or .csv, "
                               f"not {out.name}")
    if args.distance_m is not None and args.knn is not None:
        raise MapdeskError("give --distance-m or --knn, not both")
    if args.vmax is not None and not (args.vmax > 0 and math.isfinite(args.vmax)):
        raise MapdeskError(f"--vmax must be a positive number (the top of the colour scale), not {args.vmax}")
    incidents, filter_text, load_info = filtered_incidents(args)
    period = period_text(args)
    summary: dict[str, Any] = {"n_incidents": len(incidents)}
    if args.method == "kde":
        from mapdesk.analysis.density import kernel_density

        grid = kernel_density(incidents, cell_m=args.cell_m, bandwidth_m=args.bandwidth_m,
                              kernel=args.kernel, units=args.units, weight_field=args.weight_field,
                              filter_text=filter_text, period=period)
        if args.figure:
            _write_figure(grid, out, args.vmax, f"{grid.units}", "count")
        elif suffix == ".png":
            from mapdesk.render.raster_png import raster_to_png

            raster_to_png(grid, out, ramp=args.ramp, vmax=args.vmax)
        else:
            grid.to_geotiff(out)
        params = grid.params
        summary.update({"n_cells": int(grid.values.size), "rows": grid.shape[0], "cols": grid.shape[1],
                        "max_density": grid.max(), "units": grid.units, "bounds": list(grid.bounds)})
    elif args.method in ("grid", "hex"):
        from mapdesk.analysis.bins import hex_counts, square_counts

        if args.cell_m is None:
            from mapdesk.analysis.hotspots import default_aggregation_cell_m
            from mapdesk.analysis.projection import point_coords, to_metric

            x, y, ok = point_coords(to_metric(incidents))
            cell_m = default_aggregation_cell_m(x[ok], y[ok])
        else:
            cell_m = args.cell_m
        fn = square_counts if args.method == "grid" else hex_counts
        cells = fn(incidents, cell_m, weight_field=args.weight_field, include_empty=args.include_empty,
                   filter_text=filter_text, period=period)
        if args.figure:
            shape = "square" if args.method == "grid" else "hexagon"
            _write_figure(cells, out, args.vmax, f"incidents per {shape} of {cell_m:g} m", "count")
        else:
            write_cells(cells, out)
        params = cells.attrs["params"]
        params["cell_source"] = "user" if args.cell_m is not None else "default: about one incident per cell"
        summary.update({"n_cells": len(cells), "max_count": int(cells["count"].max()),
                        "n_counted": int(cells["count"].sum())})
    else:
        from mapdesk.analysis.hotspots import gistar_incidents

        cells = gistar_incidents(incidents, cell_m=args.cell_m, shape=args.cells,
                                 include_empty=not args.nonempty_only, distance_m=args.distance_m,
                                 knn=args.knn, fdr=args.fdr, filter_text=filter_text, period=period)
        keep = ["cell_id", "row", "col", "count", "density_per_km2", "gi_z", "gi_p", "gi_bin",
                "gi_class", "n_neighbors", "geometry"]
        write_cells(cells[keep], out)
        params = cells.attrs["params"]
        counts = cells["gi_bin"].value_counts()
        summary.update({"n_cells": len(cells), "n_hot": params["n_hot"], "n_cold": params["n_cold"],
                        "by_class": {c: int(counts.get(b, 0)) for b, c in
                                     ((3, "Hot 99%"), (2, "Hot 95%"), (1, "Hot 90%"), (0, "Not significant"),
                                      (-1, "Cold 90%"), (-2, "Cold 95%"), (-3, "Cold 99%"))},
                        "max_z": float(cells["gi_z"].max()), "min_z": float(cells["gi_z"].min())})
    if args.json:
        print_json({"command": "hotspots", "method": args.method, "input": load_info,
                    "output": str(shown_source(out)), "filter": filter_text, "params": params, "summary": summary})
    else:
        extra = ""
        if args.method == "gistar":
            extra = f", {summary['n_hot']} hot / {summary['n_cold']} cold cells"
        print(f"{args.method}: {len(incidents)} incidents → {shown_source(out)}{extra}")
    return 0


def _write_figure(result, out: Path, vmax: float | None, units: str, value: str) -> None:
    """One result as a printable PNG figure with its colour strip and parameters."""
    from mapdesk.render.comparison_png import ColourScale, MapPanel, write_figure_png
    from mapdesk.render.legend_params import legend_lines

    params = result.attrs["params"]
    top = vmax if vmax is not None else (result.max() if hasattr(result, "max") and not hasattr(result, "columns")
                                         else float(result[value].max()))
    if not (top and top > 0):
        top = 1.0
    scale = ColourScale("heat", 0.0, float(top), units)
    n = params.get("n_points")
    what = "Incident density" if params.get("method") == "kde" else "Incidents per cell"
    period = params.get("period")
    panel = MapPanel(result, period or "all dates", scale, value,
                     [f"{n:,} incidents" if n is not None else ""])
    flt = params.get("filter") or "all incidents"
    title = what if flt == "all incidents" else f"{what} — {flt}"
    write_figure_png(out, [panel], title=title, footer=["; ".join(legend_lines(params))])
