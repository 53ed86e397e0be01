"""Floor-plan geometry: tables to scale, never overlapping (pure, no database).

A table's footprint follows its capacity and shape (the table plus a ring of
chairs), in the venue's unit. Stored positions are percentages of the room's
free space (0 = left/top edge, 100 = right/bottom edge, as the chart's drag
script writes them). `layout()` turns them into rectangles in the venue's
unit and moves any table that would overlap one placed before it to the
nearest free spot, so two tables are never drawn on top of each other, whatever
the stored positions say (they may come from an import, an old plan, or two
planners dragging at once). If the room cannot hold every table, it grows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FEET_PER_METRE = 3.2808
# Room per seat along a table's edge, chair depth, and a walkway between tables (metres).
SEAT_WIDTH = 0.6
CHAIR_DEPTH = 0.55
GAP = 0.4
SEARCH_STEP = 0.25  # metres between candidate spots when moving an overlapping table


@dataclass(frozen=True)
class Box:
    """A rectangle in the venue's unit: left/top corner, width (x) and length (y)."""

    left: float
    top: float
    width: float
    length: float

    def overlaps(self, other: Box, gap: float = 0.0) -> bool:
        return not (
            self.left + self.width + gap <= other.left
            or other.left + other.width + gap <= self.left
            or self.top + self.length + gap <= other.top
            or other.top + other.length + gap <= self.top
        )


def footprint(capacity: int, shape: str, unit: str = "m") -> tuple[float, float]:
    """Width and length of a table with its chairs, in `unit` ("m" or "ft")."""
    capacity = max(1, int(capacity))
    if shape == "rect":
        width = max(1.2, math.ceil(capacity / 2) * SEAT_WIDTH) + 2 * CHAIR_DEPTH
        length = 0.8 + 2 * CHAIR_DEPTH
    elif shape == "square":
        width = length = max(0.9, math.ceil(capacity / 4) * SEAT_WIDTH) + 2 * CHAIR_DEPTH
    else:  # round: the circumference seats everyone
        width = length = max(0.9, capacity * SEAT_WIDTH / math.pi) + 2 * CHAIR_DEPTH
    scale = FEET_PER_METRE if unit == "ft" else 1.0
    return round(width * scale, 2), round(length * scale, 2)


def place(x: float, y: float, width: float, length: float, room_w: float, room_l: float) -> Box:
    """The box of an item at (x, y) percent of the room's free space."""
    left = max(0.0, room_w - width) * min(max(x, 0.0), 100.0) / 100
    top = max(0.0, room_l - length) * min(max(y, 0.0), 100.0) / 100
    return Box(left, top, width, length)


class _Raster:
    """The room as cells of `step`: which are taken. Finding every free spot for a box is one
    summed-area pass (numpy), so even a 200-table plan lays out in milliseconds."""

    def __init__(self, room_w: float, room_l: float, step: float) -> None:
        import numpy as np  # installed with ortools; imported when a plan is laid out, not at start-up

        self.step = step
        self.cols = max(1, math.ceil(room_w / step))
        self.rows = max(1, math.ceil(room_l / step))
        self.taken = np.zeros((self.rows, self.cols), dtype=np.int32)

    def _span(self, start: float, size: float, limit: int) -> tuple[int, int]:
        return max(0, math.floor(start / self.step)), min(limit, math.ceil((start + size) / self.step))

    def mark(self, box: Box, gap: float) -> None:
        r0, r1 = self._span(box.top - gap, box.length + 2 * gap, self.rows)
        c0, c1 = self._span(box.left - gap, box.width + 2 * gap, self.cols)
        self.taken[r0:r1, c0:c1] = 1

    def is_free(self, box: Box) -> bool:
        r0, r1 = self._span(box.top, box.length, self.rows)
        c0, c1 = self._span(box.left, box.width, self.cols)
        return not self.taken[r0:r1, c0:c1].any()

    def nearest_free(self, box: Box, room_w: float, room_l: float) -> Box | None:
        """The free spot (cell-aligned) nearest to `box`, inside the room, or None."""
        import numpy as np
        h, w = math.ceil(box.length / self.step), math.ceil(box.width / self.step)
        if h > self.rows or w > self.cols:
            return None
        area = np.zeros((self.rows + 1, self.cols + 1), dtype=np.int64)
        area[1:, 1:] = self.taken.cumsum(0).cumsum(1)
        sums = area[h:, w:] - area[:-h, w:] - area[h:, :-w] + area[:-h, :-w]
        free_rows, free_cols = np.nonzero(sums == 0)
        if free_rows.size == 0:
            return None
        tops = np.minimum(free_rows * self.step, room_l - box.length)
        lefts = np.minimum(free_cols * self.step, room_w - box.width)
        best = int(np.argmin((tops - box.top) ** 2 + (lefts - box.left) ** 2))
        return Box(float(lefts[best]), float(tops[best]), box.width, box.length)


def layout(
    items: list[tuple[object, float, float, float, float]], room_w: float, room_l: float, *,
    unit: str = "m", fixed: list[Box] = (),
) -> tuple[dict[object, Box], float, float]:
    """Boxes for `items` (key, x %, y %, width, length) that never overlap each other or `fixed`.

    Items keep their stored spot when it is free; otherwise they go to the nearest
    free spot (in stored order, so the first comer keeps its place). Returns the
    boxes and the room's size, grown in length when the room is too small.
    """
    scale = FEET_PER_METRE if unit == "ft" else 1.0
    step, gap = SEARCH_STEP * scale, GAP * scale
    room_w = max(room_w, max((w for *_, w, _ in items), default=0.0) + 2 * gap)
    # A room that cannot hold the tables' area twice over is lengthened up front.
    needed = 2 * sum((w + gap) * (ln + gap) for *_, w, ln in items) + sum(b.width * b.length for b in fixed)
    if needed > room_w * room_l:
        room_l = round(needed / room_w, 2)
    while True:
        raster = _Raster(room_w, room_l, step)
        for box in fixed:
            raster.mark(box, gap)
        boxes: dict[object, Box] = {}
        for key, x, y, width, length in items:
            box = place(x, y, width, length, room_w, room_l)
            if not raster.is_free(box):
                box = raster.nearest_free(box, room_w, room_l)
                if box is None:
                    break
            boxes[key] = box
            raster.mark(box, gap)
        else:
            return boxes, room_w, room_l
        room_l = round(room_l * 1.25 + 1, 2)  # too crowded: a longer room, then try again


def default_room(footprints: list[tuple[float, float]], unit: str = "m") -> tuple[float, float]:
    """A room for tables whose planners have not measured theirs yet: about three and a half
    times the tables' area, 3:2, at least 8 × 6 m, so a small plan is drawn large."""
    scale = FEET_PER_METRE if unit == "ft" else 1.0
    area = sum((w + GAP * scale) * (ln + GAP * scale) for w, ln in footprints) * 3.5
    width = max(8 * scale, math.sqrt(area * 1.5))
    length = max(6 * scale, area / width)
    return math.ceil(width * 2) / 2, math.ceil(length * 2) / 2
