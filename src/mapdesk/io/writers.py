"""Writing a layer to a file chosen by extension, atomically, optionally in a Chinese datum."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import geopandas
import numpy as np
import pandas as pd
import pyogrio
import shapely

from mapdesk.errors import ExportError
from mapdesk.io.atomic import atomic_path
from mapdesk.io.crs import WGS84
from mapdesk.io.datum import DATUMS, from_wgs84

DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".fgb": "FlatGeobuf",
           ".shp": "ESRI Shapefile", ".kml": "KML"}
WRITABLE = (*DRIVERS, ".parquet", ".csv", ".xlsx")
_SHP_SIDECARS = (".shx", ".dbf", ".prj", ".cpg")


def save_layer(frame: geopandas.GeoDataFrame, path: str | os.PathLike, *, overwrite: bool = True,
               layer: str | None = None, datum: str = "wgs84") -> None:
    """Write ``frame`` to ``path``; the format follows the extension.

    Parameters
    ----------
    frame : the layer to write.
    path : ``.gpkg .geojson .fgb .shp .kml .parquet`` keep geometries; ``.csv`` and ``.xlsx``
        write points as ``lon``/``lat`` columns (``x``/``y`` in a projected CRS) and other
        geometries as a ``wkt`` column; CSV is UTF-8 with a BOM so Excel shows Chinese text.
    overwrite : replace an existing file (else ``ExportError``).
    layer : layer name inside the file (GeoPackage: other layers of an existing file are kept,
        a layer of the same name is replaced); default the file's stem.
    datum : ``gcj02`` or ``bd09`` converts the coordinates for Chinese web maps (the output is
        then lon/lat in that datum); ``wgs84`` writes them as they are.

    Raises
    ------
    ExportError
        Unknown extension or datum, existing file with ``overwrite=False``, missing folder.

    Notes
    -----
    The file appears only when complete: it is written beside the target, then renamed (a
    Shapefile's parts are moved in with the ``.shp`` last).

    Examples
    --------
    >>> save_layer(layer.frame, "stations_gcj.csv", datum="gcj02")  # doctest: +SKIP
    """
    dest = Path(path)
    ext = dest.suffix.lower()
    if ext not in WRITABLE:
        raise ExportError(f"cannot write '{ext or dest.name}': choose one of {', '.join(WRITABLE)}")
    if datum not in DATUMS:
        raise ExportError(f"unknown datum {datum!r}; use one of {', '.join(DATUMS)}")
    frame = _prepare(frame, datum)
    if ext == ".shp":
        _write_shapefile(frame, dest, overwrite)
        return
    with atomic_path(dest, overwrite=overwrite) as tmp:
        if ext == ".parquet":
            frame.to_parquet(tmp)
        elif ext in (".csv", ".xlsx"):
            table = to_table(frame)
            if ext == ".csv":
                table.to_csv(tmp, index=False, encoding="utf-8-sig")
            else:
                _strip_tz(table).to_excel(tmp, index=False, sheet_name=(layer or dest.stem)[:31])
        else:
            if ext == ".gpkg" and layer and dest.exists():
                shutil.copy2(dest, tmp)  # keep the file's other layers
            pyogrio.write_dataframe(_ogr_ready(frame), tmp, driver=DRIVERS[ext],
                                    layer=layer or dest.stem)


def _prepare(frame: geopandas.GeoDataFrame, datum: str) -> geopandas.GeoDataFrame:
    if not isinstance(frame, geopandas.GeoDataFrame):
        raise ExportError("only a GeoDataFrame (a layer) can be saved")
    if datum == "wgs84":
        return frame
    if frame.crs is None:
        raise ExportError("the layer has no CRS; cannot convert it to a Chinese web-map datum")
    frame = frame.to_crs(WGS84) if not frame.crs.equals(WGS84) else frame
    geoms = shapely.transform(np.asarray(frame.geometry.array),
                              lambda c: np.column_stack(from_wgs84(c[:, 0], c[:, 1], datum)))
    return frame.set_geometry(geopandas.GeoSeries(geoms, index=frame.index, crs=WGS84))


def to_table(frame: geopandas.GeoDataFrame) -> pd.DataFrame:
    """The attribute table with coordinates as columns (points) or WKT (other geometries)."""
    geo = frame.geometry
    table = pd.DataFrame(frame.drop(columns=geo.name))
    geoms = np.asarray(geo.array)
    types = shapely.get_type_id(geoms[~shapely.is_missing(geoms)])
    if len(types) == 0 or (types == 0).all():
        geographic = frame.crs is None or frame.crs.is_geographic
        xname, yname = ("lon", "lat") if geographic else ("x", "y")
        while xname in table.columns or yname in table.columns:
            xname, yname = f"{xname}_", f"{yname}_"
        table[xname] = shapely.get_x(geoms)
        table[yname] = shapely.get_y(geoms)
    else:
        name = "wkt" if "wkt" not in table.columns else "wkt_"
        table[name] = shapely.to_wkt(geoms, rounding_precision=-1)
    return table


def _strip_tz(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.tz_localize(None)
    return out


def _ogr_ready(frame: geopandas.GeoDataFrame) -> geopandas.GeoDataFrame:
    cats = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if not cats:
        return frame
    return frame.astype({c: "string" for c in cats})


def _write_shapefile(frame: geopandas.GeoDataFrame, dest: Path, overwrite: bool) -> None:
    if dest.exists() and not overwrite:
        raise ExportError(f"{dest} already exists (use --overwrite to replace it)")
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"cannot write {dest}: folder {folder} does not exist")
    # A Shapefile is several files: write them all in a private folder, then move them in,
    # the .shp last so a reader never sees a .shp without its .dbf.
    with tempfile.TemporaryDirectory(prefix=f".{dest.stem}.", dir=folder) as tmpdir:
        tmp = Path(tmpdir) / dest.name
        pyogrio.write_dataframe(_ogr_ready(frame), tmp, driver="ESRI Shapefile", encoding="UTF-8")
        for ext in _SHP_SIDECARS:
            part = tmp.with_suffix(ext)
            if part.exists():
                os.replace(part, dest.with_suffix(ext))
            elif dest.with_suffix(ext).exists():
                dest.with_suffix(ext).unlink()
        os.replace(tmp, dest)
