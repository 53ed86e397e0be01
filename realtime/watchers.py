"""Sockets as the hub sees them: the regions a socket shows, and the socket itself."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from realtime import regions
from realtime.debounce import Debounce
from realtime.regions import Viewer

logger = logging.getLogger(__name__)

ALL = None  # "every region of the socket" in a dirty set


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
    watched: dict[str, Watched] = field(default_factory=dict)  # dom id → region
    version: int = 0  # highest version label this socket has been sent
    synced_at: int = 0  # the socket shows at least this version everywhere
    dirty: set[str] | None = field(default_factory=set)  # dom ids to re-render; None = all
    backlog: int = 0  # versions coalesced since the last frame
    timer: asyncio.TimerHandle | None = None  # the held changes' send (see `debounce`)
    flushing: bool = False
    resync_pending: bool = False
    debounce: Debounce | None = None  # this socket's burst policy, set by the hub on attach

    share_keys: dict[str, tuple] = field(default_factory=dict)  # dom id → Watched.share_key()
    shown: dict[str, tuple] = field(default_factory=dict)  # dom id → (length, hash) of the HTML last sent
    wedding_id: int = 0
    # Prepared-frame writer (realtime.transport.direct_socket); None: `send` only.
    direct: Any = None

    def __post_init__(self) -> None:
        self.wedding_id = self.viewer.wedding.pk

    def has_work(self) -> bool:
        return self.dirty is ALL or bool(self.dirty)

    def changed_regions(self, topics: set[str], message: dict, memo: dict[tuple, bool]) -> set[str]:
        """The dom ids of this socket's regions that a change message affects.

        `memo` is shared by every socket of one message: a region with the same
        parameters (and, for regions about a household's own rows, the same
        household) is judged once, not once per socket.
        """
        dirty = set()
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
                dirty.add(dom_id)
        return dirty


def _safe_affected(region: regions.Region, params: dict, message: dict) -> bool:
    try:
        return bool(region.affected(params, message))
    except Exception:  # a buggy filter must not cost an update: render
        logger.exception("realtime: affected() of %s failed", region.name)
        return True
