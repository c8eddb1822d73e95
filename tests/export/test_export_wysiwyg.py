"""WYSIWYG: the page's map frame is the screen renderer's image for the same settings."""

from __future__ import annotations

import numpy as np
import pytest
from export_checks import qimage_to_array
from export_factories import make_project

from mapdesk.export import PageComposer, PageLayout


def test_map_frame_equals_render_image():
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    render_image = pytest.importorskip("mapdesk.render.job").render_image

    project = make_project()
    layout = PageLayout(dpi=72, scale_bar=False, north_arrow=False, legend=False)
    w, h = round(210 / 25.4 * 72), round(297 / 25.4 * 72)
    page = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    page.setDotsPerMeterX(round(72 / 0.0254))
    page.setDotsPerMeterY(round(72 / 0.0254))
    page.fill(0xFFFFFFFF)
    painter = QPainter(page)
    comp = PageComposer(painter, layout, project, QRectF(0, 0, w, h))
    comp.paint(painter, 0)
    painter.end()
    mr = comp.map_rect
    screen = render_image(project, comp.settings, decorations=False)
    a = qimage_to_array(screen).astype(int)
    x0, y0 = int(round(mr.left())), int(round(mr.top()))
    b = qimage_to_array(page)[y0:y0 + a.shape[0], x0:x0 + a.shape[1]].astype(int)
    inner = (slice(3, -3), slice(3, -3))  # the frame's border line is not part of the map
    diff = np.abs(a[inner] - b[inner]).mean()
    assert diff < 4.0, f"page map differs from the screen render (mean abs diff {diff:.2f})"
    assert (a[inner].sum(axis=2) < 3 * 240).mean() > 0.01  # something was drawn
