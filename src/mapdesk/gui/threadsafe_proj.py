"""Keep pyproj usable from Qt worker threads (pyproj 3.7: segfaults in QThreadPool threads).

pyproj 3.7 keeps each thread's PROJ context pointer in OS thread-specific storage but ties the
context's lifetime to a ``threading.local`` object. A Qt pool thread is not created by Python:
PySide gives it a transient Python thread state for each ``run()``, so the ``threading.local``
(and with it the PROJ context) is destroyed after the call while the OS-level pointer stays;
the next pyproj call on that thread uses freed memory (pyproj issues #1509 and #1622, fixed
upstream by pyproj PR #1626). The map canvas renders and mapdesk's jobs run in such threads.

``install()`` replaces pyproj's per-thread holder by one that keeps every context alive for the
life of the process (one small PROJ context per OS thread that ever used pyproj).
"""

from __future__ import annotations

import threading
from typing import Any

_installed = False
_lock = threading.Lock()


class _KeepContexts:
    """Stands in for pyproj's ``threading.local`` context holder; never frees a context."""

    def __init__(self) -> None:
        self._all: list[Any] = []
        self._local = threading.local()

    @property
    def context_manager(self) -> Any:
        return getattr(self._local, "manager", None)

    @context_manager.setter
    def context_manager(self, manager: Any) -> None:
        self._local.manager = manager
        if manager is not None:
            with _lock:
                self._all.append(manager)


def install() -> bool:
    """Apply the workaround once per process; False when pyproj has no such holder."""
    global _installed
    if _installed:
        return True
    try:
        import pyproj._context as ctx
    except ImportError:
        return False
    holder = getattr(ctx, "_CONTEXT_MANAGER_LOCAL", None)
    if holder is None:
        return False
    keep = _KeepContexts()
    current = getattr(holder, "context_manager", None)
    if current is not None:
        keep.context_manager = current
    ctx._CONTEXT_MANAGER_LOCAL = keep
    _installed = True
    return True
