"""Write a rendered map to PNG, JPEG, PDF or SVG (atomically), with the same render job."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRect, QSize, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter

from mapdesk.errors import ExportError
from mapdesk.io.atomic import atomic_path
from mapdesk.render.fonts import ensure_fonts, ensure_qt_app
from mapdesk.render.job import RenderReport, render_image_with_report, render_project
from mapdesk.render.viewport import MapSettings

FORMATS = (".png", ".jpg", ".jpeg", ".pdf", ".svg")


def render_to_file(project, settings: MapSettings, out: str | os.PathLike, *, title: str = "",
                   overwrite: bool = True, **kwargs) -> RenderReport:
    """Render ``project`` into ``out``; the format follows the suffix (PNG/JPEG/PDF/SVG).

    PDF and SVG keep vectors as vectors (only very large point layers are rasterised);
    the page is the map's size at ``settings.dpi``. Keyword arguments go to
    :func:`~mapdesk.render.job.render_project`.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"cannot write {out}: unknown format {suffix or '(none)'}; "
                          f"use one of {', '.join(FORMATS)}")
    ensure_qt_app()
    ensure_fonts()
    title = title or getattr(project, "title", "") or "mapdesk map"
    with atomic_path(out, overwrite=overwrite) as tmp:
        if suffix in (".png", ".jpg", ".jpeg"):
            img, report = render_image_with_report(project, settings, **kwargs)
            # PNG quality is an inverse compression level in Qt: keep the default (-1).
            if not img.save(str(tmp), "PNG" if suffix == ".png" else "JPG", -1 if suffix == ".png" else 92):
                raise ExportError(f"cannot write {out}: the image encoder failed")
        elif suffix == ".pdf":
            report = _render_pdf(project, settings, tmp, title, **kwargs)
        else:
            report = _render_svg(project, settings, tmp, title, **kwargs)
    return report


def _render_pdf(project, settings: MapSettings, path: Path, title: str, **kwargs) -> RenderReport:
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator("mapdesk")
    writer.setResolution(round(settings.dpi))
    size_pt = QSizeF(settings.width_px / settings.dpi * 72.0, settings.height_px / settings.dpi * 72.0)
    writer.setPageLayout(QPageLayout(QPageSize(size_pt, QPageSize.Unit.Point, "map"),
                                     QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError(f"cannot write {path}: the PDF writer did not start")
    try:
        # The page is sized in points; scale so the map's pixel grid fills it exactly.
        dev_w = writer.width()
        if dev_w > 0 and abs(dev_w - settings.width_px) > 0.5:
            k = dev_w / settings.width_px
            painter.scale(k, k)
        return render_project(project, settings, painter, **kwargs)
    finally:
        painter.end()


def _render_svg(project, settings: MapSettings, path: Path, title: str, **kwargs) -> RenderReport:
    from PySide6.QtSvg import QSvgGenerator

    gen = QSvgGenerator()
    gen.setFileName(str(path))
    gen.setSize(QSize(settings.width_px, settings.height_px))
    gen.setViewBox(QRect(0, 0, settings.width_px, settings.height_px))
    gen.setResolution(round(settings.dpi))
    gen.setTitle(title)
    gen.setDescription("Map rendered by mapdesk")
    painter = QPainter()
    if not painter.begin(gen):
        raise ExportError(f"cannot write {path}: the SVG generator did not start")
    try:
        return render_project(project, settings, painter, **kwargs)
    finally:
        painter.end()
