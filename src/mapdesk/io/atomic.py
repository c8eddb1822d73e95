"""Atomic output: write to a temporary file beside the target, then rename over it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from mapdesk.errors import ExportError


@contextlib.contextmanager
def atomic_path(dest: str | os.PathLike, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path in ``dest``'s folder; on success rename it to ``dest``.

    On any exception the temporary file is removed and ``dest`` is left untouched,
    so a reader never sees a half-written file.

    >>> with atomic_path("out.csv") as tmp:   # doctest: +SKIP
    ...     frame.to_csv(tmp)
    """
    dest = Path(dest)
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
