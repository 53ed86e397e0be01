"""Sockets as the hub sees them: the regions a socket shows, the socket itself, and the
subscriptions that group sockets showing the same thing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from realtime import regions
from realtime.debounce import Debounce
from realtime.regions import Viewer

logger = logging.getLogger(__name__)

ALL = None  # "every region of the socket" in a dirty set
CLEAN: frozenset[str] = frozenset()  # nothing to re-render: one object (`frozenset()` makes a new one)
NOTHING_SHOWN: Mapping[str, tuple] = MappingProxyType({})  # a new page's `Watcher.shown`, shared by all


@dataclass(frozen=True)
class Watched:
    """One region a socket shows: its registry entry and its cleaned parameters."""

    region: regions.Region
    params: tuple[tuple[str, str], ...]
    dom_id: str

    def share_key(self, viewer: Viewer) -> tuple:
        """Sockets with the same share key get the same HTML (plus the version)."""
        audience_viewer = regions.shared_viewer(viewer, self.region.audience)
        return (self.region.name, self.params, audience_viewer.key())


@dataclass(eq=False)
class Watcher:
    """A socket attached to the hub. `send(text)` sends one frame; `close(code)` closes it."""

    viewer: Viewer
    send: Callable[[str], Awaitable[None]]
    close: Callable[[int], Awaitable[None]]
    user_id: int | None = None
    household_id: int | None = None
    session_key: str | None = None
    watched: dict[str, Watched] = field(default_factory=dict)  # dom id → region (its subscription's, shared)
    version: int = 0  # highest version label this socket has been sent
    synced_at: int = 0  # the socket shows at least this version everywhere
    # Dom ids to re-render; None = all. Frozen, so the subscription's answer to a change is
    # shared by its sockets (and their flush plans) instead of copied into each.
    dirty: frozenset[str] | None = CLEAN
    backlog: int = 0  # versions coalesced since the last frame
    timer: asyncio.TimerHandle | None = None  # the held changes' send (see `realtime.debounce`)
    held_since: float | None = None  # loop time of the oldest held change (the ceiling counts from it)
    flushing: bool = False
    # A change judged "send now" arrived while this socket's frame was in flight: it goes out
    # when that frame is out, not judged again then (by when more may have arrived, a burst).
    due_now: bool = False
    resync_pending: bool = False

    share_keys: dict[str, tuple] = field(default_factory=dict)  # dom id → Watched.share_key()
    # dom id → (length, hash) of the HTML last sent. Never changed in place: the hub replaces
    # it, so sockets sent the same frames share one mapping (and one decision per frame).
    shown: Mapping[str, tuple] = NOTHING_SHOWN
    wedding_id: int = 0
    # Prepared-frame writer (realtime.transport.direct_socket); None: `send` only.
    direct: Any = None
    subscription: Subscription | None = None  # set by the hub while attached

    def __post_init__(self) -> None:
        self.wedding_id = self.viewer.wedding.pk

    def has_work(self) -> bool:
        return self.dirty is ALL or bool(self.dirty)

    def subscription_key(self) -> tuple:
        """Sockets with the same key get the same answer to "which regions changed" and the same HTML.

        The regions with their share keys (region, params, audience viewer: a HOUSEHOLD region's
        includes the household, so two households never share one), plus the household when a
        region skips other households' own rows (`Region.own_topics`).
        """
        own = any(w.region.own_topics for w in self.watched.values())
        return (self.household_id if own else None, tuple(sorted(self.share_keys.items())))


@dataclass(eq=False)
class Subscription:
    """The sockets of one wedding with the same `Watcher.subscription_key()`.

    A change is judged once per subscription, not once per socket, and so are its regions'
    bursts (`debounce`: the same changes reach every member); everything a socket must keep
    for itself (its version, dirty set, held changes, what it was last sent) stays on its
    `Watcher`.
    """

    key: tuple
    household_id: int | None  # whose own rows count (`Region.own_topics`); None: no such region
    watched: dict[str, Watched]
    share_keys: dict[str, tuple]
    debounce: Debounce  # which of its regions are in a burst (the hub's settings)
    members: dict[Watcher, None] = field(default_factory=dict)  # an ordered set

    @classmethod
    def of(cls, watcher: Watcher, debounce: Debounce) -> Subscription:
        key = watcher.subscription_key()
        return cls(key=key, household_id=key[0], watched=watcher.watched, share_keys=watcher.share_keys,
                   debounce=debounce)

    def changed_regions(self, topics: set[str], message: dict, memo: dict[tuple, bool]) -> frozenset[str]:
        """The dom ids of these sockets' regions that a change message affects.

        `memo` is shared by every subscription of one message: a region with the same
        parameters (and, for regions about a household's own rows, the same household)
        is judged once, not once per subscription.
        """
        dirty = []
        household_id = self.household_id
        for dom_id, watched in self.watched.items():
            region = watched.region
            key = (region.name, watched.params, household_id if region.own_topics else None)
            hit = memo.get(key)
            if hit is None:
                hit = memo[key] = region.wants(topics, message, household_id) and (
                    region.affected is None or _safe_affected(region, dict(watched.params), message)
                )
            if hit:
                dirty.append(dom_id)
        return frozenset(dirty)


def _safe_affected(region: regions.Region, params: dict, message: dict) -> bool:
    try:
        return bool(region.affected(params, message))
    except Exception:  # a buggy filter must not cost an update: render
        logger.exception("realtime: affected() of %s failed", region.name)
        return True
