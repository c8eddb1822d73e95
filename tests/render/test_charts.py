import numpy as np
import pandas as pd
import pytest
from PySide6.QtGui import QImage

from mapdesk.analysis.raster import RasterGrid
from mapdesk.render.charts import (
    nice_ticks,
    paint_daily_counts,
    paint_hour_weekday,
    paint_line_chart,
    save_chart_png,
)
from mapdesk.render.raster_png import ramp_rgba, raster_to_png, raster_to_qimage


def _pixels(path):
    img = QImage(str(path)).convertToFormat(QImage.Format.Format_RGBA8888)
    ptr = img.constBits()
    return np.frombuffer(ptr, np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)[:, :img.width()].copy()


@pytest.fixture
def table():
    v = np.zeros((7, 24))
    v[4, 19] = 12.5
    v[0, 8] = 3
    return pd.DataFrame(v, index=pd.RangeIndex(7, name="weekday"), columns=pd.RangeIndex(24, name="hour"))


def test_heat_chart_png(tmp_path, table):
    out = tmp_path / "hw.png"
    save_chart_png(lambda p, r: paint_hour_weekday(p, r, table, title="Hours", lang="en"), out, 1200, 500, dpi=150)
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1200, 500)
    assert round(img.dotsPerMeterX() * 0.0254) == 150
    px = _pixels(out)
    # the hottest cell (Friday 19h) is dark red, somewhere right of centre in the 5th row
    red = (px[..., 0] > 100) & (px[..., 1] < 40) & (px[..., 2] < 60)
    ys, xs = np.nonzero(red)
    assert red.sum() > 500
    assert 0.5 < np.median(ys) / 500 < 0.8 and 0.7 < np.median(xs) / 1200 < 0.9
    assert [p.name for p in tmp_path.iterdir()] == ["hw.png"]


def test_chinese_labels_really_render(tmp_path, table):
    # with a missing CJK font both labels would become identical boxes (or nothing)
    from mapdesk.render.charts import _font

    outs = []
    for i, text in enumerate(("周一热点", "周二冷点")):
        path = tmp_path / f"t{i}.png"

        def paint(p, r, text=text):
            p.setFont(_font(40))
            p.drawText(r, 0x84, text)  # AlignCenter

        save_chart_png(paint, path, 300, 80)
        outs.append(_pixels(path))
    ink = [(o[..., :3] < 128).any(axis=-1) for o in outs]
    assert ink[0].sum() > 300 and ink[1].sum() > 300
    assert (ink[0] != ink[1]).sum() > 100
    zh = tmp_path / "zh.png"
    save_chart_png(lambda p, r: paint_hour_weekday(p, r, table, title="警情时段", lang="zh"), zh, 900, 400)
    assert zh.stat().st_size > 1000


def test_daily_and_line_charts(tmp_path):
    daily = pd.DataFrame({"date": pd.date_range("2026-09-01", periods=30).date,
                          "count": np.arange(30) % 7})
    for kind in ("bar", "line"):
        out = tmp_path / f"d_{kind}.png"
        save_chart_png(lambda p, r, kind=kind: paint_daily_counts(p, r, daily, title="每日", lang="zh", kind=kind),
                       out, 1000, 400)
        assert (_pixels(out)[..., 0] > 150).any()
    out = tmp_path / "line.png"
    save_chart_png(lambda p, r: paint_line_chart(p, r, [1, 2, 5, 10], [0.2, 0.4, 0.7, 0.9], title="覆盖率",
                                                 xlabel="摄像头数", ylabel="覆盖比例", lang="zh"), out, 800, 400)
    px = _pixels(out)
    blue = (px[..., 2] > 140) & (px[..., 0] < 80)
    assert blue.sum() > 200
    with pytest.raises(ValueError):
        save_chart_png(lambda p, r: paint_line_chart(p, r, [1, 2], [1]), tmp_path / "bad.png", 100, 100)
    assert not (tmp_path / "bad.png").exists()


def test_nice_ticks_cover_range():
    for lo, hi in ((0, 0.9), (0, 17), (3, 1234.5), (0, 1e-3)):
        t = nice_ticks(lo, hi)
        assert t[0] <= lo and t[-1] >= hi and 3 <= len(t) <= 12


def test_raster_png(tmp_path):
    v = np.zeros((20, 30))
    v[5, 10] = 4.0
    v[15, 25] = 2.0
    g = RasterGrid(values=v, bounds=(0, 0, 300, 200), crs="EPSG:32649", cell_m=10, units="incidents per km²")
    out = tmp_path / "k.png"
    raster_to_png(g, out, vmax=4.0)
    px = _pixels(out)
    assert px.shape[:2] == (20, 30)
    assert px[0, 0, 3] == 0  # zero is transparent
    assert px[5, 10, 3] > px[15, 25, 3] > 0  # higher density, more opaque
    rgba = ramp_rgba(np.array([[-2.0, 0.0, 2.0]]), "diverging", vmax=2.0)
    assert rgba[0, 0, 2] > rgba[0, 0, 0] and rgba[0, 2, 0] > rgba[0, 2, 2] and rgba[0, 1, 3] == 0
    assert raster_to_qimage(g).width() == 30
