"""Map labels: collected from every layer during a frame, placed in one pass, drawn last.

As in QGIS's labelling engine, layers do not draw their own labels: each layer hands its
candidates to a :class:`LabelEngine`, which places them after all layers are painted, top
layer first, so labels never hide under a later layer's symbols and a lower layer's label
cannot take the place of an upper one's. A point label tries right, left, above and below
its symbol before it is dropped; polygon and line labels sit centred on their anchor.
Labels get a light halo so they read on any background.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPaintEngine, QPainter, QPainterPath, QPen

#: Most label candidates considered per layer and frame (the rest would not fit anyway).
MAX_LABEL_CANDIDATES = 4000
#: Point-label positions tried in order: right, left, above, below the symbol.
POINT_POSITIONS = ("right", "left", "above", "below")


class LabelGrid:
    """Greedy placement: accept a box only if it overlaps no accepted box or obstacle."""

    def __init__(self, width: int = 0, height: int = 0, cell: int = 64) -> None:
        self.cell = cell
        self.grid: dict[tuple[int, int], list] = {}

    def _cells(self, box):
        x0, y0, x1, y1 = box
        c = self.cell
        return [(i, j) for i in range(int(x0 // c), int(x1 // c) + 1)
                for j in range(int(y0 // c), int(y1 // c) + 1)]

    def fits(self, box) -> bool:
        x0, y0, x1, y1 = box
        for key in self._cells(box):
            for b in self.grid.get(key, ()):
                if x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1:
                    return False
        return True

    def add(self, box) -> None:
        for key in self._cells(box):
            self.grid.setdefault(key, []).append(box)

    def try_add(self, box) -> bool:
        if not self.fits(box):
            return False
        self.add(box)
        return True


@dataclass
class LabelSet:
    """One layer's label candidates (pixel anchors in map-area coordinates)."""

    order: int
    font: QFont
    color: QColor
    x: np.ndarray
    y: np.ndarray
    texts: list[str]
    point: np.ndarray            # True: a point label (placed around a symbol of radius r_px)
    r_px: float = 0.0
    report: object = None        # the layer's LayerReport (n_labels is set when placed)
    accepted: list = field(default_factory=list)


class LabelEngine:
    """Collects label candidates during a frame and places and draws them at its end."""

    def __init__(self, width_px: int, height_px: int) -> None:
        self.width_px, self.height_px = width_px, height_px
        self.sets: list[LabelSet] = []

    def add(self, labels: LabelSet) -> None:
        self.sets.append(labels)

    def place(self) -> list[LabelSet]:
        """Choose positions, top layer first; returns the sets with their ``accepted`` labels."""
        grid = LabelGrid(self.width_px, self.height_px)
        w_max, h_max = self.width_px, self.height_px
        for ls in sorted(self.sets, key=lambda s: -s.order):
            fm = QFontMetricsF(ls.font)
            h, asc = fm.height(), fm.ascent()
            gap = ls.r_px + max(1.0, 0.15 * h)
            # A layer's own labelled symbols are obstacles: a label must not cover a
            # neighbouring station's marker.
            if ls.point.any():
                r = ls.r_px
                for x0, y0 in zip(ls.x[ls.point].tolist(), ls.y[ls.point].tolist(), strict=True):
                    grid.add((x0 - r, y0 - r, x0 + r, y0 + r))
            for x0, y0, text, is_point in zip(ls.x.tolist(), ls.y.tolist(), ls.texts, ls.point.tolist(),
                                              strict=True):
                w = fm.horizontalAdvance(text)
                if is_point:
                    boxes = _point_boxes(x0, y0, w, h, gap)
                else:
                    boxes = [(x0 - w / 2, y0 - h / 2, x0 + w / 2, y0 + h / 2)]
                for bx in boxes:
                    if bx[0] < 0 or bx[1] < 0 or bx[2] > w_max or bx[3] > h_max:
                        continue
                    if grid.fits(bx):
                        grid.add(bx)
                        ls.accepted.append((bx[0], bx[1] + asc, text))
                        break
            if ls.report is not None:
                ls.report.n_labels = len(ls.accepted)
        return self.sets

    def draw(self, painter: QPainter) -> int:
        """Place and draw every label with a halo; returns the number drawn."""
        n = 0
        sets = self.place()
        vector = _vector_device(painter)
        painter.save()
        painter.setOpacity(1.0)
        for ls in sorted(sets, key=lambda s: s.order):
            if not ls.accepted:
                continue
            _draw_set(painter, ls, vector)
            n += len(ls.accepted)
        painter.restore()
        return n


def _point_boxes(x0: float, y0: float, w: float, h: float, gap: float) -> list[tuple]:
    return [
        (x0 + gap, y0 - h / 2, x0 + gap + w, y0 + h / 2),              # right
        (x0 - gap - w, y0 - h / 2, x0 - gap, y0 + h / 2),              # left
        (x0 - w / 2, y0 - gap - h, x0 + w / 2, y0 - gap),              # above
        (x0 - w / 2, y0 + gap, x0 + w / 2, y0 + gap + h),              # below
    ]


def _vector_device(p: QPainter) -> bool:
    eng = p.paintEngine()
    return eng is not None and eng.type() != QPaintEngine.Type.Raster


HALO_COLOR = QColor(255, 255, 255, 230)


def _draw_set(p: QPainter, ls: LabelSet, vector: bool) -> None:
    font = ls.font
    d = max(1.0, 0.12 * (font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF()))
    p.setFont(font)
    if vector:
        # PDF/SVG: the halo is an outline path, so the text itself is written once and
        # extracts and searches as written (offset copies would repeat it).
        path = QPainterPath()
        for x0, y0, text in ls.accepted:
            path.addText(QPointF(x0, y0), font, text)
        pen = QPen(HALO_COLOR, 2 * d)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.strokePath(path, pen)
    else:
        # Raster: eight offset copies make the halo ~30x cheaper than stroking outlines.
        p.setPen(HALO_COLOR)
        s = d / math.sqrt(2)
        for dx, dy in ((-d, 0), (d, 0), (0, -d), (0, d), (-s, -s), (s, -s), (-s, s), (s, s)):
            for x0, y0, text in ls.accepted:
                p.drawText(QPointF(x0 + dx, y0 + dy), text)
    p.setPen(ls.color)
    for x0, y0, text in ls.accepted:
        p.drawText(QPointF(x0, y0), text)
