"""Styles for analysis results, so that a result arrives in the map (and in exports)
already readable: Gi* classes in red/blue, counts graduated, densities on a ramp,
differences on a diverging ramp symmetric around zero.

Qt-free. :func:`style_for_result` picks the style from the result's kind (detected from
its columns / params when not given); :func:`result_layer` builds the :class:`Layer`
with that style, keeping the result's ``params`` (``attrs["params"]`` of a frame,
``params`` of a raster) for legends and exports; :func:`comparison_layers` gives the
three layers of a two-period comparison with breaks shared by both periods.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from mapdesk.model.layer import Layer
from mapdesk.model.style import Category, Style, compute_breaks

RESULT_KINDS = ("gistar", "counts", "kde", "difference")

#: Gi* class (the ``gi_class`` value) -> fill colour: ColorBrewer RdBu, with a light grey
#: for "not significant" so that only significant cells draw the eye.
GI_STYLE_COLORS: dict[str, str] = {
    "Hot 99%": "#b2182b",
    "Hot 95%": "#d6604d",
    "Hot 90%": "#f4a582",
    "Not significant": "#d9d9d9",
    "Cold 90%": "#92c5de",
    "Cold 95%": "#4393c3",
    "Cold 99%": "#2166ac",
}
_GI_ZH = {"Hot 99%": "热点 99%", "Hot 95%": "热点 95%", "Hot 90%": "热点 90%",
          "Not significant": "不显著", "Cold 90%": "冷点 90%", "Cold 95%": "冷点 95%",
          "Cold 99%": "冷点 99%"}
#: the fill of result polygons is translucent so the basemap's streets stay readable
RESULT_FILL_OPACITY = 0.65
SEQUENTIAL_RAMP = "YlOrRd"
DIVERGING_RAMP = "RdBu_r"


def _is_raster(result: Any) -> bool:
    return hasattr(result, "values") and hasattr(result, "bounds") and not hasattr(result, "columns")


def result_params(result: Any) -> dict[str, Any]:
    """The ``params`` a result carries (a raster's ``params``, a frame's ``attrs["params"]``)."""
    if _is_raster(result):
        return dict(getattr(result, "params", None) or {})
    return dict((getattr(result, "attrs", None) or {}).get("params", {}) or {})


def result_kind(result: Any) -> str:
    """"gistar", "counts", "kde" or "difference", from the result's columns and params."""
    params = result_params(result)
    if _is_raster(result):
        units = str(getattr(result, "units", "") or "")
        if units.startswith("change") or " minus " in str(params.get("period") or ""):
            return "difference"
        return "kde"
    cols = set(getattr(result, "columns", []))
    if "gi_class" in cols or "gi_bin" in cols:
        return "gistar"
    if "diff" in cols and {"count_a", "count_b"} <= cols:
        return "difference"
    if "count" in cols:
        return "counts"
    raise ValueError("not an analysis result: no gi_class, count or diff column and no raster values")


def gistar_style(lang: str = "en") -> Style:
    """Categorized by ``gi_class``: Hot 99 % dark red … Not significant light grey … Cold 99 % dark blue."""
    zh = lang.startswith("zh")
    cats = [Category(k, _GI_ZH[k] if zh else k, c) for k, c in GI_STYLE_COLORS.items()]
    return Style(kind="categorized", field="gi_class", categories=cats,
                 fill_opacity=RESULT_FILL_OPACITY, stroke_color="#ffffff", stroke_width=0.2)


def counts_style(values: Any, field: str = "count", classes: int = 5) -> Style:
    """Graduated by ``field`` (YlOrRd, natural breaks of ``values``)."""
    v = pd.to_numeric(pd.Series(np.asarray(values).ravel()), errors="coerce").dropna()
    breaks = compute_breaks(v, "natural_breaks", classes) if len(v) else []
    return Style(kind="graduated", field=field, method="natural_breaks", classes=classes,
                 ramp=SEQUENTIAL_RAMP, breaks=breaks, fill_opacity=RESULT_FILL_OPACITY,
                 stroke_color="#ffffff", stroke_width=0.2)


def symmetric_breaks(max_abs: float, classes: int = 7) -> list[float]:
    """``classes`` equal classes over −max_abs..max_abs (odd count: one class straddles 0)."""
    m = float(max_abs) if max_abs and math.isfinite(max_abs) and max_abs > 0 else 1.0
    return [float(b) for b in np.linspace(-m, m, classes + 1)]


