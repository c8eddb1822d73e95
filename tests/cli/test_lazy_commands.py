"""Sub-commands register lazily: the parser is built without importing the data stack, and
help, errors and every command behave as with eager registration."""

from __future__ import annotations

import argparse
import importlib
import importlib.machinery
import subprocess
import sys
import types
from pathlib import Path

import pytest

import mapdesk.cli as cli

SRC = Path(__file__).resolve().parents[2] / "src"
HEAVY = ("geopandas", "pandas", "scipy", "shapely", "pyproj", "pyogrio", "PySide6", "folium",
         "mapclassify", "rasterio", "esda")


def _fresh_modules(code: str) -> list[str]:
    """The heavy packages a fresh interpreter holds after running ``code``."""
    probe = code + f"\nimport sys; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}, check=True)
    return [m for m in res.stdout.strip().split(",") if m]


def test_building_the_parser_and_parsing_gui_imports_no_data_stack():
    loaded = _fresh_modules(
        "import mapdesk.cli as c\n"
        "p = c.build_parser()\n"
        "a = p.parse_args(['gui', '--screenshot', 'x.png'])\n"
        "assert a.command == 'gui' and a.screenshot == 'x.png' and callable(a.handler)\n")
    assert loaded == []


def _eager_parser() -> argparse.ArgumentParser:
    """What the parser was before lazy registration: every module imported and registered."""
    parser = argparse.ArgumentParser(prog="mapdesk", description=cli.build_parser().description)
    parser.add_argument("--version", action="version", version="x")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in cli.COMMAND_MODULES:
        try:
            mod = importlib.import_module(f"mapdesk.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"mapdesk.cli.{name}":
                continue
            raise
        mod.register(sub)
    return parser


def test_help_lists_every_command_as_eager_registration_did():
    lazy = cli.build_parser().format_help()
    assert lazy == _eager_parser().format_help()
    for name in ("gui", "info", "sample-data", "render", "export", "hotspots", "temporal",
                 "cameras", "trees", "briefing"):
        assert f"\n    {name}" in lazy


def test_unknown_command_error_lists_the_choices_in_order(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.build_parser().parse_args(["bogus"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    choices = ", ".join(repr(n) for n in _eager_parser()._subparsers._group_actions[0].choices)
    assert f"invalid choice: 'bogus' (choose from {choices})" in err


def test_each_command_parses_and_a_renamed_command_is_found():
    p = cli.build_parser()
    args = p.parse_args(["--debug", "sample-data", "--out", "d"])  # module "sample"
    assert args.debug and args.command == "sample-data" and args.out == "d"
    args = cli.build_parser().parse_args(["trees", "grade", "t.csv", "--out", "o.csv"])
    assert args.command == "trees"


def test_sub_command_help_is_unchanged(capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["hotspots", "--help"])
    lazy = capsys.readouterr().out
    with pytest.raises(SystemExit):
        _eager_parser().parse_args(["hotspots", "--help"])
    assert lazy == capsys.readouterr().out and lazy.startswith("usage: mapdesk hotspots")


def test_a_module_registering_an_unexpected_name_still_works(monkeypatch):
    mod = types.ModuleType("mapdesk.cli.zzfake")
    mod.__spec__ = importlib.machinery.ModuleSpec("mapdesk.cli.zzfake", None)

    def register(sub: argparse._SubParsersAction) -> None:
        sub.add_parser("zz-other", help="a command named unlike its module").set_defaults(
            handler=lambda args: 7)

    mod.register = register
    monkeypatch.setitem(sys.modules, "mapdesk.cli.zzfake", mod)
    monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "zzfake"))
    assert cli.main(["zz-other"]) == 7
    assert "zz-other" in cli.build_parser().format_help()


def test_a_missing_module_is_skipped(monkeypatch):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("gui", "not_there_at_all"))
    p = cli.build_parser()
    assert "not_there_at_all" not in p.format_help()
    assert p.parse_args(["gui"]).command == "gui"
