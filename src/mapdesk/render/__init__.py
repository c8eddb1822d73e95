"""The map renderer (QtGui only): paint a Project at an extent on any QPaintDevice.

    from mapdesk.render import MapSettings, render_image
    img = render_image(project, MapSettings.from_wgs84_extent(bbox, 1600, 1000))
"""

from mapdesk.render.job import RenderReport, render_image, render_image_with_report, render_project
from mapdesk.render.viewport import MapSettings

__all__ = ["MapSettings", "RenderReport", "render_image", "render_image_with_report", "render_project"]
