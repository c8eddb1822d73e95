"""Raster tile sources: MBTiles files, z/x/y folders, online XYZ templates with a disk cache.

Offline first: local sources are read synchronously (a tile is a few KB from disk); online
sources are fetched by a small thread pool, never on the GUI thread, with a proper
User-Agent and a disk cache, and only when the user chose one. ``MAPDESK_NO_NETWORK=1``
refuses every host except the loopback interface (tests run local servers there).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtGui import QImage

from mapdesk import __version__
from mapdesk.errors import MapdeskError
from mapdesk.render.viewport import HALF_WORLD

TILE_SIZE = 256
USER_AGENT = f"mapdesk/{__version__} (+https://github.com/mapdesk; desktop GIS, offline-first)"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class TileSourceError(MapdeskError):
    """A basemap cannot be used (missing, corrupt or refused)."""


# ---- tile math ---------------------------------------------------------------------------
def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """EPSG:3857 bounds of XYZ tile ``(z, x, y)`` (y counted from the north)."""
    size = 2 * HALF_WORLD / (1 << z)
    minx = -HALF_WORLD + x * size
    maxy = HALF_WORLD - y * size
    return minx, maxy - size, minx + size, maxy


def zoom_for_resolution(units_per_pixel: float, tile_size: int = TILE_SIZE) -> int:
    """The zoom whose tiles have at least the requested resolution (rounded sensibly)."""
    if units_per_pixel <= 0:
        return 0
    z = math.log2(2 * HALF_WORLD / (tile_size * units_per_pixel))
    return max(0, int(math.floor(z + 0.4)))


def tile_range(extent, z: int) -> tuple[int, int, int, int]:
    """Inclusive XYZ ``(x0, y0, x1, y1)`` covering an EPSG:3857 extent at zoom ``z``."""
    n = 1 << z
    size = 2 * HALF_WORLD / n
    minx, miny, maxx, maxy = extent
    x0 = int(math.floor((minx + HALF_WORLD) / size))
    x1 = int(math.floor((maxx + HALF_WORLD) / size))
    y0 = int(math.floor((HALF_WORLD - maxy) / size))
    y1 = int(math.floor((HALF_WORLD - miny) / size))
    clamp = lambda v: max(0, min(n - 1, v))  # noqa: E731
    return clamp(x0), clamp(y0), clamp(x1), clamp(y1)


def decode_tile(data: bytes | None) -> QImage | None:
    """Decode PNG/JPEG/WebP bytes; ``None`` for garbage."""
    if not data:
        return None
    img = QImage()
    if not img.loadFromData(data):
        return None
    return img


# ---- sources -----------------------------------------------------------------------------
class TileSource:
    """Base class: ``tile(z, x, y) -> QImage | None`` for local sources."""

    name = "tiles"
    attribution = ""
    min_zoom = 0
    max_zoom = 19
    is_remote = False
    tile_size = TILE_SIZE

    def tile(self, z: int, x: int, y: int) -> QImage | None:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass


class MBTilesSource(TileSource):
    """A raster MBTiles file (SQLite). Rows are TMS (south-up) unless metadata says ``xyz``."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise TileSourceError(f"basemap {self.path}: no such MBTiles file")
        if self.path.stat().st_size == 0:
            raise TileSourceError(f"basemap {self.path}: the MBTiles file is empty")
        self._lock = threading.Lock()
        try:
            uri = f"file:{urllib.parse.quote(str(self.path.resolve()))}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            tables = {r[0] for r in self._db.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        except sqlite3.DatabaseError as exc:
            raise TileSourceError(f"basemap {self.path}: not a valid MBTiles file ({exc})") from exc
        if "tiles" not in tables:
            self._db.close()
            raise TileSourceError(f"basemap {self.path}: not a valid MBTiles file (no 'tiles' table)")
        meta: dict[str, str] = {}
        if "metadata" in tables:
            with contextlib.suppress(sqlite3.DatabaseError):
                meta = {str(k): str(v) for k, v in self._db.execute("SELECT name, value FROM metadata")}
        self.metadata = meta
        fmt = meta.get("format", "png").lower()
        if fmt in ("pbf", "mvt"):
            raise TileSourceError(f"basemap {self.path}: vector MBTiles ({fmt}) are not supported; "
                                  "use a raster (png/jpg/webp) package")
        self.scheme = meta.get("scheme", "tms").lower()
        self.name = meta.get("name", self.path.stem)
        self.attribution = meta.get("attribution", "")
        try:
            row = self._db.execute("SELECT MIN(zoom_level), MAX(zoom_level), COUNT(*) FROM tiles").fetchone()
        except sqlite3.DatabaseError as exc:
            raise TileSourceError(f"basemap {self.path}: cannot read tiles ({exc})") from exc
        if not row or row[2] == 0:
            raise TileSourceError(f"basemap {self.path}: the MBTiles file holds no tiles")
        self.min_zoom = int(meta.get("minzoom", row[0]))
        self.max_zoom = int(meta.get("maxzoom", row[1]))

    def raw(self, z: int, x: int, y: int) -> bytes | None:
        row = (1 << z) - 1 - y if self.scheme == "tms" else y
        with self._lock:
            r = self._db.execute("SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? "
                                 "AND tile_row=?", (z, x, row)).fetchone()
        return bytes(r[0]) if r and r[0] is not None else None

    def tile(self, z: int, x: int, y: int) -> QImage | None:
        return decode_tile(self.raw(z, x, y))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._db.close()


