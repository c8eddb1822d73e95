"""The map canvas: shows finished frames of the render job and turns input into map actions.

As QGIS's map canvas, the widget never paints layers itself: a worker thread runs
:func:`mapdesk.render.job.render_project` into a ``QImage`` for the current
:class:`~mapdesk.render.viewport.MapSettings`; until it finishes, the last frame is shown
scaled and shifted to the new view, so zooming and panning never wait for rendering. A newer
view cancels the frame in progress. Tools (identify, rectangle selection, distance and area
measuring) work on map coordinates and report through signals.

Responsiveness (issue 3: no event-loop gap over 16 ms while heavy frames render): the GUI
thread only moves the view and blits the last frame (an opaque RGB32 image, no smoothing);
the render thread makes its big QPainter calls without the GIL
(:mod:`mapdesk.render.nogil`), runs at a lower OS priority, and the GIL switch interval is
short. :mod:`mapdesk.gui.loop_monitor` measures it (tests/gui/test_canvas.py,
bench/bench_canvas.py).
"""

from __future__ import annotations

import atexit
import itertools
import math
import sys
import threading
import time
import weakref

import numpy as np
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from mapdesk.errors import MapdeskError
from mapdesk.render import palettes
from mapdesk.render.cache import DEFAULT_CACHE, RenderCache
from mapdesk.render.job import RenderReport, render_image_with_report
from mapdesk.render.snapshot import snapshot_project
from mapdesk.render.viewport import MapSettings, lonlat_to_mercator, mercator_to_lonlat

#: Shown when a project has no extent and no data (Julun station area, Taiyuan).
DEFAULT_EXTENT_WGS84 = (112.53, 37.86, 112.60, 37.90)
WHEEL_STEP = 1.25
#: Pixels a press may move and still count as a click.
CLICK_SLOP_PX = 4
IDENTIFY_TOLERANCE_PX = 6
#: During a continuous drag or wheel burst a new frame starts at least this often (when the
#: worker is free), so a long pan does not show a stretched old frame all the way.
INTERACTIVE_FRAME_MS = 150
#: How much lower than the GUI thread's the render thread's scheduling priority is (Linux
#: nice steps). When the cores are busy the GUI thread then gets a CPU first; measured with
#: other processes loading both cores, the event loop's 99th percentile "own" gap
#: (:mod:`mapdesk.gui.loop_monitor`) fell from ~20 to ~5 ms. More (10, 19) made frames
#: slower and made a GIL held by the preempted worker block the GUI thread longer.
RENDER_NICE = 5
#: Python's GIL switch interval while a canvas exists (see ``MapCanvas.__init__``).
GIL_SWITCH_S = 0.0005
#: The cursor position goes to the status bar at most this often: a label's text change
#: re-lays out the status bar, and mice report every few milliseconds.
CURSOR_SIGNAL_MS = 30

TOOLS = ("pan", "identify", "select", "measure_distance", "measure_area")


class _Signals(QObject):
    finished = Signal(int, object, object, object)   # job id, settings, image, report
    tile_arrived = Signal()


class _RenderWorker:
    """One long-lived Python thread that renders the newest requested frame.

    Not a QThreadPool: Python's thread state of a pool thread is torn down after every task,
    and with it pyproj's thread-local PROJ context, which then crashes PROJ on the next frame
    that builds a CRS (seen with PySide6 6.11 / pyproj 3.7). A Python thread keeps its state.
    The API mirrors the few QThreadPool calls the canvas makes.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._task: _RenderTask | None = None
        self._busy = False
        self._stop = False
        self._thread: threading.Thread | None = None
        #: Seconds spent on finished frames (see :meth:`busy_seconds`).
        self.busy_s = 0.0
        self._task_started: float | None = None

    def start(self, task: _RenderTask) -> None:
        with self._cond:
            self._task = task            # a newer frame replaces one not yet started
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="mapdesk-render", daemon=True)
                self._thread.start()
                _WORKERS.add(self)
            self._cond.notify()

    def busy_seconds(self) -> float:
        """Seconds spent rendering so far, the frame in flight included (diagnostics)."""
        with self._cond:
            t = self._task_started
            return self.busy_s + (time.perf_counter() - t if t is not None else 0.0)

    @property
    def native_id(self) -> int | None:
        """The operating system's id of the render thread (None before the first frame)."""
        return None if self._thread is None else self._thread.native_id

    def activeThreadCount(self) -> int:  # noqa: N802 - QThreadPool's name
        with self._cond:
            return int(self._busy or self._task is not None)

    def waitForDone(self, msecs: int = -1) -> bool:  # noqa: N802
        deadline = None if msecs < 0 else time.monotonic() + msecs / 1000
        while self.activeThreadCount():
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def shutdown(self) -> None:
        with self._cond:
            self._stop = True
            self._task = None
            self._cond.notify()

    def join(self, timeout_s: float) -> None:
        """Stop after the frame in flight (which the canvas cancels) and wait for the thread."""
        self.shutdown()
        th = self._thread
        if th is not None and th is not threading.current_thread():
            th.join(timeout_s)

    def _loop(self) -> None:
        _lower_thread_priority(RENDER_NICE)
        while True:
            with self._cond:
                while self._task is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                task, self._task, self._busy = self._task, None, True
            with self._cond:
                self._task_started = time.perf_counter()
            try:
                task.run()
            finally:
                with self._cond:
                    self._busy = False
                    self.busy_s += time.perf_counter() - self._task_started
                    self._task_started = None


