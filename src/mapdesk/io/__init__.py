"""Readers and writers: vector files, tables with coordinates, encodings, CRS checks, datums."""
