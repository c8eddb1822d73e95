"""Database layers: a layer whose ``source`` names a PostGIS table.

On load the table's catalogue entry is read. A table of at most :data:`REMOTE_THRESHOLD`
(estimated) rows is read whole and behaves as a file layer. A bigger one becomes *remote*: it
keeps a :class:`RemoteTable` and, per frame, the renderer asks it for the data of the view —
server-side counts on a grid (:class:`RemoteView` with ``grid``) when more than
:data:`POINT_BUDGET` features match the view and filter, else the visible features (bbox and
filter pushed into SQL). The remote layer's ``frame`` holds the rows fetched last (the
attribute table and analyses work on those).

Passwords are never kept in a layer or a project: they come from the system keyring or libpq
(``PGPASSWORD``, ``~/.pgpass``, service files), else from a prompt the application installs
with :func:`set_password_prompt`; an answer is kept in memory for this session only.

No Qt here: the render job calls :meth:`RemoteTable.fetch` in its own thread, the command line
calls it directly.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Tables with more (estimated) rows than this stay on the server and are drawn per view.
REMOTE_THRESHOLD = 200_000
#: Up to this many matching features in view are fetched and drawn as points; above, density.
POINT_BUDGET = 50_000
#: Rows read when a remote layer is opened, to learn its fields and values.
SAMPLE_ROWS = 2_000
#: Grid cells across the view width in density mode (cells are then a few pixels wide).
DENSITY_CELLS_ACROSS = 160
#: Views kept per remote table (a pan back is instant).
VIEW_CACHE_ENTRIES = 6

EARTH_RADIUS_M = 6378137.0

# ---- passwords for this session --------------------------------------------------------------
_lock = threading.Lock()
_session_passwords: dict[str, str] = {}
_prompt: Callable[[str], str | None] | None = None


def set_password_prompt(prompt: Callable[[str], str | None] | None) -> None:
    """Install the function asked for a password when the keyring and libpq have none
    (the GUI installs a dialog; ``None``: never ask). It may be called from any thread."""
    global _prompt
    _prompt = prompt


def password_prompt() -> Callable[[str], str | None] | None:
    """The installed password prompt (None: none)."""
    return _prompt


def forget_session_passwords() -> None:
    """Drop every password typed in this session."""
    with _lock:
        _session_passwords.clear()


def session_key(target: Any) -> str:
    """The key a password is remembered under: the connection name, else the server URI."""
    if hasattr(target, "table") and hasattr(target, "connection"):       # a TableRef
        return f"pg:{target.connection}" if target.connection else str(target.conninfo)
    name = getattr(target, "name", None)                                  # a ConnectionSpec
    if isinstance(name, str) and name:
        return f"pg:{name}"
    return str(target)


def remember_password(target: Any, password: str) -> None:
    """Keep ``password`` in memory (this session only) for ``target``."""
    with _lock:
        _session_passwords[session_key(target)] = password


def session_password(target: Any) -> str | None:
    with _lock:
        return _session_passwords.get(session_key(target))


def open_connection(target: Any, *, password: str | None = None, store: Any = None,
                    autocommit: bool = False) -> tuple[Any, str | None]:
    """Connect to ``target`` (a TableRef, ConnectionSpec or source string).

    Uses ``password``, else a password typed earlier in this session, else the keyring/libpq,
    else the installed prompt; a prompted password that works is remembered for the session.

    Returns
    -------
    (connection, password or None)
        The password that worked when it came from here (for :func:`connector`), else None.
    """
    from mapdesk.io.postgis import AuthenticationFailed
    from mapdesk.io.postgis.connections import connect

    known = password or session_password(target)
    answered: list[str] = []

    def prompt(message: str) -> str | None:
        fn = _prompt
        if fn is None:
            return None
        try:
            got = fn(message)
        except RuntimeError:  # the window that installed it is gone
            return None
        if got:
            answered.append(got)
        return got

    # no prompt installed (command line): connect() falls back to its own default prompt
    kw: dict[str, Any] = {"prompt": prompt if _prompt is not None else None, "autocommit": autocommit}
    if store is not None:
        kw["store"] = store
    try:
        conn = connect(target, password=known, **kw)
    except AuthenticationFailed:
        if known is None or password is not None:
            raise
        # a password typed earlier no longer works (changed on the server): ask again
        with _lock:
            _session_passwords.pop(session_key(target), None)
        known = None
        conn = connect(target, password=None, **kw)
    if answered:
        remember_password(target, answered[-1])
        return conn, answered[-1]
    return conn, known


# ---- views of a remote table -------------------------------------------------------------------
@dataclass
class DensityGrid:
    """Server counts on a square grid, shaped like an analysis raster (rows north to south)."""

    values: np.ndarray            # float, NaN where no feature
    bounds: tuple[float, float, float, float]   # EPSG:3857
    cell_m: float                 # ground metres at the view's centre
    cell_3857: float
    total: int
    units: str = ""
    crs: str = "EPSG:3857"
    params: dict = field(default_factory=dict)


@dataclass
class RemoteView:
    """The data of one view: either ``frame`` (features) or ``grid`` (density)."""

    serial: int                   # unique per fetch (the renderer's cache key)
    extent_3857: tuple[float, float, float, float]
    frame: Any = None             # GeoDataFrame (EPSG:4326) of the visible features
    grid: DensityGrid | None = None
    total: int | None = None      # features matching view + filter
    truncated: bool = False
    elapsed_ms: float = 0.0

    @property
    def mode(self) -> str:
        return "density" if self.grid is not None else "points"


def mercator_to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon = math.degrees(x / EARTH_RADIUS_M)
    lat = math.degrees(2 * math.atan(math.exp(y / EARTH_RADIUS_M)) - math.pi / 2)
    return lon, lat


def lonlat_to_mercator(lon: float, lat: float) -> tuple[float, float]:
    lat = max(-85.05112878, min(85.05112878, lat))
    return (math.radians(lon) * EARTH_RADIUS_M,
            math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * EARTH_RADIUS_M)


def extent_to_wgs84(extent_3857) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = extent_3857
    a, b = mercator_to_lonlat(x0, y0)
    c, d = mercator_to_lonlat(x1, y1)
    return (max(-180.0, a), max(-90.0, b), min(180.0, c), min(90.0, d))


def nice_cell_m(width_m: float, cells: int = DENSITY_CELLS_ACROSS) -> float:
    """A round cell size (1, 2 or 5 × 10^k metres) giving about ``cells`` cells across."""
    raw = max(width_m / max(cells, 1), 1.0)
    k = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * k * 1.2:
            return float(m * k)
    return float(10 * k)


def role_units(role: str, lang: str = "en") -> str:
    what = {"incidents": ("incidents", "案件"), "trees": ("trees", "树木"),
            "cameras": ("cameras", "摄像头")}.get(role, ("features", "要素"))
    return f"每格{what[1]}数" if lang.startswith("zh") else f"{what[0]} per cell"


class RemoteTable:
    """A big PostGIS table drawn per view. Thread-safe: the render thread calls :meth:`fetch`.

    Parameters
    ----------
    ref, info
        The table (a :class:`~mapdesk.io.postgis.TableRef`) and its catalogue entry.
    password
        The password that opened it (kept in memory for more connections), or None.
    """

    def __init__(self, ref: Any, info: Any, *, password: str | None = None,
                 role: str = "generic", point_budget: int | None = None,
                 extent_wgs84: tuple[float, float, float, float] | None = None) -> None:
        self.ref = ref
        self.info = info
        self.role = role
        self.point_budget = int(point_budget or POINT_BUDGET)
        self.extent_wgs84 = extent_wgs84
        self._password = password
        self._lock = threading.RLock()
        self._conn: Any = None
        self._connector: Callable[[], Any] | None = None
        self._views: OrderedDict = OrderedDict()
        self._serial = 0
        self.last_view: RemoteView | None = None
        self.last_error: str = ""
        #: {"categories": {column: (values, counts)}, "ranges": {column: (min, max)}} of the
        #: whole table, read once when the layer opens (filter panels use it, no I/O then)
        self.profile: dict = {"categories": {}, "ranges": {}}
        self.fetches = 0          # server round trips for views (tests, status)

    def __repr__(self) -> str:
        return f"<RemoteTable {self.ref.qualified} ~{self.info.estimated_rows:,} rows>"

    # ---- connections ------------------------------------------------------------------------
    def connection(self) -> Any:
        """The table's connection (reopened after a failure)."""
        with self._lock:
            if self._conn is not None and not getattr(self._conn, "closed", False):
                return self._conn
            conn, pw = open_connection(self.ref, password=self._password, autocommit=True)
            self._password = pw or self._password
            self._conn = conn
            return conn

    def connector(self) -> Callable[[], Any]:
        """A factory of more connections to the same server (parallel aggregation)."""
        from mapdesk.io.postgis.connections import connector

        with self._lock:
            if self._connector is None:
                self._connector = connector(self.ref, password=self._password or session_password(self.ref),
                                            autocommit=True)
            return self._connector

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.close()
                except Exception:
                    pass
                self._conn = None

    def _drop_connection(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
            self._connector = None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    # ---- filters ----------------------------------------------------------------------------
    def time_column(self, field_map: dict[str, str]) -> str | None:
        cols = self.info.columns
        for canon in ("time", "time_start", "install_date", "last_survey"):
            c = field_map.get(canon)
            if c and c in cols:
                return c
        for c, t in cols.items():
            if str(t).startswith(("timestamp", "date")):
                return c
        return None

    def sql_filter(self, flt: Any, field_map: dict[str, str]) -> tuple[str, Any]:
        """``(key, SqlWhere or None)`` for a :class:`~mapdesk.model.filter.Filter`; raises
        FilterError for a filter that cannot run on the server."""
        from mapdesk.model.sqlfilter import filter_to_sql

        if flt is None or flt.is_empty():
            return "", None
        where = filter_to_sql(flt, self.info.columns, self.time_column(field_map))
        return json.dumps(flt.to_dict(), sort_keys=True, default=str), where

    # ---- whole-table cell counts (the Hotspots tool's square and hexagon counts) -------------
    def cell_counts(self, method: str, cell_m: float, flt: Any = None,
                    field_map: dict[str, str] | None = None,
                    cancel: Callable[[], bool] | None = None) -> Any:
        """Rows per square or hexagon cell over the whole table, counted by the server.

        Shaped like :func:`mapdesk.analysis.bins.square_counts` / ``hex_counts`` (``count``,
        ``density_per_km2``, ``attrs["params"]``), so it is styled and exported like them. Cells
        lie on the Web Mercator lattice the map's server density uses, scaled so that they are
        ``cell_m`` metres across at the table's middle latitude.
        """
        import math

        import geopandas as gpd
        import numpy as np
        import pandas as pd
        import shapely

        from mapdesk.io.postgis.aggregate import grid_counts, hex_counts, lonlat_to_mercator

        if method not in ("square", "hex"):
            raise ValueError(f"unknown cell method {method!r}")
        if not cell_m or cell_m <= 0:
            raise ValueError("the cell size must be positive")
        if self.extent_wgs84 is None:
            raise ValueError(f"{self.ref.qualified}: the table's extent is unknown")
        _, where = self.sql_filter(flt, field_map or {})
        x0, y0, x1, y1 = self.extent_wgs84
        xs, ys = lonlat_to_mercator(np.array([x0, x1]), np.array([y0, y1]))
        scale = 1.0 / math.cos(math.radians((y0 + y1) / 2.0))  # Mercator metres per true metre
        cell = float(cell_m) * scale
        # a cell of margin: rows on the table's outer edge belong to a cell of the grid too
        extent = (float(xs[0]) - cell, float(ys[0]) - cell, float(xs[1]) + cell, float(ys[1]) + cell)
        if method == "hex":
            out = hex_counts(self.connector(), self.info, extent_3857=extent, size_3857=cell,
                             where=where, cancel=cancel)
            out = out.rename(columns={"q": "col", "r": "row"})
            area = math.sqrt(3.0) / 2.0 * cell_m * cell_m
        else:
            g = grid_counts(self.connector(), self.info, extent_3857=extent, cell_3857=cell,
                            where=where, cancel=cancel)
            row, col = np.nonzero(g.counts)
            bx, by = g.x0 + col * g.cell, g.y0 + row * g.cell
            out = gpd.GeoDataFrame(
                pd.DataFrame({"row": row.astype(np.int64), "col": col.astype(np.int64),
                              "count": g.counts[row, col].astype(np.int64)}),
                geometry=shapely.box(bx, by, bx + g.cell, by + g.cell), crs=3857)
            area = float(cell_m) * float(cell_m)
        out = out[out["count"] > 0].reset_index(drop=True)
        out.insert(0, "cell_id", np.arange(len(out), dtype=np.int64))
        out["density_per_km2"] = out["count"] / (area / 1e6)
        n = int(out["count"].sum())
        out.attrs["params"] = {
            "method": method, "cell_m": float(cell_m), "cell_area_m2": area, "n_points": n,
            "n_skipped": 0, "n_cells": len(out), "include_empty": False,
            "max_count": int(out["count"].max()) if len(out) else 0, "weight_field": None,
            "filter": (flt.describe() if flt is not None and not flt.is_empty() else "") or "all incidents",
            "period": None, "crs": "EPSG:3857",
            "computed_by": f"server aggregation over {self.ref.qualified}"}
        return out

    # ---- per-view data ----------------------------------------------------------------------
    def fetch(self, extent_3857: tuple[float, float, float, float], *, filter_key: str = "",
              where: Any = None, width_px: int = 800, cancel: Callable[[], bool] | None = None
              ) -> RemoteView:
        """The data of a view: density when more than the point budget match, else features.

        Runs the queries on the calling thread (the render thread); raises
        :class:`~mapdesk.io.postgis.ConnectionFailed` when the server is gone.
        """
        import time

        from mapdesk.io.postgis import ConnectionFailed

        ext = tuple(float(v) for v in extent_3857)
        key = (tuple(round(v, 1) for v in ext), filter_key, int(width_px))
        with self._lock:
            hit = self._views.get(key)
            if hit is not None:
                self._views.move_to_end(key)
                self.last_view = hit
                return hit
        t0 = time.perf_counter()
        try:
            view = self._query(ext, where, width_px, cancel)
        except ConnectionFailed as exc:
            self.last_error = str(exc)
            self._drop_connection()
            raise
        except Exception as exc:
            if _is_connection_loss(exc):
                self._drop_connection()
                self.last_error = (f"the server of {self.ref.qualified} went away: {exc}. "
                                   "Check that it is running, then use Reload.")
                raise ConnectionFailed(self.last_error) from exc
            raise
        view.elapsed_ms = (time.perf_counter() - t0) * 1000
        with self._lock:
            self.fetches += 1
            self.last_error = ""
            self._views[key] = view
            while len(self._views) > VIEW_CACHE_ENTRIES:
                self._views.popitem(last=False)
            self.last_view = view
        return view

    def _next_serial(self) -> int:
        with self._lock:
            self._serial += 1
            return self._serial

    def _query(self, ext, where, width_px, cancel) -> RemoteView:
        from mapdesk.io.postgis.read import count_rows, read_table

        bbox = extent_to_wgs84(ext)
        conn = self.connection()
        with self._lock:
            estimate = self._estimate_in_view(bbox)
            if estimate > 4 * self.point_budget:
                n = None                       # clearly too many: no need to count exactly
            else:
                n = int(count_rows(conn, self.info, bbox_wgs84=bbox, where=where))
            if n is not None and n <= self.point_budget:
                res = read_table(conn, self.info, bbox_wgs84=bbox, where=where,
                                 limit=self.point_budget, cancel=cancel)
                frame = res.frame
                return RemoteView(self._next_serial(), ext, frame=frame,
                                  total=res.total if res.total is not None else len(frame),
                                  truncated=bool(res.truncated))
        return self._density(ext, where, width_px, cancel)

    def _density(self, ext, where, width_px, cancel) -> RemoteView:
        from mapdesk.io.postgis.aggregate import grid_counts

        x0, y0, x1, y1 = ext
        _, lat = mercator_to_lonlat(0.0, (y0 + y1) / 2)
        scale = 1.0 / max(math.cos(math.radians(lat)), 1e-6)   # 3857 units per ground metre
        width_m = (x1 - x0) / scale
        cells = max(16, min(DENSITY_CELLS_ACROSS, int(width_px) // 4))
        cell_m = nice_cell_m(width_m, cells)
        cell = cell_m * scale
        g = grid_counts(self.connector(), self.info, extent_3857=ext, cell_3857=cell, where=where,
                        cancel=cancel)
        counts = np.asarray(g.counts, dtype=float)
        values = np.where(counts > 0, counts, np.nan)[::-1]          # rows north to south
        ny, nx = counts.shape
        bounds = (g.x0, g.y0, g.x0 + nx * g.cell, g.y0 + ny * g.cell)
        grid = DensityGrid(values=values, bounds=bounds, cell_m=cell_m, cell_3857=float(g.cell),
                           total=int(g.total), units=role_units(self.role),
                           params={"method": "server grid counts", "cell_m": cell_m,
                                   "n_points": int(g.total)})
        return RemoteView(self._next_serial(), ext, grid=grid, total=int(g.total))

    def _estimate_in_view(self, bbox) -> float:
        """Rows expected in ``bbox`` from the table's extent and row estimate."""
        n = float(getattr(self.info, "estimated_rows", 0) or 0)
        e = self.extent_wgs84
        if not e or n <= 0:
            return n
        ex = max(e[2] - e[0], 1e-9) * max(e[3] - e[1], 1e-9)
        ix = max(0.0, min(e[2], bbox[2]) - max(e[0], bbox[0]))
        iy = max(0.0, min(e[3], bbox[3]) - max(e[1], bbox[1]))
        return n * min(1.0, ix * iy / ex)

    # ---- values for filter panels ---------------------------------------------------------------
    def distinct_values(self, column: str, limit: int = 200) -> list:
        from mapdesk.io.postgis.read import distinct_values

        with self._lock:
            return distinct_values(self.connection(), self.info, column, limit)

    def value_range(self, column: str) -> tuple[Any, Any]:
        from mapdesk.io.postgis.read import value_range

        with self._lock:
            return value_range(self.connection(), self.info, column)

    def count(self, where: Any = None) -> int:
        from mapdesk.io.postgis.read import count_rows

        with self._lock:
            return int(count_rows(self.connection(), self.info, where=where))


def _is_connection_loss(exc: BaseException) -> bool:
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def table_extent_wgs84(conn: Any, info: Any) -> tuple[float, float, float, float] | None:
    """The table's extent in WGS 84 from the planner's statistics (cheap; None if unknown)."""
    from psycopg import sql

    try:
        q = sql.SQL("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                    "(SELECT ST_Transform(ST_SetSRID(ST_EstimatedExtent({s}, {t}, {g})::geometry, {srid}),"
                    " 4326) AS e) q").format(
            s=sql.Literal(info.ref.schema), t=sql.Literal(info.ref.table),
            g=sql.Literal(info.geometry), srid=sql.Literal(int(info.srid or 4326)))
        with conn.cursor() as cur:
            cur.execute(q)
            row = cur.fetchone()
        if row is None or any(v is None for v in row):
            return None
        return tuple(float(v) for v in row)  # type: ignore[return-value]
    except Exception:
        try:
            conn.rollback()
        except Exception:
            pass
        return None


def table_profile(conn: Any, info: Any, sample: Any, *, max_categories: int = 50) -> dict:
    """Values of the table's category columns with their counts, and numeric ranges.

    Category columns are the text/boolean/small-integer columns with few values in ``sample``;
    their counts are exact over the whole table (one ``GROUP BY`` each, on the server).
    """
    import pandas as pd
    from psycopg import sql

    from mapdesk.io.postgis.read import value_range

    out: dict = {"categories": {}, "ranges": {}, "times": {}}
    if sample is None:
        return out
    cols = info.columns
    for col in sample.columns:
        if col not in cols or col == info.geometry:
            continue
        s = sample[col]
        try:
            if pd.api.types.is_datetime64_any_dtype(s):  # the whole table's first and last time
                lo, hi = value_range(conn, info, col)
                if lo is not None and hi is not None:
                    out["times"][col] = (_naive(lo), _naive(hi))
                continue
            is_text = (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)
                       or isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(s))
            if is_text and s.nunique(dropna=True) <= max_categories:
                q = sql.SQL("SELECT {c}::text, count(*) FROM {t} WHERE {c} IS NOT NULL "
                            "GROUP BY 1 ORDER BY 2 DESC LIMIT {n}").format(
                    c=sql.Identifier(col), t=sql.Identifier(info.ref.schema, info.ref.table),
                    n=sql.Literal(max_categories + 1))
                with conn.cursor() as cur:
                    cur.execute(q)
                    rows = cur.fetchall()
                if 0 < len(rows) <= max_categories:
                    out["categories"][col] = ([str(r[0]) for r in rows], [int(r[1]) for r in rows])
            elif pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
                lo, hi = value_range(conn, info, col)
                if lo is not None and hi is not None:
                    out["ranges"][col] = (float(lo), float(hi))
        except Exception:  # a column the server cannot group: the panel uses the sample
            try:
                conn.rollback()
            except Exception:
                pass
    return out


def _naive(t: Any) -> Any:
    import pandas as pd

    t = pd.Timestamp(t)
    return t.tz_localize(None) if t.tzinfo is not None else t


# ---- loading a database layer -----------------------------------------------------------------
@dataclass
class LoadedState:
    """What loading a database source produced (applied to the layer on its own thread)."""

    status: str = "ok"
    error: str = ""
    frame: Any = None
    role: str = "generic"
    field_map: dict = field(default_factory=dict)
    report: Any = None
    remote: RemoteTable | None = None


def remote_threshold() -> int:
    """The row count above which a table stays on the server (``MAPDESK_REMOTE_THRESHOLD``)."""
    import os

    try:
        return int(os.environ.get("MAPDESK_REMOTE_THRESHOLD", REMOTE_THRESHOLD))
    except ValueError:
        return REMOTE_THRESHOLD


def load_state(source: str, *, role: str = "generic", field_map: dict | None = None,
               load_options: dict | None = None, threshold: int | None = None) -> LoadedState:
    """Open a database source: read it whole when small, else make it remote.

    Never raises for database problems: a failed load is a state with ``status="error"`` and
    the message (the layer stays in the project, marked, and Reload retries).
    """
    from mapdesk.errors import MapdeskError
    from mapdesk.io.postgis import parse_source
    from mapdesk.io.postgis.catalog import table_info
    from mapdesk.io.postgis.load import load_table

    opts = dict(load_options or {})
    if role != "generic" and "role" not in opts:
        opts["role"] = role
    if field_map and "field_map" not in opts:
        opts["field_map"] = field_map
    limit = threshold if threshold is not None else remote_threshold()
    try:
        ref, uri_password = parse_source(source)
        conn, password = open_connection(ref, password=uri_password)
        try:
            info = table_info(conn, ref)
            big = int(info.estimated_rows or 0) > limit
            extent = table_extent_wgs84(conn, info) if big else None
        finally:
            conn.close()
        # load_table connects itself: give it the password that worked (from here only)
        kw = {k: v for k, v in opts.items() if k in ("role", "field_map", "where", "bbox")}
        if not big:
            loaded = load_table(ref, password=password, **kw)
            return LoadedState(frame=loaded.frame, role=loaded.role,
                               field_map=dict(loaded.field_map), report=loaded.report)
        sample = load_table(ref, password=password, limit=SAMPLE_ROWS, **kw)
        remote = RemoteTable(ref, info, password=password, role=sample.role, extent_wgs84=extent)
        with remote._lock:
            remote.profile = table_profile(remote.connection(), info, sample.frame)
        return LoadedState(frame=sample.frame, role=sample.role, field_map=dict(sample.field_map),
                           report=sample.report, remote=remote)
    except MapdeskError as exc:
        return LoadedState(status="error", error=str(exc), role=role, field_map=dict(field_map or {}))


def apply_state(layer: Any, state: LoadedState) -> None:
    """Put a :class:`LoadedState` into ``layer`` (on the thread that owns the layer)."""
    old = getattr(layer, "remote", None)
    if old is not None and old is not state.remote:
        # not here: a frame may be querying through it; closing waits for that query
        threading.Thread(target=old.close, name="mapdesk-close-remote", daemon=True).start()
    layer.remote = state.remote
    if state.status != "ok":
        layer.status, layer.error = state.status, state.error
        layer._set_frame(None)
        return
    layer._take_loaded(state.role, state.field_map, state.report, state.frame)


def mark_unreachable(layer: Any, message: str) -> None:
    """The server went away: mark the layer (the renderer skips it until Reload)."""
    layer.status, layer.error = "error", message
    layer.data_version += 1
    layer.changed.emit("data")


def set_rows(layer: Any, frame: Any) -> None:
    """Show the rows fetched for the current view in ``layer.frame`` (emits ``rows``)."""
    from mapdesk.model.layer import _categorise

    layer._set_frame(_categorise(frame, layer.field_map))
    layer.changed.emit("rows")


def is_remote(layer: Any) -> bool:
    return getattr(layer, "remote", None) is not None
