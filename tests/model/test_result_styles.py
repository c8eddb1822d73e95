"""Analysis results arrive styled: Gi* classes, graduated counts, density ramps, differences."""

import sys
from pathlib import Path

import numpy as np
import pytest

from mapdesk.analysis.bins import hex_counts, square_counts
from mapdesk.analysis.compare import compare_periods
from mapdesk.analysis.density import kernel_density
from mapdesk.analysis.hotspots import gistar_incidents
from mapdesk.model import Layer, Style
from mapdesk.model.result_styles import (
    GI_STYLE_COLORS,
    comparison_layers,
    result_kind,
    result_layer,
    style_for_result,
    symmetric_breaks,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from hotspots_synthetic import make_incidents  # noqa: E402


@pytest.fixture(scope="module")
def incidents():
    return make_incidents()


@pytest.fixture(scope="module")
def gi(incidents):
    return gistar_incidents(incidents, cell_m=100, period="2026-09-01 to 2026-10-30")


def test_gistar_categorized_red_blue(gi):
    assert result_kind(gi) == "gistar"
    s = style_for_result(gi)
    assert s.kind == "categorized" and s.field == "gi_class"
    assert [c.value for c in s.categories] == ["Hot 99%", "Hot 95%", "Hot 90%", "Not significant",
                                               "Cold 90%", "Cold 95%", "Cold 99%"]
    col = {c.value: c.color for c in s.categories}
    r, g, b = (int(col["Hot 99%"][i:i + 2], 16) for i in (1, 3, 5))
    assert r > 150 and g < 60 and b < 60  # dark red
    r, g, b = (int(col["Cold 99%"][i:i + 2], 16) for i in (1, 3, 5))
    assert b > 150 and r < 60  # dark blue
    r, g, b = (int(col["Not significant"][i:i + 2], 16) for i in (1, 3, 5))
    assert r == g == b and r > 200  # light grey
    assert 0.3 < s.fill_opacity < 1.0  # translucent
    # every class the analysis can produce has a colour
    assert set(gi["gi_class"]) <= set(GI_STYLE_COLORS)
    zh = style_for_result(gi, lang="zh")
    assert zh.categories[0].label == "热点 99%" and zh.categories[0].value == "Hot 99%"


def test_counts_graduated_natural_breaks(incidents):
    hx = hex_counts(incidents, 150)
    assert result_kind(hx) == "counts"
    s = style_for_result(hx)
    assert s.kind == "graduated" and s.field == "count" and s.ramp == "YlOrRd"
    assert s.method == "natural_breaks"
    assert s.breaks[0] == hx["count"].min() and s.breaks[-1] == hx["count"].max()
    assert s.breaks == sorted(s.breaks) and len(s.breaks) == 6
    # survives a JSON round trip as the project saves it
    assert Style.from_dict(s.to_dict()).breaks == s.breaks


def test_kde_raster_ramp(incidents):
    grid = kernel_density(incidents, cell_m=25)
    assert result_kind(grid) == "kde"
    s = style_for_result(grid)
    assert s.kind == "raster" and s.vmin == 0 and s.vmax == pytest.approx(grid.max())
    grid.params["vmax"] = 5000.0  # a shared comparison scale wins
    assert style_for_result(grid).vmax == 5000.0


def test_result_layer_keeps_params(gi, incidents):
    lyr = result_layer(gi, "hot spots")
    assert isinstance(lyr, Layer) and lyr.role == "result" and lyr.kind == "vector"
    assert lyr.style.field == "gi_class"
    assert lyr.frame.attrs["params"]["analysis"] == "gistar"
    assert lyr.frame.attrs["params"]["period"] == "2026-09-01 to 2026-10-30"
    assert lyr.filtered_frame().attrs["params"]["distance_m"] > 0
    grid = kernel_density(incidents, cell_m=25, filter_text="type in ebike_theft")
    rl = result_layer(grid, "density")
    assert rl.kind == "raster" and rl.raster is grid and rl.style.kind == "raster"
    assert rl.raster.params["filter"] == "type in ebike_theft"
    own = Style(kind="single", color="#000000")
    assert result_layer(gi, "x", style=own).style is own


def test_comparison_layers_share_scale(incidents):
    pa, pb = ("2026-09-01", "2026-09-30"), ("2026-10-01", "2026-10-30")
    cells = compare_periods(incidents, pa, pb, method="grid", cell_m=200)
    la, lb, ld = comparison_layers(cells, "thefts")
    assert la.style.breaks == lb.style.breaks
    assert la.style.breaks[-1] == cells.vmax
    assert result_kind(cells.diff) == "difference"
    assert ld.style.kind == "graduated" and ld.style.field == "diff" and ld.style.ramp == "RdBu_r"
    assert ld.style.breaks[0] == -ld.style.breaks[-1] == -cells.diff_max
    assert "2026-09-01" in la.name and "B − A" in ld.name
    kde = compare_periods(incidents, pa, pb, method="kde", cell_m=30)
    ka, kb, kd = comparison_layers(kde)
    assert ka.style.vmax == kb.style.vmax == kde.vmax
    assert result_kind(kde.diff) == "difference"
    assert kd.style.kind == "raster" and kd.style.ramp == "RdBu_r"
    assert kd.style.vmin == -kd.style.vmax == -kde.diff_max
    assert style_for_result(kde.diff).vmax == pytest.approx(kde.diff_max)


def test_symmetric_breaks_and_errors(incidents):
    b = symmetric_breaks(7, 7)
    assert b[0] == -7 and b[-1] == 7 and len(b) == 8
    assert np.allclose(b, -np.array(b[::-1]))
    assert symmetric_breaks(0)[-1] == 1.0  # no change anywhere: still a valid scale
    sq = square_counts(incidents, 200)
    with pytest.raises(ValueError):
        style_for_result(sq, "bogus")
    with pytest.raises(ValueError):
        result_kind(sq.drop(columns=["count"]))
