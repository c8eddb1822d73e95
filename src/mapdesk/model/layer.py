"""A map layer: where its data come from, how it is read, its role, style, filter and visibility.

A layer's data is loaded lazily from its source (or set directly for analysis results). Every
change goes through a setter that bumps ``data_version`` where drawing depends on it and emits
``changed(what)``, so views (canvas, table, panels) observe the model instead of owning state.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import numpy as np
import pandas as pd
from psygnal import Signal

from mapdesk.io.schema import to_canonical
from mapdesk.model.filter import ColumnCache, Filter, filter_mask
from mapdesk.model.style import Style, default_style

_counter = itertools.count(1)


class Layer:
    """One layer of a :class:`~mapdesk.model.project.Project`.

    ``kind`` is ``"vector"`` (a GeoDataFrame) or ``"raster"`` (a :class:`RasterGrid`-like object
    with ``values``, ``bounds``, ``crs``, ``units`` and ``params``).
    """

    changed = Signal(str)  # what: style, filter, visible, opacity, name, data, role, selection

    def __init__(self, name: str, *, source: str | None = None, layer_name: str | None = None,
                 load_options: dict | None = None, role: str = "generic",
                 field_map: dict[str, str] | None = None, style: Style | None = None,
                 filter: Filter | None = None, visible: bool = True, opacity: float = 1.0,
                 kind: str = "vector", id: str | None = None):
        self.id = id or f"L{next(_counter)}-{uuid.uuid4().hex[:6]}"
        self.name = name
        self.source = source
        self.layer_name = layer_name
        self.load_options = dict(load_options or {})
        self.role = role
        self.field_map = dict(field_map or {})
        self.style = style or Style()
        self.filter = filter or Filter()
        self.visible = visible
        self.opacity = float(opacity)
        self.kind = kind
        # recipes of columns computed from the data (see model/derived.py), reapplied on load
        self.derived: dict[str, dict[str, Any]] = {}
        self.status = "unloaded" if source else "ok"
        self.error = ""
        self.report: Any = None  # the io LoadReport of the last load
        self.data_version = 0  # bumps on anything drawing depends on (data, filter, style, role)
        self.frame_version = 0  # bumps only when the data frame itself is replaced
        self.selection: np.ndarray = np.empty(0, dtype=np.int64)  # positional row indices
        self._frame: pd.DataFrame | None = None
        self._raster: Any = None
        self._cache: ColumnCache | None = None
        self._mask: np.ndarray | None = None
        self._mask_version = -1
        self.remote: Any = None  # a RemoteTable when a big database table stays on the server

    # ---- data -------------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: str, layer_name: str | None = None, **load_options: Any) -> Layer:
        """Load a layer from a file with :func:`mapdesk.io.load_layer` and give it a default style."""

        lyr = cls(_default_name(str(path)) if layer_name is None else layer_name, source=str(path),
                  layer_name=layer_name, load_options=load_options)
        lyr.load()
        if lyr.status == "ok":
            lyr.style = default_style(lyr.role, lyr._frame, lyr.field_map)
        return lyr

    @classmethod
    def from_frame(cls, name: str, frame: pd.DataFrame, role: str = "generic",
                   field_map: dict[str, str] | None = None, style: Style | None = None) -> Layer:
        lyr = cls(name, role=role, field_map=field_map)
        lyr.set_frame(frame)
        lyr.style = style or default_style(role, frame, lyr.field_map)
        return lyr

    @classmethod
    def from_raster(cls, name: str, grid: Any, style: Style | None = None) -> Layer:
        lyr = cls(name, role="result", kind="raster", style=style or Style(kind="raster"))
        lyr._raster = grid
        return lyr

    def load(self) -> None:
        """(Re)load from ``source``; on failure the layer stays in the project, marked."""
        from pathlib import Path

        if not self.source:
            return
        from mapdesk.io.postgis.ref import is_db_source

        if is_db_source(self.source):
            from mapdesk.model.remote import apply_state, load_state

            apply_state(self, load_state(self.source, role=self.role, field_map=self.field_map,
                                         load_options=self.load_options))
            return
        if not Path(self.source).exists():
            self.status, self.error = "missing", f"file not found: {self.source}"
            self._set_frame(None)
            return
        from mapdesk.errors import MapdeskError
        from mapdesk.io import load_layer

        opts = dict(self.load_options)
        if self.role != "generic" and "role" not in opts:
            opts["role"] = self.role
        if self.field_map and "field_map" not in opts:
            opts["field_map"] = self.field_map
        try:
            loaded = load_layer(self.source, self.layer_name, **opts)
        except MapdeskError as exc:
            self.status, self.error = "error", str(exc)
            self._set_frame(None)
            return
        self._take_loaded(loaded.role, loaded.field_map, loaded.report, loaded.frame)

    def _take_loaded(self, role: str, field_map: dict[str, str], report: Any, frame: pd.DataFrame) -> None:
        """Adopt what a load produced (a file, or a database table: see ``model.remote``)."""
        self.role = role
        self.field_map = dict(field_map)
        self.report = report
        self.status, self.error = "ok", ""
        frame = _categorise(frame, self.field_map)
        if self.derived:
            frame = self._apply_derived(frame)
        self._set_frame(frame)

    def _apply_derived(self, frame: pd.DataFrame) -> pd.DataFrame:
        from mapdesk.model.derived import apply_derived

        try:
            return apply_derived(frame, self.field_map, self.derived)
        except Exception as exc:  # the data no longer fit the recipe: keep the rows, say so
            if self.report is not None and hasattr(self.report, "warn"):
                self.report.warn(f"computed columns ({', '.join(self.derived)}) not restored: {exc}")
            return frame

    @property
    def frame(self) -> pd.DataFrame | None:
        if self._frame is None and self.status == "unloaded":
            self.load()
        return self._frame

    @property
    def raster(self) -> Any:
        return self._raster

    def set_raster(self, grid: Any) -> None:
        """Replace a raster layer's grid (a density view recomputed for a new filter)."""
        self._raster = grid
        self.status, self.error = "ok", ""
        self.data_version += 1
        self.changed.emit("data")

    def set_frame(self, frame: pd.DataFrame | None) -> None:
        self.status, self.error = "ok", ""
        self._set_frame(frame)
        self.changed.emit("data")

    def _set_frame(self, frame: pd.DataFrame | None) -> None:
        self._frame = frame
        self._cache = ColumnCache(frame) if frame is not None else None
        self.selection = np.empty(0, dtype=np.int64)
        self.data_version += 1
        self.frame_version += 1

    def canonical_frame(self) -> pd.DataFrame | None:
        f = self.frame
        return None if f is None else to_canonical(f, self.field_map)

    EVENT_TIME = "__event_time__"

    @property
    def time_column(self) -> str | None:
        """The column used for date/time filtering.

        Incidents known by an instant in some rows and by a window in others get a derived
        column (instant time, else window start), so window-only thefts are not filtered away.
        """
        fm, f = self.field_map, self._frame
        if f is not None and self._cache is not None:
            t, ts = fm.get("time"), fm.get("time_start")
            if t in f.columns and ts in f.columns:
                if not self._cache.has_times(self.EVENT_TIME):
                    a = pd.to_datetime(f[t], errors="coerce")
                    b = pd.to_datetime(f[ts], errors="coerce")
                    self._cache.set_times(self.EVENT_TIME, a.fillna(b))
                return self.EVENT_TIME
        for canon in ("time", "time_start", "install_date", "last_survey"):
            col = self.field_map.get(canon)
            if col and self._frame is not None and col in self._frame.columns:
                return col
        if self._frame is not None:  # a generic layer: its first date/time column
            for col in self._frame.columns:
                if col != "geometry" and pd.api.types.is_datetime64_any_dtype(self._frame[col]):
                    return col
        return None

    def filter_mask(self) -> np.ndarray:
        f = self.frame
        if f is None:
            return np.zeros(0, dtype=bool)
        if self._mask is None or self._mask_version != self.data_version:
            if self.filter.is_empty():
                self._mask = np.ones(len(f), dtype=bool)
            else:
                self._mask = filter_mask(self.filter, f, self._cache, self.time_column)
            self._mask_version = self.data_version
        return self._mask

    def filtered_frame(self) -> pd.DataFrame | None:
        f = self.frame
        if f is None:
            return None
        m = self.filter_mask()
        return f if m.all() else f[m]

    def feature_count(self) -> tuple[int, int]:
        """(rows passing the filter, all rows)."""
        f = self.frame
        if f is None:
            return 0, 0
        return int(np.count_nonzero(self.filter_mask())), len(f)

    # ---- setters that notify --------------------------------------------------------------
    def set_style(self, style: Style) -> None:
        self.style = style
        self.data_version += 1
        self.changed.emit("style")

    def set_filter(self, flt: Filter) -> None:
        """Apply a new filter; raises FilterError (and keeps the old one) if it cannot apply."""
        old = self.filter
        if self.remote is not None:
            self.remote.sql_filter(flt, self.field_map)  # FilterError if the server cannot run it
        self.filter = flt
        if self._frame is not None and not flt.is_empty():
            try:
                mask = filter_mask(flt, self._frame, self._cache, self.time_column)
            except Exception:
                self.filter = old
                raise
            self.data_version += 1
            self._mask, self._mask_version = mask, self.data_version
        else:
            self.data_version += 1
        self.changed.emit("filter")

    def set_visible(self, visible: bool) -> None:
        if visible != self.visible:
            self.visible = visible
            self.changed.emit("visible")

    def set_opacity(self, opacity: float) -> None:
        self.opacity = float(min(1.0, max(0.0, opacity)))
        self.changed.emit("opacity")

    def set_name(self, name: str) -> None:
        self.name = name
        self.changed.emit("name")

    def set_role(self, role: str, field_map: dict[str, str] | None = None) -> None:
        self.role = role
        if field_map is not None:
            self.field_map = dict(field_map)
        self.data_version += 1
        self.changed.emit("role")

    def set_selection(self, indices: np.ndarray | list[int]) -> None:
        self.selection = np.asarray(indices, dtype=np.int64)
        self.changed.emit("selection")

    # ---- persistence -----------------------------------------------------------------------
    def to_dict(self, relative_to: Any = None) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "source": _source_for_file(self.source, relative_to),
            "layer_name": self.layer_name,
            "load_options": self.load_options,
            "role": self.role,
            "field_map": self.field_map,
            "style": self.style.to_dict(),
            "filter": self.filter.to_dict(),
            "visible": self.visible,
            "opacity": self.opacity,
            **({"derived": self.derived} if self.derived else {}),
        }

    @classmethod
    def from_dict(cls, d: dict, base_dir: Any = None) -> Layer:
        from mapdesk.io.postgis.ref import is_db_source
        from mapdesk.model.paths import abspath

        src = d.get("source")
        lyr = cls(
            d.get("name", "layer"),
            source=(src if is_db_source(src) else abspath(src, base_dir)) if src else None,
            layer_name=d.get("layer_name"),
            load_options=d.get("load_options") or {},
            role=d.get("role", "generic"),
            field_map=d.get("field_map") or {},
            style=Style.from_dict(d.get("style") or {}),
            filter=Filter.from_dict(d.get("filter")),
            visible=bool(d.get("visible", True)),
            opacity=float(d.get("opacity", 1.0)),
            kind=d.get("kind", "vector"),
            id=d.get("id"),
        )
        lyr.derived = {k: dict(v) for k, v in (d.get("derived") or {}).items()}
        return lyr

    def __repr__(self) -> str:
        return f"<Layer {self.name!r} role={self.role} kind={self.kind} status={self.status}>"


