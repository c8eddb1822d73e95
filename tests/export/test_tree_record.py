"""The printed tree record: one A4 page per tree, text extractable, a locator map drawn."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point
from tree_pdf_checks import SAMPLE, load_sample_registry, norm, pdf_pages_text, render_page, squash

from mapdesk.errors import ExportError
from mapdesk.export.tree_record import write_tree_records
from mapdesk.model import Layer, Project

AS_OF = "2026-11-28"


@pytest.fixture(autouse=True)
def _widgets_capable_app(qapp):
    """Rendering creates a QGuiApplication when none runs, and a widget test later in the same
    session would then abort: pytest-qt's QApplication, created first, serves both."""
    return qapp


@pytest.fixture(scope="module")
def sample_registry():
    return load_sample_registry()
MM = 50 / 25.4  # pixels per mm at 50 dpi


def _map_box(img):
    # the locator map sits below the header: roughly 48-145 mm from the top, full text width
    return img[int(50 * MM):int(140 * MM), int(16 * MM):int(194 * MM)]


def _ink(region) -> int:
    return int((region.min(axis=2) < 215).sum())


def test_one_page_per_tree_with_id_and_chinese_species(sample_registry, tmp_path):
    ids = ["XHL-0001", "XHL-0003", "XHL-0200"]
    out = write_tree_records(sample_registry, ids, tmp_path / "records.pdf", lang="zh_CN", as_of=AS_OF)
    pages = pdf_pages_text(out)
    assert len(pages) == 3
    species = dict(zip(sample_registry["tree_id"].astype(str), sample_registry["species"].astype(str),
                       strict=True))
    for tid, text in zip(ids, pages, strict=True):
        flat = squash(text)
        assert tid in flat
        assert species[tid] in flat  # Chinese species name, selectable text
    assert norm("古树，树龄565年≥300年") in squash(pages[0])  # the computed grade's reason
    assert norm("第1页，共3页") in squash(pages[0])
    assert norm("合成示例数据") in squash(pages[0])  # the registry says it is synthetic


def test_all_rows_when_no_ids_and_english(sample_registry, tmp_path):
    subset = sample_registry.head(4)
    out = write_tree_records(subset, None, tmp_path / "en.pdf", lang="en", as_of=AS_OF)
    pages = pdf_pages_text(out)
    assert len(pages) == 4
    first = squash(pages[0])
    assert "Grade1" in first and "Pinustabuliformis" in first and "Chinesepine" in first
    assert "ancienttree,565years" in first
    assert "page1of4" in first and "SYNTHETIC" in first
    assert "Locatormap1:2,000" in first


def test_locator_map_is_not_blank(sample_registry, tmp_path):
    out = write_tree_records(sample_registry, ["XHL-0001"], tmp_path / "one.pdf", lang="zh_CN", as_of=AS_OF)
    img = render_page(out, 1)
    assert img.shape[0] > img.shape[1]  # A4 portrait
    inked = _ink(_map_box(img))
    assert inked > 150, inked  # tree symbol, zone circle, neighbours, scale bar, north arrow
    # a tree without coordinates gets a page (with a note) instead of a map
    lone = sample_registry.head(1).copy()
    lone["geometry"] = None
    lone = gpd.GeoDataFrame(lone, geometry="geometry", crs=4326)
    out2 = write_tree_records(lone, None, tmp_path / "nogeom.pdf", lang="en", as_of=AS_OF)
    assert "Nocoordinates" in squash(pdf_pages_text(out2)[0])
    assert _ink(_map_box(render_page(out2, 1))) < inked


def test_context_layers_are_drawn(sample_registry, tmp_path):
    streets = Layer.from_file(str(SAMPLE / "streets.geojson"))
    project = Project("context")
    project.add_layer(streets)
    plain = write_tree_records(sample_registry, ["XHL-0200"], tmp_path / "plain.pdf", lang="en", as_of=AS_OF)
    ctx = write_tree_records(sample_registry, ["XHL-0200"], tmp_path / "ctx.pdf", lang="en", as_of=AS_OF,
                             context_layers=project)
    assert _ink(_map_box(render_page(ctx, 1))) > _ink(_map_box(render_page(plain, 1)))


def test_not_synthetic_without_the_note(sample_registry, tmp_path):
    real = sample_registry.drop(columns=["数据说明"]).head(2)
    pages = pdf_pages_text(write_tree_records(real, None, tmp_path / "r.pdf", lang="en", as_of=AS_OF))
    assert all("SYNTHETIC" not in p and "合成" not in p for p in pages)


def test_duplicate_ids_print_each_row(sample_registry, tmp_path):
    two = sample_registry.head(2).copy()
    two["tree_id"] = "XHL-0001"
    pages = pdf_pages_text(write_tree_records(two, ["XHL-0001"], tmp_path / "d.pdf", lang="en", as_of=AS_OF))
    assert len(pages) == 2


def test_bad_input(sample_registry, tmp_path):
    with pytest.raises(ExportError, match="not in the registry: NOPE"):
        write_tree_records(sample_registry, ["XHL-0001", "NOPE"], tmp_path / "x.pdf", as_of=AS_OF)
    with pytest.raises(ExportError, match=r"\.pdf"):
        write_tree_records(sample_registry, ["XHL-0001"], tmp_path / "x.png", as_of=AS_OF)
    with pytest.raises(ExportError, match="language"):
        write_tree_records(sample_registry, ["XHL-0001"], tmp_path / "x.pdf", lang="fr", as_of=AS_OF)
    with pytest.raises(ExportError, match="tree id"):
        write_tree_records(gpd.GeoDataFrame({"species": ["国槐"]}, geometry=[Point(112.5, 37.9)], crs=4326),
                           None, tmp_path / "x.pdf")
    with pytest.raises(ExportError, match="empty"):
        write_tree_records(sample_registry.head(0), None, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()  # nothing half-written
    existing = tmp_path / "keep.pdf"
    existing.write_bytes(b"old")
    with pytest.raises(Exception):  # noqa: B017 - atomic_path's refusal
        write_tree_records(sample_registry, ["XHL-0001"], existing, as_of=AS_OF, overwrite=False)
    assert existing.read_bytes() == b"old"
