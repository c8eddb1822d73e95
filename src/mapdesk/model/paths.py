"""Paths in project files are stored relative to the project file, so a project folder can move."""

from __future__ import annotations

import os
from pathlib import Path


def relpath(path: str | os.PathLike, base_dir: str | os.PathLike | None) -> str:
    if base_dir is None:
        return str(path)
    p = Path(path).resolve()
    try:
        return Path(os.path.relpath(p, Path(base_dir).resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return str(p)


def abspath(path: str, base_dir: str | os.PathLike | None) -> str:
    p = Path(path)
    if p.is_absolute() or base_dir is None:
        return str(p)
    return str((Path(base_dir) / p).resolve())
