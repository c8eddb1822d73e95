"""Qt-free application state: Project, Layer, Style, Filter; JSON save/load; change events."""

from mapdesk.model.filter import Filter, FilterError, filter_mask
from mapdesk.model.layer import Layer
from mapdesk.model.project import Project, ProjectError
from mapdesk.model.style import Category, Style, compute_breaks, default_style

__all__ = ["Category", "Filter", "FilterError", "Layer", "Project", "ProjectError", "Style",
           "compute_breaks", "default_style", "filter_mask"]
