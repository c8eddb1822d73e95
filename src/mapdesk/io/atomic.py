"""Atomic output: write to a temporary file beside the target, then rename over it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from mapdesk.errors import ExportError

# Files read during the current command (real paths), or None outside one. Outputs never
# replace them: a user who gives the input's name as --out would otherwise lose the source.
_SOURCES: set[str] | None = None


@contextlib.contextmanager
def protecting_sources() -> Iterator[None]:
    """Within this block, every file the loader reads is protected from being written over
    by :func:`atomic_path` (one CLI command runs inside one such block)."""
    global _SOURCES
    previous, _SOURCES = _SOURCES, set()
    try:
        yield
    finally:
        _SOURCES = previous


def protect_source(path: str | os.PathLike) -> None:
    """Remember ``path`` as a source file of the current command (no-op outside one)."""
    if _SOURCES is not None:
        _SOURCES.add(os.path.realpath(path))


def is_protected(path: str | os.PathLike) -> bool:
    """True when ``path`` is a file the current command has read as a source."""
    return _SOURCES is not None and os.path.realpath(path) in _SOURCES


@contextlib.contextmanager
def atomic_path(dest: str | os.PathLike, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path in ``dest``'s folder; on success rename it to ``dest``.

    On any exception the temporary file is removed and ``dest`` is left untouched,
    so a reader never sees a half-written file.

    >>> with atomic_path("out.csv") as tmp:   # doctest: +SKIP
    ...     frame.to_csv(tmp)
    """
    dest = Path(dest)
    if is_protected(dest):
        raise ExportError(f"{dest} is one of the input files: mapdesk never writes over a source "
                          "file; choose another output name")
    if dest.exists() and dest.is_dir():
        raise ExportError(f"cannot write {dest}: it is a folder")
    if dest.exists() and not overwrite:
        raise ExportError(f"{dest} already exists (use --overwrite to replace it)")
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.exists():
        raise ExportError(f"cannot write {dest}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise ExportError(f"cannot write {dest}: folder {folder} is not writable")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=dest.suffix or ".tmp", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    # Some writers (GDAL) refuse to write over an existing file.
    tmp.unlink()
    try:
        yield tmp
        if not tmp.exists():
            raise ExportError(f"nothing was written for {dest}")
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_text_atomic(dest: str | os.PathLike, text: str, overwrite: bool = True) -> None:
    with atomic_path(dest, overwrite=overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")
