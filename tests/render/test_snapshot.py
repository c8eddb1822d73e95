"""Per-frame project snapshots: a frame rendering in a worker while the GUI edits the layers."""

from __future__ import annotations

import threading
import time

import geopandas as gpd
import numpy as np

from mapdesk.model import Layer, Project
from mapdesk.model.filter import Filter
from mapdesk.model.style import Category, Style
from mapdesk.render.cache import RenderCache
from mapdesk.render.job import render_image_with_report
from mapdesk.render.snapshot import snapshot_project
from mapdesk.render.viewport import MapSettings

EXTENT = (112.53, 37.86, 112.59, 37.90)


def _project(n=20_000):
    rng = np.random.default_rng(3)
    frame = gpd.GeoDataFrame({"type": rng.choice(["a", "b", "c"], n), "v": rng.gamma(2, 3, n),
                              "name": [f"p{i}" for i in range(n)]},
                             geometry=gpd.points_from_xy(rng.uniform(112.53, 112.59, n),
                                                         rng.uniform(37.86, 37.90, n)), crs="EPSG:4326")
    style = Style(kind="categorized", field="type", label_field="name",
                  categories=[Category("a", "A", "#ff0000"), Category("b", "B", "#00ff00")])
    proj = Project("t")
    proj.add_layer(Layer.from_frame("pts", frame, style=style))
    return proj


def test_snapshot_is_isolated_from_later_edits():
    proj = _project(1000)
    layer = proj.layers[0]
    layer.set_filter(Filter(categories={"type": ["a"]}))
    snap = snapshot_project(proj)
    before = snap.layers[0].filtered_frame()
    assert set(before["type"]) == {"a"}
    layer.style.categories.clear()                  # an in-place edit of the live style
    layer.set_style(layer.style.copy(color="#123456", kind="single"))
    layer.set_filter(Filter())
    layer.set_opacity(0.3)
    s = snap.layers[0]
    assert s.style.kind == "categorized" and len(s.style.categories) == 2
    assert s.opacity == 1.0 and s.data_version != layer.data_version
    assert s.filtered_frame() is before or s.filtered_frame().equals(before)
    assert len(snapshot_project(proj).layers[0].filtered_frame()) == 1000


def test_editing_styles_while_a_frame_renders_raises_nothing(freeze=snapshot_project):
    import queue

    proj = _project()
    layer = proj.layers[0]
    s = MapSettings.from_wgs84_extent(EXTENT, 400, 300)
    cache = RenderCache()
    errors: list[str] = []
    jobs: queue.Queue = queue.Queue(maxsize=1)
    n_frames = [0]

    def worker():
        while (snap := jobs.get()) is not None:
            try:
                _, report = render_image_with_report(snap, s, cache=cache)
                errors.extend(report.warnings)
                n_frames[0] += 1
            except Exception as exc:   # pragma: no cover - what the test guards against
                errors.append(repr(exc))

    # As in the canvas: this thread edits the project and takes a snapshot per frame, the
    # worker renders it while the edits go on.
    t = threading.Thread(target=worker)
    t.start()
    try:
        kinds = ["single", "graduated", "categorized"]
        # at least 1.5 s and 8 frames (a loaded machine renders fewer per second), at most 30 s
        t0 = time.monotonic()
        i = 0
        while (time.monotonic() - t0 < 1.5 or n_frames[0] < 8) and time.monotonic() - t0 < 30:
            if not jobs.full():
                jobs.put(freeze(proj))
            kind = kinds[i % 3]
            st = layer.style.copy(kind=kind, field="v" if kind == "graduated" else "type",
                                  label_field=None if i % 2 else "name")
            layer.set_style(st)
            layer.style.categories.append(Category(f"x{i}", "x", "#0000ff"))  # in place, mid-frame
            layer.style.breaks[:] = [0.0, float(i % 7)] if i % 3 else []
            layer.set_filter(Filter(ranges={"v": (float(i % 5), None)}) if i % 4 else Filter())
            i += 1
            time.sleep(0.001)
    finally:
        jobs.put(None)
        t.join(10)
    assert i > 20 and n_frames[0] >= 8
    assert errors == []


def test_snapshot_is_cheap_on_the_gui_thread():
    proj = _project(50_000)
    snapshot_project(proj)
    t0 = time.perf_counter()
    for _ in range(20):
        snapshot_project(proj)
    assert (time.perf_counter() - t0) / 20 < 0.01


def test_an_edit_in_the_middle_of_a_frame_does_not_reach_it():
    proj = _project(2000)
    layer = proj.layers[0]
    s = MapSettings.from_wgs84_extent(EXTENT, 400, 300)

    def edit_mid_frame():
        # Polled inside the frame after the layer started: the GUI thread edits meanwhile.
        layer.style.label_field = None
        layer.set_opacity(0.0)
        return False

    _, live = render_image_with_report(proj, s, cancel=edit_mid_frame, cache=RenderCache())
    layer.style.label_field = "name"
    layer.set_opacity(1.0)
    _, frozen = render_image_with_report(snapshot_project(proj), s, cancel=edit_mid_frame, cache=RenderCache())
    assert live.layers[0].n_labels == 0             # the live frame saw half an edit
    assert frozen.layers[0].n_labels > 0            # the snapshot frame drew what it started with
