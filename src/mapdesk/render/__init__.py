"""The map renderer (QtGui only): paint a Project at an extent on any QPaintDevice.

    from mapdesk.render import MapSettings, render_image
    img = render_image(project, MapSettings.from_wgs84_extent(bbox, 1600, 1000))

Map settings (a value) -> render job (:func:`render_project` on any painter) -> image, as in
QGIS; the canvas (``mapdesk.gui.canvas``) only shows finished frames.
"""

from mapdesk.render.decorations import LegendItem, legend_items, paint_legend
from mapdesk.render.job import RenderReport, render_image, render_image_with_report, render_project
from mapdesk.render.snapshot import snapshot_project
from mapdesk.render.viewport import MapSettings

__all__ = ["LegendItem", "MapSettings", "RenderReport", "legend_items", "paint_legend", "render_image",
           "render_image_with_report", "render_project", "snapshot_project"]
