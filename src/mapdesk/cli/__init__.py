"""The ``mapdesk`` command line: ``mapdesk SUBCOMMAND ...`` (also ``python -m mapdesk``).

Each sub-command lives in its own module with ``register(subparsers)``; the module's
handler receives the parsed ``argparse.Namespace`` and returns an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from mapdesk import __version__
from mapdesk.errors import MapdeskError

# Sub-command modules, in --help order.
COMMAND_MODULES = (
    "gui",
    "info",
    "sample",
    "render",
    "export",
    "hotspots",
    "temporal",
    "cameras",
    "trees",
    "briefing",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mapdesk",
        description="Desktop GIS for protected trees, theft hotspots and CCTV camera planning. "
        "With no sub-command, opens the main window on the sample project.",
    )
    parser.add_argument("--version", action="version", version=f"mapdesk {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(f"mapdesk.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"mapdesk.cli.{name}":
                continue
            raise
        mod.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or (argv[0].startswith("--lang")):
        argv = ["gui", *argv]
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except MapdeskError as exc:
        print(f"mapdesk: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mapdesk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected failure: one line, details with --debug
        if args.debug or os.environ.get("MAPDESK_DEBUG"):
            raise
        print(f"mapdesk: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
              file=sys.stderr)
        return 1