_WORKERS: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _join_workers() -> None:
    # A daemon render thread still painting while the interpreter and Qt shut down can abort
    # the process (Qt code runs without the GIL, see mapdesk.render.nogil): stop them first.
    for worker in list(_WORKERS):
        worker.join(5.0)


def _lower_thread_priority(steps: int) -> None:
    """Make the calling thread ``steps`` nice levels less urgent (Linux: per thread)."""
    if not sys.platform.startswith("linux") or steps <= 0:
        return
    import os

    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + steps))
    except OSError:   # not permitted: render at the same priority
        pass


class _RenderTask:
    def __init__(self, job_id: int, canvas: MapCanvas, settings: MapSettings) -> None:
        self.job_id = job_id
        self.settings = settings
        # Frozen on the GUI thread: the worker never sees a half-made edit of a live layer.
        self.project = snapshot_project(canvas.project)
        self.cache = canvas.cache
        self.signals = canvas._signals
        self.latest = canvas._latest_job

    def run(self) -> None:
        def cancelled() -> bool:
            return self.latest[0] != self.job_id

        if cancelled():
            return
        try:
            img, report = render_image_with_report(self.project, self.settings, cancel=cancelled,
                                                   cache=self.cache, tile_wait_s=0.0)
        except Exception as exc:  # a frame must never take the application down
            img, report = None, RenderReport(warnings=[f"render failed: {exc}"])
        if img is not None and QColor(self.settings.background).alpha() == 255:
            # Every pixel is opaque (the frame starts filled with the background): the same
            # bytes read as RGB32, which the canvas copies instead of blending. This thread
            # holds the only reference, so no pixel is copied here.
            img.reinterpretAsFormat(QImage.Format.Format_RGB32)
        if not cancelled() or img is not None:
            try:
                self.signals.finished.emit(self.job_id, self.settings, img, report)
            except RuntimeError:  # the canvas was deleted while this frame rendered
                pass


