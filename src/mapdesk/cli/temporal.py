"""``mapdesk temporal``: when incidents happen (hour × weekday, aoristic) and daily counts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mapdesk.cli._common import guarded, print_json
from mapdesk.cli._incidents import add_input_arguments, filtered_incidents
from mapdesk.errors import MapdeskError
from mapdesk.io.atomic import atomic_path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "temporal", help="hour-of-day × day-of-week table or heat chart, daily counts",
        description="Aoristic hour × weekday counts of incidents (a window's weight is spread over "
                    "the hours it covers) as CSV or a PNG heat chart; optionally daily counts.")
    add_input_arguments(p)
    p.add_argument("--out", metavar="FILE", help="FILE.csv (table) or FILE.png (heat chart); with "
                   "--briefing a FILE.csv of the briefing table (optional: it is printed anyway)")
    p.add_argument("--daily", metavar="FILE", help="also write daily counts: FILE.csv or FILE.png")
    p.add_argument("--max-window-days", type=float, default=7.0,
                   help="windows longer than this are spread evenly over the week (default 7)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="labels in English or Chinese")
    p.add_argument("--title", help="chart title")
    p.add_argument("--briefing", metavar="DATE",
                   help="morning briefing: DATE (YYYY-MM-DD, 'yesterday' or 'latest' = the last day "
                        "with incidents) against the daily mean of the days before it, overall, by "
                        "type and by community beat")
    p.add_argument("--baseline-days", type=int, default=28, metavar="N",
                   help="--briefing baseline length in days (default 28)")
    p.set_defaults(handler=guarded(run))


def _check_suffix(path: Path, flag: str) -> str:
    s = path.suffix.lower()
    if s not in (".csv", ".png"):
        raise MapdeskError(f"{flag} must end in .csv or .png, not {path.name}")
    return s


def run(args: argparse.Namespace) -> int:
    from mapdesk.analysis.temporal import (
        daily_counts,
        hour_weekday_table,
        table_with_labels,
        weekday_labels,
    )

    if args.briefing:
        return run_briefing(args)
    if not args.out:
        raise MapdeskError("--out FILE.csv or FILE.png is required (or use --briefing DATE)")
    out = Path(args.out)
    suffix = _check_suffix(out, "--out")
    daily_path = Path(args.daily) if args.daily else None
    if daily_path is not None:
        _check_suffix(daily_path, "--daily")
    incidents, filter_text, load_info = filtered_incidents(args)
    table = hour_weekday_table(incidents, max_window_days=args.max_window_days, filter_text=filter_text)
    params = table.attrs["params"]
    title = args.title or ("警情时段分布（小时 × 星期）" if args.lang == "zh" else "Incidents by hour and weekday")
    if suffix == ".csv":
        labelled = table_with_labels(table, args.lang).round(4)
        with atomic_path(out) as tmp:
            labelled.to_csv(tmp, encoding="utf-8-sig")
    else:
        from mapdesk.render.charts import paint_hour_weekday, save_chart_png

        save_chart_png(lambda p, r: paint_hour_weekday(p, r, table, title=title, lang=args.lang), out,
                       1400, 600)
    daily = None
    if daily_path is not None:
        daily = daily_counts(incidents)
        if daily_path.suffix.lower() == ".csv":
            with atomic_path(daily_path) as tmp:
                daily.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            from mapdesk.render.charts import paint_daily_counts, save_chart_png

            dtitle = "每日警情数" if args.lang == "zh" else "Incidents per day"
            save_chart_png(lambda p, r: paint_daily_counts(p, r, daily, title=dtitle, lang=args.lang),
                           daily_path, 1400, 500)
    v = table.to_numpy()
    wd, hr = divmod(int(v.argmax()), 24)
    summary = {"n_incidents": params["n_incidents"], "n_used": params["n_used"],
               "n_missing_time": params["n_missing_time"], "n_windows": params["n_windows"],
               "n_long_windows": params["n_long_windows"],
               "peak": {"weekday": weekday_labels(args.lang)[wd], "hour": hr, "weight": float(v.max())},
               "by_hour": [round(float(s), 4) for s in v.sum(axis=0)],
               "by_weekday": [round(float(s), 4) for s in v.sum(axis=1)]}
    if daily is not None:
        summary["days"] = len(daily)
        summary["max_per_day"] = int(daily["count"].max())
    if args.json:
        print_json({"command": "temporal", "input": load_info, "output": str(out),
                    "daily_output": str(daily_path) if daily_path else None, "filter": filter_text,
                    "params": params, "summary": summary})
    else:
        msg = f"temporal: {params['n_used']} incidents with a time → {out}"
        if params["n_missing_time"]:
            msg += f" ({params['n_missing_time']} without a usable time were left out)"
        print(msg)
    return 0


def _briefing_day(text: str, incidents) -> str:
    import pandas as pd

    key = text.strip().lower()
    if key == "yesterday":
        return str((pd.Timestamp.now().normalize() - pd.Timedelta(days=1)).date())
    if key == "latest":
        from mapdesk.analysis.compare import data_dates

        return str(data_dates(incidents)[1].date())
    return text


def _outside_data(incidents, day, baseline_days: int) -> list[str]:
    """Warnings when the briefing day or its baseline lie outside the incidents' dates, so a
    0 read from the table is not taken for a quiet day."""
    import pandas as pd

    from mapdesk.analysis.compare import data_dates
    from mapdesk.errors import AnalysisError

    try:
        first, last = data_dates(incidents)
    except AnalysisError:
        return []
    day = pd.Timestamp(day).normalize()
    span = f"the incidents run from {first.date()} to {last.date()}"
    if day > last or day < first:
        return [f"{day.date()} is outside the data ({span}): its count of 0 means no data, "
                "not a quiet day"]
    start = day - pd.Timedelta(days=baseline_days)
    if start < first:
        return [f"the {baseline_days}-day baseline starts on {start.date()}, before the data "
                f"({span}): its mean counts days without data as 0"]
    return []


def _width(text: str) -> int:
    """Columns a terminal uses for ``text`` (Chinese characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def _fmt_table(table) -> str:
    """The briefing as an aligned console table."""
    head = ("group", "", "day", "28-day mean", "change", "× mean")
    rows = []
    for r in table.itertuples(index=False):
        ratio = "" if r.ratio != r.ratio else f"{r.ratio:.1f}"
        rows.append((r.group, str(r.label), str(r.count), f"{r.baseline_mean:.2f}", f"{r.diff:+.2f}", ratio))
    widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(6)]
    lines = ["  ".join(_pad(c, w, i >= 2) for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in [head, *rows]]
    return "\n".join(lines)


def run_briefing(args: argparse.Namespace) -> int:
    """``--briefing DATE``: the day against the mean of the ``--baseline-days`` before it."""
    from mapdesk.analysis.temporal import briefing_compare

    if args.date_from or args.date_to:
        raise MapdeskError("--from/--to cannot be combined with --briefing: the date and "
                           "--baseline-days give the period")
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() != ".csv":
        raise MapdeskError(f"--briefing writes a table: use --out FILE.csv, not {out.name}")
    if args.baseline_days < 1:
        raise MapdeskError(f"--baseline-days must be at least 1, not {args.baseline_days}")
    incidents, filter_text, load_info = filtered_incidents(args)
    day = _briefing_day(args.briefing, incidents)
    table = briefing_compare(incidents, day, baseline_days=args.baseline_days, lang=args.lang)
    for w in _outside_data(incidents, table.attrs.get("params", {}).get("date", day), args.baseline_days):
        print(f"mapdesk: warning: {w}", file=sys.stderr)
    params = dict(table.attrs.get("params", {}))
    params["filter"] = filter_text
    if out is not None:
        csv = table.copy()
        csv.attrs = {}
        csv["baseline_mean"] = csv["baseline_mean"].round(4)
        csv["diff"] = csv["diff"].round(4)
        csv["ratio"] = csv["ratio"].round(4)
        with atomic_path(out) as tmp:
            csv.to_csv(tmp, index=False, encoding="utf-8-sig")
    if args.json:
        rows = [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
                for r in table.to_dict(orient="records")]
        print_json({"command": "temporal", "mode": "briefing", "input": load_info,
                    "output": str(out) if out else None, "filter": filter_text, "params": params,
                    "rows": rows})
    else:
        print(f"Briefing for {params.get('date', day)} against the daily mean of "
              f"{args.baseline_days} days before it ({filter_text})")
        print(_fmt_table(table).replace("28-day mean", f"{args.baseline_days}-day mean"))
        if out is not None:
            print(f"→ {out}")
    return 0
