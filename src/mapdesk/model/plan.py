"""A camera plan being edited: proposed cameras, their live coverage numbers and their
conflicts with tree protection zones, kept as one map layer.

The plan is Qt-free and evented (psygnal), as the rest of :mod:`mapdesk.model`: the planning
panel only translates mouse input into the edit methods below and shows what the signals
report. Every edit returns what its inverse needs, so a GUI can wrap it in an undo command:

=====================================  ==============================================
edit                                   inverse
=====================================  ==============================================
``cid = add(x_m, y_m, ...)``           ``remove(cid)``
``index, cam = remove(cid)``           ``restore(cam, index)``
``old = move(cid, x_m, y_m)``          ``move(cid, *old)``
``old = rotate(cid, direction_deg)``   ``rotate(cid, old)``
``old = update(cid, **fields)``        ``update(cid, **old)``
``old = replace_all(cameras)``         ``replace_all(old)``
``old = from_suggestion(result)``      ``replace_all(old)``
=====================================  ==============================================

Cameras live in the incidents' local UTM zone (metres); ``to_metric``/``from_metric``
convert positions from and to any CRS (the canvas works in EPSG:3857).

Coverage is counted over the incidents passing the incident layer's filter: ``before`` is
what the existing cameras see, ``after`` adds the plan, ``new = after - before``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from psygnal import Signal
from scipy.spatial import cKDTree

from mapdesk.domain.cameras import (
    CameraDefaults,
    LiveCoverage,
    PlannedCamera,
    coverage_of,
    metric_crs,
    metric_point_xy,
    plan_from_layer,
    select_cameras,
)
from mapdesk.errors import MapdeskError
from mapdesk.io.schema import to_canonical
from mapdesk.model.layer import Layer
from mapdesk.model.style import Category, Style

__all__ = [
    "PLAN_COLOR",
    "CONFLICT_COLOR",
    "CameraPlan",
    "PlanConflict",
    "PlanError",
    "PlanNumbers",
    "TypeNumbers",
]

PLAN_COLOR = "#ff7f00"
CONFLICT_COLOR = "#e31a1c"
#: What a new camera looks like: facing north, 90° field of view, 50 m range.
PLAN_DEFAULTS = CameraDefaults(direction_deg=0.0, fov_deg=90.0, range_m=50.0)
#: Above this many incidents a KD-tree answers a camera's coverage faster than a dense test.
_DENSE_LIMIT = 20_000
_ID_RE = re.compile(r"^P-(\d+)$")


class PlanError(MapdeskError):
    """A plan edit that cannot be done (unknown camera, bad value, no incidents)."""


@dataclass(frozen=True)
class PlanConflict:
    """A proposed camera inside a tree's protection zone."""

    camera_id: str
    tree_id: str
    grade: int | None
    species: str | None
    distance_m: float  # camera to trunk
    radius_m: float  # the zone's radius
    trunk_x_m: float = math.nan  # the trunk in the plan's metric CRS
    trunk_y_m: float = math.nan


@dataclass(frozen=True)
class TypeNumbers:
    """Coverage of one incident type: ``before`` by existing cameras, ``after`` with the plan."""

    code: str
    total: int
    before: int
    after: int

    @property
    def new(self) -> int:
        return self.after - self.before

    @property
    def new_share(self) -> float:
        """Incidents of this type newly covered, as a share of all of this type."""
        return self.new / self.total if self.total else 0.0


@dataclass(frozen=True)
class PlanNumbers:
    """The live numbers of a plan over the (filtered, located) incidents."""

    total: int = 0
    before: int = 0
    after: int = 0
    by_type: dict[str, TypeNumbers] = field(default_factory=dict)
    #: incidents each planned camera sees that no existing camera sees
    new_by_camera: dict[str, int] = field(default_factory=dict)
    #: incidents only this planned camera sees (no existing, no other planned camera)
    unique_by_camera: dict[str, int] = field(default_factory=dict)

    @property
    def new(self) -> int:
        """Incidents the plan covers beyond the existing cameras."""
        return self.after - self.before

    @property
    def share_before(self) -> float:
        return self.before / self.total if self.total else 0.0

    @property
    def share_after(self) -> float:
        return self.after / self.total if self.total else 0.0

    @property
    def new_share(self) -> float:
        """``new`` as a share of all incidents (percentage points of coverage gained)."""
        return self.new / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "incidents": self.total, "covered_before": self.before, "covered_after": self.after,
            "newly_covered": self.new, "share_before": round(self.share_before, 6),
            "share_after": round(self.share_after, 6), "new_share": round(self.new_share, 6),
            "by_type": {k: {"total": t.total, "before": t.before, "after": t.after}
                        for k, t in self.by_type.items()},
            "new_by_camera": dict(self.new_by_camera),
            "unique_by_camera": dict(self.unique_by_camera),
        }


