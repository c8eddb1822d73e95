"""PDF / PNG / JPEG / TIFF / SVG / print outputs, checked by content; atomic, no overwrite by
default, clear errors for unwritable paths."""

from __future__ import annotations

import datetime
import hashlib

import numpy as np
import pytest
from export_checks import load_png, non_white_fraction, pdf_page_png, qimage_to_array
from export_factories import make_project, stub_paint_map

from mapdesk.errors import ExportError
from mapdesk.export import PageLayout, export_map, export_pdf, print_layout, render_page_image
from mapdesk.model import Category

TITLE_ZH = "巨轮派出所 电动车被盗 Julun"


def pdf_text(page) -> str:
    """Extracted text with runs of whitespace as one space (pypdf turns gaps into tabs)."""
    import re

    return re.sub(r"\s+", " ", page.extract_text())


def _pdf(tmp_path, project=None, name="map.pdf", **kw):
    lo = PageLayout(title=kw.pop("title", TITLE_ZH), **kw)
    out = tmp_path / name
    res = export_pdf(project or make_project(), lo, out, paint_map=stub_paint_map)
    return out, res


def test_pdf_page_size_count_and_selectable_chinese_title(tmp_path):
    from pypdf import PdfReader

    out, res = _pdf(tmp_path, subtitle="2026-11 日报", author="杏花岭分局")
    assert res.paths == [out] and res.pages == 1
    reader = PdfReader(out)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1.5 and abs(float(box.height) - 841.9) < 1.5
    text = pdf_text(reader.pages[0])
    assert TITLE_ZH in text
    assert "2026-11 日报" in text and "杏花岭分局" in text
    assert "合成数据" not in text and "SYNTHETIC DATA" in text
    assert f"Date: {datetime.date.today().isoformat()}" in text
    # Fonts are embedded (a fresh machine has no CJK font).
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts, "no fonts in the PDF"
    for ref in fonts.values():
        f = ref.get_object()
        desc = f.get("/FontDescriptor") or f["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        desc = desc.get_object()
        assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), f


def test_pdf_landscape_a3_and_letter(tmp_path):
    from pypdf import PdfReader

    out, _ = _pdf(tmp_path, paper="A3", landscape=True, lang="zh_CN", name="a3.pdf")
    box = PdfReader(out).pages[0].mediabox
    assert abs(float(box.width) - 1190.6) < 2 and abs(float(box.height) - 841.9) < 2
    assert "合成数据" in pdf_text(PdfReader(out).pages[0])
    out, _ = _pdf(tmp_path, paper="Letter", name="letter.pdf")
    box = PdfReader(out).pages[0].mediabox
    assert abs(float(box.width) - 612) < 1.5 and abs(float(box.height) - 792) < 1.5


def test_pdf_map_area_matches_png_reference(tmp_path):
    """The PDF rasterised by poppler matches the same layout painted into an image (WYSIWYG)."""
    out, _ = _pdf(tmp_path, title="Reference")
    pdf_arr = pdf_page_png(out, tmp_path, dpi=50).astype(float)
    img, _ = render_page_image(make_project(), PageLayout(title="Reference", dpi=50), paint_map=stub_paint_map)
    ref = qimage_to_array(img).astype(float)
    h, w = min(pdf_arr.shape[0], ref.shape[0]), min(pdf_arr.shape[1], ref.shape[1])
    diff = np.abs(pdf_arr[:h, :w] - ref[:h, :w]).mean()
    assert diff < 6.0, f"PDF and PNG differ too much (mean abs diff {diff:.1f})"
    assert non_white_fraction(pdf_arr.astype(np.uint8), (0.2, 0.25, 0.8, 0.5)) > 0.9


def test_long_legend_continues_on_second_pdf_page(tmp_path):
    from pypdf import PdfReader

    proj = make_project(with_raster=False)
    lyr = proj.layers[0]
    cats = [Category(f"v{i}", f"Class {i} 类", "#336699") for i in range(250)]
    lyr.set_style(lyr.style.copy(kind="categorized", field="tree_id", categories=cats))
    out, res = _pdf(tmp_path, proj, title="Long legend")
    reader = PdfReader(out)
    assert res.pages == len(reader.pages) >= 2
    assert "Class 249 类" in " ".join(pdf_text(p) for p in reader.pages)
    assert any("continues" in w for w in res.warnings)


@pytest.mark.parametrize("suffix,fmt", [(".png", "PNG"), (".jpg", "JPEG"), (".tif", "TIFF")])
def test_raster_formats_at_chosen_dpi(tmp_path, suffix, fmt):
    from PySide6.QtGui import QImageReader

    out = tmp_path / f"map{suffix}"
    res = export_map(make_project(), out, PageLayout(title="Raster", dpi=72), paint_map=stub_paint_map)
    assert res.format in ("png", "jpeg", "tiff") and res.paths == [out]
    reader = QImageReader(str(out))
    assert reader.format().data().decode().upper() in (fmt, "JPG", "TIF")
    img = reader.read()
    assert (img.width(), img.height()) == (round(210 / 25.4 * 72), round(297 / 25.4 * 72))
    assert abs(img.dotsPerMeterX() - 72 / 0.0254) < 30
    assert non_white_fraction(qimage_to_array(img), (0.2, 0.25, 0.8, 0.5)) > 0.9


