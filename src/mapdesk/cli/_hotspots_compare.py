"""``mapdesk hotspots --compare / --compare-this-month / --before-after``: two periods and
their difference on the same cells with one shared colour scale."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from mapdesk.analysis.compare import (
    PeriodComparison,
    before_after_periods,
    compare_periods,
    data_dates,
    default_before_after_days,
    parse_period,
    period_days,
    this_month_periods,
)
from mapdesk.cli._common import print_json
from mapdesk.cli._incidents import filtered_incidents, write_cells
from mapdesk.errors import MapdeskError
from mapdesk.io.atomic import atomic_path

KDE_SUFFIXES = (".tif", ".tiff", ".png")
CELL_SUFFIXES = (".gpkg", ".geojson", ".json", ".csv", ".png")


def _check_args(args: argparse.Namespace, suffix: str) -> None:
    if args.method not in ("kde", "grid", "hex"):
        raise MapdeskError(f"comparisons are made with --method kde, grid or hex, not {args.method}")
    if args.date_from or args.date_to:
        raise MapdeskError("--from/--to cannot be combined with a comparison: the periods give the dates")
    if args.weight_field:
        raise MapdeskError("--weight-field is not supported in comparisons")
    if args.as_of and not args.compare_this_month:
        raise MapdeskError("--as-of belongs to --compare-this-month")
    if args.window_days is not None and not args.before_after:
        raise MapdeskError("--window-days belongs to --before-after")
    allowed = KDE_SUFFIXES if args.method == "kde" else CELL_SUFFIXES
    if suffix not in allowed:
        raise MapdeskError(f"a --method {args.method} comparison writes {', '.join(allowed)}; "
                           f"not {suffix or 'a name without suffix'}")


def choose_periods(args: argparse.Namespace, incidents) -> tuple[tuple[str, str], tuple[str, str], str]:
    """(period A, period B, how they were chosen) from the comparison flags."""
    if args.compare:
        a, b = (parse_period(t) for t in args.compare)
        return a, b, "given on the command line"
    if args.compare_this_month:
        as_of = args.as_of or str(data_dates(incidents)[1].date())
        a, b = this_month_periods(as_of)
        src = "--as-of" if args.as_of else "the last incident's day"
        return a, b, f"this month so far vs the same days of last month, as of {as_of} ({src})"
    days = args.window_days
    how = "user"
    if days is None:
        days = default_before_after_days(incidents, args.before_after)
        how = "the longest window the data cover on both sides"
    a, b = before_after_periods(args.before_after, days)
    return a, b, f"{days} days before vs {days} days from {b[0]} (window: {how})"


def periods_outside_data(incidents, periods: dict[str, tuple[str | None, str | None]]) -> list[str]:
    """Warnings for periods reaching before the first or after the last incident: there a
    count of 0 means "no data", and a change of −100 % would be read as a real fall."""
    import pandas as pd

    from mapdesk.analysis.compare import data_dates
    from mapdesk.errors import AnalysisError

    try:
        first, last = data_dates(incidents)
    except AnalysisError:
        return []
    out = []
    for name, (start, end) in periods.items():
        s = pd.Timestamp(start) if start else None
        e = pd.Timestamp(end) if end else None
        if (e is not None and e.normalize() > last) or (s is not None and s.normalize() < first):
            out.append(f"period {name} ({_label((start, end))}) reaches outside the data (incidents "
                       f"from {first.date()} to {last.date()}): days without data count as 0 there")
    return out


def _label(p: tuple[str, str]) -> str:
    return f"{p[0] or '…'} to {p[1] or '…'}"


def _summary(cmp: PeriodComparison, pa, pb) -> dict[str, Any]:
    na, nb = int(cmp.params["n_a"]), int(cmp.params["n_b"])
    da, db = period_days(pa), period_days(pb)
    change: dict[str, Any] = {"n": nb - na, "percent": None if na == 0 else round(100.0 * (nb - na) / na, 1)}
    if da and db:
        change["per_day_a"] = round(na / da, 3)
        change["per_day_b"] = round(nb / db, 3)
        change["per_day_percent"] = (None if na == 0 else
                                     round(100.0 * (nb / db - na / da) / (na / da), 1))
    return {"period_a": {"from": pa[0] or None, "to": pa[1] or None, "days": da, "n_incidents": na},
            "period_b": {"from": pb[0] or None, "to": pb[1] or None, "days": db, "n_incidents": nb},
            "change": change, "vmax": cmp.vmax, "diff_max": cmp.diff_max}


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def _outputs(out: Path) -> dict[str, Path]:
    base = out.with_suffix("")
    return {k: base.with_name(f"{base.name}_{k}{out.suffix}") for k in ("a", "b", "diff")}


def _write_gpkg(cmp: PeriodComparison, out: Path) -> None:
    with atomic_path(out) as tmp:
        for name, frame in (("period_a", cmp.a), ("period_b", cmp.b), ("difference", cmp.diff)):
            f = frame.copy()
            f.attrs = {}
            f.to_file(tmp, driver="GPKG", layer=name)


def _write_pngs(cmp: PeriodComparison, out: Path, files: dict[str, Path], method: str,
                pa, pb, filter_text: str, how: str) -> list[str]:
    from mapdesk.render.comparison_png import ColourScale, MapPanel, diff_scale, write_figure_png
    from mapdesk.render.legend_params import legend_lines

    if method == "kde":
        units = cmp.params["units"]
        value_a = value_b = value_d = "count"
        params = {k: cmp.params.get(k) for k in ("kernel", "bandwidth_m", "bandwidth_source", "cell_m")}
        params["method"] = "kde"
        ramp = "heat"
    else:
        units = f"incidents per {'square' if method == 'grid' else 'hexagon'} of {cmp.params['cell_m']:g} m"
        value_a = value_b = "count"
        value_d = "diff"
        params = {"method": method, "cell_m": cmp.params["cell_m"]}
        ramp = "heat"
    shared = ColourScale(ramp, 0.0, float(cmp.vmax) if cmp.vmax > 0 else 1.0, units)
    dscale = diff_scale(cmp.diff_max, units)
    na, nb = int(cmp.params["n_a"]), int(cmp.params["n_b"])
    pa_l, pb_l = _label(pa), _label(pb)
    panels = {
        "a": MapPanel(cmp.a, f"A: {pa_l}", shared, value_a, [f"{na:,} incidents"]),
        "b": MapPanel(cmp.b, f"B: {pb_l}", shared, value_b, [f"{nb:,} incidents"]),
        "diff": MapPanel(cmp.diff, "Change B − A", dscale, value_d,
                         [f"{nb - na:+,} incidents" + ("" if na == 0 else f" ({100.0 * (nb - na) / na:+.0f} %)")]),
    }
    what = "Incident density" if method == "kde" else "Incidents per cell"
    scope = "" if filter_text == "all incidents" else f" — {filter_text}"
    footer = ["; ".join(legend_lines(params)),
              f"A and B share one colour scale (0 to {_num(cmp.vmax)} {units}); the change uses a "
              f"scale symmetric around 0 (±{_num(cmp.diff_max)}); blank = none / no change.",
              f"Periods: {how}. Filter: {filter_text}."]
    written = []
    for key, panel in panels.items():
        title = f"{what}{scope}" if key != "diff" else f"Change in {what.lower()}{scope}"
        write_figure_png(files[key], [panel], title=title, footer=footer)
        written.append(str(files[key]))
    write_figure_png(out, list(panels.values()), title=f"{what}{scope}: A {pa_l} vs B {pb_l}",
                     footer=footer)
    written.append(str(out))
    return written


def run_compare(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffix = out.suffix.lower()
    _check_args(args, suffix)
    incidents, filter_text, load_info = filtered_incidents(args)
    pa, pb, how = choose_periods(args, incidents)
    cmp = compare_periods(incidents, pa, pb, method=args.method, cell_m=args.cell_m,
                          bandwidth_m=args.bandwidth_m, kernel=args.kernel, units=args.units)
    for w in periods_outside_data(incidents, {"A": pa, "B": pb}):
        print(f"mapdesk: warning: {w}", file=sys.stderr)
    if args.vmax is not None:
        if not (args.vmax > 0 and math.isfinite(args.vmax)):
            raise MapdeskError(f"--vmax must be a positive number, not {args.vmax}")
        cmp.vmax = float(args.vmax)
    for r in (cmp.a, cmp.b, cmp.diff):
        r.attrs["params"]["filter"] = filter_text
        r.attrs["params"]["vmax"] = cmp.vmax
    files = _outputs(out)
    if suffix == ".png":
        written = _write_pngs(cmp, out, files, args.method, pa, pb, filter_text, how)
    elif suffix in (".tif", ".tiff"):
        for key in ("a", "b", "diff"):
            getattr(cmp, key).to_geotiff(files[key])
        written = [str(files[k]) for k in ("a", "b", "diff")]
    elif suffix == ".gpkg":
        _write_gpkg(cmp, out)
        written = [f"{out}:period_a", f"{out}:period_b", f"{out}:difference"]
    else:
        for key in ("a", "b", "diff"):
            write_cells(getattr(cmp, key), files[key])
        written = [str(files[k]) for k in ("a", "b", "diff")]
    summary = _summary(cmp, pa, pb)
    if args.json:
        print_json({"command": "hotspots", "method": args.method, "mode": "compare",
                    "periods_chosen": how, "input": load_info, "filter": filter_text,
                    "outputs": written, "params": cmp.params, "summary": summary})
    else:
        ch = summary["change"]
        pct = "" if ch["percent"] is None else f" ({ch['percent']:+.1f} %)"
        print(f"{args.method} comparison: A {_label(pa)} {cmp.params['n_a']} incidents, "
              f"B {_label(pb)} {cmp.params['n_b']} incidents, change {ch['n']:+d}{pct}; "
              f"shared scale 0..{cmp.vmax:.4g} → {', '.join(written)}")
    return 0