class TileDirSource(TileSource):
    """A folder ``z/x/y.png`` (or .jpg/.jpeg/.webp); ``scheme="tms"`` flips rows."""

    EXTS = (".png", ".jpg", ".jpeg", ".webp")

    def __init__(self, path: str | os.PathLike, scheme: str = "xyz") -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise TileSourceError(f"basemap {self.path}: not a folder")
        zooms = sorted(int(p.name) for p in self.path.iterdir() if p.is_dir() and p.name.isdigit())
        if not zooms:
            raise TileSourceError(f"basemap {self.path}: no z/x/y tile folders found")
        self.min_zoom, self.max_zoom = zooms[0], zooms[-1]
        self.scheme = scheme
        self.name = self.path.name
        attr = self.path / "ATTRIBUTION.txt"
        self.attribution = attr.read_text(encoding="utf-8").strip() if attr.is_file() else ""

    def tile(self, z: int, x: int, y: int) -> QImage | None:
        row = (1 << z) - 1 - y if self.scheme == "tms" else y
        for ext in self.EXTS:
            f = self.path / str(z) / str(x) / f"{row}{ext}"
            if f.is_file():
                return decode_tile(f.read_bytes())
        return None


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/mapdesk/tiles`` (``~/.cache/mapdesk/tiles``); ``MAPDESK_CACHE_DIR`` wins."""
    env = os.environ.get("MAPDESK_CACHE_DIR")
    if env:
        return Path(env) / "tiles"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mapdesk" / "tiles"


def network_allowed(url: str) -> bool:
    """False when ``MAPDESK_NO_NETWORK`` is set and the URL is not on the loopback interface."""
    if os.environ.get("MAPDESK_NO_NETWORK", "") in ("", "0"):
        return True
    host = urllib.parse.urlsplit(url).hostname or ""
    return host in LOOPBACK


class XYZSource(TileSource):
    """An online ``{z}/{x}/{y}`` URL template, fetched in the background and cached on disk."""

    is_remote = True

    def __init__(self, template: str, name: str = "xyz", attribution: str = "",
                 subdomains: str = "", max_zoom: int = 19, cache_dir: Path | None = None,
                 timeout_s: float = 8.0, workers: int = 4, max_age_days: float = 30.0) -> None:
        if "{z}" not in template or "{x}" not in template or "{y}" not in template:
            raise TileSourceError(f"tile URL {template!r} needs {{z}}, {{x}} and {{y}}")
        if not network_allowed(template.replace("{s}", (subdomains or "a")[0])):
            raise TileSourceError(f"online basemap {name!r} refused: MAPDESK_NO_NETWORK is set")
        self.template = template
        self.name = name
        self.attribution = attribution
        self.subdomains = subdomains
        self.max_zoom = max_zoom
        self.timeout_s = timeout_s
        self.max_age_s = max_age_days * 86400
        key = hashlib.sha1(template.encode()).hexdigest()[:12]
        self.cache_dir = (cache_dir or default_cache_dir()) / f"{_safe(name)}-{key}"
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mapdesk-tiles")
        self._lock = threading.Lock()
        self._pending: dict[tuple, Future] = {}
        self._memory: OrderedDict = OrderedDict()
        self._failed: dict[tuple, tuple[float, str]] = {}
        self._listeners: list[Callable[[tuple], None]] = []
        self.errors: list[str] = []

    # Listeners are called from worker threads when a tile arrives (the canvas re-renders).
    def add_listener(self, fn: Callable[[tuple], None]) -> None:
        self._listeners.append(fn)

    def remove_listener(self, fn) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(fn)

    def url(self, z: int, x: int, y: int) -> str:
        s = self.subdomains[(x + y) % len(self.subdomains)] if self.subdomains else ""
        return self.template.format(z=z, x=x, y=y, s=s)

    def _cache_file(self, z, x, y) -> Path:
        return self.cache_dir / str(z) / str(x) / f"{y}.tile"

    def cached(self, z: int, x: int, y: int) -> QImage | None:
        """A tile from memory or the disk cache, without network."""
        key = (z, x, y)
        with self._lock:
            img = self._memory.get(key)
            if img is not None:
                self._memory.move_to_end(key)
                return img
        f = self._cache_file(z, x, y)
        if f.is_file():
            img = decode_tile(f.read_bytes())
            if img is not None:
                self._remember(key, img)
                return img
        return None

    def failure(self, z: int, x: int, y: int) -> str | None:
        with self._lock:
            f = self._failed.get((z, x, y))
        if f and time.monotonic() - f[0] < 60:
            return f[1]
        return None

    def request(self, z: int, x: int, y: int) -> Future:
        """Start (or join) the download of a tile; the future yields ``QImage | None``."""
        key = (z, x, y)
        with self._lock:
            fut = self._pending.get(key)
            if fut is not None:
                return fut
            fut = self._pool.submit(self._fetch, key)
            self._pending[key] = fut
            return fut

    def tile(self, z: int, x: int, y: int) -> QImage | None:
        img = self.cached(z, x, y)
        if img is not None:
            return img
        return self.request(z, x, y).result(timeout=self.timeout_s + 1)

    def _remember(self, key, img) -> None:
        with self._lock:
            self._memory[key] = img
            while len(self._memory) > 512:
                self._memory.popitem(last=False)

    def _fetch(self, key) -> QImage | None:
        z, x, y = key
        url = self.url(z, x, y)
        img = None
        try:
            if not network_allowed(url):
                raise TileSourceError("network disabled (MAPDESK_NO_NETWORK)")
            req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                data = resp.read(8 * 1024 * 1024)
            img = decode_tile(data)
            if img is None:
                raise TileSourceError("the server did not return an image")
            f = self._cache_file(z, x, y)
            with contextlib.suppress(OSError):
                f.parent.mkdir(parents=True, exist_ok=True)
                tmp = f.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
                tmp.write_bytes(data)
                os.replace(tmp, f)
            self._remember(key, img)
        except Exception as exc:  # timeouts, HTTP errors, garbage: the map goes on without it
            msg = f"tile {z}/{x}/{y} from {self.name}: {_describe(exc)}"
            with self._lock:
                self._failed[key] = (time.monotonic(), msg)
                self.errors.append(msg)
                del self.errors[:-50]
        finally:
            with self._lock:
                self._pending.pop(key, None)
        for fn in list(self._listeners):
            with contextlib.suppress(Exception):
                fn(key)
        return img

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return f"cannot connect ({exc.reason})"
    if isinstance(exc, TimeoutError | OSError) and "timed out" in str(exc):
        return "timed out"
    return str(exc) or type(exc).__name__


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:40] or "xyz"
