"""Where the application keeps its settings and its recovery file (QSettings, INI format).

Tests redirect everything with ``QSettings.setPath(IniFormat, UserScope, tmp)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

ORG = "mapdesk"
APP = "mapdesk"
MAX_RECENT = 10


def app_settings() -> QSettings:
    """The user's mapdesk settings (an INI file under the user's config directory)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORG, APP)


def settings_dir() -> Path:
    """The folder holding the settings file (also used for the recovery file)."""
    return Path(app_settings().fileName()).parent


def get_list(key: str) -> list[str]:
    value: Any = app_settings().value(key, [])
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


def push_recent(key: str, path: str) -> list[str]:
    """Put ``path`` first in the recent list ``key`` (no duplicates, at most MAX_RECENT)."""
    items = [p for p in get_list(key) if p != path]
    items.insert(0, path)
    items = items[:MAX_RECENT]
    s = app_settings()
    s.setValue(key, items)
    s.sync()
    return items


def get_value(key: str, default: Any = None, type_: type | None = None) -> Any:
    s = app_settings()
    if type_ is not None:
        return s.value(key, default, type=type_)
    return s.value(key, default)


def set_value(key: str, value: Any) -> None:
    s = app_settings()
    s.setValue(key, value)
    s.sync()
