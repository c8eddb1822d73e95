"""``mapdesk gui [PROJECT|FILES...] [--lang zh_CN|en] [--screenshot FILE.png]``."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "gui", help="open the main window (the default command)",
        description="Open the main window. With no argument the sample project opens; a "
                    "*.mapdesk.json argument opens that project, other files are added as layers.")
    p.add_argument("paths", nargs="*", metavar="PROJECT|FILE",
                   help="a project (*.mapdesk.json) and/or data files to add as layers")
    p.add_argument("--lang", choices=["zh_CN", "en"], default=None,
                   help="UI language (default: the saved setting, else the system locale)")
    p.add_argument("--screenshot", metavar="FILE.png", default=None,
                   help="open, wait until the map has rendered, save a screenshot of the "
                        "window and exit")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mapdesk.errors import MapdeskError

    project = None
    files = []
    for path in args.paths:
        if str(path).endswith(".mapdesk.json"):
            if project is not None:
                raise MapdeskError("give at most one project file")
            project = path
        else:
            files.append(path)
    if args.screenshot and not str(args.screenshot).lower().endswith(".png"):
        raise MapdeskError("--screenshot needs a .png file name")
    _choose_platform(bool(args.screenshot))
    _import_data_stack()
    from mapdesk.gui.app import run_app

    return run_app(["mapdesk"], project_path=project, files=files, lang=args.lang,
                   screenshot=args.screenshot)


def _choose_platform(screenshot: bool) -> None:
    """Without a display, Qt aborts the process: screenshots render offscreen instead, and a
    window request gets a clear message."""
    import os
    import sys

    from mapdesk.errors import MapdeskError

    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM") \
            or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    if screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return
    raise MapdeskError("no display to open the window on (DISPLAY is not set). Run mapdesk on a "
                       "desktop, or use the headless commands (render, export, hotspots, ...), "
                       "or `mapdesk gui --screenshot FILE.png`")


def _import_data_stack() -> None:
    """Import the Qt-free layers (and so pandas, geopandas, pyproj, pyogrio) before PySide6.

    Once PySide6 is loaded, its import hook reads the source file of every module imported
    after it, looking for the string "PySide6" (shibokensupport ``feature_imported``,
    PYSIDE-2029): some 600 modules of the data stack, ~0.2 s of every start. The window
    needs them all to open a project, so importing them first costs nothing else.
    """
    import mapdesk.io  # noqa: F401
    import mapdesk.model  # noqa: F401