class MapCanvas(QWidget):
    """A map view over a :class:`~mapdesk.model.Project` (wheel zoom, drag pan, tools).

    Signals
    -------
    identified(layer, row_index, attributes)
        A click hit a feature; ``row_index`` is its position in ``layer.frame``.
    selection_changed(layer_id, index_array)
        The rectangle tool selected rows (positions in ``layer.frame``).
    cursor_moved(lon, lat, x_m, y_m)
        WGS 84 and local UTM metres under the cursor.
    scale_changed(denominator)
    measured(kind, value, text)
        ``kind`` is ``"distance"`` (metres) or ``"area"`` (square metres), geodesic.
    rendered(report)
        A frame finished and is shown (``--screenshot`` waits for it).
    extent_changed(minlon, minlat, maxlon, maxlat)
    """

    identified = Signal(object, int, dict)
    selection_changed = Signal(str, object)
    cursor_moved = Signal(float, float, float, float)
    scale_changed = Signal(float)
    measured = Signal(str, float, str)
    rendered = Signal(object)
    extent_changed = Signal(float, float, float, float)

    def __init__(self, project=None, parent: QWidget | None = None, *,
                 cache: RenderCache | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(200, 150)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.cache = cache or DEFAULT_CACHE
        self.project = None
        # Frames render in a Python worker thread. Every Python slot the GUI thread runs
        # first waits up to one GIL switch interval (default 5 ms) while the worker runs
        # Python code; a few slots per event-loop pass add up. 0.5 ms lowered the 99th
        # percentile gap by ~40 % against 2 ms, frames were not slower.
        if sys.getswitchinterval() > GIL_SWITCH_S:
            sys.setswitchinterval(GIL_SWITCH_S)
        self._pool = _RenderWorker()
        self._signals = _Signals()
        self._signals.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._signals.tile_arrived.connect(self._on_tile_arrived, Qt.ConnectionType.QueuedConnection)
        self._ids = itertools.count(1)
        self._latest_job = [0]          # read by workers: the only job still wanted
        self._shown_job = 0
        self._frame: QImage | None = None
        self._frame_settings: MapSettings | None = None
        self._settings = MapSettings.from_wgs84_extent(DEFAULT_EXTENT_WGS84, max(self.width(), 1),
                                                       max(self.height(), 1))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._debounced_render)
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.timeout.connect(self._throttled_render)
        self._cursor_timer = QTimer(self)
        self._cursor_timer.setSingleShot(True)
        self._cursor_timer.timeout.connect(self._emit_cursor)
        self._cursor_emitted = 0.0
        self._last_scale = float("nan")
        self._tile_timer = QTimer(self)
        self._tile_timer.setSingleShot(True)
        self._tile_timer.timeout.connect(self.refresh)
        self.tool = "pan"
        self.active_layer_id: str | None = None
        self.last_report: RenderReport | None = None
        self._press: QPointF | None = None
        self._press_settings: MapSettings | None = None
        self._dragging = False
        self._rubber: QRectF | None = None
        self._measure_pts: list[tuple[float, float]] = []   # EPSG:3857
        self._hover: QPointF | None = None
        self._tile_source = None
        self._utm: dict[int, object] = {}
        if project is not None:
            self.set_project(project)

    # ---- project & view ------------------------------------------------------------------
    def set_project(self, project) -> None:
        """Show ``project``; re-render whenever its layers, styles or basemap change."""
        self._disconnect_project()
        self.project = project
        self.cache.connect(project)
        for name in ("layers_changed", "layer_changed", "basemap_changed", "layer_added",
                     "layer_removed"):
            # a psygnal signal with no listeners is falsy: test for None, not truth
            sig = getattr(project, name, None)
            if sig is None:
                sig = getattr(getattr(project, "events", None), name, None)
            if sig is not None:
                try:
                    sig.connect(self._on_project_changed)
                except Exception:
                    pass
        ext = getattr(project, "extent_wgs84", None)
        try:
            if not ext:
                raise MapdeskError("no saved view")
            self._settings = MapSettings.from_wgs84_extent(ext, self._w(), self._h())
        except MapdeskError:  # no or a broken saved view: show everything instead
            self.zoom_full(render=False)
        self._frame = None
        self._watch_tiles()
        self._view_changed()

    def _disconnect_project(self) -> None:
        if self.project is None:
            return
        for name in ("layers_changed", "layer_changed", "basemap_changed", "layer_added", "layer_removed"):
            sig = getattr(self.project, name, None)
            if sig is not None:
                try:
                    sig.disconnect(self._on_project_changed)
                except Exception:
                    pass

    def _on_project_changed(self, *args) -> None:
        self._watch_tiles()
        if len(args) >= 2 and args[1] == "filter":
            # Filter edits arrive debounced: start the frame now, before the other observers
            # of this change (table, counts, panels) run, instead of after a coalescing delay.
            self._timer.stop()
            self._start_render()
            return
        self.refresh()

    def _w(self) -> int:
        return max(1, self.width())

    def _h(self) -> int:
        return max(1, self.height())

    @property
    def settings(self) -> MapSettings:
        """The current view (EPSG:3857 extent, size in pixels)."""
        return self._settings

    def set_settings(self, settings: MapSettings) -> None:
        self._settings = settings.with_size(self._w(), self._h()) if (
            settings.width_px, settings.height_px) != (self._w(), self._h()) else settings
        self._view_changed()

    def set_extent_wgs84(self, extent) -> None:
        self._settings = MapSettings.from_wgs84_extent(extent, self._w(), self._h())
        self._view_changed()

    def extent_wgs84(self) -> tuple[float, float, float, float]:
        return self._settings.extent_wgs84

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        a = (anchor.x(), anchor.y()) if anchor is not None else None
        self._settings = self._settings.zoom(factor, a)
        self._view_changed()

    def pan_by(self, dx_px: float, dy_px: float) -> None:
        self._settings = self._settings.pan(dx_px, dy_px)
        self._view_changed()

    def zoom_to_extent(self, extent_3857, margin: float = 0.05) -> None:
        self._settings = self._settings.fit(extent_3857, margin)
        self._view_changed()

    def zoom_full(self, render: bool = True) -> None:
        """Show all visible layers (or the default area when nothing is loaded)."""
        boxes = [b for b in (self._layer_bounds(lyr) for lyr in self._layers()
                             if getattr(lyr, "visible", True)) if b is not None]
        if boxes:
            arr = np.array(boxes)
            ext = (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())
            self._settings = MapSettings(ext, self._w(), self._h()).fit(ext, 0.05)
        else:
            self._settings = MapSettings.from_wgs84_extent(DEFAULT_EXTENT_WGS84, self._w(), self._h())
        if render:
            self._view_changed()

    def zoom_to_layer(self, layer) -> None:
        b = self._layer_bounds(layer)
        if b is not None:
            self.zoom_to_extent(b)

    def zoom_to_selection(self) -> None:
        boxes = []
        for lyr in self._layers():
            sel = _selection_of(lyr)
            if sel.size == 0 or lyr.frame is None:
                continue
            sub = lyr.frame.iloc[sel[(sel >= 0) & (sel < len(lyr.frame))]]
            if len(sub):
                boxes.append(_bounds_3857(sub))
        boxes = [b for b in boxes if b is not None]
        if boxes:
            arr = np.array(boxes)
            self.zoom_to_extent((arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max()), 0.2)

    def _layers(self) -> list:
        return list(getattr(self.project, "layers", []) or [])

    def _layer_bounds(self, layer):
        if getattr(layer, "status", "ok") != "ok":
            return None
        remote = getattr(layer, "remote", None)
        if remote is not None and remote.extent_wgs84:  # a table on the server: all of it
            x0, y0 = lonlat_to_mercator(remote.extent_wgs84[0], remote.extent_wgs84[1])
            x1, y1 = lonlat_to_mercator(remote.extent_wgs84[2], remote.extent_wgs84[3])
            return float(x0), float(y0), float(x1), float(y1)
        if getattr(layer, "kind", "vector") == "raster":
            grid = getattr(layer, "raster", None)
            if grid is None:
                return None
            from mapdesk.render.painters import raster_bounds_3857

            return raster_bounds_3857(grid)
        frame = layer.filtered_frame()
        if frame is None or len(frame) == 0:
            return None
        b = self.cache.geometry(layer, frame).arrays.bounds
        return b

    def _view_changed(self) -> None:
        scale = self._settings.scale_denominator()
        if scale != self._last_scale:   # a pan keeps the scale: no status bar update
            self._last_scale = scale
            self.scale_changed.emit(scale)
        e = self._settings.extent_wgs84
        self.extent_changed.emit(*e)
        self.refresh()

    # ---- rendering -----------------------------------------------------------------------
    def refresh(self, delay_ms: int = 15) -> None:
        """Schedule a new frame (coalesces bursts of wheel or drag events).

        The frame starts ``delay_ms`` after the last call; during a longer burst, one starts
        every :data:`INTERACTIVE_FRAME_MS` when the worker is free.
        """
        self.update()
        self._timer.start(delay_ms)
        if not self._throttle.isActive():
            self._throttle.start(INTERACTIVE_FRAME_MS)

    def _debounced_render(self) -> None:
        self._throttle.stop()
        self._start_render()

    def _throttled_render(self) -> None:
        if not self._timer.isActive():
            return                      # the burst ended: its last view is already rendering
        if self._pool.activeThreadCount():
            # Let the frame in flight finish rather than cancel it for a newer one: a drag
            # faster than frames would otherwise never show a new frame.
            self._throttle.start(INTERACTIVE_FRAME_MS // 3)
            return
        self._start_render()
        self._throttle.start(INTERACTIVE_FRAME_MS)

    def _start_render(self) -> None:
        if self.project is None:
            return
        job = next(self._ids)
        self._latest_job[0] = job       # older jobs see this and stop
        self._pool.start(_RenderTask(job, self, self._settings))

    def _on_finished(self, job_id: int, settings: MapSettings, img, report: RenderReport) -> None:
        if img is None or job_id < self._shown_job:
            return
        if report.cancelled and job_id != self._latest_job[0]:
            return
        self._shown_job = job_id
        self._frame = img
        self._frame_settings = settings
        self.last_report = report
        self.update()
        if job_id == self._latest_job[0]:
            self.rendered.emit(report)

    def render_thread_ids(self) -> list[int]:
        """Native ids of the threads rendering this canvas's frames (diagnostics)."""
        tid = self._pool.native_id
        return [] if tid is None else [tid]

    def is_rendering(self) -> bool:
        return self._timer.isActive() or self._pool.activeThreadCount() > 0

    def wait_rendered(self, timeout_s: float = 10.0) -> bool:
        """Process events until the newest frame is shown (tests, screenshots)."""
        from PySide6.QtCore import QCoreApplication

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            QCoreApplication.processEvents()
            if not self._timer.isActive() and self._shown_job == self._latest_job[0] \
                    and self._pool.activeThreadCount() == 0 and self._frame is not None:
                return True
            time.sleep(0.005)
        return False

    def _watch_tiles(self) -> None:
        from mapdesk.render.basemaps import basemap_source

        try:
            src = basemap_source(getattr(self.project, "basemap", None))
        except Exception:
            src = None
        if src is self._tile_source:
            return
        if self._tile_source is not None and hasattr(self._tile_source, "remove_listener"):
            self._tile_source.remove_listener(self._tile_listener)
        self._tile_source = src
        if src is not None and hasattr(src, "add_listener"):
            src.add_listener(self._tile_listener)

    def _tile_listener(self, key) -> None:
        # Called on a download thread: hop to the GUI thread through a queued signal.
        self._signals.tile_arrived.emit()

    def _on_tile_arrived(self) -> None:
        if not self._tile_timer.isActive():
            self._tile_timer.start(120)   # tiles come in bursts: one frame per burst

    def closeEvent(self, event) -> None:  # noqa: N802
        self._latest_job[0] = -1
        if self._tile_source is not None and hasattr(self._tile_source, "remove_listener"):
            self._tile_source.remove_listener(self._tile_listener)
        self._pool.join(5.0)
        super().closeEvent(event)

    # ---- painting ------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802
        # Runs on the GUI thread for every pan and zoom step: a few milliseconds at most.
        # No smoothing of the stretched old frame (bilinear scaling of full HD costs ~12 ms,
        # nearest ~4 ms); the exact frame replaces it a moment later.
        p = QPainter(self)
        area = QRectF(self.rect())
        frame, fs = self._frame, self._frame_settings
        if frame is not None and fs is not None:
            s = self._settings
            # Where the finished frame's corners fall in the current view.
            x0, y0 = (float(v) for v in s.map_to_pixel(fs.extent[0], fs.extent[3]))
            x1, y1 = (float(v) for v in s.map_to_pixel(fs.extent[2], fs.extent[1]))
            target = QRectF(x0, y0, x1 - x0, y1 - y0)
            if not target.contains(area):
                p.fillRect(area, QColor(s.background))
            if frame.format() == QImage.Format.Format_RGB32:
                p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)  # a copy
            if abs(target.width() - frame.width()) < 0.5 and abs(target.height() - frame.height()) < 0.5:
                p.drawImage(QPointF(round(x0), round(y0)), frame)   # a pan: plain blit
            else:
                p.drawImage(target, frame)
            p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        else:
            p.fillRect(area, QColor(self._settings.background))
        self._paint_overlays(p)
        p.end()

    def _paint_overlays(self, p: QPainter) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self._rubber is not None:
            p.setPen(QPen(QColor("#1f6feb"), 1.2, Qt.PenStyle.DashLine))
            fill = QColor("#1f6feb")
            fill.setAlphaF(0.12)
            p.setBrush(fill)
            p.drawRect(self._rubber.normalized())
        if self._measure_pts:
            pts = list(self._measure_pts)
            if self._hover is not None:
                pts.append(tuple(float(v) for v in self._settings.pixel_to_map(self._hover.x(), self._hover.y())))
            xs, ys = self._settings.map_to_pixel(np.array([q[0] for q in pts]), np.array([q[1] for q in pts]))
            poly = QPolygonF([QPointF(float(a), float(b)) for a, b in zip(xs, ys, strict=True)])
            p.setPen(QPen(QColor(palettes.SELECTION_COLOR).darker(150), 2))
            if self.tool == "measure_area" and len(pts) >= 3:
                fill = QColor(palettes.SELECTION_COLOR)
                fill.setAlphaF(0.25)
                p.setBrush(fill)
                p.drawPolygon(poly)
            else:
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawPolyline(poly)
            text = self.measure_text(pts)
            if text and self._hover is not None:
                p.setPen(QColor("#111111"))
                p.drawText(self._hover + QPointF(12, -8), text)

    # ---- input ---------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802
        # Listeners connected after construction (the status bar) learn the scale now; pans
        # do not repeat it.
        self._last_scale = self._settings.scale_denominator()
        self.scale_changed.emit(self._last_scale)
        super().showEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._settings = self._settings.with_size(self._w(), self._h())
        self.refresh(40)
        super().resizeEvent(event)

    def wheelEvent(self, event) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(WHEEL_STEP ** steps, event.position())
        event.accept()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        key = event.key()
        step_x, step_y = self._w() / 4, self._h() / 4
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(2.0)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_by(0.5)
        elif key == Qt.Key.Key_Left:
            self.pan_by(step_x, 0)
        elif key == Qt.Key.Key_Right:
            self.pan_by(-step_x, 0)
        elif key == Qt.Key.Key_Up:
            self.pan_by(0, step_y)
        elif key == Qt.Key.Key_Down:
            self.pan_by(0, -step_y)
        elif key == Qt.Key.Key_Escape:
            self._measure_pts.clear()
            self._rubber = None
            self.update()
        else:
            super().keyPressEvent(event)

    def set_tool(self, tool: str) -> None:
        if tool not in TOOLS:
            raise ValueError(f"unknown tool {tool!r}; one of {TOOLS}")
        self.tool = tool
        self._measure_pts.clear()
        self._rubber = None
        cursor = Qt.CursorShape.OpenHandCursor if tool == "pan" else Qt.CursorShape.CrossCursor
        self.setCursor(cursor)
        self.update()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self._press = event.position()
        self._press_settings = self._settings
        self._dragging = False

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pos = event.position()
        self._hover = pos
        wait_ms = CURSOR_SIGNAL_MS - (time.monotonic() - self._cursor_emitted) * 1000
        if wait_ms <= 0:
            self._cursor_timer.stop()
            self._emit_cursor()
        elif not self._cursor_timer.isActive():
            self._cursor_timer.start(max(1, math.ceil(wait_ms)))   # the latest position, soon
        if self._press is not None:
            d = pos - self._press
            if abs(d.x()) + abs(d.y()) > CLICK_SLOP_PX:
                self._dragging = True
            if self._dragging:
                if self.tool == "select":
                    self._rubber = QRectF(self._press, pos)
                    self.update()
                elif self.tool in ("pan", "identify"):
                    self._settings = self._press_settings.pan(d.x(), d.y())
                    self._view_changed()
        elif self._measure_pts:
            self.update()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            return
        pos = event.position()
        dragged = self._dragging
        self._press, self._dragging = None, False
        if self.tool == "select":
            rect = self._rubber
            self._rubber = None
            if dragged and rect is not None:
                self.select_in_rect(rect.normalized())
            else:
                self.select_in_rect(QRectF(pos.x() - 3, pos.y() - 3, 6, 6))
            self.update()
            return
        if dragged:
            return
        if self.tool in ("measure_distance", "measure_area"):
            x, y = self._settings.pixel_to_map(pos.x(), pos.y())
            self._measure_pts.append((float(x), float(y)))
            self._emit_measure()
            self.update()
            return
        self.identify_at(pos)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        if self.tool in ("measure_distance", "measure_area"):
            self._emit_measure(final=True)
            self._measure_pts = []
            self.update()
        else:
            self.zoom_by(2.0, event.position())

    def _emit_cursor(self) -> None:
        pos = self._hover
        if pos is None:
            return
        self._cursor_emitted = time.monotonic()
        lon, lat = (float(v) for v in self._settings.pixel_to_lonlat(pos.x(), pos.y()))
        e, n = self._utm_of(lon, lat)
        self.cursor_moved.emit(lon, lat, e, n)

    # ---- tools ---------------------------------------------------------------------------
    def _utm_of(self, lon: float, lat: float) -> tuple[float, float]:
        from pyproj import Transformer

        if not (math.isfinite(lon) and math.isfinite(lat)):
            return float("nan"), float("nan")
        zone = int((lon + 180) // 6) + 1
        key = zone if lat >= 0 else -zone
        tr = self._utm.get(key)
        if tr is None:
            epsg = (32600 if lat >= 0 else 32700) + max(1, min(60, zone))
            tr = self._utm[key] = Transformer.from_crs(4326, epsg, always_xy=True)
        e, n = tr.transform(lon, lat)
        return float(e), float(n)

    def _candidate_layers(self) -> list:
        layers = [lyr for lyr in reversed(self._layers()) if getattr(lyr, "visible", True)
                  and getattr(lyr, "kind", "vector") == "vector" and getattr(lyr, "status", "ok") == "ok"]
        if self.active_layer_id:
            layers.sort(key=lambda lyr: lyr.id != self.active_layer_id)
        return layers

    def identify_at(self, pos: QPointF) -> tuple | None:
        """Find the topmost feature under ``pos`` (widget pixels); emits ``identified``."""
        hit = self.feature_at(pos.x(), pos.y())
        if hit is not None:
            self.identified.emit(*hit)
        return hit

    def feature_at(self, px: float, py: float) -> tuple | None:
        """``(layer, row_index, attributes)`` of the topmost feature at a pixel, or ``None``."""
        import shapely

        s = self._settings
        mx, my = (float(v) for v in s.pixel_to_map(px, py))
        tol = IDENTIFY_TOLERANCE_PX * s.units_per_pixel
        for layer in self._candidate_layers():
            frame = layer.filtered_frame()
            if frame is None or len(frame) == 0:
                continue
            g = self.cache.geometry(layer, frame)
            a = g.arrays
            best = None
            if a.point_x.size:
                r = tol + float(getattr(layer.style, "size", 6) or 6) * s.px_per_pt() / 2 * s.units_per_pixel
                d2 = (a.point_x - mx) ** 2 + (a.point_y - my) ** 2
                i = int(np.argmin(d2))
                if d2[i] <= r * r:
                    best = int(a.point_row[i])
            if best is None:
                for shapes in (g.polygons, g.lines):
                    if shapes is None:
                        continue
                    b = shapes.bbox
                    cand = np.flatnonzero((b[:, 0] <= mx + tol) & (b[:, 2] >= mx - tol)
                                          & (b[:, 1] <= my + tol) & (b[:, 3] >= my - tol))
                    if cand.size == 0:
                        continue
                    rows = np.unique(shapes.row[cand])
                    geoms = _geoms_3857(frame.geometry.values[rows], frame.crs)
                    pt = shapely.Point(mx, my)
                    hits = rows[shapely.dwithin(geoms, pt, tol)]
                    if hits.size:
                        best = int(hits[-1])   # the last drawn is on top
                        break
            if best is not None:
                full_row = _full_position(layer, best)
                attrs = {k: _plain(v) for k, v in frame.iloc[best].items() if k != frame.geometry.name}
                return layer, full_row, attrs
        return None

    def select_in_rect(self, rect: QRectF, layer=None) -> tuple[str, np.ndarray] | None:
        """Select the features of one layer intersecting a widget rectangle."""
        import shapely

        s = self._settings
        x0, y0 = s.pixel_to_map(rect.left(), rect.bottom())
        x1, y1 = s.pixel_to_map(rect.right(), rect.top())
        box = shapely.box(float(x0), float(y0), float(x1), float(y1))
        layers = [layer] if layer is not None else self._candidate_layers()
        for lyr in layers:
            frame = lyr.filtered_frame()
            if frame is None or len(frame) == 0:
                continue
            g = self.cache.geometry(lyr, frame)
            a = g.arrays
            rows = []
            if a.point_x.size:
                m = (a.point_x >= float(x0)) & (a.point_x <= float(x1)) & (a.point_y >= float(y0)) \
                    & (a.point_y <= float(y1))
                rows.append(a.point_row[m])
            for shapes in (g.polygons, g.lines):
                if shapes is None:
                    continue
                b = shapes.bbox
                cand = np.flatnonzero((b[:, 0] <= float(x1)) & (b[:, 2] >= float(x0))
                                      & (b[:, 1] <= float(y1)) & (b[:, 3] >= float(y0)))
                if cand.size:
                    r = np.unique(shapes.row[cand])
                    geoms = _geoms_3857(frame.geometry.values[r], frame.crs)
                    rows.append(r[shapely.intersects(geoms, box)])
            sel = np.unique(np.concatenate(rows)) if rows else np.empty(0, dtype=np.int64)
            if sel.size or layer is not None or self.active_layer_id == lyr.id:
                full = _full_positions(lyr, sel)
                self.set_selection(lyr.id, full)
                self.selection_changed.emit(lyr.id, full)
                return lyr.id, full
        return None

    def set_selection(self, layer_id: str, indices) -> None:
        """Highlight rows (positions in ``layer.frame``) of a layer; other layers keep theirs."""
        idx = np.asarray(indices, dtype=np.int64)
        for lyr in self._layers():
            if lyr.id == layer_id:
                if hasattr(lyr, "set_selection"):
                    lyr.set_selection(idx)   # the model notifies; we re-render below anyway
                else:
                    lyr.selection = idx
        self.refresh()

    def clear_selection(self) -> None:
        for lyr in self._layers():
            if _selection_of(lyr).size:
                self.set_selection(lyr.id, [])

    def measure_text(self, pts=None) -> str:
        pts = self._measure_pts if pts is None else pts
        if self.tool == "measure_area":
            v = geodesic_area_m2(pts)
            return format_area(v) if len(pts) >= 3 else ""
        return format_distance(geodesic_length_m(pts)) if len(pts) >= 2 else ""

    def _emit_measure(self, final: bool = False) -> None:
        pts = self._measure_pts
        if self.tool == "measure_area" and len(pts) >= 3:
            v = geodesic_area_m2(pts)
            self.measured.emit("area", v, format_area(v))
        elif self.tool == "measure_distance" and len(pts) >= 2:
            v = geodesic_length_m(pts)
            self.measured.emit("distance", v, format_distance(v))


# ---- helpers -----------------------------------------------------------------------------
_geod = None
_geod_lock = threading.Lock()


def _geodesic():
    global _geod
    with _geod_lock:
        if _geod is None:
            from pyproj import Geod

            _geod = Geod(ellps="WGS84")
        return _geod


def geodesic_length_m(pts_3857) -> float:
    """Length in metres along EPSG:3857 vertices, on the WGS 84 ellipsoid."""
    if len(pts_3857) < 2:
        return 0.0
    lon, lat = mercator_to_lonlat([p[0] for p in pts_3857], [p[1] for p in pts_3857])
    return float(_geodesic().line_length(lon, lat))


def geodesic_area_m2(pts_3857) -> float:
    """Area in square metres of the polygon through EPSG:3857 vertices (WGS 84 ellipsoid)."""
    if len(pts_3857) < 3:
        return 0.0
    lon, lat = mercator_to_lonlat([p[0] for p in pts_3857], [p[1] for p in pts_3857])
    area, _ = _geodesic().polygon_area_perimeter(lon, lat)
    return abs(float(area))


def format_distance(m: float) -> str:
    return f"{m / 1000:.2f} km" if m >= 1000 else f"{m:.1f} m"


def format_area(m2: float) -> str:
    return f"{m2 / 1e6:.3f} km²" if m2 >= 1e5 else f"{m2:,.0f} m²"


def _geoms_3857(geoms, crs):
    import shapely

    from mapdesk.render.transform import to_mercator_func

    f = to_mercator_func(crs)
    return geoms if f is None else shapely.transform(geoms, f)


def _bounds_3857(frame):
    b = frame.total_bounds
    if not np.all(np.isfinite(b)):
        return None
    from mapdesk.render.transform import to_mercator_func

    f = to_mercator_func(frame.crs)
    xy = np.array([[b[0], b[1]], [b[2], b[3]]])
    if f is not None:
        xy = f(xy)
    return float(xy[0, 0]), float(xy[0, 1]), float(xy[1, 0]), float(xy[1, 1])


def _full_positions(layer, filtered_positions: np.ndarray) -> np.ndarray:
    pos = np.asarray(filtered_positions, dtype=np.int64)
    mask_fn = getattr(layer, "filter_mask", None)
    if mask_fn is None:
        return pos
    kept = np.flatnonzero(mask_fn())
    return kept[pos] if pos.size else pos


def _full_position(layer, filtered_position: int) -> int:
    return int(_full_positions(layer, np.array([filtered_position]))[0])


def _selection_of(layer) -> np.ndarray:
    sel = getattr(layer, "selection", None)
    return np.empty(0, dtype=np.int64) if sel is None else np.asarray(sel, dtype=np.int64)


def _plain(v):
    if isinstance(v, np.generic):
        return v.item()
    return v


def lonlat_to_3857(lon: float, lat: float) -> tuple[float, float]:
    x, y = lonlat_to_mercator(lon, lat)
    return float(x), float(y)
