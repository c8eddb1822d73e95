"""Interactive HTML maps with folium that open with no network.

The visible layers are written with their styles and filters (each layer's filtered frame),
popups with attributes, a layer control and a legend; density rasters become an image overlay
(a PNG data URI, resampled to Web Mercator, on the layer's colour ramp); camera layers get
their field-of-view wedges and tree layers their protection zones as polygons.

Point layers use a compact encoding (rounded coordinates, columns factorised, only the popup
fields) drawn as canvas circle markers, and above ``cluster_threshold`` points they are
clustered with Leaflet.markercluster, so 100,000 incidents stay usable. No basemap unless the
user gives a tile URL: the file must work on an isolated network.

>>> export_html(project, "map.html")    # doctest: +SKIP
"""

from __future__ import annotations

import functools
import html as _html
import json
import math
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mapdesk.errors import ExportError
from mapdesk.io.atomic import atomic_path
from mapdesk.model.style import category_label

#: Point layers above this many features are clustered (canvas circle markers below it).
CLUSTER_THRESHOLD = 20_000
#: At most this many attribute fields per popup.
MAX_POPUP_FIELDS = 8
_COORD_DECIMALS = 6  # ~0.1 m


def _js(obj: Any) -> str:
    """JSON for a ``<script>`` block (no ``</script>`` can end it early)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def _popup_fields(lyr: Any, frame: pd.DataFrame) -> list[str]:
    cols = [c for c in frame.columns if c != "geometry"]
    mapped = [c for c in (lyr.field_map or {}).values() if c in cols]
    rest = [c for c in cols if c not in mapped and not str(c).startswith("_")]
    return (mapped + rest)[:MAX_POPUP_FIELDS]


def _column_payload(s: pd.Series) -> dict:
    """A column as ``{"u": uniques, "c": codes}`` (few distinct values) or ``{"v": values}``."""
    if pd.api.types.is_datetime64_any_dtype(s):
        s = s.dt.strftime("%Y-%m-%d %H:%M")
    elif pd.api.types.is_float_dtype(s):
        s = s.round(3)
    txt = s.astype("string").fillna("")
    codes, uniques = pd.factorize(txt)
    if len(uniques) <= max(16, len(txt) // 4):
        return {"u": [str(u) for u in uniques], "c": codes.tolist()}
    return {"v": txt.tolist()}


def _to_wgs84(frame: Any) -> Any:
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        return frame.to_crs(4326)
    return frame


def _colors_for(lyr: Any, frame: pd.DataFrame, lang: str = "en") -> tuple[list[str], np.ndarray, list[tuple[str, str]]]:
    """Colour table, per-row colour index and legend rows for a vector layer's style."""
    st = lyr.style
    n = len(frame)
    if st.kind == "categorized" and st.field and st.field in frame.columns and st.categories:
        cats = [c for c in st.categories if c.visible]
        colors = [c.color for c in cats] + [st.color]
        values = list(dict.fromkeys(str(c.value) for c in cats))
        codes = pd.Categorical(frame[st.field].astype("string"), categories=values).codes.astype(np.int32)
        idx = np.where(codes < 0, len(cats), codes).astype(np.int32)
        return colors, idx, [(c.color, category_label(getattr(lyr, "role", ""), c.value, c.label, lang))
                             for c in cats]
    if st.kind == "graduated" and st.field and st.field in frame.columns and len(st.breaks) >= 2:
        from mapdesk.render.palettes import ramp

        k = len(st.breaks) - 1
        colors = ramp(st.ramp or "YlOrRd", k) + [st.color]
        v = pd.to_numeric(frame[st.field], errors="coerce").to_numpy(float)
        idx = np.clip(np.searchsorted(np.asarray(st.breaks[1:-1]), v, side="left"), 0, k - 1).astype(np.int32)
        idx[~np.isfinite(v)] = k
        rows = [(colors[i], f"{st.breaks[i]:g} – {st.breaks[i + 1]:g}") for i in range(k)]
        return colors, idx, rows
    return [st.color], np.zeros(n, dtype=np.int32), [(st.color, lyr.name)]


