"""Legend rows: graduated classes with units, raster ramps with real units and parameters,
camera wedges."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from mapdesk.render.decorations import field_units, legend_items, paint_legend, raster_note


def _graduated(make, field="dbh_cm", **style):
    frame = gpd.GeoDataFrame({field: [10.0, 20.0, 30.0, 40.0]},
                             geometry=gpd.points_from_xy([112.55, 112.56, 112.57, 112.58], [37.88] * 4),
                             crs="EPSG:4326")
    return make.Layer(frame, "trees", make.Style(kind="graduated", field=field, breaks=[10, 20, 40], **style))


def test_graduated_classes_show_ranges_with_units(make):
    items = legend_items(make.Project([_graduated(make)]))
    assert [i.label for i in items] == ["trees", "10 – 20 cm", "20 – 40 cm"]
    assert items[1].units == "cm" and items[1].color != items[2].color


def test_graduated_units_from_the_style_or_the_frame_attrs(make):
    layer = _graduated(make, field="count")
    layer.frame.attrs["units"] = {"count": "thefts"}
    assert [i.label for i in legend_items(make.Project([layer]))][1] == "10 – 20 thefts"
    layer.style.units = "incidents per km²"
    assert legend_items(make.Project([layer]))[1].label == "10 – 20 incidents per km²"


def test_field_units_from_names():
    assert field_units(None, "density_per_km2") == "per km²"
    assert field_units(None, "range_m") == "m"
    assert field_units(None, "age_years") == "years"
    assert field_units(None, "name") == ""


def test_raster_result_ramp_in_real_units_with_parameters(make):
    values = np.array([[0.0, 2.5], [np.nan, 12.5]])
    grid = make.RasterGrid(values, (0, 0, 100, 100), "EPSG:32649", units="incidents per km²",
                           params={"method": "kde", "kernel": "quartic", "bandwidth_m": 300.0,
                                   "cell_m": 25.0, "period": "2024-03-01 – 2024-03-31",
                                   "filter": "type in (ebike_theft)", "n_points": 812})
    layer = make.Layer(name="Theft density", kind="raster", raster=grid, style=make.Style(kind="raster"))
    items = legend_items(make.Project([layer]))
    assert [i.kind for i in items] == ["header", "ramp"]
    ramp = items[1]
    assert (ramp.vmin, ramp.vmax, ramp.units) == (0.0, 12.5, "incidents per km²")
    assert ramp.note == ("bandwidth 300 m · cell 25 m · kernel quartic · period 2024-03-01 – 2024-03-31"
                         " · filter type in (ebike_theft)")
    assert "n_points" not in ramp.note
    # Only the parameters present are listed.
    assert raster_note(make.RasterGrid(values, (0, 0, 1, 1), "EPSG:32649", params={"cell_m": 50})) == "cell 50 m"
    img = QImage(400, 200, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(0)
    p = QPainter(img)
    left = paint_legend(p, QRectF(0, 0, 400, 200), items)
    p.end()
    assert left == []


def test_camera_layer_with_wedges_has_a_wedge_row(make):
    cams = gpd.GeoDataFrame({"status": ["active", "fault"], "direction_deg": [0, 90], "fov_deg": [60, 60],
                             "range_m": [50, 50]},
                            geometry=gpd.points_from_xy([112.55, 112.56], [37.88, 37.88]), crs="EPSG:4326")
    cats = [make.Category("active", "active", "#225ea8"), make.Category("fault", "fault", "#e31a1c")]
    layer = make.Layer(cams, "Cameras", make.Style(kind="categorized", field="status", categories=cats,
                                                  wedge=True, marker="square"))
    items = legend_items(make.Project([layer]))
    assert [(i.label, i.shape) for i in items] == [("Cameras", "point"), ("active", "point"),
                                                  ("fault", "point"), ("field of view", "wedge")]
    zh = legend_items(make.Project([layer]), lang="zh")
    assert zh[-1].label == "监控视域" and zh[-1].shape == "wedge"
