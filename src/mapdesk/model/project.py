"""The project: layers in drawing order, the basemap, the view, saved as readable JSON.

``*.mapdesk.json`` keeps paths relative to the project file. Layers without a file (analysis
results) are written beside it, in ``<stem>.data/`` (GeoPackage for vectors, ``.npz`` for
rasters), so a saved project reopens with its results.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from psygnal import Signal

from mapdesk.errors import MapdeskError
from mapdesk.io.atomic import atomic_path, write_text_atomic
from mapdesk.model.layer import Layer

FORMAT_VERSION = 1
DEFAULT_BASEMAP = {"kind": "none", "path": None, "url": None, "name": "none", "attribution": ""}


class ProjectError(MapdeskError):
    """A project file cannot be read or written."""


class Project:
    """Layers (``layers[0]`` is drawn first, at the bottom), basemap and view; evented."""

    layer_added = Signal(object)
    layer_removed = Signal(object)
    layers_changed = Signal()  # order or membership
    layer_changed = Signal(object, str)  # layer, what
    basemap_changed = Signal()
    view_changed = Signal()
    dirty_changed = Signal(bool)

    def __init__(self, title: str = "Untitled") -> None:
        self.title = title
        self.layers: list[Layer] = []
        self.basemap: dict = dict(DEFAULT_BASEMAP)
        self.extent_wgs84: tuple[float, float, float, float] | None = None
        self.is_synthetic = False
        self.notes = ""
        self.path: Path | None = None
        self._dirty = False

    # ---- layers ----------------------------------------------------------------------------
    def add_layer(self, layer: Layer, index: int | None = None) -> Layer:
        if index is None:
            self.layers.append(layer)
        else:
            self.layers.insert(index, layer)
        layer.changed.connect(self._on_layer_changed)
        # psygnal delivers the emitting layer via the closure below
        self.layer_added.emit(layer)
        self.layers_changed.emit()
        self.set_dirty()
        return layer

    def add_layer_from_file(self, path: str | Path, layer_name: str | None = None, **opts: Any) -> Layer:
        """Load ``path`` (one layer of it) and add it; a failed load raises the io error."""
        lyr = Layer.from_file(str(path), layer_name, **opts)
        if lyr.status != "ok":
            raise ProjectError(lyr.error)
        return self.add_layer(lyr)

    def add_layers_from_file(self, path: str | Path, **opts: Any) -> list[Layer]:
        """Add every layer of ``path`` (all folders of a KML, all tables of a GeoPackage).

        Layers that cannot be read (an empty KML folder) are skipped when at least one
        other layer loads; otherwise the first error is raised.

        Returns
        -------
        list of Layer
            The added layers, named ``"<file stem> – <layer>"`` when there are several.
        """
        from mapdesk.errors import LoadError
        from mapdesk.io import list_layers

        path = Path(path)
        try:
            names = [n for n, _ in list_layers(path)]
        except LoadError as exc:
            raise ProjectError(str(exc)) from None
        if len(names) <= 1:
            return [self.add_layer_from_file(path, **opts)]
        loaded = [Layer.from_file(str(path), n, **opts) for n in names]
        good = [lyr for lyr in loaded if lyr.status == "ok"]
        if not good:
            raise ProjectError(loaded[0].error)
        for lyr in good:
            lyr.name = f"{path.stem} – {lyr.layer_name}"
        distinct_colours(good)
        for lyr in good:
            self.add_layer(lyr)
        return good

    def remove_layer(self, layer: Layer) -> int:
        idx = self.layers.index(layer)
        self.layers.pop(idx)
        layer.changed.disconnect(self._on_layer_changed)
        self.layer_removed.emit(layer)
        self.layers_changed.emit()
        self.set_dirty()
        return idx

    def move_layer(self, layer: Layer, new_index: int) -> None:
        self.layers.remove(layer)
        new_index = max(0, min(new_index, len(self.layers)))
        self.layers.insert(new_index, layer)
        self.layers_changed.emit()
        self.set_dirty()

    def set_order(self, layers: list[Layer]) -> None:
        if sorted(map(id, layers)) != sorted(map(id, self.layers)):
            raise ValueError("set_order needs the same layers")
        self.layers = list(layers)
        self.layers_changed.emit()
        self.set_dirty()

    def layer_by_id(self, layer_id: str) -> Layer | None:
        return next((lyr for lyr in self.layers if lyr.id == layer_id), None)

    def layers_by_role(self, role: str) -> list[Layer]:
        return [lyr for lyr in self.layers if lyr.role == role]

    def _on_layer_changed(self, what: str) -> None:
        from psygnal import Signal as _S

        layer = _S.sender()
        self.layer_changed.emit(layer, what)
        if what not in ("selection", "rows"):  # rows: a database layer fetched its view
            self.set_dirty()

    # ---- basemap and view --------------------------------------------------------------------
    def set_basemap(self, spec: dict) -> None:
        self.basemap = {**DEFAULT_BASEMAP, **spec}
        self.basemap_changed.emit()
        self.set_dirty()

    def set_extent(self, extent: tuple[float, float, float, float]) -> None:
        self.extent_wgs84 = tuple(float(v) for v in extent)  # type: ignore[assignment]
        self.view_changed.emit()

    def full_extent_wgs84(self) -> tuple[float, float, float, float] | None:
        """Union of the visible layers' bounds in WGS 84 (None when nothing is loaded)."""
        import numpy as np

        boxes = []
        for lyr in self.layers:
            remote = getattr(lyr, "remote", None)
            if remote is not None and remote.extent_wgs84 and lyr.status == "ok":
                boxes.append(tuple(remote.extent_wgs84))  # the whole table, not the rows fetched
                continue
            if lyr.kind == "raster" and lyr.raster is not None:
                boxes.append(_bounds_to_wgs84(lyr.raster.bounds, lyr.raster.crs))
                continue
            f = lyr.frame
            if f is None or len(f) == 0 or not hasattr(f, "total_bounds"):
                continue
            b = f.total_bounds
            if not np.all(np.isfinite(b)):
                continue
            boxes.append(_bounds_to_wgs84(tuple(b), f.crs))
        if not boxes:
            return None
        arr = np.array(boxes)
        return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())

    # ---- dirty state -------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self._dirty

    def set_dirty(self, dirty: bool = True) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    # ---- persistence -------------------------------------------------------------------------
    def to_dict(self, base_dir: Path | None = None) -> dict:
        return {
            "mapdesk_project": FORMAT_VERSION,
            "title": self.title,
            "synthetic": self.is_synthetic,
            "notes": self.notes,
            "basemap": _basemap_rel(self.basemap, base_dir),
            "extent_wgs84": [round(float(v), 7) for v in self.extent_wgs84] if self.extent_wgs84 else None,
            "layers": [lyr.to_dict(base_dir) for lyr in self.layers],
        }

    def save(self, path: str | Path) -> None:
        """Write the project atomically; analysis results go to ``<stem>.data/``."""
        path = Path(path)
        base = path.parent.resolve()
        stem = path.name.removesuffix(".json").removesuffix(".mapdesk")
        for lyr in self.layers:
            if lyr.source is None:
                _save_result_layer(lyr, base / f"{stem}.data")
        try:
            write_text_atomic(path, json.dumps(self.to_dict(base), ensure_ascii=False, indent=2) + "\n")
        except OSError as exc:
            raise ProjectError(f"cannot save project to {path}: {exc.strerror or exc}") from exc
        self.path = path
        self.set_dirty(False)

    @classmethod
    def load(cls, path: str | Path, load_data: bool = True) -> Project:
        """Open a project; layers whose files are missing are kept and marked ``missing``."""
        path = Path(path)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ProjectError(f"project file not found: {path}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ProjectError(f"{path} is not a mapdesk project (not valid JSON: {exc})") from exc
        if not isinstance(doc, dict) or "mapdesk_project" not in doc:
            raise ProjectError(f"{path} is not a mapdesk project (no 'mapdesk_project' key)")
        base = path.parent.resolve()
        proj = cls(doc.get("title") or path.stem)
        proj.is_synthetic = bool(doc.get("synthetic", False))
        proj.notes = doc.get("notes", "")
        bm = dict(doc.get("basemap") or {})
        if bm.get("path"):
            from mapdesk.model.paths import abspath

            bm["path"] = abspath(bm["path"], base)
        proj.basemap = {**DEFAULT_BASEMAP, **bm}
        ext = doc.get("extent_wgs84")
        proj.extent_wgs84 = tuple(ext) if ext else None
        for d in doc.get("layers", []):
            lyr = Layer.from_dict(d, base)
            if lyr.kind == "raster" and lyr.source:
                _load_raster(lyr)
            elif load_data:
                lyr.load()
            proj.add_layer(lyr)
        proj.path = path
        proj.set_dirty(False)
        return proj


def distinct_colours(layers: list[Layer]) -> None:
    """Give single-symbol layers that share a colour (the folders of one KML, several files of
    one kind) different colours, so that map and legend can tell them apart."""
    from mapdesk.model.style import FALLBACK_COLORS

    used: set[str] = set()
    spare = iter([c for c in FALLBACK_COLORS])
    for lyr in layers:
        st = lyr.style
        if st is None or st.kind != "single":
            continue
        if st.color.lower() in used:
            new = next((c for c in spare if c.lower() not in used), None)
            if new is None:
                return
            outline_follows = st.stroke_color.lower() == st.color.lower()
            st.color = new
            if outline_follows:
                st.stroke_color = new
        used.add(st.color.lower())


def is_project_file(path: str | Path) -> bool:
    """True when ``path`` is a mapdesk project rather than a data file.

    ``*.mapdesk.json`` always is; another ``.json`` file is one only when it holds the
    ``mapdesk_project`` key near its start (a JSON record list or GeoJSON is data).
    """
    path = Path(path)
    name = path.name.lower()
    if name.endswith(".mapdesk.json"):
        return True
    if not name.endswith(".json") or not path.is_file():
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        return False
    return b'"mapdesk_project"' in head


def _basemap_rel(bm: dict, base_dir: Path | None) -> dict:
    from mapdesk.model.paths import relpath

    out = dict(bm)
    if out.get("path"):
        out["path"] = relpath(out["path"], base_dir)
    return out


def _bounds_to_wgs84(bounds: tuple, crs: Any) -> tuple[float, float, float, float]:
    from pyproj import CRS, Transformer

    if crs is None:
        return tuple(bounds)  # type: ignore[return-value]
    src = CRS.from_user_input(crs)
    if src.equals(CRS.from_epsg(4326)):
        return tuple(float(v) for v in bounds)  # type: ignore[return-value]
    tr = Transformer.from_crs(src, 4326, always_xy=True)
    return tr.transform_bounds(*bounds)


def _save_result_layer(lyr: Layer, folder: Path) -> None:
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    if lyr.kind == "raster":
        g = lyr.raster
        if g is None:
            return
        dest = folder / f"{lyr.id}.npz"
        with atomic_path(dest) as tmp, open(tmp, "wb") as fh:
            np.savez_compressed(
                fh, values=g.values, bounds=np.asarray(g.bounds, float),
                meta=np.array(json.dumps({"crs": str(g.crs), "cell_m": getattr(g, "cell_m", None),
                                          "units": getattr(g, "units", ""),
                                          "params": getattr(g, "params", {})}, default=str)))
        lyr.source = str(dest)
        return
    f = lyr.frame
    if f is None:
        return
    dest = folder / f"{lyr.id}.gpkg"
    with atomic_path(dest) as tmp:
        f.to_file(tmp, driver="GPKG", layer=lyr.name)
    lyr.source = str(dest)
    lyr.layer_name = lyr.name


def _load_raster(lyr: Layer) -> None:
    import numpy as np

    from mapdesk.analysis.raster import RasterGrid

    try:
        with np.load(lyr.source, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            lyr._raster = RasterGrid(values=z["values"], bounds=tuple(float(b) for b in z["bounds"]),
                                     crs=meta.get("crs"), cell_m=meta.get("cell_m"),
                                     units=meta.get("units", ""), params=meta.get("params", {}))
        lyr.status = "ok"
    except FileNotFoundError:
        lyr.status, lyr.error = "missing", f"file not found: {lyr.source}"
    except Exception as exc:  # a damaged result file must not stop the project from opening
        lyr.status, lyr.error = "error", f"cannot read {lyr.source}: {exc}"
