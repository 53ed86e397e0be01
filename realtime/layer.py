"""The hub's link to the channel layer: one channel, one group membership per watched wedding.

* **One subscription per wedding, not per socket.** The link owns one layer
  channel; for every wedding the hub watches it adds that channel to
  `protocol.wedding_group(id)` (plus the control group for socket closes),
  and re-adds them every `refresh` seconds, well before channels-redis
  expires group memberships. Messages go to the hub's callbacks.
* **Redis down is not an outage** (DESIGN §4.11). Any layer error makes the
  link *degraded*: the hub tells its sockets (their pages poll) and keeps
  delivering its own process's writes in memory, while the link retries
  with jittered exponential backoff. When the layer is back it
  re-subscribes everything and the hub resyncs its sockets by version.

Used only when the layer reaches other processes (`hub.needs_layer_publish`).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import random
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from realtime import protocol
from realtime.protocol import CLOSE_TYPE, CONTROL_GROUP, DEGRADED, LIVE

logger = logging.getLogger(__name__)


class LayerLink:
    """See the module docstring. `watched` is the hub's live collection of watched wedding ids."""

    def __init__(
        self,
        *,
        layer: Any,
        loop: asyncio.AbstractEventLoop,
        watched: Collection[int],
        on_message: Callable[[dict], None],
        on_control: Callable[[dict], None],
        on_degraded: Callable[[], None],
        on_recovered: Callable[[], Awaitable[None]],
        stats: collections.Counter,
        retry: tuple[float, float] = (0.5, 10.0),
        wait: float = 1.0,
        refresh: float = 600.0,
    ) -> None:
        self.layer = layer
        self.loop = loop
        self.watched = watched
        self.on_message = on_message
        self.on_control = on_control
        self.on_degraded = on_degraded
        self.on_recovered = on_recovered
        self.stats = stats
        self.retry_min, self.retry_max = retry
        self.wait = wait  # seconds one layer call of a connecting socket may take
        self.refresh = refresh
        self.channel: str | None = None
        self.state = LIVE
        self.last_error = ""
        self.subscribed: set[int] = set()  # weddings whose group holds our channel
        self.closed = False
        self._ready = asyncio.Event()  # subscribed to everything (cleared while degraded)

    def start(self) -> list[asyncio.Task]:
        return [
            self.loop.create_task(self._run(), name="live-hub-layer"),
            self.loop.create_task(self._refresh_loop(), name="live-hub-refresh"),
        ]

    async def subscribe(self, wedding_id: int) -> None:
        """Make sure the wedding's messages reach us; returns once they do (or the layer is down).

        A version a socket reads after this cannot miss a change: whatever
        commits later is delivered.
        """
        if self.state != LIVE:
            return  # degraded: the recovery subscribes (and resyncs) everything
        if not self._ready.is_set():  # starting: the loop subscribes every watched wedding
            try:
                await asyncio.wait_for(self._ready.wait(), timeout=self.wait)
            except TimeoutError:
                return
        if wedding_id not in self.subscribed and self.channel and self.state == LIVE:
            try:
                await asyncio.wait_for(
                    self.layer.group_add(protocol.wedding_group(wedding_id), self.channel), timeout=self.wait
                )
                self.subscribed.add(wedding_id)
            except Exception as error:  # the loop notices too and retries
                self.degrade(error)

    def forget(self, wedding_id: int) -> None:
        """Nobody here watches the wedding any more: leave its group (best effort)."""
        if wedding_id in self.subscribed:
            self.subscribed.discard(wedding_id)
            if self.channel and not self.closed:
                self.loop.create_task(self._discard(wedding_id))

    async def _discard(self, wedding_id: int) -> None:
        if wedding_id in self.watched:  # somebody came back meanwhile
            return
        try:
            await self.layer.group_discard(protocol.wedding_group(wedding_id), self.channel)
        except Exception:  # expiry cleans it up
            logger.debug("realtime: group_discard failed", exc_info=True)

    def degrade(self, error: BaseException | None) -> None:
        """A layer call failed: count it; the first failure of an outage degrades the hub."""
        self.stats["layer_errors"] += 1
        self.last_error = repr(error)[:200]
        self._ready.clear()
        if self.state == DEGRADED:
            return
        self.state = DEGRADED
        logger.error("realtime: channel layer lost, delivering local writes only: %r", error)
        self.subscribed.clear()
        self.on_degraded()

    async def _subscribe_all(self) -> None:
        """(Re-)add our channel to every watched wedding's group and the control group."""
        await asyncio.wait_for(self.layer.group_add(CONTROL_GROUP, self.channel), timeout=self.wait)
        done: set[int] = set()
        while True:  # weddings attached while we were adding get added too
            pending = [w for w in list(self.watched) if w not in done]
            if not pending:
                return
            for wedding_id in pending:
                await asyncio.wait_for(
                    self.layer.group_add(protocol.wedding_group(wedding_id), self.channel), timeout=self.wait
                )
                done.add(wedding_id)
                if wedding_id in self.watched:
                    self.subscribed.add(wedding_id)

    async def _run(self) -> None:
        delay = self.retry_min
        while not self.closed:
            try:
                if self.channel is None:
                    self.channel = await self.layer.new_channel(prefix="confetti-hub")
                await self._subscribe_all()
                if self.state == DEGRADED:
                    logger.warning("realtime: channel layer back, resyncing sockets by version")
                    self.state = LIVE
                    await self.on_recovered()
                self._ready.set()
                delay = self.retry_min
                while True:
                    message = await self.layer.receive(self.channel)
                    kind = message.get("type")
                    if kind == protocol.MESSAGE_TYPE:
                        self.on_message(message)
                    elif kind == CLOSE_TYPE:
                        self.on_control(message)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.degrade(error)
                await asyncio.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, self.retry_max)

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(self.refresh)
            if self.state != LIVE or self.channel is None:
                continue
            try:
                await self._subscribe_all()
            except Exception as error:
                self.degrade(error)
