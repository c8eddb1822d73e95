import numpy as np
import pytest

from mapdesk.render.rasterizer import rasterize_points, result_to_qimage


def test_counts_colour_and_alpha():
    # three points in one pixel, one alone, one outside
    px = np.array([5.2, 5.7, 5.1, 12.0, 500.0])
    py = np.array([4.1, 4.9, 4.5, 3.0, 5.0])
    res = rasterize_points(px, py, 20, 10, colors=["#ff0000"], diameter_px=1)
    a = res.rgba
    assert a.shape == (10, 20, 4)
    assert res.n_points == 4 and res.n_pixels == 2
    assert a[4, 5, 3] == 255 and a[4, 5, 0] == 255 and a[4, 5, 1] == 0  # densest: opaque red
    assert 140 <= a[3, 12, 3] <= 160          # single point: MIN_ALPHA
    assert a[:, :, 3].astype(bool).sum() == 2


def test_category_blend_and_hidden_codes():
    px = np.array([1.5, 1.5, 3.5])
    py = np.array([1.5, 1.5, 1.5])
    codes = np.array([0, 1, -1])
    res = rasterize_points(px, py, 6, 4, codes=codes, colors=["#ff0000", "#0000ff"], diameter_px=1)
    r, g, b, a = (int(v) for v in res.rgba[1, 1])
    assert a == 255 and r == b and g == 0      # half red, half blue
    assert res.rgba[1, 3, 3] == 0               # hidden category not drawn


def test_footprint_stamping_and_edges():
    res = rasterize_points(np.array([0.5, 19.5]), np.array([0.5, 9.5]), 20, 10, diameter_px=5)
    covered = res.rgba[:, :, 3] > 0
    assert covered[0, 0] and covered[2, 0] and covered[0, 2] and covered[9, 19] and covered[7, 19]
    assert not covered[5, 10]
    img = result_to_qimage(res)
    assert img.width() == 20 and img.pixelColor(0, 0).alpha() > 0


def test_world_zoom_huge_coordinates_do_not_overflow():
    px = np.array([1e12, -1e12, 3.0, np.nan])
    py = np.array([1.0, 1.0, 2.0, 1.0])
    res = rasterize_points(px, py, 8, 8, diameter_px=1)
    assert res.n_points == 1 and res.rgba[2, 3, 3] > 0


def test_dense_points_shrink_footprint_within_budget():
    rng = np.random.default_rng(0)
    n = 400_000
    res = rasterize_points(rng.uniform(0, 800, n), rng.uniform(0, 600, n), 800, 600, diameter_px=12)
    assert res.stamp_diameter_px < 12


@pytest.mark.parametrize("n_colors", [1, 3, 7, 40])
def test_sorted_keys_and_per_pixel_counts_agree(monkeypatch, n_colors):
    from mapdesk.render import rasterizer

    rng = np.random.default_rng(n_colors)
    n = 20_000
    px = rng.uniform(-3, 203, n)
    py = rng.uniform(-3, 103, n)
    codes = rng.integers(0, n_colors, n).astype(np.int32)
    colors = [f"#{(37 * i) % 256:02x}{(91 * i) % 256:02x}{(13 * i + 40) % 256:02x}" for i in range(n_colors)]
    out = []
    for limit in (10**9, 0):
        monkeypatch.setattr(rasterizer, "SORT_LIMIT", limit)
        res = rasterize_points(px, py, 200, 100, codes=codes, colors=colors, diameter_px=3, opacity=0.9)
        out.append((res.bgra.astype(int), res.n_pixels))
    (a, na), (b, nb) = out
    assert na == nb > 0
    assert np.abs(a - b).max() <= 1


def test_no_points_in_view():
    res = rasterize_points(np.array([5000.0]), np.array([5000.0]), 50, 40)
    assert res.n_pixels == 0 and not res.bgra.any()
