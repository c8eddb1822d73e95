"""Loading one layer (or every layer) of a file into a checked GeoDataFrame with a report.

The steps are the same for every format: read the raw rows; find or build the geometry;
settle the CRS (honour the file's, assume WGS 84 only when every coordinate is a valid
lon/lat); check the values (swapped axes, out of range, missing); convert a Chinese web-map
datum to WGS 84 when asked; detect the layer's role and parse its date fields.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import geopandas
import numpy as np
import pandas as pd
import pyogrio
import shapely

from mapdesk.errors import LoadError
from mapdesk.io import coords as C
from mapdesk.io import tables
from mapdesk.io.atomic import protect_source
from mapdesk.io.crs import HOW_TO_GIVE_CRS, WGS84, crs_label, parse_crs
from mapdesk.io.dates import parse_datetimes
from mapdesk.io.datum import DATUMS, to_wgs84
from mapdesk.io.encoding import detect_encoding, normalize_encoding
from mapdesk.io.formats import classify
from mapdesk.io.postgis.ref import is_db_source
from mapdesk.io.report import LoadedLayer, LoadReport
from mapdesk.io.schema import ROLES, SCHEMA, detect_role, match_fields

_DATUM_NAMES = {"wgs84": "WGS 84", "gcj02": "GCJ-02", "bd09": "BD-09"}


# --------------------------------------------------------------------------- listing

def list_layers(path: str | os.PathLike) -> list[tuple[str, str]]:
    """``(layer name, geometry type)`` of every layer in ``path``.

    Parameters
    ----------
    path : a file in any format :func:`load_layer` reads, or a database source
        (``pg:CONNECTION/schema.table``, ``postgresql://...?table=schema.table``).

    Returns
    -------
    list of (str, str)
        Multi-layer formats (GeoPackage, KML, OSM, …) list their layers; a table gives one
        layer named after the file (an Excel workbook: one per sheet) with type ``Point``.

    Raises
    ------
    LoadError
        Missing, empty, unknown or unreadable file.

    Examples
    --------
    >>> list_layers("cameras.kml")  # doctest: +SKIP
    [('existing', 'Point'), ('new 2024', 'Point')]
    """
    if is_db_source(path):
        from mapdesk.io.postgis.load import list_table_layers

        return list_table_layers(path)
    p, kind, fmt = classify(path)
    if kind == "vector":
        try:
            return [(str(n), str(t)) for n, t in pyogrio.list_layers(_gdal_path(p))]
        except Exception as exc:
            raise LoadError(_read_error(p, fmt, exc)) from None
    if kind == "parquet":
        return [(p.stem, _parquet_geometry_type(p))]
    if kind == "excel":
        return [(s, "Point") for s in tables.excel_sheets(p)]
    return [(p.stem, "Point")]


def _parquet_geometry_type(p: Path) -> str:
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(p).metadata or {}
    except Exception as exc:
        raise LoadError(_read_error(p, "GeoParquet", exc)) from None
    geo = meta.get(b"geo")
    if not geo:
        return "Unknown"
    doc = json.loads(geo)
    col = doc.get("columns", {}).get(doc.get("primary_column", "geometry"), {})
    types = col.get("geometry_types") or ["Unknown"]
    return types[0] if len(types) == 1 else "/".join(types)


def _gdal_path(p: Path) -> str:
    return str(p)


def _read_error(p: Path, fmt: str, exc: Exception) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"cannot read {p.name} as {fmt} (corrupt or truncated file?): {msg}"


# --------------------------------------------------------------------------- loading

def load_layers(path: str | os.PathLike, **kw) -> list[LoadedLayer]:
    """Load every layer of ``path`` (KML folders, GeoPackage tables, Excel sheets).

    Keyword arguments are those of :func:`load_layer`. Layers without geometry or with no
    features are loaded too (with an empty frame) so nothing is hidden.
    """
    return [load_layer(path, name, **kw) for name, _ in list_layers(path)]


def load_layer(path: str | os.PathLike, layer: str | None = None, *, encoding: str | None = None,
               coords: str = "wgs84", x: str | None = None, y: str | None = None,
               wkt: str | None = None, crs=None, role: str | None = None,
               field_map: dict[str, str] | None = None, swap_axes: bool | None = None) -> LoadedLayer:
    """Load one layer of a vector file, GeoParquet, CSV/TSV, Excel sheet or JSON records.

    Parameters
    ----------
    path : file to read; the format follows the extension. A database source
        (``pg:CONNECTION/schema.table`` or ``postgresql://...?table=schema.table``) is read with
        :func:`mapdesk.io.postgis.load.load_table` (``coords``, ``role``, ``field_map`` apply).
    layer : layer (or Excel sheet) name; default the first one (a warning names the others).
    encoding : text encoding of a CSV or of a Shapefile's .dbf; detected when not given.
    coords : datum of lon/lat values — ``wgs84``, ``gcj02`` (Gaode/Tencent) or ``bd09``
        (Baidu); the latter two are converted to WGS 84.
    x, y : coordinate columns of a table (override the name-based search).
    wkt : a column of WKT geometries (override).
    crs : CRS of the coordinates when the file does not say (or to override it).
    role : ``trees``, ``incidents``, ``cameras`` or ``generic`` instead of the detected one.
    field_map : ``{canonical: column}`` entries that override the detected mapping.
    swap_axes : force (True) or forbid (False) swapping x and y; default: detect.

    Returns
    -------
    LoadedLayer
        ``frame`` keeps the original columns plus ``geometry``, has its CRS set and holds only
        the rows that could be placed; ``report`` counts the others by reason.

    Raises
    ------
    LoadError
        With a message that says what is wrong and how to fix it.
    """
    if coords not in DATUMS:
        raise LoadError(f"unknown coordinate datum {coords!r}; use one of {', '.join(DATUMS)}")
    if role is not None and role not in ROLES:
        raise LoadError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if (x is None) != (y is None):
        raise LoadError("give both coordinate columns: --x COLUMN --y COLUMN")
    if encoding is not None:
        try:
            encoding = normalize_encoding(encoding)
        except LookupError:
            raise LoadError(f"unknown text encoding {encoding!r}; try utf-8, gbk, gb18030 or cp1252") from None
    if is_db_source(path):
        file_only = {"--encoding": encoding, "--x/--y": x, "--wkt": wkt, "--crs": crs, "--swap-axes": swap_axes}
        given = [k for k, v in file_only.items() if v is not None]
        if given:
            raise LoadError(f"{', '.join(given)} apply to files; a database table has its own geometry "
                            "column and coordinate system")
        from mapdesk.io.postgis.load import load_table

        return load_table(path, layer=layer, coords=coords, role=role, field_map=field_map)
    user_crs = parse_crs(crs) if crs is not None else None
    p, kind, fmt = classify(path)
    protect_source(p)
    opts = dict(encoding=encoding, coords=coords, x=x, y=y, wkt=wkt, user_crs=user_crs, role=role,
                field_map=field_map, swap_axes=swap_axes)
    try:
        return _load(p, kind, fmt, layer, **opts)
    except LoadError as exc:
        first_error = exc if p.name in str(exc) else LoadError(f"{p.name}: {exc}")
    if layer is None and kind in ("vector", "excel"):
        # The first sheet of a workbook is often a cover or notes page: use the first layer
        # that loads, and say so.
        names = [n for n, _ in list_layers(p)]
        for name in names[1:]:
            try:
                loaded = _load(p, kind, fmt, name, **opts)
            except LoadError:
                continue
            loaded.report.warn(f"the first layer '{names[0]}' could not be used ({first_error}); "
                               f"loaded '{name}' instead (choose with --layer)")
            return loaded
        if len(names) > 1:
            raise LoadError(f"{first_error} (its layers: {', '.join(names)}; choose one with --layer)") from None
    raise first_error from None


def _load(p: Path, kind: str, fmt: str, layer: str | None, *, encoding, coords, x, y, wkt, user_crs, role,
          field_map, swap_axes) -> LoadedLayer:
    report = LoadReport(source=str(p), layer=layer)

    if kind in ("vector", "parquet"):
        frame, layer_name = _read_geo(p, kind, fmt, layer, encoding, report)
        has_geometry = (isinstance(frame, geopandas.GeoDataFrame)
                        and frame.active_geometry_name in frame.columns)
        if x is not None or wkt is not None or not has_geometry:
            # Coordinates in attribute columns (or a table without geometry, e.g. a GeoPackage
            # attribute table): build the geometry as for a CSV.
            table = pd.DataFrame(frame.drop(columns=frame.geometry.name) if has_geometry else frame)
            file_crs = frame.crs if has_geometry else None
            frame = _geometry_from_columns(table, p, report, x=x, y=y, wkt=wkt,
                                           user_crs=user_crs or file_crs, swap_axes=swap_axes)
        else:
            frame = _check_geo(frame, p, report, user_crs=user_crs, swap_axes=swap_axes)
    else:
        raw, layer_name = _read_table(p, kind, layer, encoding, report)
        frame = _geometry_from_columns(raw, p, report, x=x, y=y, wkt=wkt, user_crs=user_crs,
                                       swap_axes=swap_axes)
    report.layer = layer_name
    if coords != "wgs84":
        frame = _convert_datum(frame, coords, report)
    frame = frame.reset_index(drop=True)
    name = p.stem if layer_name in (None, p.stem) else f"{p.stem} – {layer_name}"
    return finish_layer(frame, report, name=name, source=str(p), layer=layer_name,
                        hint=f"{p.stem} {layer_name or ''}", role=role, field_map=field_map)


def finish_layer(frame: geopandas.GeoDataFrame, report: LoadReport, *, name: str, source: str,
                 layer: str | None, hint: str, role: str | None,
                 field_map: dict[str, str] | None) -> LoadedLayer:
    """The steps every source shares once its rows are placed: detect the role (or map the
    given one's fields), parse the date fields, and complete the report.

    Parameters
    ----------
    frame : the placed rows (geometry and CRS set, index 0..n-1); date columns are parsed in place.
    report : the load report so far (``total_rows`` and rejections filled in).
    hint : text that helps guess the role (file or table name).
    role, field_map : as for :func:`load_layer`.
    """
    role, field_map = _resolve_role(frame, hint, role, field_map)
    _parse_dates(frame, role, field_map, report)
    report.loaded_rows = len(frame)
    report.crs = crs_label(frame.crs)
    return LoadedLayer(frame=frame, name=name, source=source, layer=layer, role=role,
                       field_map=field_map, report=report)


# --------------------------------------------------------------------------- readers

def _read_geo(p: Path, kind: str, fmt: str, layer: str | None, encoding: str | None,
              report: LoadReport) -> tuple[geopandas.GeoDataFrame, str | None]:
    if kind == "parquet":
        try:
            frame = geopandas.read_parquet(p)
        except ValueError as exc:
            if "geo" not in str(exc).lower():
                raise LoadError(_read_error(p, fmt, exc)) from None
            # Plain Parquet (no geometry metadata): a table whose coordinates are in columns.
            try:
                frame = pd.read_parquet(p)
            except Exception as exc2:
                raise LoadError(_read_error(p, "Parquet", exc2)) from None
        except Exception as exc:
            raise LoadError(_read_error(p, fmt, exc)) from None
        report.total_rows = len(frame)
        return frame, None
    try:
        layers = [str(n) for n, _ in pyogrio.list_layers(_gdal_path(p))]
    except Exception as exc:
        raise LoadError(_read_error(p, fmt, exc)) from None
    if not layers:
        raise LoadError(f"{p.name} holds no layers")
    if layer is None:
        layer = layers[0]
        if len(layers) > 1:
            report.warn(f"file has {len(layers)} layers ({', '.join(layers)}); loaded '{layer}' "
                        "(choose with --layer, or load them all)")
    elif layer not in layers:
        raise LoadError(f"{p.name} has no layer {layer!r}; its layers are: {', '.join(layers)}")
    kw: dict = {}
    if fmt.startswith("Shapefile") or fmt == "zipped Shapefile":
        enc = encoding or _shapefile_encoding(p, report)
        if enc:
            kw["encoding"] = enc
            report.encoding = enc
    elif encoding:
        kw["encoding"] = encoding
        report.encoding = encoding
    if fmt.startswith("OSM"):
        # GDAL's fast node index needs sorted node ids, which many extracts do not have.
        kw["USE_CUSTOM_INDEXING"] = "NO"
    frame = None
    last: Exception | None = None
    for use_arrow in (True, False):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                frame = pyogrio.read_dataframe(_gdal_path(p), layer=layer, use_arrow=use_arrow, **kw)
            for w in caught:  # GDAL's remarks belong in the report, not on stderr
                report.warn(f"reader: {w.message}")
            break
        except Exception as exc:  # pyogrio raises several types for unreadable data
            last = exc
    if frame is None:
        raise LoadError(_read_error(p, fmt, last))
    declared = _declared_count(p, fmt, layer)
    if declared > len(frame):
        # The Arrow reader can stop quietly at a truncated record; the row reader says why.
        try:
            frame = pyogrio.read_dataframe(_gdal_path(p), layer=layer, use_arrow=False, **kw)
        except Exception as exc:
            raise LoadError(_read_error(p, fmt, exc)) from None
        if len(frame) == 0:
            raise LoadError(f"cannot read {p.name} as {fmt}: it declares {declared} features but none "
                            "could be read (corrupt or truncated file?)")
    report.total_rows = max(len(frame), declared)
    if declared > len(frame):
        report.reject("unreadable feature (file truncated or corrupt)", range(len(frame), declared))
    return frame, (layer if len(layers) > 1 or layer != p.stem else None)


def _declared_count(p: Path, fmt: str, layer: str) -> int:
    """The feature count a file states in its header (-1 when unknown or costly to get)."""
    if not (fmt.startswith("Shapefile") or fmt in ("zipped Shapefile", "FlatGeobuf", "GeoPackage")):
        return -1
    try:
        return int(pyogrio.read_info(_gdal_path(p), layer=layer)["features"])
    except Exception:
        return -1


def _shapefile_encoding(p: Path, report: LoadReport) -> str | None:
    if p.suffix.lower() != ".shp":
        return None
    if p.with_suffix(".cpg").exists() or p.with_suffix(".CPG").exists():
        return None  # GDAL honours the declared code page
    dbf = next((q for q in (p.with_suffix(".dbf"), p.with_suffix(".DBF")) if q.exists()), None)
    if dbf is None:
        return None
    with open(dbf, "rb") as fh:
        data = fh.read(16 << 20)
    enc = detect_encoding(_dbf_text(data))
    if enc == "utf-8-sig":
        enc = "utf-8"
    report.warn(f"no .cpg file: text encoding detected as {enc} (override with --encoding)")
    return enc


def _dbf_text(data: bytes) -> bytes:
    """The text bytes of a .dbf (field names and records), without its binary header fields."""
    if len(data) < 32:
        return data
    header_len = int.from_bytes(data[8:10], "little")
    names = []
    for off in range(32, min(header_len, len(data)) - 31, 32):
        if data[off] == 0x0D:
            break
        names.append(data[off:off + 11].split(b"\x00", 1)[0])
    return b"\n".join(names) + b"\n" + data[header_len:].replace(b"\x1a", b"")


def _read_table(p: Path, kind: str, layer: str | None, encoding: str | None,
                report: LoadReport) -> tuple[pd.DataFrame, str | None]:
    malformed: dict[int, str] = {}
    layer_name = None
    if kind == "csv":
        raw, enc, malformed = tables.read_csv(p, encoding)
        report.encoding = enc
        if encoding is None and enc not in ("utf-8", "utf-8-sig"):
            report.warn(f"encoding detected: {enc} (override with --encoding)")
    elif kind == "excel":
        sheets = tables.excel_sheets(p)
        if layer is not None and layer not in sheets:
            raise LoadError(f"{p.name} has no sheet {layer!r}; its sheets are: {', '.join(sheets)}")
        layer_name = layer or sheets[0]
        if layer is None and len(sheets) > 1:
            report.warn(f"workbook has {len(sheets)} sheets ({', '.join(sheets)}); loaded '{layer_name}'")
        raw = tables.read_excel(p, layer_name)
    else:
        raw, enc = tables.read_json_records(p, encoding)
        report.encoding = enc
    report.total_rows = len(raw) + len(malformed)
    if malformed:
        report.reject("malformed row (wrong number of fields)", [n - 1 for n in sorted(malformed)])
    return raw, layer_name


# --------------------------------------------------------------------------- geometry

def _geometry_from_columns(raw: pd.DataFrame, p: Path, report: LoadReport, *, x, y, wkt, user_crs,
                           swap_axes) -> geopandas.GeoDataFrame:
    cols = list(raw.columns)
    if not cols:
        raise LoadError(f"{p.name} holds no records (no rows and no columns)")
    for c in (x, y, wkt):
        if c is not None and c not in raw.columns:
            raise LoadError(f"{p.name} has no column {c!r}; its columns are: {', '.join(map(str, cols))}")
    crs = user_crs if user_crs is not None else WGS84
    geographic = crs.is_geographic
    assumed = user_crs is None
    evidence = None
    geoms = None
    if x is None and wkt is None:
        xy = C.find_xy_columns(cols)
        if xy is not None:
            x, y = xy
        else:
            wkt = C.find_wkt_column(raw)
            if wkt is None:
                pair = C.find_pair_column(raw)
                if pair is None:
                    raise LoadError(
                        f"no coordinate columns found in {p.name} (columns: {', '.join(map(str, cols[:30]))}); "
                        "name them lon/lat (经度/纬度) or give them with --x COLUMN --y COLUMN, "
                        "or a WKT column with --wkt COLUMN")
                lat, lon = C.split_pairs(raw[pair])
                if "geometry" in raw.columns:
                    raw = raw.rename(columns={"geometry": "geometry_text"})
                report.warn(f"coordinates read from the (lat, lon) pairs in column '{pair}'")
                report.x_column = report.y_column = pair
                return _points_frame(raw, lon, lat, crs, geographic, assumed, report, swap_axes, None)
    if wkt is not None:
        text = raw[wkt].astype("string").str.strip()
        text = text.mask(text == "")
        missing = text.isna().to_numpy()
        geoms = shapely.from_wkt(text.to_numpy(dtype=object, na_value=None), on_invalid="ignore")
        invalid = shapely.is_missing(geoms) & ~missing
        report.x_column = report.y_column = wkt
        report.reject("missing coordinates", np.flatnonzero(missing))
        report.reject("invalid WKT geometry", np.flatnonzero(invalid))
        keep = ~shapely.is_missing(geoms)
        empty = keep & shapely.is_empty(geoms)
        report.reject("empty geometry", np.flatnonzero(empty))
        keep &= ~empty
        xy = C.find_xy_columns([c for c in cols if c != wkt])
        if xy is not None:
            evidence = (C.to_numbers(raw[xy[0]], xy[0]), C.to_numbers(raw[xy[1]], xy[1]))
        if wkt == "geometry":
            raw = raw.drop(columns="geometry")
        frame = geopandas.GeoDataFrame(raw, geometry=geopandas.GeoSeries(geoms, index=raw.index), crs=crs)
        return _check_values(frame, keep, geographic, assumed, report, swap_axes, evidence)
    xs = C.to_numbers(raw[x], x)
    ys = C.to_numbers(raw[y], y)
    if "geometry" in raw.columns:
        raw = raw.rename(columns={"geometry": "geometry_text"})
    report.x_column, report.y_column = x, y
    return _points_frame(raw, xs, ys, crs, geographic, assumed, report, swap_axes, None)


def _points_frame(raw, xs, ys, crs, geographic, assumed, report, swap_axes, evidence):
    if geographic:
        xs, ys, keep, _ = C.check_lonlat(xs, ys, report, swap_axes=swap_axes, evidence=evidence, assumed=assumed)
    else:
        if swap_axes:
            xs, ys = ys, xs
        keep = np.isfinite(xs) & np.isfinite(ys)
        report.reject("missing coordinates", np.flatnonzero(~keep))
    if assumed:
        report.warn("no CRS in file: assumed WGS 84 (lon/lat); give another with --crs")
    if keep.all():
        return geopandas.GeoDataFrame(raw, geometry=geopandas.points_from_xy(xs, ys), crs=crs)
    sub = raw.loc[keep]
    return geopandas.GeoDataFrame(sub, geometry=geopandas.points_from_xy(xs[keep], ys[keep]), crs=crs)


def _check_geo(frame: geopandas.GeoDataFrame, p: Path, report: LoadReport, *, user_crs,
               swap_axes) -> geopandas.GeoDataFrame:
    geoms = np.asarray(frame.geometry.array)
    type_ids = shapely.get_type_id(geoms)
    points = coords = None
    if len(geoms) and (type_ids == 0).all():
        coords = shapely.get_coordinates(geoms)
        points = len(coords) == len(geoms)  # no empty points either
    if points:
        keep = np.ones(len(geoms), dtype=bool)
    else:
        coords = None
        missing = type_ids < 0
        empty = ~missing & shapely.is_empty(geoms)
        report.reject("missing geometry", np.flatnonzero(missing))
        report.reject("empty geometry", np.flatnonzero(empty))
        keep = ~(missing | empty)
    assumed = False
    if user_crs is not None:
        if frame.crs is not None and not frame.crs.equals(user_crs):
            report.warn(f"the file says {crs_label(frame.crs)}; overridden by --crs {crs_label(user_crs)}")
        frame = frame.set_crs(user_crs, allow_override=True)
    elif frame.crs is None:
        assumed = True
        frame = frame.set_crs(WGS84)
    return _check_values(frame, keep, frame.crs.is_geographic, assumed, report, swap_axes, None, coords)


def _check_values(frame, keep, geographic, assumed, report, swap_axes, evidence, coords=None):
    """Range/axis checks on a frame's geometries (``keep`` marks the rows with a geometry).

    ``coords`` may give the (n, 2) coordinates of an all-point layer, already extracted.
    """
    geoms = np.asarray(frame.geometry.array)
    if geographic and keep.any():
        all_kept = bool(keep.all())
        idx = None if all_kept else np.flatnonzero(keep)
        g = geoms if all_kept else geoms[idx]
        if coords is not None:
            points = True
            gx, gy = coords[:, 0], coords[:, 1]
        else:
            t = shapely.get_type_id(g)
            points = bool((t == 0).all())
            if points:
                gx, gy = shapely.get_x(g), shapely.get_y(g)
            else:
                b = shapely.bounds(g)
                gx, gy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
        if evidence is not None and idx is not None:
            evidence = (evidence[0][idx], evidence[1][idx])
        sub = LoadReport(source=report.source)
        try:
            _, _, ok, swapped = C.check_lonlat(gx, gy, sub, swap_axes=swap_axes, evidence=evidence,
                                               assumed=assumed)
        except LoadError as exc:
            if assumed and "not longitude/latitude" in str(exc):
                raise LoadError(f"{Path(report.source).name} has no coordinate system and its coordinates "
                                f"are not longitude/latitude (e.g. x={gx[0]:g}, y={gy[0]:g}): "
                                f"{HOW_TO_GIVE_CRS}") from None
            raise
        for w in sub.warnings:
            report.warn(w)
        for reason, n in sub.rejected.items():
            rows = [(r - 1) if idx is None else idx[r - 1] for r in sub.rejected_examples.get(reason, [])]
            report.rejected[reason] = report.rejected.get(reason, 0) + n
            report.rejected_examples.setdefault(reason, []).extend(int(r) + 1 for r in rows)
        if not points:
            b = shapely.bounds(g)
            if swapped:
                b = b[:, [1, 0, 3, 2]]
            corners_ok = (np.abs(b[:, [0, 2]]) <= 180).all(axis=1) & (np.abs(b[:, [1, 3]]) <= 90).all(axis=1)
            extra = ok & ~corners_ok
            if extra.any():
                report.reject("coordinates out of range", np.flatnonzero(extra) if idx is None else idx[extra])
            ok &= corners_ok
        if swapped:
            new = geoms.copy()
            if idx is None:
                new = C.swap_geometries(g)
            else:
                new[idx] = C.swap_geometries(g)
            frame = frame.set_geometry(geopandas.GeoSeries(new, index=frame.index, crs=frame.crs))
        if all_kept:
            keep = ok
        else:
            keep = keep.copy()
            keep[idx] = ok
        if assumed:
            report.warn("no CRS in file: assumed WGS 84 (every coordinate is a valid lon/lat)")
    elif assumed and keep.any():
        raise LoadError(f"{Path(report.source).name} has no coordinate system: {HOW_TO_GIVE_CRS}")
    if not keep.all():
        frame = frame.loc[keep]
    return frame


def _convert_datum(frame: geopandas.GeoDataFrame, coords: str, report: LoadReport) -> geopandas.GeoDataFrame:
    if frame.crs is None or not frame.crs.is_geographic:
        raise LoadError(f"--coords {coords} applies to longitude/latitude data, but this layer is in "
                        f"{crs_label(frame.crs)}")
    if len(frame):
        geoms = shapely.transform(np.asarray(frame.geometry.array),
                                  lambda c: np.column_stack(to_wgs84(c[:, 0], c[:, 1], coords)))
        frame = frame.set_geometry(geopandas.GeoSeries(geoms, index=frame.index, crs=WGS84))
    else:
        frame = frame.set_crs(WGS84, allow_override=True)
    report.datum = coords
    report.warn(f"coordinates converted from {_DATUM_NAMES[coords]} to WGS 84")
    return frame


# --------------------------------------------------------------------------- role and dates

def _resolve_role(frame, hint: str, role: str | None, field_map: dict[str, str] | None):
    cols = [c for c in frame.columns if c != frame.geometry.name]
    if role is None:
        guess = detect_role(cols, name_hint=hint)
        role, fm = guess.role, dict(guess.field_map)
    else:
        fm = match_fields(cols, role)
    if field_map:
        known = {s.name for s in SCHEMA.get(role, ())}
        for canon, col in field_map.items():
            if known and canon not in known:
                raise LoadError(f"'{canon}' is not a field of role {role}; its fields are: {', '.join(sorted(known))}")
            if col not in frame.columns:
                raise LoadError(f"field mapping {canon}={col}: no column {col!r}; columns are: {', '.join(map(str, cols))}")
            fm = {k: v for k, v in fm.items() if v != col}
            fm[canon] = col
    return role, fm


def _parse_dates(frame: geopandas.GeoDataFrame, role: str, field_map: dict[str, str], report: LoadReport) -> None:
    for spec in SCHEMA.get(role, ()):
        if spec.kind not in ("datetime", "date") or spec.name not in field_map:
            continue
        col = field_map[spec.name]
        original = frame[col]
        if isinstance(original.dtype, pd.DatetimeTZDtype):
            report.warn(f"times in '{col}' carry a time zone ({original.dtype.tz}); kept as naive UTC times")
        parsed, bad = parse_datetimes(original)
        if spec.kind == "datetime":
            parsed = _add_time_of_day(frame, col, parsed, report)
        if parsed is not original:
            frame[col] = parsed
        if bad:
            report.unparsed_dates[col] = bad


def _add_time_of_day(frame, col: str, parsed: pd.Series, report: LoadReport) -> pd.Series:
    """Join a separate time-of-day column (``CrimeDate`` + ``CrimeTime``) to a date-only column."""
    if not len(parsed) or parsed.isna().all():
        return parsed
    low = str(col).lower()
    if "date" not in low:
        return parsed
    candidates = [c for c in frame.columns if str(c).lower() == low.replace("date", "time")]
    if not candidates:
        return parsed
    valid = parsed.dropna()
    if not (valid == valid.dt.normalize()).all():
        return parsed
    tcol = candidates[0]
    tod = pd.to_timedelta(frame[tcol].astype("string").str.strip(), errors="coerce")
    tod = tod.where((tod >= pd.Timedelta(0)) & (tod < pd.Timedelta(days=1)))
    if tod.notna().mean() < 0.5:
        return parsed
    report.warn(f"time of day for '{col}' taken from column '{tcol}'")
    return (parsed + tod.fillna(pd.Timedelta(0))).astype(parsed.dtype)
