"""Readers and writers: vector files, tables with coordinates, encodings, CRS checks, datums.

Public API::

    from mapdesk.io import load_layer, load_layers, list_layers, save_layer, LoadReport, LoadedLayer
"""

from mapdesk.io.loader import list_layers, load_layer, load_layers
from mapdesk.io.report import LoadedLayer, LoadReport
from mapdesk.io.writers import WRITABLE, save_layer

__all__ = ["LoadReport", "LoadedLayer", "WRITABLE", "list_layers", "load_layer", "load_layers", "save_layer"]