class _PlanCoverage(LiveCoverage):
    """:class:`LiveCoverage` that reuses one KD-tree of the incidents for large layers, so
    a drag stays within a few milliseconds at 50,000 incidents too."""

    def __init__(self, incident_xy: np.ndarray, types=None, base=None) -> None:
        super().__init__(incident_xy, types=types, base=base)
        # built on the first camera, not on every filter change of a plan with no cameras
        self._tree: cKDTree | None = None

    def set(self, key: str, camera: PlannedCamera) -> np.ndarray:
        if len(self.xy) <= _DENSE_LIMIT:
            return super().set(key, camera)
        if self._tree is None:
            self._tree = cKDTree(self.xy, balanced_tree=False, compact_nodes=False)
        mask = coverage_of([camera], self.xy, tree=self._tree)
        self._masks[key] = mask
        return mask


@lru_cache(maxsize=32)
def _transformer(src_wkt: str, dst_wkt: str):
    from pyproj import CRS, Transformer

    return Transformer.from_crs(CRS.from_wkt(src_wkt), CRS.from_wkt(dst_wkt), always_xy=True)


def _wkt(crs: Any) -> str:
    if isinstance(crs, str):
        return _wkt_of_text(crs)
    return _wkt_of_crs(crs)


@lru_cache(maxsize=32)
def _wkt_of_text(text: str) -> str:
    from pyproj import CRS

    return CRS.from_user_input(text).to_wkt()


_WKT_BY_ID: dict[int, tuple[Any, str]] = {}


def _wkt_of_crs(crs: Any) -> str:
    # to_wkt() (also behind a pyproj CRS's hash) costs ~0.2 ms: too much per mouse move, so
    # remember it per CRS object (the object is kept so that its id stays unique)
    hit = _WKT_BY_ID.get(id(crs))
    if hit is not None and hit[0] is crs:
        return hit[1]
    if len(_WKT_BY_ID) > 64:
        _WKT_BY_ID.clear()
    wkt = crs.to_wkt()
    _WKT_BY_ID[id(crs)] = (crs, wkt)
    return wkt


