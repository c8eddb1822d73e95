"""Basemaps: what the project's ``basemap`` dict means, and painting it under the layers.

``project.basemap`` is ``{"kind": "none" | "mbtiles" | "tiles_dir" | "xyz", "path", "url",
"name", "attribution"}`` (plus ``"key"`` for Tianditu). Local packages (MBTiles, tile
folders) are the default for isolated networks; online presets are used only when chosen.

No GCJ-02 source (Gaode/AutoNavi, Tencent) is offered: their tiles are drawn in the
obfuscated GCJ-02 datum, a few hundred metres off WGS 84 / CGCS2000, so every WGS 84 layer
would sit visibly beside the streets. Offering it correctly means shifting all data onto
GCJ-02 at display time (and back for every measurement); until that exists, Tianditu
(CGCS2000, which matches WGS 84 to centimetres) is the Chinese online basemap.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import wait
from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from mapdesk.errors import MapdeskError
from mapdesk.render.tiles import (
    MBTilesSource,
    TileDirSource,
    TileSource,
    TileSourceError,
    XYZSource,
    tile_bounds,
    tile_range,
    zoom_for_resolution,
)

#: Online presets (used only when the user picks one).
PRESETS: dict[str, dict] = {
    "osm": {
        "kind": "xyz", "name": "OpenStreetMap",
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "attribution": "© OpenStreetMap contributors", "max_zoom": 19,
    },
    "tianditu": {
        "kind": "xyz", "name": "Tianditu",
        "url": ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
                "&TILECOL={x}&tk={key}"),
        "subdomains": "01234567", "attribution": "© 天地图 Tianditu", "max_zoom": 18,
    },
}
#: Most tiles drawn in one frame (a 4K screen needs ~150).
MAX_TILES = 400
#: Headless renders wait this long for online tiles that are not cached yet.
DEFAULT_WAIT_S = 10.0

_sources: dict[tuple, TileSource] = {}
_sources_lock = threading.Lock()


def basemap_from_arg(arg: str, key: str | None = None) -> dict:
    """The ``basemap`` dict for a CLI value: ``none``, a ``.mbtiles`` path, a tile folder,
    a preset name (``osm``, ``tianditu``) or a URL template with ``{z}/{x}/{y}``."""
    a = arg.strip()
    if a.lower() in ("", "none"):
        return {"kind": "none", "path": None, "url": None, "name": "none", "attribution": ""}
    if a.lower() in PRESETS:
        p = PRESETS[a.lower()]
        return {"kind": "xyz", "path": None, "url": p["url"], "name": p["name"],
                "attribution": p["attribution"], "key": key}
    if a.startswith(("http://", "https://")):
        return {"kind": "xyz", "path": None, "url": a, "name": "custom", "attribution": "", "key": key}
    path = Path(a)
    if path.is_dir():
        return {"kind": "tiles_dir", "path": str(path), "url": None, "name": path.name, "attribution": ""}
    if path.suffix.lower() == ".mbtiles" or path.is_file():
        return {"kind": "mbtiles", "path": str(path), "url": None, "name": path.stem, "attribution": ""}
    raise MapdeskError(f"unknown basemap {arg!r}: use none, a .mbtiles file, a z/x/y tile folder, "
                       f"{', '.join(PRESETS)} or a URL template with {{z}}/{{x}}/{{y}}")


def basemap_source(spec: dict | None) -> TileSource | None:
    """The (shared, cached) tile source for a ``basemap`` dict; ``None`` for ``kind="none"``.

    Raises :class:`~mapdesk.render.tiles.TileSourceError` (a ``MapdeskError``) with a clear
    message for a missing or corrupt package or a refused online source.
    """
    spec = spec or {}
    kind = (spec.get("kind") or "none").lower()
    if kind == "none":
        return None
    key = (kind, spec.get("path"), spec.get("url"), spec.get("key"))
    with _sources_lock:
        src = _sources.get(key)
        if src is not None:
            return src
        if kind == "mbtiles":
            if not spec.get("path"):
                raise TileSourceError("MBTiles basemap without a path")
            src = MBTilesSource(spec["path"])
        elif kind == "tiles_dir":
            if not spec.get("path"):
                raise TileSourceError("tile-folder basemap without a path")
            src = TileDirSource(spec["path"], scheme=spec.get("scheme", "xyz"))
        elif kind == "xyz":
            url = spec.get("url") or ""
            preset = next((p for p in PRESETS.values() if p["url"] == url), None)
            if "{key}" in url:
                tk = spec.get("key") or os.environ.get("MAPDESK_TIANDITU_KEY", "")
                if not tk:
                    raise TileSourceError("Tianditu needs your API key (tk): set it in the basemap "
                                          "settings or MAPDESK_TIANDITU_KEY")
                url = url.replace("{key}", tk)
            src = XYZSource(url, name=spec.get("name") or "xyz",
                            attribution=spec.get("attribution") or "",
                            subdomains=(preset or {}).get("subdomains", spec.get("subdomains", "")),
                            max_zoom=int((preset or {}).get("max_zoom", spec.get("max_zoom", 19))))
        else:
            raise TileSourceError(f"unknown basemap kind {kind!r}")
        if src.attribution == "" and spec.get("attribution"):
            src.attribution = spec["attribution"]
        _sources[key] = src
        return src


def forget_sources() -> None:
    """Close every open tile source (tests; switching projects)."""
    with _sources_lock:
        for src in _sources.values():
            src.close()
        _sources.clear()


def paint_basemap(ctx, project, report, source: TileSource | None = None,
                  wait_s: float | None = None) -> None:
    """Draw the basemap tiles covering the view; problems go to ``report``, never raise."""
    spec = getattr(project, "basemap", None) or {}
    try:
        src = source if source is not None else basemap_source(spec)
    except MapdeskError as exc:
        report.basemap = spec.get("name") or spec.get("kind", "?")
        report.tile_errors.append(str(exc))
        return
    if src is None:
        report.basemap = "none"
        return
    report.basemap = src.name
    s = ctx.settings
    upp = s.units_per_pixel
    z_want = zoom_for_resolution(upp * (s.dpi / 96.0), src.tile_size)
    z = max(src.min_zoom, min(src.max_zoom, z_want))
    x0, y0, x1, y1 = tile_range(s.extent, z)
    while (x1 - x0 + 1) * (y1 - y0 + 1) > MAX_TILES and z > src.min_zoom:
        z -= 1
        x0, y0, x1, y1 = tile_range(s.extent, z)
    tiles = [(z, x, y) for y in range(y0, y1 + 1) for x in range(x0, x1 + 1)]
    # Centre tiles first: the part the user looks at appears first.
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    tiles.sort(key=lambda t: (t[1] - cx) ** 2 + (t[2] - cy) ** 2)
    images: dict[tuple, object] = {}
    if src.is_remote:
        wait_s = DEFAULT_WAIT_S if wait_s is None else wait_s
        futures = {}
        for t in tiles:
            img = src.cached(*t)
            if img is not None:
                images[t] = img
            elif src.failure(*t) is None:
                futures[t] = src.request(*t)
        if futures and wait_s > 0:
            wait(list(futures.values()), timeout=wait_s)
        for t, fut in futures.items():
            if fut.done():
                try:
                    img = fut.result()
                except (FutureTimeout, Exception):
                    img = None
                if img is not None:
                    images[t] = img
        for t in tiles:
            if t not in images:
                err = src.failure(*t)
                if err and err not in report.tile_errors:
                    report.tile_errors.append(err)
    else:
        for t in tiles:
            if ctx.cancel():
                break
            try:
                img = src.tile(*t)
            except Exception as exc:  # a damaged tile row: report, keep drawing the rest
                report.tile_errors.append(f"tile {t[0]}/{t[1]}/{t[2]}: {exc}")
                img = None
            if img is not None:
                images[t] = img
    p = ctx.painter
    p.save()
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    for t, img in images.items():
        minx, miny, maxx, maxy = tile_bounds(*t)
        ax, ay = s.map_to_pixel(minx, maxy)
        bx, by = s.map_to_pixel(maxx, miny)
        # Snap to whole pixels so neighbouring tiles leave no hairline seams.
        ax, ay, bx, by = (round(float(v)) for v in (ax, ay, bx, by))
        p.drawImage(QRectF(ax, ay, bx - ax, by - ay), img)
    p.restore()
    report.tiles_drawn = len(images)
    report.tiles_missing = len(tiles) - len(images)
    if report.tiles_missing and not report.tile_errors and src.is_remote:
        report.tile_errors.append(f"{report.tiles_missing} tiles still loading")