def test_svg_is_vector_with_text_as_outlines(tmp_path):
    """SVG viewers on a fresh machine lack the CJK font, so text is written as glyph paths."""
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    out = tmp_path / "map.svg"
    res = export_map(make_project(), out, PageLayout(title="SVG 地图"), paint_map=stub_paint_map)
    text = out.read_text(encoding="utf-8")
    assert res.format == "svg" and text.lstrip().startswith(("<?xml", "<svg"))
    assert "<text" not in text and "<path" in text
    renderer = QSvgRenderer(str(out))
    assert renderer.isValid()
    img = QImage(397, 561, QImage.Format.Format_RGB32)
    img.fill(0xFFFFFFFF)
    painter = QPainter(img)
    renderer.render(painter)
    painter.end()
    arr = qimage_to_array(img)
    assert non_white_fraction(arr, (0.2, 0.25, 0.8, 0.5)) > 0.9  # the map
    assert non_white_fraction(arr, (0.04, 0.03, 0.3, 0.06)) > 0.05  # the title's glyphs


def test_print_to_qprinter_pdf(tmp_path):
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter

    out = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    report = print_layout(printer, make_project(), PageLayout(title="Printed 打印", paper="A3"),
                          paint_map=stub_paint_map)
    assert report.pages == 1
    reader = PdfReader(out)
    assert "Printed 打印" in pdf_text(reader.pages[0])
    assert abs(float(reader.pages[0].mediabox.width) - 841.9) < 2


def _digest(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_existing_file_is_kept_unless_overwrite(tmp_path):
    out, _ = _pdf(tmp_path)
    before = _digest(out)
    with pytest.raises(ExportError, match="already exists"):
        _pdf(tmp_path, title="Second")
    assert _digest(out) == before
    export_pdf(make_project(), PageLayout(title="Second"), out, overwrite=True, paint_map=stub_paint_map)
    assert _digest(out) != before
    png = tmp_path / "m.png"
    png.write_bytes(b"old")
    with pytest.raises(ExportError, match="already exists"):
        export_map(make_project(), png, PageLayout(dpi=40), paint_map=stub_paint_map)
    assert png.read_bytes() == b"old"


def test_failure_midway_leaves_no_half_written_file(tmp_path):
    out, _ = _pdf(tmp_path)
    before = _digest(out)

    def broken(painter, rect, settings):
        raise RuntimeError("renderer crashed")

    for name in ("map.pdf", "map.png", "map.svg"):
        with pytest.raises(RuntimeError):
            export_map(make_project(), tmp_path / name, PageLayout(dpi=40), overwrite=True, paint_map=broken)
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.pdf"]  # no temp files, no PNG/SVG


def test_unwritable_paths_give_clear_errors(tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        _pdf(tmp_path, name="missing/dir/map.pdf")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ExportError, match="cannot write"):
        export_map(make_project(), tmp_path / "afile" / "map.png", PageLayout(dpi=40), paint_map=stub_paint_map)
    (tmp_path / "adir.pdf").mkdir()
    with pytest.raises(ExportError, match="folder"):
        export_map(make_project(), tmp_path / "adir.pdf", PageLayout(dpi=40), overwrite=True,
                   paint_map=stub_paint_map)
    with pytest.raises(ExportError, match="format"):
        export_map(make_project(), tmp_path / "map.docx", PageLayout(dpi=40))


def test_too_large_image_is_refused(tmp_path):
    with pytest.raises(ExportError, match="too large"):
        export_map(make_project(), tmp_path / "huge.png", PageLayout(paper="A2", dpi=1200),
                   paint_map=stub_paint_map)
    assert list(tmp_path.iterdir()) == []


def test_multi_page_png_writes_numbered_files(tmp_path):
    proj = make_project(with_raster=False)
    lyr = proj.layers[0]
    lyr.set_style(lyr.style.copy(kind="categorized", field="tree_id",
                                 categories=[Category(f"v{i}", f"C{i}", "#336699") for i in range(250)]))
    res = export_map(proj, tmp_path / "long.png", PageLayout(dpi=40), paint_map=stub_paint_map)
    assert res.pages >= 2
    assert [p.name for p in res.paths] == ["long.png"] + [f"long-{i}.png" for i in range(2, res.pages + 1)]
    assert all(p.exists() for p in res.paths)
    assert load_png(res.paths[1]).shape[:2] == load_png(res.paths[0]).shape[:2]


def test_vector_layers_stay_vector_in_pdf(tmp_path):
    """With the real renderer, a project of vector layers gives a PDF without raster images."""
    from pypdf import PdfReader

    pytest.importorskip("mapdesk.render.job")
    out = tmp_path / "vector.pdf"
    export_pdf(make_project(with_raster=False), PageLayout(title="Vector"), out)
    page = PdfReader(out).pages[0]
    xobjects = page["/Resources"].get("/XObject", {})
    images = [k for k in xobjects if xobjects[k].get_object().get("/Subtype") == "/Image"]
    assert images == []
    assert len(page.get_contents().get_data()) > 10_000  # the features are drawn as paths
