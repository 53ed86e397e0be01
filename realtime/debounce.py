"""The debounce policy of one socket: instant for ordinary changes, coalesced in a burst, with a ceiling.

A socket gets a change at once unless more than `leading` changes for it
arrived within the last `quiet` seconds; then it is in a burst and changes
are held until `quiet` seconds pass without one, or `ceiling` seconds after
the first held change, whichever comes first (DESIGN §4.9: ≈300 ms, ≈2 s).
A plain trailing debounce would hold every change ≥300 ms, and a steady
5 writes/s until the ceiling; this keeps ordinary changes instant and still
turns a burst into one frame.

A plain class with an injected clock: no asyncio, no sockets. The hub asks
`plan()` after each arrival and arms (or re-arms) one timer for the deadline
it returns; `release()` when the held changes went out.
"""

from __future__ import annotations

import collections
from collections.abc import Callable


class Debounce:
    """Burst detection and the send deadline of one socket (see the module docstring)."""

    __slots__ = ("quiet", "ceiling", "leading", "clock", "arrivals", "first_held")

    def __init__(
        self, *, quiet: float = 0.3, ceiling: float = 2.0, leading: int = 2, clock: Callable[[], float]
    ) -> None:
        self.quiet = quiet
        self.ceiling = ceiling
        self.leading = leading
        self.clock = clock
        self.arrivals: collections.deque[float] = collections.deque(maxlen=leading + 1)
        self.first_held: float | None = None  # when the oldest held change arrived

    def arrived(self, now: float | None = None) -> None:
        """A change for this socket arrived now (`now`: the clock's time, when the caller read it
        already — one read for the thousand sockets a change reaches)."""
        self.arrivals.append(self.clock() if now is None else now)

    def bursting(self, now: float | None = None) -> bool:
        """More than `leading` arrivals within `quiet`: judged by arrivals, not by frames sent,
        so a slow render does not push a steady stream (5 writes/s) into holding."""
        arrivals = self.arrivals
        if len(arrivals) <= self.leading:
            return False
        return (self.clock() if now is None else now) - arrivals[0] < self.quiet

    def plan(self, now: float | None = None) -> float | None:
        """None: send now. Else the clock time to send the held changes at (re-plan on each arrival)."""
        if now is None:
            now = self.clock()
        if not self.bursting(now):
            self.first_held = None
            return None
        if self.first_held is None:
            self.first_held = now
        return min(now + self.quiet, self.first_held + self.ceiling)

    def release(self) -> None:
        """The held changes went out (timer fired, or sent early): the next hold starts afresh."""
        self.first_held = None
