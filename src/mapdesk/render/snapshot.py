"""Per-frame snapshots of a project, so a frame rendering in a worker never sees half an edit.

QGIS's render job clones what it needs from each layer on the main thread before the frame
starts. Here the same idea is cheap: the layer list, each layer's scalars, a copy of its style
(a small dataclass) and *references* to its data frame and filter mask are taken on the GUI
thread; the model replaces frames and masks rather than changing them in place, so the
references stay valid while the GUI edits the live layers. The filtered frame is computed in
the worker, once per ``(layer, data_version)``.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

_filtered_lock = threading.Lock()
_filtered: OrderedDict = OrderedDict()
#: Filtered frames kept across frames (each may be a large copy).
FILTERED_CACHE_ENTRIES = 8


class LayerSnapshot:
    """What the renderer reads from a layer, frozen at the start of a frame."""

    def __init__(self, layer: Any) -> None:
        self.id = getattr(layer, "id", "")
        self.name = getattr(layer, "name", "")
        self.kind = getattr(layer, "kind", "vector")
        self.visible = bool(getattr(layer, "visible", True))
        self.status = getattr(layer, "status", "ok")
        self.error = getattr(layer, "error", "")
        self.opacity = float(getattr(layer, "opacity", 1.0))
        self.role = getattr(layer, "role", "generic")
        self.data_version = getattr(layer, "data_version", 0)
        self.frame_version = getattr(layer, "frame_version", None)
        self.style = copy.deepcopy(getattr(layer, "style", None))
        self.field_map = dict(getattr(layer, "field_map", None) or {})
        sel = getattr(layer, "selection", None)
        self.selection = None if sel is None else np.array(sel, dtype=np.int64, copy=True)
        self.raster = getattr(layer, "raster", None)
        self._live = layer
        # A database layer drawn per view: its table handle and the filter as SQL, taken now.
        self.remote = getattr(layer, "remote", None)
        self.remote_filter: tuple[str, object] = ("", None)
        self.remote_error = ""
        if self.remote is not None and self.visible and self.status == "ok":
            try:
                self.remote_filter = self.remote.sql_filter(layer.filter, self.field_map)
            except Exception as exc:  # a filter the server cannot run: draw unfiltered, say so
                self.remote_error = str(exc)
        self._frame = None
        self._mask = None
        self._deferred = True
        if self.kind != "raster" and self.visible and self.status == "ok" \
                and getattr(layer, "_frame", None) is not None and hasattr(layer, "filter_mask"):
            # Loaded: take the frame and its filter mask now (references, no copies).
            self._frame = layer._frame
            self._mask = layer.filter_mask()
            self._deferred = False

    # The renderer's duck-typed layer API --------------------------------------------------
    def full_frame_and_mask(self) -> tuple[Any, np.ndarray] | None:
        """The unfiltered frame and the filter mask (None before the layer is loaded)."""
        if self._deferred or self._frame is None or self._mask is None:
            return None
        return self._frame, self._mask

    def filter_mask(self) -> np.ndarray:
        if self._deferred:
            return self._live.filter_mask()
        return self._mask

    def filtered_frame(self):
        """The filtered frame at snapshot time (a layer not loaded yet loads in the worker)."""
        if self._deferred:
            fn = getattr(self._live, "filtered_frame", None)
            return fn() if fn is not None else getattr(self._live, "frame", None)
        frame, mask = self._frame, self._mask
        if frame is None:
            return None
        if mask is None or len(mask) != len(frame) or mask.all():
            return frame
        key = (self.id, self.data_version, id(frame), id(mask))
        with _filtered_lock:
            hit = _filtered.get(key)
            if hit is not None:
                _filtered.move_to_end(key)
                return hit
        out = self._drawn_columns(frame)[mask]
        with _filtered_lock:
            _filtered[key] = out
            while len(_filtered) > FILTERED_CACHE_ENTRIES:
                _filtered.popitem(last=False)
        return out

    @property
    def frame(self):
        return self._live.frame if self._deferred else self._frame

    def _drawn_columns(self, frame):
        """Only the columns drawing can read (style fields, mapped fields, geometry): masking a
        million rows then copies a few arrays, not every text column of the layer."""
        style = self.style
        wanted = {getattr(style, a, None) for a in ("field", "size_field", "label_field")}
        wanted |= set(self.field_map.values()) | set(self.field_map)
        geom = getattr(frame, "_geometry_column_name", "geometry")
        cols = [c for c in frame.columns if c in wanted or c == geom]
        if len(cols) == len(frame.columns) or geom not in cols:
            return frame
        return frame[cols]

    def __repr__(self) -> str:
        return f"<LayerSnapshot {self.name!r} v{self.data_version}>"


class ProjectSnapshot:
    """The project as a frame sees it: layers in order, basemap, attribution flags."""

    def __init__(self, project: Any) -> None:
        self.title = getattr(project, "title", "")
        self.is_synthetic = bool(getattr(project, "is_synthetic", False))
        self.basemap = dict(getattr(project, "basemap", None) or {})
        self.extent_wgs84 = getattr(project, "extent_wgs84", None)
        self.layers = [LayerSnapshot(layer) for layer in list(getattr(project, "layers", []))]


def snapshot_project(project: Any) -> ProjectSnapshot:
    """Freeze what a frame of ``project`` needs (call it on the thread that edits the project).

    Costs a style copy per layer and, for a layer whose filter changed since its mask was
    last computed, that mask (milliseconds for a million rows).
    """
    return ProjectSnapshot(project)
