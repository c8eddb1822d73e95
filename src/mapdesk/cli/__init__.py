"""The ``mapdesk`` command line: ``mapdesk SUBCOMMAND ...`` (also ``python -m mapdesk``).

Each sub-command lives in its own module with ``register(subparsers)``; the module's
handler receives the parsed ``argparse.Namespace`` and returns an exit code.

Sub-command modules are imported lazily: several pull in geopandas, pandas or scipy at import
time (about a second), which ``mapdesk gui`` must not pay before its window opens. Only the
module of the command being run is imported; ``mapdesk --help`` and an unknown command import
them all, so the listing and the error message are exactly what eager registration gives.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import importlib.util
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from mapdesk import __version__
from mapdesk.errors import MapdeskError

# Sub-command modules, in --help order. A module that is not there is skipped silently.
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
    "db",
)

#: The command names a module registers, where they differ from the module name. A module
#: that registers other names still works (an unknown name loads every module first).
COMMAND_NAMES: dict[str, tuple[str, ...]] = {"sample": ("sample-data",)}


def command_names(module: str) -> tuple[str, ...]:
    """The sub-command name(s) ``mapdesk.cli.<module>`` is expected to register."""
    return COMMAND_NAMES.get(module, (module,))


class _CommandMap(dict):
    """The sub-command parsers by name (argparse's ``choices``), loading modules on demand.

    Pending names (module not imported yet) count as members; looking one up imports its
    module. A miss, iteration (the "invalid choice" message) and help load every module.
    """

    def __init__(self, action: _LazySubParsersAction) -> None:
        super().__init__()
        self._action = action

    def __contains__(self, name: object) -> bool:
        if dict.__contains__(self, name):
            return True
        if self._action._loading:
            return False
        if name in self._action._pending:
            return True
        self._action.load_all()
        return dict.__contains__(self, name)

    def __getitem__(self, name: str) -> argparse.ArgumentParser:
        if not dict.__contains__(self, name) and not self._action._loading:
            module = self._action._pending.get(name)
            if module is not None:
                self._action.load(module)
            else:
                self._action.load_all()
        return dict.__getitem__(self, name)

    def __iter__(self) -> Iterator[str]:
        if not self._action._loading:
            self._action.load_all()
        return dict.__iter__(self)


class _LazySubParsersAction(argparse._SubParsersAction):
    """``add_subparsers`` whose sub-commands are registered when first needed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._name_parser_map = self.choices = _CommandMap(self)
        self._pending: dict[str, str] = {}  # command name -> module not imported yet
        self._modules: list[str] = []  # every declared module, in help order
        self._loaded: set[str] = set()
        self._rank: dict[str, int] = {}  # command name -> position of its module
        self._loading: str | None = None

    def add_module(self, module: str) -> None:
        """Declare ``mapdesk.cli.<module>`` (imported on first use)."""
        self._modules.append(module)
        for name in command_names(module):
            self._pending[name] = module

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        parser = super().add_parser(name, **kwargs)
        if self._loading is not None:
            rank = self._modules.index(self._loading)
            for alias in (name, *kwargs.get("aliases", ())):
                self._rank[alias] = rank
        return parser

    def load(self, module: str) -> None:
        """Import ``mapdesk.cli.<module>`` and let it register its sub-command(s)."""
        if module in self._loaded:
            return
        self._loaded.add(module)
        for name in [n for n, m in self._pending.items() if m == module]:
            del self._pending[name]
        try:
            mod = importlib.import_module(f"mapdesk.cli.{module}")
        except ModuleNotFoundError as exc:
            if exc.name == f"mapdesk.cli.{module}":
                return
            raise
        self._loading = module
        try:
            mod.register(self)
        finally:
            self._loading = None

    def load_all(self) -> None:
        """Register every sub-command, in help order."""
        if self._loading is not None or all(m in self._loaded for m in self._modules):
            return
        for module in self._modules:
            self.load(module)
        # registration order followed use; the listing and choices follow COMMAND_MODULES
        last = len(self._modules)
        items = sorted(dict.items(self._name_parser_map), key=lambda kv: self._rank.get(kv[0], last))
        dict.clear(self._name_parser_map)
        dict.update(self._name_parser_map, items)
        self._choices_actions.sort(key=lambda a: self._rank.get(a.dest, last))

    def _get_subactions(self) -> list[argparse.Action]:
        self.load_all()
        return super()._get_subactions()


def build_parser() -> argparse.ArgumentParser:
    """The ``mapdesk`` argument parser; sub-command modules are imported when first used."""
    parser = argparse.ArgumentParser(
        prog="mapdesk",
        description="Desktop GIS for protected trees, theft hotspots and CCTV camera planning. "
        "With no sub-command, opens the main window on the sample project.",
    )
    parser.add_argument("--version", action="version", version=f"mapdesk {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", action=_LazySubParsersAction)
    for name in COMMAND_MODULES:
        # find_spec imports nothing but the package itself (already loaded)
        if importlib.util.find_spec(f"mapdesk.cli.{name}") is not None:
            sub.add_module(name)
    return parser


def _skip_collection_at_exit() -> None:
    """At exit, Python runs full garbage collections over every live object (with the data
    stack, Qt and a project loaded: ~0.2 s) just before the process ends. Freezing them in an
    exit hook skips that work; every output was written and closed by then (atomic files,
    synced settings). Registered once; in a long-lived process (tests) it runs only at its exit.
    """
    global _EXIT_HOOK
    if not _EXIT_HOOK:
        atexit.register(gc.freeze)
        _EXIT_HOOK = True


_EXIT_HOOK = False


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _skip_collection_at_exit()
    parser = build_parser()
    if not argv or (argv[0].startswith("--lang")):
        argv = ["gui", *argv]
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        if args.command != "gui":  # any input may be a database table that wants a password
            from mapdesk.cli._common import install_terminal_prompt

            install_terminal_prompt()
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