def kde_style(vmax: float | None, vmin: float = 0.0) -> Style:
    """A raster on the sequential ramp from ``vmin`` (0) to ``vmax``."""
    return Style(kind="raster", ramp=SEQUENTIAL_RAMP, vmin=float(vmin),
                 vmax=None if vmax is None else float(vmax), raster_opacity=0.7)


def difference_style(max_abs: float, raster: bool) -> Style:
    """Diverging RdBu_r symmetric around 0 (blue = fewer, red = more)."""
    m = float(max_abs) if max_abs and math.isfinite(max_abs) and max_abs > 0 else 1.0
    if raster:
        return Style(kind="raster", ramp=DIVERGING_RAMP, vmin=-m, vmax=m, raster_opacity=0.75)
    return Style(kind="graduated", field="diff", method="equal_interval", classes=7,
                 ramp=DIVERGING_RAMP, breaks=symmetric_breaks(m, 7), fill_opacity=RESULT_FILL_OPACITY,
                 stroke_color="#ffffff", stroke_width=0.2)


def style_for_result(frame_or_grid: Any, kind: str | None = None, *, lang: str = "en") -> Style:
    """The style an analysis result should arrive with.

    Parameters
    ----------
    frame_or_grid
        A result GeoDataFrame (Gi* cells, grid/hex counts, a comparison's difference
        cells) or a RasterGrid (KDE, a comparison's difference).
    kind
        One of :data:`RESULT_KINDS`; detected with :func:`result_kind` when None.
    lang
        Legend labels of Gi* classes (``"en"`` or ``"zh"``).
    """
    kind = kind or result_kind(frame_or_grid)
    params = result_params(frame_or_grid)
    raster = _is_raster(frame_or_grid)
    if kind == "gistar":
        return gistar_style(lang)
    if kind == "counts":
        return counts_style(frame_or_grid["count"].to_numpy())
    if kind == "kde":
        vmax = params.get("vmax")
        if vmax is None and raster:
            vals = np.asarray(frame_or_grid.values, dtype=float)
            fin = vals[np.isfinite(vals)]
            vmax = float(fin.max()) if fin.size else None
        return kde_style(vmax)
    if kind == "difference":
        m = params.get("diff_max")
        if m is None:
            vals = (np.asarray(frame_or_grid.values, dtype=float) if raster
                    else pd.to_numeric(frame_or_grid["diff"], errors="coerce").to_numpy(dtype=float))
            fin = np.abs(vals[np.isfinite(vals)])
            m = float(fin.max()) if fin.size else 1.0
        return difference_style(float(m), raster)
    raise ValueError(f"unknown result kind {kind!r}; choose one of {', '.join(RESULT_KINDS)}")


def result_layer(result: Any, name: str, *, kind: str | None = None, style: Style | None = None,
                 lang: str = "en") -> Layer:
    """A map layer holding ``result``, styled with :func:`style_for_result`.

    Rasters become ``Layer.from_raster`` (the grid keeps its ``params``); frames become
    ``Layer.from_frame(..., role="result")`` with ``attrs["params"]`` kept.
    """
    style = style or style_for_result(result, kind, lang=lang)
    if _is_raster(result):
        return Layer.from_raster(name, result, style=style)
    params = result_params(result)
    lyr = Layer.from_frame(name, result, role="result", style=style)
    if lyr.frame is not None and params and not lyr.frame.attrs.get("params"):
        lyr.frame.attrs["params"] = params
    return lyr


def comparison_layers(comparison: Any, name: str = "comparison", *, lang: str = "en") -> list[Layer]:
    """Layers A, B and B − A of a :class:`~mapdesk.analysis.compare.PeriodComparison`,
    A and B with the same colours for the same values (shared ``vmax`` or shared breaks)."""
    a, b, d = comparison.a, comparison.b, comparison.diff
    if _is_raster(a):
        sa = kde_style(comparison.vmax)
        sb = kde_style(comparison.vmax)
    else:
        both = np.concatenate([a["count"].to_numpy(), b["count"].to_numpy()])
        sa = counts_style(both)
        sb = sa.copy()
    sd = difference_style(comparison.diff_max, _is_raster(d))
    pa = result_params(a).get("period") or "A"
    pb = result_params(b).get("period") or "B"
    return [result_layer(a, f"{name} A ({pa})", style=sa, lang=lang),
            result_layer(b, f"{name} B ({pb})", style=sb, lang=lang),
            result_layer(d, f"{name} B − A", style=sd, lang=lang)]