def _source_for_file(source: str | None, relative_to: Any) -> str | None:
    """A file path relative to the project; a database source as its reference without any
    password (``TableRef.to_source()``)."""
    from mapdesk.io.postgis.ref import is_db_source, parse_source
    from mapdesk.model.paths import relpath

    if not source:
        return None
    if is_db_source(source):
        try:
            return parse_source(source)[0].to_source()
        except Exception:  # an unparsable reference is kept as typed, minus any password
            from urllib.parse import urlsplit

            pw = urlsplit(source).password
            return source.replace(f":{pw}@", "@") if pw else source
    return relpath(source, relative_to)


def _default_name(source: str) -> str:
    """A layer's name from its source: the file's stem, or the table's name for a database."""
    from pathlib import Path

    from mapdesk.io.postgis.ref import is_db_source, parse_source

    if is_db_source(source):
        try:
            return parse_source(source)[0].table
        except Exception:
            return source
    return Path(source).stem


# Low-cardinality text fields become Categorical on load: filters then test integer codes.
_CATEGORY_FIELDS = ("type", "status", "community", "species", "recorded_grade", "leaf_habit")


def _categorise(frame: pd.DataFrame, field_map: dict[str, str]) -> pd.DataFrame:
    for canon in _CATEGORY_FIELDS:
        col = field_map.get(canon)
        if col in frame.columns and not isinstance(frame[col].dtype, pd.CategoricalDtype):
            s = frame[col]
            if (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)) and \
                    s.nunique(dropna=True) <= max(50, len(s) // 20):
                frame[col] = s.astype("category")
    return frame
