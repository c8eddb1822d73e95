"""Rebuild a saved raster result. Uses the analysis package's RasterGrid when it exists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class SimpleGrid:
    values: np.ndarray
    bounds: tuple[float, float, float, float]
    crs: Any
    cell_m: float | None = None
    units: str = ""
    params: dict = field(default_factory=dict)


def grid_from_arrays(values: np.ndarray, bounds: tuple, meta: dict) -> Any:
    try:
        from mapdesk.analysis.raster import RasterGrid
    except ImportError:
        RasterGrid = None  # noqa: N806
    kw = dict(values=values, bounds=tuple(float(b) for b in bounds), crs=meta.get("crs"),
              cell_m=meta.get("cell_m"), units=meta.get("units", ""), params=meta.get("params", {}))
    if RasterGrid is not None:
        try:
            return RasterGrid(**kw)
        except TypeError:
            pass
    return SimpleGrid(**kw)
