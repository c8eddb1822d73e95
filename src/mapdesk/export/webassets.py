"""Packaged Leaflet assets and the rewrite that makes folium's HTML work with no network.

folium links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs, which an isolated network
cannot reach ("L is not defined"). :func:`inline_assets` replaces every ``<script src>`` and
``<link rel=stylesheet>`` of the rendered page: the ones mapdesk ships (Leaflet 1.9.4,
Leaflet.markercluster 1.5.3, in ``resources/web``) are inlined, the rest (jQuery, Bootstrap,
icon fonts: unused by mapdesk's maps) are dropped; :func:`assert_offline` then refuses a page
that still names a remote resource.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

from mapdesk.errors import ExportError

WEB_DIR = Path(__file__).resolve().parents[1] / "resources" / "web"

#: CDN file name -> packaged file (relative to ``resources/web``).
_ASSETS = {
    "leaflet.js": "leaflet/leaflet.js",
    "leaflet.css": "leaflet/leaflet.css",
    "leaflet.markercluster.js": "markercluster/leaflet.markercluster.js",
    "leaflet.markercluster-src.js": "markercluster/leaflet.markercluster.js",
    "MarkerCluster.css": "markercluster/MarkerCluster.css",
    "MarkerCluster.Default.css": "markercluster/MarkerCluster.Default.css",
}

_SCRIPT = re.compile(r'<script\s+[^>]*src="([^"]+)"[^>]*>\s*</script>', re.IGNORECASE)
_LINK = re.compile(r'<link\s+[^>]*href="([^"]+)"[^>]*/?>', re.IGNORECASE)
_SOURCEMAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((?!['\"]?data:)(?!#)['\"]?([^'\")]+)['\"]?\)")
_REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


@functools.cache
def asset_text(rel: str) -> str:
    """A packaged asset, ready to inline (source maps stripped, CSS images as data URIs)."""
    path = WEB_DIR / rel
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ExportError(f"mapdesk is missing its packaged web asset {path}") from exc
    text = _SOURCEMAP.sub("", text)
    if rel.endswith(".css"):
        def data_uri(m: re.Match) -> str:
            img = (path.parent / m.group(1)).resolve()
            if not img.is_file():
                return "url()"
            b64 = base64.b64encode(img.read_bytes()).decode("ascii")
            return f"url(data:image/png;base64,{b64})"

        text = _CSS_URL.sub(data_uri, text)
    # A literal "</script>" inside inlined code would end the element early.
    return text.replace("</script", "<\\/script")


def _local(url: str) -> str | None:
    name = url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    return _ASSETS.get(name)


def inline_assets(html: str, allow: tuple[str, ...] = ()) -> str:
    """Replace CDN ``<script src>``/``<link href>`` tags with packaged assets (or drop them).

    The page (before the packaged code goes in) must then name no remote resource except
    those containing one of ``allow`` (a tile URL the user asked for); else :class:`ExportError`.
    """
    chunks: list[str] = []

    def keep(text: str) -> str:
        chunks.append(text)
        return f"\x00{len(chunks) - 1}\x00"

    def script(m: re.Match) -> str:
        rel = _local(m.group(1))
        return keep(f"<script>{asset_text(rel)}</script>") if rel and rel.endswith(".js") else ""

    def link(m: re.Match) -> str:
        tag = m.group(0).lower()
        if "stylesheet" not in tag:
            return "" if _REMOTE.search(m.group(0)) else m.group(0)
        rel = _local(m.group(1))
        return keep(f"<style>{asset_text(rel)}</style>") if rel and rel.endswith(".css") else ""

    html = _LINK.sub(link, _SCRIPT.sub(script, html))
    assert_offline(html, allow)
    return re.sub("\x00(\\d+)\x00", lambda m: chunks[int(m.group(1))], html)


def remote_references(html: str) -> list[str]:
    """``src=``/``href=`` attributes that point at another host (should be empty)."""
    out = []
    for m in _REMOTE.finditer(html):
        out.append(html[m.start(): m.start() + 80])
    return out


def assert_offline(html: str, allow: tuple[str, ...] = ()) -> None:
    """Raise :class:`ExportError` if the page would load anything from the network."""
    bad = [r for r in remote_references(html) if not any(a in r for a in allow)]
    if bad:
        raise ExportError("the HTML map would need the network: " + "; ".join(bad[:3]))
