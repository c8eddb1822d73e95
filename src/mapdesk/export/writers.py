"""Writers: one layout to PDF (QPdfWriter), PNG/JPEG/TIFF (QImage), SVG (QSvgGenerator) or a
printer (QPrinter). Every file goes through :func:`mapdesk.io.atomic.atomic_path`: it is written
to a temporary file beside the target and renamed only when complete, so a failed export never
leaves a half-written file, and an existing file is replaced only with ``overwrite=True``.

Pages the legend needs beyond the first go into the same PDF (or to a printer); image and SVG
outputs are single-page formats, so further pages are written as ``<stem>-2.png``, ... .
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, QSize
from PySide6.QtGui import QImage, QPageLayout, QPainter, QPdfWriter

from mapdesk.errors import ExportError
from mapdesk.export.layout import LayoutReport, MapPainter, PageComposer, PageLayout
from mapdesk.export.paper import qt_page_size
from mapdesk.export.pdftext import fix_to_unicode
from mapdesk.io.atomic import atomic_path
from mapdesk.render.fonts import ensure_fonts

#: File suffix -> format name.
FORMATS: dict[str, str] = {".pdf": "pdf", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg",
                           ".tif": "tiff", ".tiff": "tiff", ".svg": "svg", ".html": "html", ".htm": "html"}
_QT_IMAGE = {"png": "PNG", "jpeg": "JPEG", "tiff": "TIFF"}
#: Largest raster page (pixels) we allocate: A2 at 600 dpi is 139 Mpx (557 MB); refuse above.
MAX_IMAGE_PIXELS = 160_000_000


@dataclass
class ExportResult:
    """What an export wrote."""

    paths: list[Path]
    format: str
    pages: int = 1
    seconds: float = 0.0
    scale_denominator: float | None = None
    warnings: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


def format_for(path: str | Path, fmt: str | None = None) -> str:
    """The output format for ``path`` (from its suffix unless ``fmt`` is given)."""
    if fmt:
        f = fmt.lower().lstrip(".")
        f = {"jpg": "jpeg", "tif": "tiff", "htm": "html"}.get(f, f)
        if f not in set(FORMATS.values()):
            raise ExportError(f"unknown output format {fmt!r}")
        return f
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"cannot tell the output format of {path}: use one of "
                          f"{', '.join(sorted(FORMATS))}")
    return FORMATS[suffix]


def _page_paths(path: Path, n: int) -> list[Path]:
    return [path] + [path.with_name(f"{path.stem}-{i}{path.suffix}") for i in range(2, n + 1)]


def _check_targets(paths: list[Path], overwrite: bool) -> None:
    for p in paths:
        if p.exists() and not overwrite:
            raise ExportError(f"{p} already exists (use --overwrite to replace it)")
        if p.exists() and p.is_dir():
            raise ExportError(f"cannot write {p}: it is a folder")


@contextlib.contextmanager
def _os_errors(path: Path):
    try:
        yield
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _pixels(layout: PageLayout) -> tuple[int, int]:
    w_mm, h_mm = layout.size_mm
    w, h = round(w_mm / 25.4 * layout.dpi), round(h_mm / 25.4 * layout.dpi)
    if w * h > MAX_IMAGE_PIXELS:
        raise ExportError(f"a {layout.paper} page at {layout.dpi} dpi is {w}x{h} px, too large for an "
                          "image: lower --dpi or export a PDF")
    return w, h


def export_pdf(project: Any, layout: PageLayout, path: str | Path, *, overwrite: bool = False,
               paint_map: MapPainter | None = None) -> ExportResult:
    """Write ``layout`` of ``project`` as a (multi-page) PDF with embedded, selectable text."""
    t0 = time.perf_counter()
    path = Path(path)
    ensure_fonts()
    _check_targets([path], overwrite)
    with _os_errors(path), atomic_path(path, overwrite=overwrite) as tmp:
        writer = layout_pdf_writer(tmp, layout, layout.title or project.title or "map")
        painter = QPainter()
        if not painter.begin(writer):
            raise ExportError(f"cannot write {path}: the PDF writer could not open the file")
        try:
            report = _paint_all(painter, layout, project, QRectF(0, 0, writer.width(), writer.height()),
                                writer.newPage, paint_map)
        finally:
            painter.end()
        del writer  # closes the file
        fix_to_unicode(tmp)
    return _result([path], "pdf", report, t0)


def layout_pdf_writer(path: Path, layout: PageLayout, title: str) -> QPdfWriter:
    """A PDF writer for pages of ``layout`` (paper, orientation, resolution; no printer margins:
    the layout draws its own)."""
    writer = QPdfWriter(str(path))
    writer.setResolution(layout.dpi)
    writer.setPageSize(qt_page_size(layout.paper))
    writer.setPageOrientation(QPageLayout.Orientation.Landscape if layout.landscape
                              else QPageLayout.Orientation.Portrait)
    writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    writer.setTitle(title)
    writer.setCreator("mapdesk")
    return writer


def _paint_all(painter: QPainter, layout: PageLayout, project: Any, page_rect: QRectF,
               new_page: Any, paint_map: MapPainter | None) -> LayoutReport:
    comp = PageComposer(painter, layout, project, page_rect, paint_map)
    for i in range(len(comp.plans)):
        if i:
            new_page()
        comp.paint(painter, i)
    return comp.report


def _result(paths: list[Path], fmt: str, report: LayoutReport, t0: float) -> ExportResult:
    return ExportResult(paths, fmt, report.pages, time.perf_counter() - t0, report.scale_denominator,
                        list(report.warnings))


def render_page_image(project: Any, layout: PageLayout, page: int = 0, *,
                      paint_map: MapPainter | None = None) -> tuple[QImage, LayoutReport]:
    """Page ``page`` of the layout as a white ``QImage`` at ``layout.dpi`` (also the preview)."""
    ensure_fonts()
    w, h = _pixels(layout)
    img = QImage(w, h, QImage.Format.Format_RGB32)
    dpm = round(layout.dpi / 0.0254)
    img.setDotsPerMeterX(dpm)
    img.setDotsPerMeterY(dpm)
    img.fill(0xFFFFFFFF)
    painter = QPainter(img)
    try:
        comp = PageComposer(painter, layout, project, QRectF(0, 0, w, h), paint_map)
        if not 0 <= page < len(comp.plans):
            raise ExportError(f"page {page + 1} does not exist: the layout has {len(comp.plans)} page(s)")
        comp.paint(painter, page)
    finally:
        painter.end()
    return img, comp.report


def export_image(project: Any, layout: PageLayout, path: str | Path, *, fmt: str | None = None,
                 overwrite: bool = False, quality: int = 92,
                 paint_map: MapPainter | None = None) -> ExportResult:
    """Write the layout as PNG, JPEG or TIFF at ``layout.dpi`` (the DPI is stored in the file)."""
    t0 = time.perf_counter()
    path = Path(path)
    fmt = format_for(path, fmt)
    if fmt not in _QT_IMAGE:
        raise ExportError(f"{fmt} is not an image format")
    _check_targets([path], overwrite)
    img, report = render_page_image(project, layout, 0, paint_map=paint_map)
    paths = _page_paths(path, report.pages)
    _check_targets(paths, overwrite)
    with _os_errors(path), contextlib.ExitStack() as stack:
        for i, p in enumerate(paths):
            tmp = stack.enter_context(atomic_path(p, overwrite=overwrite))
            if i:
                img, _ = render_page_image(project, layout, i, paint_map=paint_map)
            q = quality if fmt == "jpeg" else -1
            if not img.save(str(tmp), _QT_IMAGE[fmt], q):
                raise ExportError(f"cannot write {p}: Qt could not save a {fmt.upper()} image")
    return _result(paths, fmt, report, t0)


def export_svg(project: Any, layout: PageLayout, path: str | Path, *, overwrite: bool = False,
               paint_map: MapPainter | None = None) -> ExportResult:
    """Write the layout as SVG (vector; further legend pages as ``<stem>-2.svg`` ...)."""
    from PySide6.QtSvg import QSvgGenerator

    t0 = time.perf_counter()
    path = Path(path)
    ensure_fonts()
    w_mm, h_mm = layout.size_mm
    # SVG user units at 96 per inch keep the file's numbers small; the map renders at this DPI.
    dpi = 96
    w, h = round(w_mm / 25.4 * dpi), round(h_mm / 25.4 * dpi)

    def generator(tmp: Path) -> QSvgGenerator:
        gen = QSvgGenerator()
        gen.setFileName(str(tmp))
        gen.setSize(QSize(w, h))
        gen.setViewBox(QRectF(0, 0, w, h))
        gen.setResolution(dpi)
        gen.setTitle(layout.title or project.title or "map")
        gen.setDescription("made with mapdesk")
        return gen

    _check_targets([path], overwrite)
    with _os_errors(path), contextlib.ExitStack() as stack:
        report: LayoutReport | None = None
        page, n_pages = 0, 1
        while page < n_pages:
            p = _page_paths(path, page + 1)[-1]
            _check_targets([p], overwrite)
            gen = generator(stack.enter_context(atomic_path(p, overwrite=overwrite)))
            painter = QPainter()
            if not painter.begin(gen):
                raise ExportError(f"cannot write {p}: the SVG generator could not open the file")
            try:
                comp = PageComposer(painter, layout, project, QRectF(0, 0, w, h), paint_map)
                comp.paint(painter, page)
            finally:
                painter.end()
            report = report or comp.report
            n_pages = len(comp.plans)
            page += 1
    assert report is not None
    return _result(_page_paths(path, report.pages), "svg", report, t0)


def print_layout(printer: Any, project: Any, layout: PageLayout, *,
                 paint_map: MapPainter | None = None) -> LayoutReport:
    """Send the layout to a ``QPrinter`` (page size and orientation are set on it)."""
    ensure_fonts()
    printer.setFullPage(True)
    printer.setPageSize(qt_page_size(layout.paper))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if layout.landscape
                               else QPageLayout.Orientation.Portrait)
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    painter = QPainter()
    if not painter.begin(printer):
        raise ExportError("cannot start printing (is the printer available?)")
    try:
        dev = painter.device()
        return _paint_all(painter, layout, project, QRectF(0, 0, dev.width(), dev.height()),
                          printer.newPage, paint_map)
    finally:
        painter.end()


def export_map(project: Any, path: str | Path, layout: PageLayout | None = None, *,
               fmt: str | None = None, overwrite: bool = False, paint_map: MapPainter | None = None,
               **html_options: Any) -> ExportResult:
    """Export ``project`` to ``path``; the format comes from the suffix (or ``fmt``).

    ``.html`` writes the interactive offline map (:func:`mapdesk.export.html.export_html`);
    every other format paints ``layout``.
    """
    layout = layout or PageLayout()
    fmt = format_for(path, fmt)
    if fmt == "pdf":
        return export_pdf(project, layout, path, overwrite=overwrite, paint_map=paint_map)
    if fmt == "svg":
        return export_svg(project, layout, path, overwrite=overwrite, paint_map=paint_map)
    if fmt == "html":
        from mapdesk.export.html import export_html

        t0 = time.perf_counter()
        info = export_html(project, path, title=layout.title or project.title, lang=layout.lang,
                           overwrite=overwrite, **html_options)
        return ExportResult([Path(path)], "html", 1, time.perf_counter() - t0, None,
                            list(info.get("warnings", [])), info)
    return export_image(project, layout, path, fmt=fmt, overwrite=overwrite, paint_map=paint_map)