def _point_layer(lyr: Any, frame: Any, cluster_threshold: int, lang: str = "en") -> tuple[Any, list]:
    colors, idx, rows = _colors_for(lyr, frame, lang)
    xy = np.column_stack([frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()])
    ok = np.isfinite(xy).all(axis=1)
    fields = _popup_fields(lyr, frame)
    sub = frame.loc[ok] if not ok.all() else frame
    st = lyr.style
    data = {
        "lat": np.round(xy[ok, 1], _COORD_DECIMALS).tolist(),
        "lon": np.round(xy[ok, 0], _COORD_DECIMALS).tolist(),
        "ci": idx[ok].tolist(),
        "colors": colors,
        "stroke": st.stroke_color if st.stroke_width > 0 else None,
        "w": float(min(st.stroke_width, 2.0)),
        "r": float(max(2.0, min(st.size * 0.75, 12.0))),
        "op": float(max(0.3, min(st.fill_opacity * max(lyr.opacity, 0.05), 1.0))),
        "fields": [str(f) for f in fields],
        "props": [_column_payload(sub[f]) for f in fields],
        "title": lyr.name,
    }
    cluster = len(data["lat"]) > cluster_threshold

    layer = _compact_points_class()(lyr.name, cluster)
    # The payload (megabytes for big layers) is put in after the page has been rendered and
    # checked, so neither jinja nor the offline check's regexes scan it.
    layer.payload_json = _js(data)
    return layer, rows


_POINTS_JS = """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var t0 = Date.now();
  var d = {{ this.payload }};
  var map = {{ this._parent.get_name() }};
  var canvas = L.canvas({padding: 0.3});
  var group = {{ 'L.markerClusterGroup({chunkedLoading: true, maxClusterRadius: 45, disableClusteringAtZoom: 18})' if this.cluster else 'L.featureGroup()' }};
  var markers = new Array(d.lat.length);
  for (var i = 0; i < d.lat.length; i++) {
    var c = d.colors[d.ci[i]];
    markers[i] = L.circleMarker([d.lat[i], d.lon[i]], {renderer: canvas, radius: d.r,
      color: d.stroke || c, weight: d.w, opacity: d.op, fillColor: c, fillOpacity: d.op, idx: i});
  }
  // markercluster's addLayers is quadratic while the group is off the map: add it first.
  if (group.addLayers) { group.addTo(map); group.addLayers(markers); } else { for (var j = 0; j < markers.length; j++) group.addLayer(markers[j]); }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (ch) {
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[ch]; }); }
  function val(p, i) { return p.v ? p.v[i] : p.u[p.c[i]]; }
  group.on("click", function (e) {
    var i = e.layer && e.layer.options ? e.layer.options.idx : undefined;
    if (i === undefined) return;
    var rows = "<b>" + esc(d.title) + "</b><table>";
    for (var k = 0; k < d.fields.length; k++) {
      rows += "<tr><th style='text-align:left;padding-right:6px'>" + esc(d.fields[k]) + "</th><td>" + esc(val(d.props[k], i)) + "</td></tr>";
    }
    L.popup().setLatLng(e.layer.getLatLng()).setContent(rows + "</table>").openOn(map);
  });
  group.mapdeskCount = markers.length;
  console.log("mapdesk points " + markers.length + " in " + (Date.now() - t0) + " ms");
  window.mapdeskLayers = window.mapdeskLayers || [];
  window.mapdeskLayers.push({name: d.title, count: markers.length, clustered: {{ 'true' if this.cluster else 'false' }}});
  return group;
})();
{% endmacro %}
"""


