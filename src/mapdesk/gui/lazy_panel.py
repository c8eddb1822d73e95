"""A stand-in for a panel that is costly to build, built the first time it is shown.

The camera planning panel imports scipy and counts the project's incidents against a camera
plan as it is built (about 0.6 s); it sits on a dock tab that is hidden at start. Hosting it in
a :class:`LazyPanel` moves that cost from every start to the first click on its tab: until then
nothing is drawn by it (an empty plan draws nothing on the map) and nothing reads it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class LazyPanel(QWidget):
    """Holds the widget ``factory()`` makes, made when the host is first painted (it is on
    screen) or on ``ensure()``.

    Parameters
    ----------
    factory
        Builds the real panel; called at most once.
    parent
        The Qt parent.
    """

    #: The real panel, right after it was built.
    built = Signal(object)

    def __init__(self, factory: Callable[[], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._factory: Callable[[], QWidget] | None = factory
        self.widget: QWidget | None = None
        self._scheduled = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def ensure(self) -> QWidget:
        """The real panel, built now if it was not yet."""
        if self.widget is None:
            factory, self._factory = self._factory, None
            assert factory is not None
            try:
                self.widget = factory()
            except Exception as exc:  # a broken optional panel must not stop the window
                print(f"mapdesk: panel unavailable: {exc}", file=sys.stderr)
                self.widget = QLabel(str(exc))
                self.widget.setWordWrap(True)
            self.layout().addWidget(self.widget)
            self.built.emit(self.widget)
        return self.widget

    def is_built(self) -> bool:
        return self.widget is not None

    def paintEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        # A paint event, not a show event: a dock tabbed behind another gets a show event
        # when the window opens (and none when its tab is picked later), but is painted only
        # once it is really on screen. Built right after this paint, not inside it.
        super().paintEvent(event)
        if self.widget is None and not self._scheduled:
            self._scheduled = True
            QTimer.singleShot(0, self, self.ensure)
