"""The debounce policy of a page's regions: instant for ordinary changes, coalesced in a burst, with a ceiling.

A region's change goes out at once unless more than `leading` changes to
that region arrived within the last `quiet` seconds; then the region is in a
burst and its changes are held until `quiet` seconds pass without one, or
`ceiling` seconds after the first held change, whichever comes first (DESIGN
§4.9: ≈300 ms, ≈2 s). A plain trailing debounce would hold every change
≥300 ms, and a steady 5 writes/s until the ceiling; this keeps ordinary
changes instant and still turns a burst into one frame.

Bursts are judged per region, not per socket: a song vote on a page whose
gallery is filling with a photo flood is not a burst, and goes out at once
(taking the gallery's held changes with it, so every frame still brings the
whole page to its version). Judged per socket, the vote waited for the
gallery's ceiling, about 2 s.

The arrivals are the subscription's (every socket showing the same regions
sees the same changes), so one change costs one record, not one per socket;
when a socket's held changes are due is its own (`Watcher.held_since`).
Plain code with the time passed in: no asyncio, no sockets, no clock.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable


class Debounce:
    """Which regions of a subscription are in a burst, and when held changes are due (see the module docstring)."""

    __slots__ = ("quiet", "ceiling", "leading", "arrivals")

    def __init__(self, *, quiet: float = 0.3, ceiling: float = 2.0, leading: int = 2) -> None:
        self.quiet = quiet
        self.ceiling = ceiling
        self.leading = leading
        # dom id → the times of its last `leading + 1` changes (only regions that changed have one)
        self.arrivals: dict[str, collections.deque[float]] = {}

    def arrived(self, regions: Iterable[str], now: float) -> None:
        """A change to these regions arrived at `now` (one call for all the sockets it reaches)."""
        arrivals = self.arrivals
        for region in regions:
            times = arrivals.get(region)
            if times is None:
                times = arrivals[region] = collections.deque(maxlen=self.leading + 1)
            times.append(now)

    def bursting(self, region: str, now: float) -> bool:
        """More than `leading` arrivals within `quiet`: judged by arrivals, not by frames sent,
        so a slow render does not push a steady stream (5 writes/s) into holding."""
        times = self.arrivals.get(region)
        if times is None or len(times) <= self.leading:
            return False
        return now - times[0] < self.quiet

    def send_now(self, regions: Iterable[str] | None, now: float) -> bool:
        """Whether changes to `regions` (None: every region, a resync) go out now: some region is not in a burst."""
        if regions is None:
            return True
        bursting = self.bursting
        return any(not bursting(region, now) for region in regions)

    def deadline(self, held_since: float, now: float) -> float:
        """When changes held since `held_since` go out, re-planned at `now` (each arrival pushes it back)."""
        return min(now + self.quiet, held_since + self.ceiling)
