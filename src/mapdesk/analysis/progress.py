"""Progress and cancellation hooks for long analyses run in a GUI worker.

Every long analysis takes ``progress: Callable[[float], None] | None`` (called with a
fraction 0..1) and ``cancelled: Callable[[], bool] | None`` (polled between stages);
when ``cancelled()`` returns True the analysis raises :class:`AnalysisCancelled`.
"""

from __future__ import annotations

from collections.abc import Callable

from mapdesk.errors import AnalysisError

ProgressFn = Callable[[float], None]
CancelledFn = Callable[[], bool]


class AnalysisCancelled(AnalysisError):
    """The user cancelled a running analysis."""


class Steps:
    """Report ``fraction`` and check cancellation in one call: ``steps(0.5)``."""

    def __init__(self, progress: ProgressFn | None, cancelled: CancelledFn | None,
                 start: float = 0.0, stop: float = 1.0) -> None:
        self.progress = progress
        self.cancelled = cancelled
        self.start = start
        self.stop = stop

    def __call__(self, fraction: float) -> None:
        if self.cancelled is not None and self.cancelled():
            raise AnalysisCancelled("analysis cancelled")
        if self.progress is not None:
            self.progress(self.start + (self.stop - self.start) * min(max(fraction, 0.0), 1.0))

    def sub(self, a: float, b: float) -> Steps:
        """A child reporter mapping its 0..1 onto this one's ``a``..``b``."""
        span = self.stop - self.start
        return Steps(self.progress, self.cancelled, self.start + span * a, self.start + span * b)
