"""From a layer's style to per-feature symbology: a colour code and a size for every row.

The painters and the rasterizer both read a :class:`Symbology`, so a feature gets the same
colour whether it is drawn exactly or aggregated, and the legend lists the same classes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mapdesk.render import palettes

NO_DATA_COLOR = "#bdbdbd"
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "star")


@dataclass
class Symbology:
    """Per-row colour codes (``-1`` = not drawn) into ``colors``, and marker sizes in points."""

    codes: np.ndarray
    colors: list[str]
    labels: list[str]
    sizes_pt: np.ndarray | None
    size_pt: float
    breaks: list[float] | None = None
    #: Derived drawing data cached with the symbology (e.g. batched class paths).
    extras: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.has_hidden = bool(self.codes.size) and int(self.codes.min()) < 0

    def rgba(self, alpha: float = 1.0) -> np.ndarray:
        """``(len(colors), 4)`` float array of straight RGBA in 0..1."""
        return colors_to_rgba(self.colors, alpha)


def hex_rgb(color: str | None, default: str = "#000000") -> tuple[int, int, int]:
    c = (color or default).strip().lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    try:
        return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
    except ValueError:
        c = default.lstrip("#")
        return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def colors_to_rgba(colors: list[str], alpha: float = 1.0) -> np.ndarray:
    arr = np.array([hex_rgb(c) for c in colors], dtype=float).reshape(-1, 3) / 255.0
    return np.column_stack([arr, np.full(len(arr), float(alpha))])


def resolve_field(frame, name: str | None, field_map: dict | None) -> str | None:
    """The frame column for ``name``: itself, or its source column through ``field_map``."""
    if not name or frame is None:
        return None
    if name in frame.columns:
        return name
    src = (field_map or {}).get(name)
    if src is not None and src in frame.columns:
        return src
    return None


def _norm_key(v):
    """Make 1, 1.0, "1" and numpy ints compare equal as category values; NaN/None -> None."""
    if v is None:
        return None
    if isinstance(v, float | np.floating):
        if math.isnan(v):
            return None
        if float(v).is_integer():
            return str(int(v))
        return repr(float(v))
    if isinstance(v, int | np.integer | bool | np.bool_):
        return str(int(v))
    if v is pd.NA or v is pd.NaT:
        return None
    s = str(v).strip()
    if s == "" or s.lower() in ("nan", "none", "<na>"):
        return None
    try:
        f = float(s)
        if f.is_integer():
            return str(int(f))
    except ValueError:
        pass
    return s


def class_breaks(values: np.ndarray, method: str = "quantiles", k: int = 5,
                 vmin: float | None = None, vmax: float | None = None) -> list[float]:
    """Class edges ``[low, upper_1, ..., upper_k]`` (the model's ``compute_breaks`` layout:
    the lowest bound first, then mapclassify's ``bins``)."""
    uppers = _upper_bounds(values, method, k, vmin, vmax)
    if not uppers:
        return []
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    low = float(vmin) if vmin is not None else float(v.min())
    return [min(low, uppers[0]), *uppers]


def _upper_bounds(values, method, k, vmin, vmax) -> list[float]:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if vmin is not None:
        v = np.clip(v, vmin, None)
    if vmax is not None:
        v = np.clip(v, None, vmax)
    if v.size == 0:
        return []
    k = max(1, int(k))
    lo = float(vmin) if vmin is not None else float(v.min())
    hi = float(vmax) if vmax is not None else float(v.max())
    if method == "equal_interval" or (vmin is not None and vmax is not None):
        return [lo + (hi - lo) * (i + 1) / k for i in range(k)]
    uniq = np.unique(v)
    if uniq.size <= k:
        return [float(u) for u in uniq]
    # The model computes breaks with mapclassify; this fallback stays numpy-only because
    # importing mapclassify costs seconds on a cold start.
    if method == "natural_breaks":
        return _natural_breaks(v, k, hi)
    return sorted({float(b) for b in np.quantile(v, np.linspace(0, 1, k + 1)[1:])})


def _natural_breaks(v: np.ndarray, k: int, hi: float) -> list[float]:
    """1-D k-means (Lloyd) from quantile seeds: close to Jenks, deterministic, fast."""
    sample = v if v.size <= 20000 else np.random.default_rng(0).choice(v, 20000, replace=False)
    sample = np.sort(sample)
    centers = np.quantile(sample, (np.arange(k) + 0.5) / k)
    for _ in range(50):
        edges = (centers[1:] + centers[:-1]) / 2
        lab = np.searchsorted(edges, sample)
        new = np.array([sample[lab == i].mean() if np.any(lab == i) else centers[i] for i in range(k)])
        if np.allclose(new, centers):
            break
        centers = new
    edges = (centers[1:] + centers[:-1]) / 2
    lab = np.searchsorted(edges, sample)
    bins = [float(sample[lab == i].max()) for i in range(k) if np.any(lab == i)]
    bins[-1] = hi
    return sorted(set(bins))


def classify(frame, style, field_map: dict | None = None) -> Symbology:
    """Per-row colours and sizes of ``frame`` under ``style`` (see :class:`Symbology`)."""
    n = 0 if frame is None else len(frame)
    kind = getattr(style, "kind", "single")
    size_pt = float(getattr(style, "size", 6.0) or 6.0)
    base_color = getattr(style, "color", palettes.DEFAULT_POINT_COLOR) or palettes.DEFAULT_POINT_COLOR
    col = resolve_field(frame, getattr(style, "field", None), field_map)
    breaks = None
    if kind == "categorized" and col is not None:
        cats = list(getattr(style, "categories", []) or [])
        colors = [c.color for c in cats]
        labels = [str(c.label if c.label not in (None, "") else c.value) for c in cats]
        lookup: dict = {}
        for i, c in enumerate(cats):
            lookup.setdefault(_norm_key(c.value), i if getattr(c, "visible", True) else -1)
        other = lookup.get(None)
        if other is None:
            colors.append(NO_DATA_COLOR)
            labels.append("other")
            other = len(colors) - 1
        codes_u, uniques = pd.factorize(frame[col], use_na_sentinel=True)
        table = np.array([lookup.get(_norm_key(u), other) for u in uniques] + [lookup.get(None, other)],
                         dtype=np.int32)
        codes = table[np.asarray(codes_u)]  # -1 (NA) indexes the last entry
    elif kind == "graduated" and col is not None:
        vals = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        # Edges as the model stores them: [low, upper_1, ..., upper_k].
        breaks = [float(b) for b in (getattr(style, "breaks", None) or [])]
        if len(breaks) < 2:
            breaks = class_breaks(vals, getattr(style, "method", "quantiles"),
                                  getattr(style, "classes", 5), getattr(style, "vmin", None),
                                  getattr(style, "vmax", None))
        if len(breaks) == 1:
            breaks = [breaks[0], breaks[0]]
        uppers = breaks[1:] if breaks else []
        colors = palettes.ramp(getattr(style, "ramp", "YlOrRd") or "YlOrRd", max(len(uppers), 1))
        lows = breaks[:-1]
        labels = [f"{_fmt(lo)} – {_fmt(hi)}" for lo, hi in zip(lows, uppers, strict=True)] or [""]
        colors.append(NO_DATA_COLOR)
        labels.append("no data")
        codes = np.searchsorted(np.asarray(uppers), vals, side="left").astype(np.int32)
        codes = np.minimum(codes, max(len(uppers) - 1, 0))
        codes[~np.isfinite(vals)] = len(colors) - 1
    else:
        colors = [base_color]
        labels = [""]
        codes = np.zeros(n, dtype=np.int32)
    sizes = None
    scol = resolve_field(frame, getattr(style, "size_field", None), field_map)
    if scol is not None and n:
        v = pd.to_numeric(frame[scol], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        lo_pt, hi_pt = (getattr(style, "size_range", None) or (3.0, 14.0))
        fin = np.isfinite(v)
        if fin.any():
            vmin, vmax = float(v[fin].min()), float(v[fin].max())
            t = (v - vmin) / (vmax - vmin) if vmax > vmin else np.full(n, 0.5)
            sizes = np.where(fin, lo_pt + np.clip(t, 0, 1) * (hi_pt - lo_pt), lo_pt)
    return Symbology(codes=codes, colors=colors, labels=labels, sizes_pt=sizes,
                     size_pt=size_pt, breaks=breaks)


def _fmt(v: float) -> str:
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:.1f}"
    return f"{v:.3g}"


def marker_outline(marker: str, n_star: int = 5) -> np.ndarray:
    """Vertices ``(k, 2)`` of a marker of diameter 1 centred on 0 (y down), for polygons."""
    if marker == "square":
        return np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]]) * 0.9
    if marker == "triangle":
        a = np.radians([-90, 30, 150])
        return np.column_stack([np.cos(a), np.sin(a)]) * 0.55
    if marker == "diamond":
        return np.array([[0, -0.5], [0.5, 0], [0, 0.5], [-0.5, 0]])
    if marker == "cross":
        w = 0.16
        return np.array([[-w, -0.5], [w, -0.5], [w, -w], [0.5, -w], [0.5, w], [w, w], [w, 0.5],
                         [-w, 0.5], [-w, w], [-0.5, w], [-0.5, -w], [-w, -w]])
    if marker == "star":
        a = np.radians(-90 + np.arange(2 * n_star) * 180 / n_star)
        r = np.where(np.arange(2 * n_star) % 2 == 0, 0.55, 0.22)
        return np.column_stack([np.cos(a) * r, np.sin(a) * r])
    a = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    return np.column_stack([np.cos(a), np.sin(a)]) * 0.5


def marker_mask(marker: str, diameter_px: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixel offsets ``(dx, dy)`` covered by a marker of ``diameter_px`` (for the rasterizer)."""
    d = max(1.0, float(diameter_px))
    if d <= 1.5:
        return np.array([0]), np.array([0])
    r = int(math.ceil(d / 2))
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    px, py = xx.ravel().astype(float), yy.ravel().astype(float)
    if marker == "circle" or marker not in MARKERS:
        inside = px * px + py * py <= (d / 2) ** 2 + 0.25
    else:
        inside = _points_in_polygon(px, py, marker_outline(marker) * d)
        inside[(px == 0) & (py == 0)] = True
    return xx.ravel()[inside], yy.ravel()[inside]


def _points_in_polygon(px: np.ndarray, py: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Even-odd crossing test of points against one small polygon (vectorised over points)."""
    inside = np.zeros(px.shape, dtype=bool)
    x0, y0 = poly[:, 0], poly[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    for a, b, c, e in zip(x0, y0, x1, y1, strict=True):
        cond = (b > py) != (e > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            xint = a + (py - b) * (c - a) / (e - b)
        inside ^= cond & (px < xint)
    return inside
