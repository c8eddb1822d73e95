"""The pointy-top hexagon lattice (anchored at 0, 0) that mapdesk bins points into.

It lives at the bottom of the package because two layers use it: ``analysis.bins`` (hexagon
counts of a frame) and ``io.postgis.aggregate`` (the same counts made by the database server),
and io may not import analysis. One lattice means a server count and a local count of the same
points give the same hexagons.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

SQRT3 = math.sqrt(3.0)


def hex_centers(row: np.ndarray, col: np.ndarray, cell: float, x0: float = 0.0,
                y0: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Centres of hexagons (row, col); ``cell`` is the distance between neighbouring centres."""
    cx = x0 + (col + 0.5 * (row & 1)) * cell
    cy = y0 + row * cell * SQRT3 / 2.0
    return cx, cy


def hex_polygons(cx: np.ndarray, cy: np.ndarray, cell: float) -> np.ndarray:
    """Pointy-top hexagon polygons around centres (vectorised)."""
    s = cell / SQRT3  # side = circumradius
    ang = np.deg2rad(np.array([90, 150, 210, 270, 330, 30, 90], dtype=float))
    ring = np.stack([cx[:, None] + s * np.cos(ang), cy[:, None] + s * np.sin(ang)], axis=-1)
    return shapely.polygons(ring)
