"""QA: legend swatches look like the map's symbols."""

from __future__ import annotations

import geopandas as gpd

from mapdesk.export.legend import legend_entries
from mapdesk.model import Layer, Project


def test_categorised_swatches_are_not_outlined_in_an_unused_colour():
    """Every category swatch used to carry a red outline (the single-symbol colour), which
    the map never draws: the outline follows the category's own colour without a stroke."""
    frame = gpd.GeoDataFrame({"Description": ["BURGLARY", "ARSON", "BURGLARY"]},
                             geometry=gpd.points_from_xy([0.0, 0.001, 0.002], [0.0] * 3), crs=4326)
    proj = Project("t")
    lyr = Layer.from_frame("crimes", frame)
    lyr.style.kind = "categorized"
    lyr.style.field = "Description"
    lyr.style.stroke_width = 0.0
    lyr.style.color = "#d7191c"
    from mapdesk.model.style import Category

    lyr.style.categories = [Category(value="BURGLARY", label="BURGLARY", color="#1f78b4"),
                            Category(value="ARSON", label="ARSON", color="#33a02c")]
    proj.add_layer(lyr)
    symbols = [e.symbol for e in legend_entries(proj) if e.kind == "symbol"]
    assert [(s.fill, s.stroke) for s in symbols] == [("#1f78b4", "#1f78b4"), ("#33a02c", "#33a02c")]
    lyr.style.stroke_width = 0.5
    lyr.style.stroke_color = "#333333"
    symbols = [e.symbol for e in legend_entries(proj) if e.kind == "symbol"]
    assert {s.stroke for s in symbols} == {"#333333"}
