"""Helpers shared by the sub-command modules."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import numpy as np


def _default(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if np.isnan(obj) else float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return str(obj)


def print_json(doc: Any) -> None:
    """Print one JSON document (UTF-8, Chinese kept readable) to stdout."""
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2, default=_default) + "\n")


def guarded(handler: Callable[[Any], int]) -> Callable[[Any], int]:
    """Run a sub-command handler so that no output can replace one of its input files."""
    from mapdesk.io.atomic import protecting_sources

    @functools.wraps(handler)
    def run(args: Any) -> int:
        with protecting_sources():
            return handler(args)

    return run


def is_table_source(path: Any) -> bool:
    """True when an input names a database table (``pg:CONN/schema.table``, ``postgresql://...``)."""
    from mapdesk.io.postgis.ref import is_db_source

    return is_db_source(str(path)) if path is not None else False


def input_label(path: Any) -> str:
    """A short name of an input for messages: the file name, or ``schema.table`` of a database source."""
    from pathlib import Path

    if is_table_source(path):
        from mapdesk.io.postgis.ref import parse_source

        try:
            return parse_source(str(path))[0].qualified
        except Exception:
            return str(path)
    return Path(path).name


def check_input(path: Any, what: str = "file not found") -> None:
    """Raise :class:`LoadError` when ``path`` is neither an existing file nor a database source."""
    from pathlib import Path

    from mapdesk.errors import LoadError

    if not is_table_source(path) and not Path(path).exists():
        raise LoadError(f"{path}: no such file" if what == "file not found" else f"{what}: {path}")


def shown_source(path: Any) -> Any:
    """An input as it may be printed: a database source without the password it may carry."""
    if is_table_source(path):
        from mapdesk.io.postgis.ref import parse_source

        try:
            return parse_source(str(path))[0].to_source()
        except Exception:
            return input_label(path)
    return path


def terminal_prompt(message: str) -> str | None:
    """Ask for a password on the terminal; None when there is no terminal (scripts, pipes)."""
    if not sys.stdin or not sys.stdin.isatty():
        return None
    import getpass

    try:
        return getpass.getpass(message + " ") or None
    except (EOFError, KeyboardInterrupt):
        return None


def install_terminal_prompt() -> None:
    """Let every command that reads a database source ask for a missing password on the
    terminal (the window installs a dialog instead)."""
    from mapdesk.io.postgis.connections import set_default_prompt

    set_default_prompt(terminal_prompt)
