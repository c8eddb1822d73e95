"""Turn an analysis result's ``params`` into short legend lines a reader can check.

``params`` is the dict every analysis result carries (``RasterGrid.params`` or
``GeoDataFrame.attrs["params"]``). The lines state the method and its parameters with
units: kernel and bandwidth (and how it was chosen), cell size, Gi* weights and FDR,
period, filter and the number of incidents. No Qt: legends, figure footers and exports
can all use it.
"""

from __future__ import annotations

from typing import Any


def _m(v: Any) -> str:
    v = float(v)
    return f"{v:,.0f} m" if v >= 10 or v.is_integer() else f"{v:.3g} m"


def _source(src: Any) -> str:
    if not src or src == "user":
        return ""
    s = str(src)
    if s.startswith("ArcGIS"):
        return " (ArcGIS default rule)"
    if s.startswith("default"):
        return " (default)"
    if s.startswith("peak"):
        return " (autocorrelation peak)"
    if s.startswith("no autocorrelation"):
        return " (k-nearest default)"
    return ""


def legend_lines(params: dict[str, Any] | None, units: str = "", lang: str = "en") -> list[str]:
    """Legend lines for a result's ``params`` (empty list for an empty or missing dict).

    Parameters
    ----------
    params
        The result's parameters (method, kernel, bandwidth_m, cell_m, period, filter ...).
    units
        What the values mean (e.g. ``"incidents per km²"``), stated first when given.
    lang
        ``"en"`` or ``"zh"``.
    """
    if not params:
        return [units] if units else []
    zh = lang.startswith("zh")
    out: list[str] = []
    if units:
        out.append(units)
    method = params.get("analysis") or params.get("method")
    if method == "kde":
        kernel = params.get("kernel", "")
        bw = params.get("bandwidth_m")
        if bw is not None:
            label = "核密度" if zh else "Kernel density"
            word = "带宽" if zh else "bandwidth"
            out.append(f"{label}: {kernel}, {word} {_m(bw)}{'' if zh else _source(params.get('bandwidth_source'))}")
    elif method in ("grid", "hex"):
        shape = ("方格" if method == "grid" else "六边形") if zh else ("square cells" if method == "grid" else "hexagons")
        out.append(f"{'计数' if zh else 'Counts'}: {shape}")
    elif method == "gistar":
        w = params.get("weights", "")
        if params.get("knn"):
            nb = f"{params['knn']} {'近邻' if zh else 'nearest neighbours'}"
        elif params.get("distance_m") is not None:
            nb = f"{'距离' if zh else 'distance band'} {_m(params['distance_m'])}{'' if zh else _source(params.get('distance_source'))}"
        else:
            nb = w
        fdr = (" + FDR" if params.get("fdr") else "")
        out.append(f"Getis-Ord Gi*: {nb}{fdr}")
    cell = params.get("cell_m")
    if cell is not None:
        out.append(f"{'像元' if zh else 'cell'} {_m(cell)}{'' if zh else _source(params.get('cell_source'))}")
    if params.get("period"):
        out.append(f"{'时段' if zh else 'period'} {params['period']}")
    flt = params.get("filter")
    if flt and flt != "all incidents":
        out.append(f"{'筛选' if zh else 'filter'}: {flt}")
    n = params.get("n_points")
    if n is not None:
        out.append(f"{n:,} {'起事件' if zh else 'incidents'}")
    if params.get("weight_field"):
        out.append(f"{'权重' if zh else 'weight'}: {params['weight_field']}")
    return out


def legend_note(params: dict[str, Any] | None, units: str = "", lang: str = "en") -> str:
    """:func:`legend_lines` joined into one line (for a legend row's ``note``)."""
    return "; ".join(legend_lines(params, units, lang))
