"""``mapdesk temporal``: when incidents happen (hour × weekday, aoristic) and daily counts."""

from __future__ import annotations

import argparse
from pathlib import Path

from mapdesk.cli._common import print_json
from mapdesk.cli._incidents import add_input_arguments, filtered_incidents
from mapdesk.errors import MapdeskError
from mapdesk.io.atomic import atomic_path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "temporal", help="hour-of-day × day-of-week table or heat chart, daily counts",
        description="Aoristic hour × weekday counts of incidents (a window's weight is spread over "
                    "the hours it covers) as CSV or a PNG heat chart; optionally daily counts.")
    add_input_arguments(p)
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.csv (table) or FILE.png (heat chart)")
    p.add_argument("--daily", metavar="FILE", help="also write daily counts: FILE.csv or FILE.png")
    p.add_argument("--max-window-days", type=float, default=7.0,
                   help="windows longer than this are spread evenly over the week (default 7)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="labels in English or Chinese")
    p.add_argument("--title", help="chart title")
    p.set_defaults(handler=run)


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
