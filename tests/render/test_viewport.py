import math

import numpy as np
import pytest

from mapdesk.errors import MapdeskError
from mapdesk.render.viewport import (
    MapSettings,
    lonlat_to_mercator,
    mercator_scale_factor,
    mercator_to_lonlat,
)


def test_mercator_roundtrip_and_known_value():
    x, y = lonlat_to_mercator([112.56, 0.0], [37.88, 0.0])
    assert x[1] == 0 and y[1] == pytest.approx(0, abs=1e-6)
    # EPSG:3857 of 112.56E 37.88N (checked with pyproj)
    from pyproj import Transformer

    tx, ty = Transformer.from_crs(4326, 3857, always_xy=True).transform(112.56, 37.88)
    assert x[0] == pytest.approx(tx, abs=1e-3) and y[0] == pytest.approx(ty, abs=1e-3)
    lon, lat = mercator_to_lonlat(x, y)
    assert lon[0] == pytest.approx(112.56) and lat[0] == pytest.approx(37.88)


def test_extent_grows_to_aspect_and_pixel_mapping():
    s = MapSettings((0, 0, 1000, 1000), 200, 100)
    assert s.extent == (-500, 0, 1500, 1000)
    assert s.units_per_pixel == pytest.approx(10)
    px, py = s.map_to_pixel(np.array([-500, 1500]), np.array([1000, 0]))
    assert px.tolist() == [0, 200] and py.tolist() == [0, 100]
    mx, my = s.pixel_to_map(50, 25)
    assert (float(mx), float(my)) == (0, 750)


def test_zero_area_extent_becomes_one_km_and_invalid_raise():
    x, y = lonlat_to_mercator(112.56, 37.88)
    s = MapSettings((float(x), float(y), float(x), float(y)), 400, 400)
    width_ground_m = (s.extent[2] - s.extent[0]) / mercator_scale_factor(float(y))
    assert width_ground_m == pytest.approx(1000, rel=1e-6)
    # A line-like extent keeps its length and gains the other dimension.
    s2 = MapSettings((0, 0, 1000, 0), 200, 100)
    assert s2.extent == (0, -250, 1000, 250)
    with pytest.raises(MapdeskError):
        MapSettings((0, 0, float("nan"), 1), 10, 10)
    with pytest.raises(MapdeskError):
        MapSettings((5, 0, 1, 1), 10, 10)
    with pytest.raises(MapdeskError):
        MapSettings((0, 0, 1, 1), 0, 10)
    with pytest.raises(MapdeskError):
        MapSettings.from_wgs84_extent((200, 0, 210, 1), 10, 10)


def test_scale_denominator_at_latitude():
    # 1 px = 0.0254/96 m on screen; at 37.88 N a 3857 unit is cos(lat) ground metres.
    s = MapSettings.from_wgs84_extent((112.50, 37.85, 112.62, 37.91), 1000, 500)
    ground_m = (s.extent[2] - s.extent[0]) * math.cos(math.radians(s.center_lonlat[1])) / 1000
    assert s.scale_denominator() == pytest.approx(ground_m / (0.0254 / 96), rel=1e-3)
    assert MapSettings(s.extent, 1000, 500, dpi=192).scale_denominator() == pytest.approx(
        2 * s.scale_denominator())


def test_zoom_keeps_anchor_and_pan_moves_content():
    s = MapSettings((0, 0, 1000, 500), 200, 100)
    anchor = (30.0, 70.0)
    before = [float(v) for v in s.pixel_to_map(*anchor)]
    z = s.zoom(2.0, anchor)
    assert z.units_per_pixel == pytest.approx(s.units_per_pixel / 2)
    after = [float(v) for v in z.pixel_to_map(*anchor)]
    assert after == pytest.approx(before)
    p = s.pan(10, -20)  # drag right and up: the map moves right/up, the view left/down
    assert p.extent[0] == pytest.approx(s.extent[0] - 10 * s.units_per_pixel)
    assert p.extent[1] == pytest.approx(s.extent[1] - 20 * s.units_per_pixel)
    f = s.fit((100, 100, 200, 150))
    assert f.extent[0] <= 100 and f.extent[2] >= 200 and f.extent[1] <= 100 and f.extent[3] >= 150
    w = s.with_size(400, 100)
    assert w.units_per_pixel == pytest.approx(s.units_per_pixel) and w.center == s.center
