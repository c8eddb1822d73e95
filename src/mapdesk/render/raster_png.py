"""Draw a :class:`~mapdesk.analysis.raster.RasterGrid` as a translucent colour ramp.

The numpy part (:func:`ramp_rgba`) turns values into RGBA; :func:`raster_to_qimage`
wraps it for a painter (the map renderer stretches it over the grid's bounds and
paints the legend in ``grid.units``); :func:`raster_to_png` writes it to a file.
Zero and missing values are fully transparent, so the basemap shows through.
"""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtGui import QImage

from mapdesk.analysis.raster import RasterGrid
from mapdesk.errors import ExportError
from mapdesk.io.atomic import atomic_path

#: name -> colour stops (position 0..1, (r, g, b)); "diverging" is for differences
RAMPS: dict[str, tuple[tuple[float, tuple[int, int, int]], ...]] = {
    "heat": ((0.0, (255, 255, 178)), (0.25, (254, 204, 92)), (0.5, (253, 141, 60)),
             (0.75, (240, 59, 32)), (1.0, (189, 0, 38))),
    "viridis": ((0.0, (68, 1, 84)), (0.25, (59, 82, 139)), (0.5, (33, 145, 140)),
                (0.75, (94, 201, 98)), (1.0, (253, 231, 37))),
    "blues": ((0.0, (222, 235, 247)), (0.5, (107, 174, 214)), (1.0, (8, 48, 107))),
    "diverging": ((0.0, (33, 102, 172)), (0.25, (103, 169, 207)), (0.5, (247, 247, 247)),
                  (0.75, (239, 138, 98)), (1.0, (178, 24, 43))),
}


def ramp_colors(ramp: str, t: np.ndarray) -> np.ndarray:
    """RGB (uint8, shape t.shape + (3,)) of ``ramp`` at positions ``t`` in 0..1."""
    if ramp not in RAMPS:
        raise ExportError(f"unknown colour ramp {ramp!r}; choose one of {', '.join(RAMPS)}")
    stops = RAMPS[ramp]
    pos = np.array([s[0] for s in stops])
    cols = np.array([s[1] for s in stops], dtype=float)
    t = np.clip(np.nan_to_num(t, nan=0.0), 0.0, 1.0)
    rgb = np.stack([np.interp(t, pos, cols[:, k]) for k in range(3)], axis=-1)
    return np.round(rgb).astype(np.uint8)


def ramp_rgba(values: np.ndarray, ramp: str = "heat", vmax: float | None = None,
              opacity: float = 0.75, vmin_fraction: float = 0.02) -> np.ndarray:
    """RGBA uint8 image (rows × cols × 4) of ``values``.

    Sequential ramps: 0..``vmax`` (default the maximum); values below
    ``vmin_fraction · vmax`` are transparent, the rest get ``opacity`` rising with value
    so that faint density fades into the map. ``diverging``: −vmax..vmax around white,
    opacity proportional to |value| / vmax.
    """
    v = np.asarray(values, dtype=float)
    finite = np.isfinite(v)
    if vmax is None:
        vmax = float(np.abs(v[finite]).max()) if finite.any() else 0.0
    out = np.zeros(v.shape + (4,), dtype=np.uint8)
    if not vmax or vmax <= 0:
        return out
    if ramp == "diverging":
        t = 0.5 + 0.5 * v / vmax
        a = np.clip(np.abs(v) / vmax, 0, 1) * opacity
        show = finite & (np.abs(v) > vmin_fraction * vmax)
    else:
        t = v / vmax
        a = (0.35 + 0.65 * np.clip(t, 0, 1)) * opacity
        show = finite & (v > vmin_fraction * vmax)
    out[..., :3] = ramp_colors(ramp, t)
    out[..., 3] = np.where(show, np.round(a * 255), 0).astype(np.uint8)
    return out


def raster_to_qimage(grid: RasterGrid, ramp: str = "heat", vmax: float | None = None,
                     opacity: float = 0.75) -> QImage:
    """A QImage (RGBA8888, one pixel per cell, north up) owning its pixels."""
    rgba = np.ascontiguousarray(ramp_rgba(grid.values, ramp, vmax, opacity))
    h, w = rgba.shape[:2]
    img = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    return img.copy()  # detach from the numpy buffer


def raster_to_png(grid: RasterGrid, path: str | os.PathLike, ramp: str = "heat",
                  vmax: float | None = None, opacity: float = 0.75, scale: int = 1) -> None:
    """Write the grid as a translucent PNG (one pixel per cell, or ``scale`` × ``scale``),
    atomically. Use the same ``vmax`` for maps that must be comparable."""
    img = raster_to_qimage(grid, ramp, vmax, opacity)
    if scale > 1:
        img = img.scaled(img.width() * scale, img.height() * scale)
    with atomic_path(path) as tmp:
        if not img.save(str(tmp), "PNG"):
            raise ExportError(f"could not write PNG {path}")
