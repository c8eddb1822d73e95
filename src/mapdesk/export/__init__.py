"""Print layouts and exports: PDF, PNG/JPEG/TIFF, SVG, printing, offline interactive HTML.

QtGui/QtCore only (no widgets): the layout dialog lives in :mod:`mapdesk.gui.export_dialog`.
"""

from mapdesk.export.briefing import write_briefing
from mapdesk.export.html import export_html
from mapdesk.export.layout import LayoutReport, PageComposer, PageLayout, paint_document, paint_page
from mapdesk.export.writers import (
    ExportResult,
    export_image,
    export_map,
    export_pdf,
    export_svg,
    format_for,
    print_layout,
    render_page_image,
)

__all__ = ["ExportResult", "LayoutReport", "PageComposer", "PageLayout", "export_image", "export_map",
           "export_pdf", "export_svg", "format_for", "paint_document", "paint_page", "print_layout",
           "render_page_image", "export_html", "write_briefing"]
