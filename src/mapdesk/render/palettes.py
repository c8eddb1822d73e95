"""Colour palettes and ramps (plain data: the model copies these hex values into its defaults).

Nothing here imports Qt, so the values can be read by any module or pasted elsewhere.
"""

from __future__ import annotations

#: Tree protection grades (domain.md section 3); ``None`` = not protected by the rules.
TREE_GRADE_COLORS: dict[object, str] = {
    1: "#b2182b",   # grade 1: deep red
    2: "#f28e2b",   # grade 2: orange
    3: "#4daf4a",   # grade 3: green
    4: "#1b9e9e",   # grade 4: teal
    None: "#9e9e9e",  # not graded: grey
}

#: Incident types (codes of mapdesk.domain.incidents.INCIDENT_TYPES).
INCIDENT_TYPE_COLORS: dict[str, str] = {
    "ebike_theft": "#d62728",   # red
    "other_theft": "#ff7f0e",   # orange
    "fraud": "#8e44ad",         # purple
    "dispute": "#1f77b4",       # blue
    "dog": "#8c564b",           # brown
    "help_request": "#2ca02c",  # green
    "other": "#7f7f7f",         # grey
}

#: Camera status.
CAMERA_STATUS_COLORS: dict[str, str] = {
    "active": "#1f6feb",
    "planned": "#e3a21a",
    "faulty": "#d62728",
    "removed": "#8c8c8c",
}
#: Fill of a camera's field-of-view wedge (drawn with ``WEDGE_FILL_OPACITY``).
CAMERA_WEDGE_COLOR = "#1f6feb"
WEDGE_FILL_OPACITY = 0.18

#: Selection highlight and neutral default colours.
SELECTION_COLOR = "#ffd400"
DEFAULT_POINT_COLOR = "#3366cc"
DEFAULT_POLYGON_COLOR = "#7fa7d9"
DEFAULT_STROKE_COLOR = "#333333"
DEFAULT_BACKGROUND = "#f4f3ef"

#: Colour ramps by name (ColorBrewer / matplotlib anchors), light to dark unless reversed.
RAMPS: dict[str, list[str]] = {
    "YlOrRd": ["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c",
               "#bd0026", "#800026"],
    "Reds": ["#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d",
             "#a50f15", "#67000d"],
    "Blues": ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5",
              "#08519c", "#08306b"],
    "Greens": ["#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45",
               "#006d2c", "#00441b"],
    "Purples": ["#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3",
                "#54278f", "#3f007d"],
    "OrRd": ["#fff7ec", "#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f",
             "#b30000", "#7f0000"],
    "RdBu": ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0",
             "#92c5de", "#4393c3", "#2166ac", "#053061"],
    "viridis": ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779",
                "#6ece58", "#b5de2b", "#fde725"],
    "magma": ["#000004", "#180f3d", "#440f76", "#721f81", "#9e2f7f", "#cd4071", "#f1605d",
              "#fd9668", "#feca8d", "#fcfdbf"],
    "inferno": ["#000004", "#1b0c41", "#4a0c6b", "#781c6d", "#a52c60", "#cf4446", "#ed6925",
                "#fb9b06", "#f7d13d", "#fcffa4"],
    "Greys": ["#ffffff", "#f0f0f0", "#d9d9d9", "#bdbdbd", "#969696", "#737373", "#525252",
              "#252525", "#000000"],
    # Point density (used by the rasterizer when a layer has one colour): pale to saturated.
    "density": ["#fff7bc", "#fec44f", "#fe9929", "#ec7014", "#cc4c02", "#8c2d04"],
}

#: Categorical palette for fields without a known vocabulary (Tableau 10).
CATEGORICAL: list[str] = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                          "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]


def _hex_to_rgb(color: str) -> tuple[float, float, float]:
    c = color.lstrip("#")
    return int(c[0:2], 16) / 255, int(c[2:4], 16) / 255, int(c[4:6], 16) / 255


def _rgb_to_hex(r: float, g: float, b: float) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(max(0, min(255, round(v * 255))) for v in (r, g, b)))


def ramp_anchors(name: str) -> list[str]:
    """The anchor colours of ramp ``name``; a ``_r`` suffix reverses it.

    Unknown names fall back to ``YlOrRd`` (a style file from a newer version still draws).
    """
    reverse = name.endswith("_r")
    base = name[:-2] if reverse else name
    anchors = RAMPS.get(base)
    if anchors is None:
        low = {k.lower(): v for k, v in RAMPS.items()}
        anchors = low.get(base.lower(), RAMPS["YlOrRd"])
    return list(reversed(anchors)) if reverse else list(anchors)


def ramp_color(name: str, t: float) -> str:
    """The colour at position ``t`` in 0..1 along ramp ``name`` (linear between anchors)."""
    anchors = [_hex_to_rgb(c) for c in ramp_anchors(name)]
    t = min(1.0, max(0.0, float(t)))
    pos = t * (len(anchors) - 1)
    i = min(int(pos), len(anchors) - 2)
    f = pos - i
    a, b = anchors[i], anchors[i + 1]
    return _rgb_to_hex(*(a[k] + (b[k] - a[k]) * f for k in range(3)))


def ramp(name: str, n: int) -> list[str]:
    """``n`` colours evenly spaced along ramp ``name`` (hex strings, first = low end)."""
    if n <= 0:
        return []
    if n == 1:
        return [ramp_color(name, 1.0)]
    return [ramp_color(name, i / (n - 1)) for i in range(n)]


def categorical(n: int) -> list[str]:
    """``n`` distinct colours for categories without a known palette (cycles after 10)."""
    return [CATEGORICAL[i % len(CATEGORICAL)] for i in range(n)]