class CameraPlan:
    """Proposed cameras over a project's incidents, with live coverage and conflicts.

    Parameters
    ----------
    project
        The :class:`~mapdesk.model.Project` the plan belongs to (its layer is added there by
        :meth:`show_in_project`).
    incidents_layer
        The incident layer whose filtered, located points are counted.
    trees_layer
        A tree layer (protection zones are computed once with
        :func:`mapdesk.domain.trees.protection_zones`) or ``None``.
    existing_cameras_layer
        Cameras already installed; what they see counts as covered before the plan
        (cameras with status ``planned`` are left out).
    defaults
        Direction, field of view and range of a new camera.
    zone_settings
        :class:`mapdesk.domain.trees.ZoneSettings` for the protection zones.
    name
        Name of the plan layer.

    Signals
    -------
    changed(what)
        ``"cameras"`` after any edit, ``"inputs"`` when a source layer changed.
    numbers_changed(PlanNumbers)
        After every change of the cameras or the inputs.
    """

    changed = Signal(str)
    numbers_changed = Signal(object)

    def __init__(self, project: Any, incidents_layer: Layer,
                 trees_layer: Layer | None = None,
                 existing_cameras_layer: Layer | None = None,
                 defaults: CameraDefaults = PLAN_DEFAULTS, *,
                 zone_settings: Any = None, name: str = "Camera plan") -> None:
        self.project = project
        self.defaults = defaults
        self.zone_settings = zone_settings
        self.name = name
        self.path: Path | None = None
        self.warnings: list[str] = []
        self.category_labels = {"no": "Proposed camera", "yes": "Inside a tree protection zone"}
        self._cams: dict[str, PlannedCamera] = {}  # insertion order = list order
        self._masks: dict[str, np.ndarray] = {}
        self._idx: dict[str, np.ndarray] = {}  # positions each planned camera sees
        self._count = np.zeros(0, dtype=np.int32)  # planned cameras seeing each incident
        self._type_fixed: tuple = (None, None, None)  # (coverage, totals, before) by type
        self._conflicts: dict[str, list[PlanConflict]] = {}
        self._layer: Layer | None = None
        self._hold = False
        self._layer_version = -1
        self._version = 0
        self._inputs_version = 0
        self._saved_version = 0
        self._incidents: Layer | None = None
        self._trees: Layer | None = None
        self._existing: Layer | None = None
        self.crs = None
        self._numbers = PlanNumbers()
        self._incident_cache: tuple | None = None
        self._active = True
        self._defer = False
        self._stale = False
        self._unreported = False
        self._zone_xy = np.empty((0, 2))
        self._zone_r = np.empty(0)
        self._zone_info: list[tuple[str, int | None, str | None]] = []
        self.set_inputs(incidents_layer, trees_layer, existing_cameras_layer)

    # ---- inputs ----------------------------------------------------------------------------
    @property
    def incidents_layer(self) -> Layer | None:
        return self._incidents

    @property
    def trees_layer(self) -> Layer | None:
        return self._trees

    @property
    def existing_cameras_layer(self) -> Layer | None:
        return self._existing

    def set_inputs(self, incidents_layer: Layer, trees_layer: Layer | None = None,
                   existing_cameras_layer: Layer | None = None) -> None:
        """Choose the source layers; cameras keep their place (reprojected if the analysis
        CRS changes) and every number is recomputed."""
        if incidents_layer is None:
            raise PlanError("a camera plan needs an incident layer")
        for lyr in (self._incidents, self._existing):
            if lyr is not None:
                lyr.changed.disconnect(self._on_source_changed)
        old_crs = self.crs
        frame = incidents_layer.frame
        if frame is None or not isinstance(frame, gpd.GeoDataFrame):
            raise PlanError(f"the incident layer {incidents_layer.name!r} has no data")
        self._incidents = incidents_layer
        self._trees = trees_layer
        self._existing = existing_cameras_layer
        self.crs = metric_crs(frame)
        epsg = frame.crs.to_epsg()
        self._out_crs_text = f"EPSG:{epsg}" if epsg else frame.crs.to_wkt()
        if old_crs is not None and self._cams and not old_crs.equals(self.crs):
            xs, ys = _transformer(_wkt(old_crs), _wkt(self.crs)).transform(
                [c.x_m for c in self._cams.values()], [c.y_m for c in self._cams.values()])
            for (cid, cam), x, y in zip(list(self._cams.items()), xs, ys, strict=True):
                self._cams[cid] = replace(cam, x_m=float(x), y_m=float(y))
        incidents_layer.changed.connect(self._on_source_changed)
        if existing_cameras_layer is not None:
            existing_cameras_layer.changed.connect(self._on_source_changed)
        self._build_zones()
        self._stale = False
        self._rebuild_coverage()
        self._emit("inputs")

    def set_active(self, active: bool) -> None:
        """While inactive (its panel hidden) the plan does not recount on every filter change
        of its input layers; it catches up when activated or when its numbers are read."""
        self._active = bool(active)
        if self._active:
            self.catch_up()

    def defer_inputs(self, defer: bool = True) -> None:
        """While deferring, a change of an input layer only marks the numbers stale and
        emits ``changed("stale")``; :meth:`catch_up` recounts. A GUI calls it once the map
        shows the change: recounting a million filtered incidents costs ~50 ms that the
        map's new frame need not wait for. Edits and reads catch up first, so they never
        work on the old incidents."""
        self._defer = bool(defer)
        if not self._defer:
            self.catch_up()

    @property
    def stale(self) -> bool:
        """True when an input layer changed since the numbers were counted."""
        return self._stale

    def catch_up(self) -> bool:
        """Recount now if an input changed since the last count and report it (emits
        ``"inputs"``, also after a read already recounted quietly); returns whether it did."""
        if not (self._stale or self._unreported):
            return False
        self._fresh()
        self._emit("inputs")
        return True

    def _fresh(self) -> None:
        # a read or an edit while stale recounts quietly; the edit's signals (or the next
        # catch_up) report the new numbers
        if self._stale:
            self._stale = False
            self._rebuild_coverage()
            self._unreported = True

    def _on_source_changed(self, what: str) -> None:
        if what in ("filter", "data", "role"):
            if not self._active or self._defer:
                self._stale = True
                if self._active:
                    self.changed.emit("stale")
                return
            self._stale = False
            self._rebuild_coverage()
            self._emit("inputs")

    def _incident_points(self) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
        """Metric positions and types of the incidents passing the layer's filter.

        The whole layer is projected and its types coded once per data frame; a filter change
        only takes the mask's subset (a million incidents: milliseconds, not seconds).
        """
        lyr = self._incidents
        frame = lyr.frame if lyr is not None else None
        warnings: list[str] = []
        self._type_codes, self._type_index = [], None
        if frame is None or len(frame) == 0:
            return np.empty((0, 2)), None, warnings
        key = (lyr.id, getattr(lyr, "frame_version", None), id(frame), len(frame), _wkt(self.crs))
        if self._incident_cache is None or self._incident_cache[0] != key:
            canon = to_canonical(frame, lyr.field_map)
            valid = ~(canon.geometry.isna() | canon.geometry.is_empty).to_numpy()
            xy = np.full((len(canon), 2), np.nan)
            if valid.any():
                xy[valid] = metric_point_xy(canon[valid], self.crs, "incidents")
            types = codes = index = None
            if "type" in canon.columns:
                from mapdesk.domain.incidents import normalize_type

                types = normalize_type(canon["type"]).fillna("other").astype(str).to_numpy(dtype=object)
                inv, uniq = pd.factorize(types, sort=True)
                codes, index = [str(c) for c in uniq], inv.astype(np.int64)
            self._incident_cache = (key, valid, xy, types, codes, index)
        _, valid, xy, types, codes, index = self._incident_cache
        passing = lyr.filter_mask()
        unplaced = passing & ~valid
        if unplaced.any():
            warnings.append(f"{int(unplaced.sum())} incident(s) without a location left out")
        keep = passing & valid
        if types is None:
            return xy[keep], None, warnings
        idx = index[keep]
        present = np.bincount(idx, minlength=len(codes)) > 0  # only types left by the filter
        remap = np.cumsum(present) - 1
        self._type_codes = [c for c, p in zip(codes, present, strict=True) if p]
        self._type_index = remap[idx]
        return xy[keep], types[keep], warnings

    def _existing_cameras(self) -> tuple[list[PlannedCamera], list[str]]:
        lyr = self._existing
        frame = lyr.filtered_frame() if lyr is not None else None
        if frame is None or len(frame) == 0:
            return [], []
        frame = to_canonical(frame, lyr.field_map)
        frame, warnings = select_cameras(frame, ("planned",))
        bad = (frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
        if bad.any():
            warnings.append(f"{int(bad.sum())} existing camera(s) without a location left out")
            frame = frame[~bad]
        return plan_from_layer(frame, self.crs), warnings

    def _rebuild_coverage(self) -> None:
        xy, types, warnings = self._incident_points()
        existing, more = self._existing_cameras()
        self.warnings = warnings + more
        base = coverage_of(existing, xy) if existing else None
        self._live = _PlanCoverage(xy, types=types, base=base)
        self._masks = {cid: self._live.set(cid, cam) for cid, cam in self._cams.items()}
        self._recount()
        self._numbers = self._compute_numbers()

    def _build_zones(self) -> None:
        self._zone_xy = np.empty((0, 2))
        self._zone_r = np.empty(0)
        self._zone_info = []
        lyr = self._trees
        frame = lyr.frame if lyr is not None else None
        if frame is None or len(frame) == 0:
            self._recheck_conflicts()
            return
        from mapdesk.domain.trees import protection_zones

        trees = to_canonical(frame, lyr.field_map)
        polys = trees.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
        if polys.all() and "radius_m" not in trees.columns:
            # a layer of zone polygons: the centroid stands for the trunk, the mean
            # centroid-to-boundary distance for the radius
            zones = trees.to_crs(self.crs)
            cent = zones.geometry.centroid
            xy = np.column_stack([cent.x.to_numpy(), cent.y.to_numpy()])
            r = np.sqrt(zones.geometry.area.to_numpy() / math.pi)
        else:
            zones = protection_zones(trees, self.zone_settings)
            if len(zones) == 0:
                self._recheck_conflicts()
                return
            tx, ty = _transformer(_wkt(zones.crs), _wkt(self.crs)).transform(
                zones["trunk_x"].to_numpy(dtype=float), zones["trunk_y"].to_numpy(dtype=float))
            xy = np.column_stack([np.asarray(tx), np.asarray(ty)])
            r = zones["radius_m"].to_numpy(dtype=float)
        ids = (zones["tree_id"].astype("string").fillna("?").tolist() if "tree_id" in zones
               else [str(i) for i in zones.index])
        grades = (zones["grade"].tolist() if "grade" in zones else [None] * len(zones))
        species = (zones["species"].astype("string").tolist() if "species" in zones
                   else [None] * len(zones))
        self._zone_xy, self._zone_r = xy, r
        self._zone_info = [(str(i), None if pd.isna(g) else int(g), None if pd.isna(s) else str(s))
                           for i, g, s in zip(ids, grades, species, strict=True)]
        self._recheck_conflicts()

    # ---- conversions -----------------------------------------------------------------------
    def to_metric(self, x: Any, y: Any, crs: Any = "EPSG:3857") -> tuple[Any, Any]:
        """Coordinates in ``crs`` to the plan's metric CRS."""
        return _transformer(_wkt(crs), _wkt(self.crs)).transform(x, y)

    def from_metric(self, x_m: Any, y_m: Any, crs: Any = "EPSG:3857") -> tuple[Any, Any]:
        """Plan metres to coordinates in ``crs``."""
        return _transformer(_wkt(self.crs), _wkt(crs)).transform(x_m, y_m)

    # ---- reading ---------------------------------------------------------------------------
    @property
    def cameras(self) -> list[PlannedCamera]:
        """The proposed cameras in order (copies; edit through the methods)."""
        return [replace(c) for c in self._cams.values()]

    @property
    def ids(self) -> list[str]:
        return list(self._cams)

    def __len__(self) -> int:
        return len(self._cams)

    def __contains__(self, cid: object) -> bool:
        return cid in self._cams

    def camera(self, cid: str) -> PlannedCamera:
        try:
            return replace(self._cams[cid])
        except KeyError:
            raise PlanError(f"no camera {cid!r} in the plan") from None

    @property
    def numbers(self) -> PlanNumbers:
        self._fresh()
        return self._numbers

    def coverage_mask(self, cid: str | None = None) -> np.ndarray:
        """Incidents covered by one planned camera, or (``None``) by existing + plan."""
        self._fresh()
        if cid is None:
            return self._live.covered
        return self._masks[cid].copy()

    @property
    def incident_xy(self) -> np.ndarray:
        """The counted incidents in the metric CRS (filtered, located)."""
        self._fresh()
        return self._live.xy

    def conflicts(self, cid: str | None = None) -> list[PlanConflict]:
        """Conflicts of one camera (nearest trunk first) or of all, in plan order."""
        if cid is not None:
            return list(self._conflicts.get(cid, []))
        return [c for k in self._cams for c in self._conflicts.get(k, [])]

    def camera_at(self, x_m: float, y_m: float, tolerance_m: float) -> str | None:
        """The camera nearest to a point within ``tolerance_m`` (last drawn wins ties)."""
        best, best_d = None, tolerance_m
        for cid, cam in self._cams.items():
            d = math.hypot(cam.x_m - x_m, cam.y_m - y_m)
            if d <= best_d:
                best, best_d = cid, d
        return best

    @property
    def modified(self) -> bool:
        """Edited since the last :meth:`save_as_layer` (or since creation)."""
        return self._version != self._saved_version

    # ---- edits (each returns what its inverse needs) -----------------------------------------
    def next_id(self) -> str:
        used = [int(m.group(1)) for m in map(_ID_RE.match, self._cams) if m]
        return f"P-{(max(used) + 1 if used else 1):02d}"

    def add(self, x_m: float, y_m: float, direction_deg: float | None | object = ...,
            fov_deg: float | None = None, range_m: float | None = None,
            camera_id: str | None = None, index: int | None = None) -> str:
        """Place a camera (metric coordinates); returns its id (``P-01``, ``P-02``, ...).

        Unset values come from ``defaults``; ``direction_deg=None`` is a full circle.
        Inverse: :meth:`remove`.
        """
        d = self.defaults
        cam = PlannedCamera(float(x_m), float(y_m),
                            d.direction_deg if direction_deg is ... else direction_deg,
                            d.fov_deg if fov_deg is None else float(fov_deg),
                            d.range_m if range_m is None else float(range_m),
                            camera_id)
        return self.restore(cam, index)

    def restore(self, camera: PlannedCamera, index: int | None = None) -> str:
        """Put ``camera`` back at ``index`` (the inverse of :meth:`remove`)."""
        self._fresh()
        cam = self._checked(replace(camera))
        cid = cam.camera_id or self.next_id()
        if cid in self._cams:
            raise PlanError(f"the plan already has a camera {cid!r}")
        cam.camera_id = cid
        items = list(self._cams.items())
        index = len(items) if index is None else max(0, min(int(index), len(items)))
        items.insert(index, (cid, cam))
        self._cams = dict(items)
        self._touch([cid])
        return cid

    def remove(self, cid: str) -> tuple[int, PlannedCamera]:
        """Delete a camera; returns ``(index, camera)`` for :meth:`restore`."""
        if cid not in self._cams:
            raise PlanError(f"no camera {cid!r} in the plan")
        self._fresh()
        index = list(self._cams).index(cid)
        cam = self._cams.pop(cid)
        self._live.remove(cid)
        self._masks.pop(cid, None)
        idx = self._idx.pop(cid, None)
        if idx is not None:
            self._count[idx] -= 1
        self._conflicts.pop(cid, None)
        self._touch([])
        return index, cam

    def move(self, cid: str, x_m: float, y_m: float) -> tuple[float, float]:
        """Move a camera; returns its old position."""
        old = self.update(cid, x_m=x_m, y_m=y_m)
        return old["x_m"], old["y_m"]

    def rotate(self, cid: str, direction_deg: float | None) -> float | None:
        """Point a camera (degrees from north, clockwise); returns the old direction."""
        return self.update(cid, direction_deg=direction_deg)["direction_deg"]

    def set_fov(self, cid: str, fov_deg: float) -> float:
        return self.update(cid, fov_deg=fov_deg)["fov_deg"]

    def set_range(self, cid: str, range_m: float) -> float:
        return self.update(cid, range_m=range_m)["range_m"]

    def update(self, cid: str, **fields: Any) -> dict[str, Any]:
        """Change any of ``x_m``, ``y_m``, ``direction_deg``, ``fov_deg``, ``range_m``;
        returns the old values of the changed fields (``update(cid, **old)`` undoes it)."""
        if cid not in self._cams:
            raise PlanError(f"no camera {cid!r} in the plan")
        allowed = {"x_m", "y_m", "direction_deg", "fov_deg", "range_m"}
        unknown = set(fields) - allowed
        if unknown:
            raise PlanError(f"cannot set {', '.join(sorted(unknown))} of a camera")
        self._fresh()
        cam = self._cams[cid]
        old = {k: getattr(cam, k) for k in fields}
        self._cams[cid] = self._checked(replace(cam, **fields))
        self._touch([cid])
        return old

    def replace_all(self, cameras: Iterable[PlannedCamera]) -> list[PlannedCamera]:
        """Replace every camera (ids kept, missing ones assigned); returns the old list."""
        self._fresh()
        old = self.cameras
        new: dict[str, PlannedCamera] = {}
        self._cams = new
        for cam in cameras:
            cam = self._checked(replace(cam))
            cid = cam.camera_id or self.next_id()
            if cid in new:
                raise PlanError(f"camera id {cid!r} is used twice")
            cam.camera_id = cid
            new[cid] = cam
        self._live = _PlanCoverage(self._live.xy, types=self._live.types, base=self._live.base)
        self._masks = {}
        self._recount()
        self._conflicts = {}
        self._touch(list(new))
        return old

    def clear(self) -> list[PlannedCamera]:
        return self.replace_all([])

    def from_suggestion(self, result: Any, replace_existing: bool = True) -> list[PlannedCamera]:
        """Seed the plan with the sites of a
        :class:`~mapdesk.analysis.placement.PlacementResult` (rank order; a site without a
        direction covers a circle). Returns the old cameras for :meth:`replace_all`."""
        sites = result.sites
        cams = self.cameras if not replace_existing else []
        if len(sites):
            new = plan_from_layer(sites.drop(columns=["camera_id"], errors="ignore"), self.crs,
                                  CameraDefaults(fov_deg=self.defaults.fov_deg,
                                                 range_m=self.defaults.range_m))
            taken = {c.camera_id for c in cams}
            n = 0
            for cam in new:
                n += 1
                while f"P-{n:02d}" in taken:
                    n += 1
                cam.camera_id = f"P-{n:02d}"
                cams.append(cam)
        return self.replace_all(cams)

    def load_layer(self, layer: Layer) -> list[PlannedCamera]:
        """Take the cameras of a camera layer (e.g. a saved plan) as the plan; returns the
        old cameras for :meth:`replace_all`."""
        frame = layer.frame
        if frame is None:
            raise PlanError(f"the layer {layer.name!r} has no data")
        return self.replace_all(plan_from_layer(to_canonical(frame, layer.field_map), self.crs))

    def _checked(self, cam: PlannedCamera) -> PlannedCamera:
        if not (math.isfinite(cam.x_m) and math.isfinite(cam.y_m)):
            raise PlanError("a camera needs a finite position")
        if not (cam.range_m > 0 and math.isfinite(cam.range_m)):
            raise PlanError(f"range must be a positive number of metres, not {cam.range_m}")
        if not (0 < cam.fov_deg <= 360):
            raise PlanError(f"field of view must be in (0, 360] degrees, not {cam.fov_deg}")
        if cam.direction_deg is not None:
            if not math.isfinite(cam.direction_deg):
                cam.direction_deg = None
            else:
                cam.direction_deg = float(cam.direction_deg) % 360.0
        return cam

    # ---- recomputation -----------------------------------------------------------------------
    def _touch(self, cids: Sequence[str]) -> None:
        for cid in cids:
            old = self._idx.get(cid)
            if old is not None:
                self._count[old] -= 1
            self._masks[cid] = mask = self._live.set(cid, self._cams[cid])
            self._idx[cid] = idx = np.flatnonzero(mask)
            self._count[idx] += 1
            self._conflicts[cid] = self._conflicts_of(self._cams[cid])
        self._numbers = self._compute_numbers()
        self._version += 1
        self._emit("cameras")

    def _recheck_conflicts(self) -> None:
        self._conflicts = {cid: self._conflicts_of(cam) for cid, cam in self._cams.items()}

    def _conflicts_of(self, cam: PlannedCamera) -> list[PlanConflict]:
        if len(self._zone_r) == 0:
            return []
        d = np.hypot(self._zone_xy[:, 0] - cam.x_m, self._zone_xy[:, 1] - cam.y_m)
        hit = np.flatnonzero(d <= self._zone_r)
        out = []
        for i in hit[np.argsort(d[hit], kind="stable")]:
            tid, grade, species = self._zone_info[i]
            out.append(PlanConflict(str(cam.camera_id), tid, grade, species,
                                    round(float(d[i]), 2), float(self._zone_r[i]),
                                    float(self._zone_xy[i, 0]), float(self._zone_xy[i, 1])))
        return out

    def _recount(self) -> None:
        self._idx = {cid: np.flatnonzero(m) for cid, m in self._masks.items()}
        self._count = np.zeros(len(self._live.xy), dtype=np.int32)
        for idx in self._idx.values():
            self._count[idx] += 1

    def _compute_numbers(self) -> PlanNumbers:
        # incremental: a drag changes one camera's index set, the per-incident count of
        # planned cameras is kept up to date, so this costs a few passes over the incidents
        # plus work proportional to what the cameras see (1-2 ms at 50,000 incidents)
        live = self._live
        n = len(live.xy)
        base = live.base
        count = self._count
        after = base | (count > 0)
        new_by_cam = {cid: int(np.count_nonzero(~base[idx])) for cid, idx in self._idx.items()}
        unique = {cid: int(np.count_nonzero(~base[idx] & (count[idx] == 1)))
                  for cid, idx in self._idx.items()}
        by_type: dict[str, TypeNumbers] = {}
        if self._type_index is not None and n:
            k = len(self._type_codes)
            if self._type_fixed[0] is not live:
                # totals and what existing cameras see change only with the inputs
                self._type_fixed = (live, np.bincount(self._type_index, minlength=k),
                                    np.bincount(self._type_index[base], minlength=k))
            _, tot, bef = self._type_fixed
            aft = np.bincount(self._type_index[after], minlength=k)
            order = np.argsort(-tot, kind="stable")
            by_type = {self._type_codes[i]: TypeNumbers(self._type_codes[i], int(tot[i]),
                                                        int(bef[i]), int(aft[i])) for i in order}
        return PlanNumbers(n, int(base.sum()), int(after.sum()), by_type, new_by_cam, unique)

    def _emit(self, what: str) -> None:
        self._inputs_version += what == "inputs" or self._unreported
        self._unreported = False
        self.changed.emit(what)
        self.numbers_changed.emit(self._numbers)
        if not self._hold:
            self._sync_layer()

    # ---- the plan as a layer -------------------------------------------------------------------
    def to_frame(self, crs: Any = None) -> gpd.GeoDataFrame:
        """The plan as a camera point layer (in ``crs``, default the incidents' CRS).

        Columns: ``camera_id``, ``direction_deg``, ``fov_deg``, ``range_m``, ``status``
        (``planned``), ``conflict`` (``yes``/``no``), ``conflict_tree``, ``conflict_grade``,
        ``conflict_distance_m`` (nearest trunk), ``new_incidents`` (seen by no existing
        camera), ``unique_incidents`` (seen by no other camera). A circle camera is written
        as direction 0 with a 360° field of view, so it is drawn and read back as a circle.
        """
        # By default the CRS goes in as text, so every frame gets a CRS object of its own:
        # the canvas renders frames in a worker thread and a pyproj CRS object used by two
        # threads at once can crash PROJ.
        self._fresh()
        out_crs = crs if crs is not None else self._out_crs_text
        cams = list(self._cams.values())
        n = len(cams)
        x = np.fromiter((c.x_m for c in cams), dtype=float, count=n)
        y = np.fromiter((c.y_m for c in cams), dtype=float, count=n)
        if out_crs is not None and n:
            x, y = _transformer(_wkt(self.crs), _wkt(out_crs)).transform(x, y)
        circle = [c.direction_deg is None or c.fov_deg >= 360 for c in cams]
        first = [(self._conflicts.get(c.camera_id) or [None])[0] for c in cams]
        nb = self._numbers
        # one constructor call: a drag rebuilds this frame on every mouse move
        columns = {
            "camera_id": pd.array([c.camera_id for c in cams], dtype="string"),
            "direction_deg": np.array([0.0 if o else float(c.direction_deg)
                                       for c, o in zip(cams, circle, strict=True)], dtype=float),
            "fov_deg": np.array([360.0 if o else float(c.fov_deg)
                                 for c, o in zip(cams, circle, strict=True)], dtype=float),
            "range_m": np.array([float(c.range_m) for c in cams], dtype=float),
            "status": pd.array(["planned"] * n, dtype="string"),
            "conflict": pd.array(["yes" if f is not None else "no" for f in first], dtype="string"),
            "conflict_tree": pd.array([f.tree_id if f else None for f in first], dtype="string"),
            "conflict_grade": pd.array([f.grade if f else None for f in first], dtype="Int64"),
            "conflict_distance_m": np.array([f.distance_m if f else np.nan for f in first],
                                            dtype=float),
            "new_incidents": np.array([nb.new_by_camera.get(c.camera_id, 0) for c in cams],
                                      dtype=np.int64),
            "unique_incidents": np.array([nb.unique_by_camera.get(c.camera_id, 0) for c in cams],
                                         dtype=np.int64),
        }
        columns["geometry"] = gpd.array.from_shapely(
            shapely.points(np.asarray(x, float), np.asarray(y, float)),
            crs=out_crs if out_crs is not None else self.crs)
        # a "geometry" column of geometry dtype becomes the active geometry: half the cost of
        # passing geometry= and crs= (which re-check the CRS of every column)
        return gpd.GeoDataFrame(columns)

    def style(self) -> Style:
        """Orange wedges, red where a camera sits in a protection zone, labelled by id."""
        return Style(kind="categorized", field="conflict", color=PLAN_COLOR, marker="square",
                     size=8.0, stroke_color="#ffffff", stroke_width=0.8, fill_opacity=0.3,
                     wedge=True, label_field="camera_id", label_size=8.0, label_color="#7a3500",
                     categories=[Category("no", self.category_labels["no"], PLAN_COLOR),
                                 Category("yes", self.category_labels["yes"], CONFLICT_COLOR)])

    def plan_layer(self) -> Layer:
        """The plan's layer (role ``cameras``, wedge style); the same object every call,
        its frame kept up to date with every edit."""
        if self._layer is None:
            fm = {k: k for k in ("camera_id", "direction_deg", "fov_deg", "range_m", "status")}
            self._layer = Layer.from_frame(self.name, self.to_frame(), role="cameras",
                                           field_map=fm, style=self.style())
            self._layer_version = (self._version, self._inputs_version)
        return self._layer

    def set_category_labels(self, no: str, yes: str) -> None:
        """Legend labels (translated by the GUI)."""
        self.category_labels = {"no": no, "yes": yes}
        if self._layer is not None:
            self._layer.set_style(self.style())

    def show_in_project(self) -> Layer:
        """Add the plan layer to the project (on top) unless it is there; returns it."""
        lyr = self.plan_layer()
        if self.project is not None and lyr not in self.project.layers:
            self.project.add_layer(lyr)
        return lyr

    def hold_layer(self, hold: bool = True) -> None:
        """While held (during a drag), edits update the numbers and conflicts at once but
        not the layer's frame, whose rebuild and re-render cost more; releasing syncs it.
        :meth:`flush_layer` syncs it while held (a GUI calls it a few times a second)."""
        self._hold = bool(hold)
        if not self._hold:
            self._sync_layer()

    def flush_layer(self) -> None:
        """Bring the layer up to date now (it is skipped when nothing changed)."""
        self._sync_layer()

    def _sync_layer(self) -> None:
        key = (self._version, self._inputs_version)
        if self._layer is not None and self._layer_version != key:
            self._layer_version = key
            self._layer.set_frame(self.to_frame())

    def save_as_layer(self, path: str | Path, overwrite: bool = True) -> Path:
        """Write the plan with :func:`mapdesk.io.save_layer` (GeoPackage, GeoJSON, ... by
        extension). The plan layer then refers to the file, so a saved project reopens it.

        Raises
        ------
        ExportError
            Unknown extension, existing file with ``overwrite=False``, missing folder.
        """
        from mapdesk.io import save_layer

        path = Path(path)
        layer_name = path.stem if path.suffix.lower() == ".gpkg" else None
        save_layer(self.to_frame(), path, overwrite=overwrite, layer=layer_name)
        self.path = path
        self._saved_version = self._version
        lyr = self.plan_layer()
        lyr.source = str(path)
        lyr.layer_name = layer_name
        lyr.load_options = {"role": "cameras"}
        return path

    def summary(self) -> dict[str, Any]:
        """JSON-ready: the cameras, the numbers and the conflicts."""
        self._fresh()
        return {
            "metric_crs": self.crs.to_string() if self.crs is not None else None,
            "cameras": [{"camera_id": c.camera_id, "x_m": round(c.x_m, 2), "y_m": round(c.y_m, 2),
                         "direction_deg": c.direction_deg, "fov_deg": c.fov_deg,
                         "range_m": c.range_m} for c in self._cams.values()],
            "numbers": self._numbers.to_dict(),
            "conflicts": [c.__dict__ for c in self.conflicts()],
            "warnings": list(self.warnings),
        }