@functools.cache
def _compact_points_class() -> type:
    """A folium layer drawing a compact point payload (built once: jinja compiles are slow)."""
    import folium
    from folium.elements import JSCSSMixin
    from folium.plugins import MarkerCluster
    from jinja2 import Template

    class CompactPoints(JSCSSMixin, folium.map.Layer):
        _template = Template(_POINTS_JS)
        # The markercluster script is inlined from the packaged copy; without clustering the
        # few kB cost nothing.
        default_js = MarkerCluster.default_js
        default_css = MarkerCluster.default_css

        def __init__(self, name: str, cluster: bool) -> None:
            super().__init__(name=name, overlay=True, control=True, show=True)
            self._name = "CompactPoints"
            self.cluster = cluster
            self.payload = f"__mapdesk_payload_{self.get_name()}__"
            self.payload_json = "null"

    return CompactPoints


def _polygon_layer(name: str, frame: Any, colors: list[str], idx: np.ndarray, stroke: str,
                   weight: float, fill_opacity: float, fields: list[str]) -> Any:
    import folium

    keep = [f for f in fields if f in frame.columns]
    g = frame[keep + ["geometry"]].copy()
    for f in keep:
        p = _column_payload(g[f])
        g[f] = [p["u"][c] for c in p["c"]] if "u" in p else p["v"]
    g["_fill"] = [colors[i] for i in idx]
    g = g[g.geometry.notna() & ~g.geometry.is_empty]
    import shapely

    g["geometry"] = shapely.set_precision(g.geometry.values, 10 ** -_COORD_DECIMALS)
    gj = json.loads(g.to_json(drop_id=True))
    is_line = bool(len(g)) and "Line" in str(g.geometry.geom_type.iloc[0])

    def style(feature: dict) -> dict:
        c = feature["properties"]["_fill"]
        if is_line:
            return {"color": c, "weight": max(weight, 1.5), "opacity": 0.9}
        return {"color": stroke or c, "weight": weight, "fillColor": c, "fillOpacity": fill_opacity}

    popup = folium.GeoJsonPopup(fields=keep) if keep else None
    # Points mixed into a line/polygon layer (stations on a metro line) as circles: Leaflet's
    # default marker would fetch its icon image files.
    marker = folium.CircleMarker(radius=5, fill=True, fill_opacity=0.9, weight=1)
    return folium.GeoJson(gj, name=name, style_function=style, popup=popup, smooth_factor=0.5, marker=marker)


def _camera_wedges(lyr: Any, frame: Any) -> Any | None:
    from mapdesk.domain.cameras import coverage_polygons

    wedges = coverage_polygons(_canonical(lyr, frame))
    return None if wedges is None or len(wedges) == 0 else _to_wgs84(wedges)


def _canonical(lyr: Any, frame: Any) -> Any:
    from mapdesk.io.schema import to_canonical

    try:
        return to_canonical(frame, lyr.field_map)
    except Exception:
        return frame


def _tree_zones(lyr: Any, frame: Any) -> Any | None:
    from mapdesk.domain.trees.zones import protection_zones

    try:
        zones = protection_zones(_canonical(lyr, frame))
    except Exception:  # a registry without usable sizes: the map goes out without zones
        return None
    return None if zones is None or len(zones) == 0 else _to_wgs84(zones)


