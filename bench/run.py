"""Run every benchmark under bench/ and print one table.

    python3 bench/run.py            # all
    python3 bench/run.py render     # only bench_render*.py

Each ``bench/bench_*.py`` has ``run() -> list[dict]``; a row has ``name``, ``median_ms``
and optionally ``target_ms``, ``ref_ms`` (the reference library on the same input) and ``note``.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))


def timeit(fn: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    pattern = argv[0] if argv else ""
    # One widget-capable application for every benchmark: a bare QGuiApplication made by a
    # headless benchmark first could not host the GUI benchmarks after it.
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["mapdesk-bench"])  # noqa: F841
    rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        if pattern and pattern not in path.stem:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        print(f"# {path.stem} ...", flush=True)
        for row in mod.run():
            rows.append(row)
            _print_row(row)
    print()
    print(f"{'benchmark':58} {'median ms':>10} {'target ms':>10} {'ref ms':>10} {'ratio':>7}  ok")
    bad = 0
    for r in rows:
        tgt, ref = r.get("target_ms"), r.get("ref_ms")
        ratio = f"{ref / r['median_ms']:.1f}x" if ref else ""
        ok = "" if tgt is None else ("yes" if r["median_ms"] <= tgt else "NO")
        bad += ok == "NO"
        print(f"{r['name'][:58]:58} {r['median_ms']:10.1f} {tgt if tgt is not None else '':>10} "
              f"{'' if ref is None else f'{ref:.1f}':>10} {ratio:>7}  {ok} {r.get('note', '')}")
    return 1 if bad else 0


def _print_row(r: dict) -> None:
    print(f"  {r['name']}: {r['median_ms']:.1f} ms", flush=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
