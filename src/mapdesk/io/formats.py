"""Which reader a file needs, decided from its extension (and, for .json, its first bytes)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from mapdesk.errors import LoadError

# extension -> (kind, human format name)
FORMATS: dict[str, tuple[str, str]] = {
    ".gpkg": ("vector", "GeoPackage"),
    ".geojson": ("vector", "GeoJSON"),
    ".json": ("vector", "GeoJSON"),
    ".geojsonl": ("vector", "GeoJSON sequence"),
    ".geojsons": ("vector", "GeoJSON sequence"),
    ".shp": ("vector", "Shapefile"),
    ".dbf": ("vector", "Shapefile table"),
    ".zip": ("vector", "zipped Shapefile"),
    ".fgb": ("vector", "FlatGeobuf"),
    ".kml": ("vector", "KML"),
    ".kmz": ("vector", "KMZ"),
    ".gpx": ("vector", "GPX"),
    ".pbf": ("vector", "OSM PBF"),
    ".osm": ("vector", "OSM XML"),
    ".gml": ("vector", "GML"),
    ".sqlite": ("vector", "SQLite/SpatiaLite"),
    ".tab": ("vector", "MapInfo TAB"),
    ".mif": ("vector", "MapInfo MIF"),
    ".gdb": ("vector", "File Geodatabase"),
    ".parquet": ("parquet", "GeoParquet"),
    ".geoparquet": ("parquet", "GeoParquet"),
    ".csv": ("csv", "CSV"),
    ".tsv": ("csv", "TSV"),
    ".txt": ("csv", "delimited text"),
    ".xlsx": ("excel", "Excel"),
    ".xlsm": ("excel", "Excel"),
    ".xls": ("excel", "Excel 97"),
}

SUPPORTED = ", ".join(sorted(FORMATS))


def suffix_of(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".osm.pbf"):
        return ".pbf"
    return path.suffix.lower()


def classify(path: str | os.PathLike) -> tuple[Path, str, str]:
    """Return ``(path, kind, format_name)`` or raise ``LoadError`` for what cannot be read.

    ``kind`` is one of ``vector``, ``parquet``, ``csv``, ``excel``, ``records`` (a JSON
    array of plain objects).
    """
    p = Path(path)
    if not p.exists():
        raise LoadError(f"file not found: {p}")
    suffix = suffix_of(p)
    if suffix not in FORMATS:
        what = f"'{suffix}'" if suffix else "(no extension)"
        raise LoadError(f"{p.name}: unknown file type {what}; mapdesk reads {SUPPORTED}")
    kind, fmt = FORMATS[suffix]
    if p.is_dir():
        if suffix != ".gdb":
            raise LoadError(f"{p} is a folder, not a file")
        return p, kind, fmt
    if p.stat().st_size == 0:
        raise LoadError(f"{p.name} is empty (0 bytes)")
    if suffix in (".zip", ".kmz", ".xlsx", ".xlsm") and not zipfile.is_zipfile(p):
        raise LoadError(f"{p.name} is not a valid {fmt} file: it should be a zip archive but is not "
                        "(truncated download, or a renamed file?)")
    if suffix == ".json":
        from mapdesk.io.tables import is_json_records

        if is_json_records(p):
            return p, "records", "JSON records"
    return p, kind, fmt