def _png_rgba(rgba: np.ndarray) -> bytes:
    """Encode an (h, w, 4) uint8 array as PNG (zlib only; no imaging library needed)."""
    h, w, _ = rgba.shape
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rgba.reshape(h, w * 4)], axis=1).tobytes()

    def chunk(tag: bytes, body: bytes) -> bytes:
        return (len(body).to_bytes(4, "big") + tag + body
                + (zlib.crc32(tag + body) & 0xFFFFFFFF).to_bytes(4, "big"))

    ihdr = w.to_bytes(4, "big") + h.to_bytes(4, "big") + bytes([8, 6, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def raster_overlay_png(grid: Any, ramp_name: str, vmin: float | None, vmax: float | None,
                       opacity: float, max_px: int = 1024) -> tuple[bytes, tuple[float, float, float, float], tuple[float, float]]:
    """The raster resampled to Web Mercator and coloured: PNG bytes, WGS 84 bounds, value range."""
    from pyproj import Transformer

    from mapdesk.render.palettes import ramp

    vals = np.asarray(grid.values, dtype=float)
    finite = vals[np.isfinite(vals)]
    lo = float(vmin) if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    hi = float(vmax) if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    to_m = Transformer.from_crs(grid.crs, 3857, always_xy=True)
    minx, miny, maxx, maxy = to_m.transform_bounds(*grid.bounds)
    rows, cols = vals.shape
    scale = min(1.0, max_px / max(rows, cols)) * 2.0  # some oversampling keeps cell edges sharp
    w = max(2, min(max_px, round(cols * scale)))
    h = max(2, min(max_px, round(w * (maxy - miny) / (maxx - minx))))
    xs = minx + (np.arange(w) + 0.5) * (maxx - minx) / w
    ys = maxy - (np.arange(h) + 0.5) * (maxy - miny) / h
    gx, gy = np.meshgrid(xs, ys)
    back = Transformer.from_crs(3857, grid.crs, always_xy=True)
    sx, sy = back.transform(gx.ravel(), gy.ravel())
    b = grid.bounds
    ci = np.floor((np.asarray(sx) - b[0]) / (b[2] - b[0]) * cols).astype(int)
    ri = np.floor((b[3] - np.asarray(sy)) / (b[3] - b[1]) * rows).astype(int)
    inside = (ci >= 0) & (ci < cols) & (ri >= 0) & (ri < rows)
    v = np.full(ci.shape, np.nan)
    v[inside] = vals[ri[inside], ci[inside]]
    t = np.clip((v - lo) / (hi - lo if hi > lo else 1.0), 0, 1)
    lut = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in ramp(ramp_name or "YlOrRd", 256)],
                   dtype=np.uint8)
    rgba = np.zeros((v.size, 4), np.uint8)
    good = np.isfinite(v) & (v > lo if hi > lo else np.isfinite(v))
    rgba[good, :3] = lut[(t[good] * 255).astype(int)]
    rgba[good, 3] = int(round(255 * max(0.0, min(1.0, opacity))))
    png = _png_rgba(rgba.reshape(h, w, 4))
    to_ll = Transformer.from_crs(3857, 4326, always_xy=True)
    lon0, lat0 = to_ll.transform(minx, miny)
    lon1, lat1 = to_ll.transform(maxx, maxy)
    return png, (lon0, lat0, lon1, lat1), (lo, hi)


FONT_FAMILY = "mapdesk-cjk"


@functools.lru_cache(maxsize=8)
def _font_face_css(chars: str) -> str | None:
    """An ``@font-face`` with the bundled font cut down to ``chars`` (WOFF data URI).

    A browser on a fresh machine has no CJK font; embedding the few hundred glyphs the page
    uses (tens of kB) makes its Chinese render anyway. Needs fontTools; ``None`` without it.
    """
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:
        return None
    import base64
    import io

    from mapdesk.render.fonts import FONT_DIR

    src = FONT_DIR / "NotoSansSC-mapdesk-Regular.otf"
    if not src.exists():
        return None
    opts = subset.Options()
    opts.flavor = "woff"
    opts.layout_features = []  # the CJK font's GSUB tables make subsetting slow; not needed here
    opts.notdef_outline = True
    opts.hinting = False
    font = TTFont(str(src))
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    buf = io.BytesIO()
    font.flavor = "woff"
    font.save(buf)
    b64 = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'@font-face{{font-family:"{FONT_FAMILY}";src:url(data:font/woff;base64,{b64}) format("woff");}}'
            f'.leaflet-container,#mapdesk-legend,.leaflet-popup-content{{font-family:"{FONT_FAMILY}",'
            '"Noto Sans CJK SC","Microsoft YaHei",sans-serif;}')


def _page_chars(*texts: str) -> str:
    """The characters a font subset needs: printable ASCII plus every non-ASCII one used."""
    used = set()
    for t in texts:
        used.update(t)
    extra = sorted(c for c in used if ord(c) > 0x7E and c.isprintable())
    return "".join(chr(c) for c in range(0x20, 0x7F)) + "".join(extra)


