"""Exceptions that carry a message meant for the user (no traceback is shown for them)."""


class MapdeskError(Exception):
    """A problem the user can fix: bad input, a wrong option, an unwritable path."""


class LoadError(MapdeskError):
    """A file could not be read as a layer."""


class AnalysisError(MapdeskError):
    """An analysis cannot run on the given input (too few points, grid too large...)."""


class ExportError(MapdeskError):
    """An output could not be written."""
