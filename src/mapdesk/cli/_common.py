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