def _legend_html(title: str, blocks: list[tuple[str, list[tuple[str, str]]]], note: str) -> str:
    e = _html.escape
    parts = [f"<div style='font-weight:bold;font-size:14px;margin-bottom:4px'>{e(title)}</div>"]
    for name, rows in blocks:
        parts.append(f"<div style='font-weight:bold;margin-top:4px'>{e(name)}</div>")
        for color, label in rows:
            if color.startswith("linear-gradient"):
                parts.append(f"<div><span style='display:inline-block;width:90px;height:10px;"
                             f"background:{color}'></span> {e(label)}</div>")
            else:
                parts.append(f"<div><span style='display:inline-block;width:10px;height:10px;"
                             f"border-radius:5px;background:{e(color)};margin-right:4px'></span>{e(label)}</div>")
    if note:
        parts.append(f"<div style='margin-top:6px;color:#b2182b;font-weight:bold'>{e(note)}</div>")
    return ("<div id='mapdesk-legend' style='position:fixed;bottom:56px;left:10px;z-index:1000;"
            "background:rgba(255,255,255,0.92);padding:8px 10px;border-radius:4px;font-size:12px;"
            "max-width:340px;max-height:60%;overflow:auto;box-shadow:0 1px 4px rgba(0,0,0,0.3)'>" + "".join(parts) + "</div>")


