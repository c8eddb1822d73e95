"""Measure how long the GUI event loop is blocked (tests and benchmarks of the canvas).

A precise 1 ms timer records when it really fires; the gaps between its ticks are the
longest times the event loop could not run anything. On a shared machine part of a gap is
the operating system running other processes while the GUI thread was ready to run: Linux
reports per thread the time spent waiting on a run queue (``/proc/self/task/TID/schedstat``,
second field, accounted when the thread gets a CPU, so within the gap it ends). Subtracting
it leaves what the application itself is responsible for: its own work on the GUI thread
and the time the GUI thread slept waiting (for the GIL held by a render thread, for a lock).

A render thread that holds the GIL, or is about to take it over from the GUI thread (Python
makes a thread that was asked to drop the GIL wait until the other one has it), blocks the
GUI thread while it waits for a CPU itself. That wait is accounted when the render thread
gets a CPU, which it must before the GUI thread can continue: it lies within the same gap.
So the run-queue waiting of the ``helper_threads`` is also subtracted, but at most the time
the GUI thread slept in that gap (never its own CPU time). Where schedstat is missing,
nothing is subtracted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer


def _schedstat_path(native_id: int) -> str:
    return f"/proc/self/task/{native_id}/schedstat"


def run_queue_wait_ms(native_id: int | None = None) -> float | None:
    """Milliseconds a thread (default: the calling one) has waited for a CPU while runnable,
    since it started; ``None`` where the kernel does not report it (or the thread is gone)."""
    tid = threading.get_native_id() if native_id is None else native_id
    try:
        with open(_schedstat_path(tid), encoding="ascii") as fh:
            return int(fh.read().split()[1]) / 1e6
    except (OSError, ValueError, IndexError):
        return None


def _system_busy_s() -> float | None:
    """CPU seconds all processes have used (``/proc/stat``), or ``None``."""
    import os

    try:
        with open("/proc/stat", encoding="ascii") as fh:
            f = fh.readline().split()
        # user nice system idle iowait irq softirq steal: all but idle and iowait are busy
        busy = sum(int(v) for v in f[1:4]) + sum(int(v) for v in f[6:9])
        return busy / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _helpers_wait_ms(ids: list[int]) -> dict[int, float]:
    out = {}
    for tid in ids:
        v = run_queue_wait_ms(tid)
        if v is not None:
            out[tid] = v
    return out


@dataclass
class LoopStats:
    """Event-loop gaps of one measurement (milliseconds, one entry per timer interval)."""

    gaps_ms: np.ndarray        # wall time between consecutive ticks
    own_ms: np.ndarray         # the same minus run-queue waiting (see the module docstring)
    gui_cpu_ms: np.ndarray     # CPU time of the GUI thread within each gap
    run_queue_ms: np.ndarray   # the GUI thread's run-queue waiting within each gap
    helper_queue_ms: np.ndarray  # helper threads' run-queue waiting subtracted in each gap
    seconds: float
    schedstat: bool            # whether run-queue waiting could be read
    #: Cores' worth of CPU other processes used during the measurement (None: unknown).
    others_cores: float | None = None

    @staticmethod
    def _pct(a: np.ndarray, q: float) -> float:
        return float(np.percentile(a, q)) if a.size else 0.0

    def summary(self) -> dict:
        """``max``, ``p99`` of the raw and own gaps, tick count, seconds, GUI busy fraction."""
        return {
            "ticks": int(self.gaps_ms.size),
            "seconds": round(self.seconds, 3),
            "max_ms": round(float(self.gaps_ms.max()) if self.gaps_ms.size else 0.0, 2),
            "p99_ms": round(self._pct(self.gaps_ms, 99), 2),
            "own_max_ms": round(float(self.own_ms.max()) if self.own_ms.size else 0.0, 2),
            "own_p99_ms": round(self._pct(self.own_ms, 99), 2),
            "run_queue_ms": round(float(self.run_queue_ms.sum()), 1),
            "helper_queue_ms": round(float(self.helper_queue_ms.sum()), 1),
            "gui_busy": round(float(self.gui_cpu_ms.sum()) / max(self.seconds * 1000, 1e-9), 3),
            "schedstat": self.schedstat,
            "others_cores": None if self.others_cores is None else round(self.others_cores, 2),
        }


class EventLoopMonitor(QObject):
    """Records event-loop gaps between :meth:`start` and :meth:`stop` (GUI thread only).

    ``helper_threads`` returns the native ids of threads that share the GIL with the GUI
    thread (the canvas's render thread), read at every tick.
    """

    def __init__(self, interval_ms: int = 1, parent: QObject | None = None,
                 helper_threads: Callable[[], list[int]] | None = None) -> None:
        super().__init__(parent)
        self._helpers = helper_threads or (lambda: [])
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._wall: list[float] = []
        self._cpu: list[float] = []
        self._rq: list[float] = []
        self._hq: list[dict[int, float]] = []
        self._tid = threading.get_native_id()
        self._has_schedstat = run_queue_wait_ms(self._tid) is not None
        self._sys0: float | None = None
        self._proc0 = 0.0

    def start(self) -> None:
        self._wall, self._cpu, self._rq, self._hq = [], [], [], []
        self._sys0, self._proc0 = _system_busy_s(), time.process_time()
        self._tick()
        self._timer.start()

    def _tick(self) -> None:
        self._wall.append(time.perf_counter())
        self._cpu.append(time.thread_time())
        if self._has_schedstat:
            self._rq.append(run_queue_wait_ms(self._tid) or 0.0)
            self._hq.append(_helpers_wait_ms(self._helpers()))

    def stop(self) -> LoopStats:
        self._timer.stop()
        self._tick()
        wall = np.asarray(self._wall)
        gaps = np.diff(wall) * 1000
        cpu = np.diff(np.asarray(self._cpu)) * 1000
        rq = np.diff(np.asarray(self._rq)) if self._has_schedstat else np.zeros_like(gaps)
        hq = np.zeros_like(gaps)
        for i in range(len(self._hq) - 1):
            a, b = self._hq[i], self._hq[i + 1]
            hq[i] = sum(b[t] - a[t] for t in b if t in a)
        sleep = np.maximum(gaps - rq - cpu, 0.0)
        helper = np.minimum(hq, sleep)
        own = np.maximum(gaps - rq - helper, 0.0)
        seconds = float(wall[-1] - wall[0]) if wall.size else 0.0
        sys1, others = _system_busy_s(), None
        if sys1 is not None and self._sys0 is not None and seconds > 0:
            others = max(0.0, (sys1 - self._sys0) - (time.process_time() - self._proc0)) / seconds
        return LoopStats(gaps_ms=gaps, own_ms=own, gui_cpu_ms=cpu, run_queue_ms=rq,
                         helper_queue_ms=helper,
                         seconds=seconds, schedstat=self._has_schedstat, others_cores=others)


class PanZoomDriver(QObject):
    """Synthetic user input for measurements: alternately drags the map around (press, moves,
    release) and turns the wheel in and out, one event every ``interval_ms``."""

    def __init__(self, widget, interval_ms: int = 10, steps_per_gesture: int = 40) -> None:
        super().__init__(widget)
        self._w = widget
        self._steps = steps_per_gesture
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._step)
        self._k = 0
        self._pressed = None
        self.events = 0

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._pressed is not None:
            self._mouse("release", self._pressed)

    def _mouse(self, kind: str, pos) -> None:
        from PySide6.QtCore import QEvent
        from PySide6.QtGui import QMouseEvent
        from PySide6.QtWidgets import QApplication

        left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
        etype, button, buttons = {
            "press": (QEvent.Type.MouseButtonPress, left, left),
            "move": (QEvent.Type.MouseMove, none, left),
            "release": (QEvent.Type.MouseButtonRelease, left, none),
        }[kind]
        ev = QMouseEvent(etype, pos, self._w.mapToGlobal(pos), button, buttons,
                         Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(self._w, ev)
        self._pressed = None if kind == "release" else pos
        self.events += 1

    def _step(self) -> None:
        import math

        from PySide6.QtCore import QPoint, QPointF
        from PySide6.QtGui import QWheelEvent
        from PySide6.QtWidgets import QApplication

        self._k += 1
        k = self._k
        w, h = self._w.width(), self._w.height()
        if (k // self._steps) % 2 == 0:          # drag: a wobbling pan around the centre
            pos = QPointF(w / 2 + 0.06 * w * math.sin(k / 7), h / 2 + 0.06 * h * math.cos(k / 9))
            if self._pressed is None:
                self._mouse("press", QPointF(w / 2, h / 2))
            self._mouse("move", pos)
            return
        if self._pressed is not None:
            self._mouse("release", self._pressed)
        pos = QPointF(w * 0.6, h * 0.45)
        delta = 120 if (k // 5) % 2 else -120    # five notches in, five out
        ev = QWheelEvent(pos, self._w.mapToGlobal(pos), QPoint(0, 0), QPoint(0, delta),
                         Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                         Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(self._w, ev)
        self.events += 1


def measure_window(canvas, seconds: float, drive: bool) -> tuple[LoopStats, list[float], float, int]:
    """Watch the event loop for ``seconds`` while ``canvas`` renders (and, with ``drive``, while
    synthetic drags and wheel turns arrive), then wait for the frame in flight.

    Returns
    -------
    (LoopStats, frame times in ms, share of the window the render worker was busy, input events)
    """
    from PySide6.QtCore import QEventLoop

    frames: list[float] = []
    conn = canvas.rendered.connect(lambda r: frames.append(r.elapsed_ms))
    mon = EventLoopMonitor(helper_threads=canvas.render_thread_ids)
    driver = PanZoomDriver(canvas)
    busy0 = canvas._pool.busy_seconds()
    mon.start()
    if drive:
        driver.start()
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    driver.stop()
    stats = mon.stop()
    busy = (canvas._pool.busy_seconds() - busy0) / max(stats.seconds, 1e-9)
    canvas.rendered.disconnect(conn)
    canvas.wait_rendered(30)
    return stats, frames, busy, driver.events
