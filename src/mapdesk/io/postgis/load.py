"""A database table as a loaded layer, the same way :func:`mapdesk.io.load_layer` loads a file.

The rows are read with :func:`mapdesk.io.postgis.read.read_table` (the view's box and the filter
go into the SQL); then the steps every source shares (:func:`mapdesk.io.loader.finish_layer`):
role detection, canonical field mapping, date parsing and the :class:`LoadReport`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import shapely

from mapdesk.errors import LoadError
from mapdesk.io.postgis.connections import Prompt, connect
from mapdesk.io.postgis.ref import TableRef, parse_source
from mapdesk.io.report import LoadedLayer, LoadReport

_TYPE_NAMES = {"POINT": "Point", "LINESTRING": "LineString", "POLYGON": "Polygon",
               "MULTIPOINT": "MultiPoint", "MULTILINESTRING": "MultiLineString",
               "MULTIPOLYGON": "MultiPolygon", "GEOMETRYCOLLECTION": "GeometryCollection",
               "GEOMETRY": "Unknown"}


def _parse(source: str | TableRef) -> tuple[TableRef, str | None]:
    if isinstance(source, TableRef):
        return source, None
    return parse_source(source)


def geometry_type_name(pg_type: str) -> str:
    """``MULTIPOLYGON`` → ``MultiPolygon`` (the spelling the file loaders use)."""
    t = pg_type.upper()
    if t not in _TYPE_NAMES and t.endswith("M"):  # POINTM: measured coordinates
        t = t[:-1]
    return _TYPE_NAMES.get(t, pg_type)


def list_table_layers(source: str | TableRef, *, password: str | None = None,
                      prompt: Prompt | None = None) -> list[tuple[str, str]]:
    """``[(schema.table, geometry type)]`` for a database source (what ``list_layers`` gives)."""
    from mapdesk.io.postgis.catalog import table_info

    ref, uri_password = _parse(source)
    with connect(ref, password=password or uri_password, prompt=prompt) as conn:
        info = table_info(conn, ref)
    return [(ref.qualified, geometry_type_name(info.geometry_type))]


def load_table(source: str | TableRef, *, password: str | None = None, prompt: Prompt | None = None,
               bbox: tuple[float, float, float, float] | None = None, where: Any = None,
               limit: int | None = None, role: str | None = None,
               field_map: dict[str, str] | None = None,
               progress: Callable[..., Any] | None = None, layer: str | None = None,
               coords: str = "wgs84") -> LoadedLayer:
    """Load a table (or the part of it in ``bbox`` matching ``where``) as a layer.

    Parameters
    ----------
    source : ``pg:CONNECTION/schema.table``, ``postgresql://...?table=schema.table`` or a TableRef.
    password, prompt : see :func:`mapdesk.io.postgis.connections.connect`.
    bbox : ``(min lon, min lat, max lon, max lat)`` in WGS 84: only rows in it are read.
    where : a ``SqlWhere`` (see :func:`mapdesk.model.sqlfilter.filter_to_sql`) pushed into the SQL.
    limit : read at most this many rows (the report then says "row limit reached: N of M rows read").
    role, field_map : as for :func:`mapdesk.io.load_layer`.
    progress : passed to ``read_table``.
    layer : accepted for symmetry with files: must be None or the table's name.
    coords : ``gcj02``/``bd09`` when the table's lon/lat are in a Chinese web-map datum.

    Returns
    -------
    LoadedLayer
        ``frame`` in EPSG:4326 with the table's columns; ``source`` is the source string
        without password.

    Raises
    ------
    AuthenticationFailed, ConnectionFailed, TableNotFound, LoadError
    """
    from mapdesk.io.datum import DATUMS
    from mapdesk.io.loader import _convert_datum, finish_layer
    from mapdesk.io.postgis.catalog import table_info
    from mapdesk.io.postgis.read import read_table
    from mapdesk.io.schema import ROLES

    if role is not None and role not in ROLES:
        raise LoadError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if coords not in DATUMS:
        raise LoadError(f"unknown coordinate datum {coords!r}; use one of {', '.join(DATUMS)}")
    if limit is not None and limit < 0:
        raise LoadError(f"the row limit must be 0 or more, not {limit}")
    ref, uri_password = _parse(source)
    if layer is not None and layer not in (ref.qualified, ref.table):
        raise LoadError(f"{ref.to_source()} is one table ({ref.qualified}); there is no layer {layer!r}")
    with connect(ref, password=password or uri_password, prompt=prompt) as conn:
        info = table_info(conn, ref)
        res = read_table(conn, info, bbox_wgs84=bbox, where=where, limit=limit, progress=progress)
    frame = res.frame
    src = ref.to_source()
    report = LoadReport(source=src, layer=ref.qualified)
    read = len(frame)
    report.total_rows = read
    if res.truncated:
        if res.total is not None:
            report.total_rows = max(read, int(res.total))
        report.warn(f"row limit reached: {read} of {res.total if res.total is not None else 'more'} rows read")
    if bbox is not None:
        report.warn("only the rows in the view box were read")
    if info.kind == "table" and not info.has_spatial_index:
        report.warn(f"{ref.qualified} has no spatial index on {info.geometry}: map views and box reads "
                    f"are slow; create one with `mapdesk db create-index {src}`")
    if read:
        geoms = np.asarray(frame.geometry.array)
        missing = shapely.is_missing(geoms)
        empty = ~missing & shapely.is_empty(geoms)
        report.reject("missing geometry", np.flatnonzero(missing))
        report.reject("empty geometry", np.flatnonzero(empty))
        if missing.any() or empty.any():
            frame = frame.loc[~(missing | empty)]
    if coords != "wgs84":
        frame = _convert_datum(frame, coords, report)
    frame = frame.reset_index(drop=True)
    name = ref.table if ref.schema == "public" else ref.qualified
    return finish_layer(frame, report, name=name, source=src, layer=None,
                        hint=f"{ref.table} {ref.schema}", role=role, field_map=field_map)