def export_html(project: Any, path: str | Path, *, title: str | None = None, lang: str = "en",
                overwrite: bool = False, tiles: str | None = None, tiles_attribution: str = "",
                cluster_threshold: int = CLUSTER_THRESHOLD, zones: bool = True,
                embed_font: bool = True) -> dict:
    """Write ``project`` as a self-contained interactive HTML map.

    Parameters
    ----------
    tiles
        An XYZ tile URL template for an online basemap; ``None`` (default) shows no basemap and
        the page loads nothing from the network.
    cluster_threshold
        Point layers with more features are clustered.
    zones
        Draw camera wedges and tree protection zones as polygons.
    embed_font
        Embed the glyphs the page uses from the bundled CJK font (needs fontTools).

    Returns
    -------
    dict
        ``path``, ``bytes``, ``seconds``, ``layers`` (name, kind, features, clustered) and
        ``warnings``.
    """
    import folium
    from folium.plugins import MarkerCluster  # noqa: F401  (registers the plugin's templates)

    t0 = time.perf_counter()
    path = Path(path)
    if path.exists() and not overwrite:
        raise ExportError(f"{path} already exists (use --overwrite to replace it)")
    zh = str(lang).startswith("zh")
    title = title or project.title or "mapdesk"
    m = folium.Map(location=[37.88, 112.56], zoom_start=14, tiles=None, prefer_canvas=True,
                   control_scale=True)
    m.options["maxZoom"] = 20
    m.get_root().title = title
    if tiles:
        folium.TileLayer(tiles=tiles, attr=tiles_attribution or "basemap", name="basemap").add_to(m)
    info_layers: list[dict] = []
    payloads: dict[str, str] = {}
    warnings: list[str] = []
    blocks: list[tuple[str, list[tuple[str, str]]]] = []
    for lyr in project.layers:
        if not lyr.visible or lyr.status != "ok":
            continue
        if lyr.kind == "raster":
            grid = lyr.raster
            if grid is None:
                continue
            st = lyr.style
            png, (lon0, lat0, lon1, lat1), (lo, hi) = raster_overlay_png(
                grid, st.ramp, st.vmin, st.vmax, st.raster_opacity * lyr.opacity)
            uri = "data:image/png;base64," + __import__("base64").b64encode(png).decode("ascii")
            folium.raster_layers.ImageOverlay(uri, bounds=[[lat0, lon0], [lat1, lon1]], name=lyr.name,
                                              interactive=False, zindex=1).add_to(m)
            from mapdesk.render.palettes import ramp

            grad = "linear-gradient(to right," + ",".join(ramp(st.ramp or "YlOrRd", 7)) + ")"
            units = getattr(grid, "units", "") or ""
            blocks.append((lyr.name, [(grad, f"{lo:.3g} – {hi:.3g} {units}")]))
            info_layers.append({"name": lyr.name, "kind": "raster", "features": int(np.size(grid.values))})
            continue
        frame = lyr.filtered_frame()
        if frame is None or len(frame) == 0 or "geometry" not in frame.columns:
            continue
        frame = _to_wgs84(frame)
        gt = str(frame.geometry.geom_type.dropna().iloc[0]) if frame.geometry.notna().any() else "Point"
        if gt == "Point":
            layer, rows = _point_layer(lyr, frame, cluster_threshold, lang)
            layer.add_to(m)
            payloads[layer.payload] = layer.payload_json
            info_layers.append({"name": lyr.name, "kind": "points", "features": len(frame),
                                "clustered": bool(layer.cluster)})
        else:
            colors, idx, rows = _colors_for(lyr, frame, lang)
            _polygon_layer(lyr.name, frame, colors, idx, lyr.style.stroke_color, lyr.style.stroke_width,
                           lyr.style.fill_opacity * lyr.opacity, _popup_fields(lyr, frame)).add_to(m)
            info_layers.append({"name": lyr.name, "kind": "polygons" if "Polygon" in gt else "lines",
                                "features": len(frame)})
        if not lyr.filter.is_empty():
            rows = [*rows, ("#ffffff", ("筛选：" if zh else "filter: ") + lyr.filter.describe())]
        blocks.append((lyr.name, rows))
        if zones and gt == "Point" and lyr.role in ("cameras", "trees"):
            try:
                polys = _camera_wedges(lyr, frame) if lyr.role == "cameras" else _tree_zones(lyr, frame)
            except Exception as exc:  # a missing column must not stop the export
                polys = None
                warnings.append(f"{lyr.name}: no {'coverage wedges' if lyr.role == 'cameras' else 'zones'}: {exc}")
            if polys is not None:
                name = f"{lyr.name} — {'视场' if zh else 'field of view'}" if lyr.role == "cameras" \
                    else f"{lyr.name} — {'保护范围' if zh else 'protection zones'}"
                color = "#1f6feb" if lyr.role == "cameras" else "#2e7d32"
                fields = [c for c in ("camera_id", "tree_id", "grade", "range_m", "fov_deg", "radius_m")
                          if c in polys.columns]
                _polygon_layer(name, polys, [color], np.zeros(len(polys), np.int32), color, 1.0, 0.18,
                               fields).add_to(m)
                info_layers.append({"name": name, "kind": "polygons", "features": len(polys)})
    bounds = project.extent_wgs84 or project.full_extent_wgs84()
    if bounds is not None and all(math.isfinite(v) for v in bounds):
        m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    folium.LayerControl(collapsed=False).add_to(m)
    note = ""
    if project.is_synthetic:
        note = "合成示例数据，非真实记录" if zh else "Synthetic sample data — not real records"
    m.get_root().html.add_child(folium.Element(_legend_html(title, blocks, note)))
    from mapdesk.export.webassets import inline_assets

    page = m.get_root().render()
    page_text = page
    page = inline_assets(page, allow=(tiles.split("{")[0],) if tiles else ())
    for key, payload in payloads.items():
        page = page.replace(key, payload, 1)
    if embed_font:
        css = _font_face_css(_page_chars(page_text, *payloads.values()))
        if css is None:
            warnings.append("fontTools is not installed: Chinese text in the HTML map uses the viewer's "
                            "fonts (a machine without a CJK font shows boxes)")
        else:
            page = page.replace("</head>", f"<style>{css}</style>\n</head>", 1)
    data = page.encode("utf-8")
    try:
        with atomic_path(path, overwrite=overwrite) as tmp:
            tmp.write_bytes(data)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return {"path": str(path), "bytes": len(data), "seconds": time.perf_counter() - t0,
            "layers": info_layers, "warnings": warnings}
