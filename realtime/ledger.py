"""The per-wedding version ledger: which versions a process has seen, and what to do about the rest.

Versions are gapless per wedding (DESIGN §4.2), so a process knows the
highest *contiguous* version it has seen. Every decision about an arriving
version is made here:

* a version at or below it, or seen before, is a **duplicate** (or a
  reordered old one) and is ignored;
* a version above the next one opens a **gap**: the hub waits a short grace
  for the missing one (another process's write may still be on its way),
  then asks `missed()` and, if it never came, reads it from the change log;
* more than `window` versions waiting above a gap is an **overflow** (a
  long outage): the hub gives up on the oldest gaps and resyncs at once;
* a periodic **audit** against `Wedding.version` catches a lost *last*
  message, which no later version would reveal.

A plain class: no asyncio, no sockets, no database. The hub owns the
timers and the database read; the ledger only decides.
"""

from __future__ import annotations

import enum


class Arrival(enum.Enum):
    DUPLICATE = "duplicate"  # seen already (or older than what is contiguous): ignore
    IN_ORDER = "in order"  # nothing is missing below it
    GAP = "gap"  # a version below it is still missing: check again after a grace
    OVERFLOW = "overflow"  # too many versions wait above a gap: resync now


class VersionLedger:
    """The versions of one wedding seen by this process (see the module docstring)."""

    __slots__ = ("window", "contiguous", "seen", "latest", "audit_mark")

    def __init__(self, *, window: int = 2000) -> None:
        self.window = window
        self.contiguous = 0  # every version <= this has been seen (or covered by a resync)
        self.seen: set[int] = set()  # versions above `contiguous` already seen
        self.latest = 0  # highest version known
        self.audit_mark = 0  # DB version at the previous audit that had not been seen yet

    def has(self, version: int) -> bool:
        """Whether this version was seen already (or covered by a resync)."""
        return version <= self.contiguous or version in self.seen

    def arrive(self, version: int) -> Arrival:
        """A message with this version arrived."""
        if self.has(version):
            return Arrival.DUPLICATE
        self.seen.add(version)
        self.latest = max(self.latest, version)
        self._advance()
        if len(self.seen) > self.window:
            return Arrival.OVERFLOW
        return Arrival.GAP if self.seen else Arrival.IN_ORDER

    def open_gap(self) -> int | None:
        """The highest version seen above a gap (what a gap check waits to be contiguous), or None."""
        return max(self.seen) if self.seen else None

    def missed(self, expected: int) -> bool:
        """After the grace: is a version up to `expected` still missing?"""
        return self.contiguous < expected

    def note_current(self, current: int, *, first: bool) -> None:
        """A socket read the wedding's version after attaching: versions up to it exist.

        For the wedding's first socket (`first`, or nothing seen yet) nothing
        older can still be pending here, so they count as seen; otherwise a
        missing one is a gap as usual.
        """
        if (first or self.contiguous == 0) and self.contiguous < current:
            self.contiguous = current
            self._advance()
        self.latest = max(self.latest, current)

    def resynced(self, upto: int | None = None) -> None:
        """Every socket is being re-rendered at the latest version (or `upto`): nothing is missing."""
        self.contiguous = max(self.contiguous, self.latest, upto or 0)
        self.latest = self.contiguous
        self.seen = {v for v in self.seen if v > self.contiguous}

    def audit(self, db_version: int, *, force: bool = False) -> bool:
        """Compare with the committed version; True: resync up to `db_version` (a version was lost).

        A version still unseen one audit later was lost (`force`: do not wait
        for a second audit, e.g. after the layer came back).
        """
        if db_version <= self.contiguous:
            self.audit_mark = 0
            return False
        if force or (self.audit_mark and self.contiguous < self.audit_mark):
            self.audit_mark = 0
            return True
        self.audit_mark = db_version
        return False

    def _advance(self) -> None:
        self.seen = {v for v in self.seen if v > self.contiguous}
        while self.contiguous + 1 in self.seen:
            self.contiguous += 1
            self.seen.discard(self.contiguous)
