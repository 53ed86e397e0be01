"""The per-process delivery hub: committed changes in, rendered region HTML out to sockets.

One `Hub` per process runs on the server's event loop (DESIGN §4.5–4.13). It
is the only thing that talks to the channel layer on the receiving side, and
it orchestrates the parts that each make one kind of decision:

* `realtime.protocol` — frame shapes, message types, group names;
* `realtime.watchers` — a socket (`Watcher`) and the regions it shows;
* `realtime.ledger` — per wedding: duplicate, gap, overflow, audit;
* `realtime.debounce` — per region: send now or hold (burst, ceiling);
* `realtime.transport` — how a frame reaches a socket;
* `realtime.layer` — the channel-layer subscription, degraded mode, recovery;
* `realtime.stats` — counters for `manage.py realtime_status`.

What the hub itself does:

* **One subscription per wedding, not per socket** (`realtime.layer`). Each
  message is fanned out in process to the wedding's sockets: no per-socket
  layer traffic.
* **Local first.** `deliver_local()` (called by `publish.publish()` in the
  committing thread) hands the change to the hub at once; layer messages
  whose `origin` is this process are its own echo and are skipped. The
  layer send itself runs on the hub's loop too (`on_hub_loop`), so the
  committing request does not wait for it.
* **Decide once per subscription.** Sockets of a wedding showing the same
  regions to the same audience (`realtime.watchers.Subscription`) get one
  answer to "which regions changed" per message, one flush plan and one
  frame decision per version; per socket the hub keeps only what must be
  per socket (version, dirty set, held changes' deadline, what it was last sent).
* **Render once per audience.** A render is keyed by (region, params,
  audience key, version) and shared through an asyncio future: a thousand
  sockets watching the gallery cost one render per version.
* **Frame once, write many.** A frame shared by many sockets is JSON-encoded
  once and, where `realtime.transport` can, framed once and written to each
  connection directly; other sockets get their ASGI `send`.
* **Never silently behind.** Changes for a socket coalesce into a set of
  dirty regions, so nothing queues up; a socket more than `MAX_BACKLOG`
  versions behind gets a resync (all its regions at the current version).
* **A missed version costs what it changed.** A version that has not come
  within `GAP_GRACE` (another process's message late, or lost), or that the
  audit finds missing, is read from the change log and delivered like any
  message (`changelog.logged_messages`); the wedding is resynced only when the
  log cannot tell.
* **Redis down is not an outage.** While the layer is down the hub is
  *degraded*: it tells its sockets (their pages poll) and keeps delivering
  this process's own writes in memory; when the layer is back it tells the
  sockets `live` and resyncs them by version.

Tests and the benchmark change the module constants before a `Hub` is
created (the debounce, backlog and layer settings are read then).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404

from realtime import changelog, limits, protocol, regions, transport
from realtime.debounce import Debounce
from realtime.layer import LayerLink
from realtime.ledger import Arrival, VersionLedger
from realtime.protocol import CLOSE_TYPE, CONTROL_GROUP, LIVE
from realtime.regions import Viewer
from realtime.stats import STATS_INTERVAL, new_counters, read_counters, write_counters
from realtime.watchers import ALL, CLEAN, NOTHING_SHOWN, Subscription, Watched, Watcher

__all__ = [
    "Hub", "Watched", "Watcher", "get_hub", "current_hub", "install", "deliver_local",
    "needs_layer_publish", "close_sockets", "write_counters", "read_counters", "on_hub_loop",
]

logger = logging.getLogger(__name__)

DEBOUNCE = 0.3  # seconds of quiet that end a burst
CEILING = 2.0  # no held change waits longer than this
LEADING_FRAMES = 2  # changes to a region per DEBOUNCE window sent at once before it counts as bursting
MAX_BACKLOG = 50  # versions coalesced for one socket before it is resynced instead
GAP_GRACE = 1.0  # seconds a missing version may take to arrive (another process's write)
AUDIT_INTERVAL = 5.0  # seconds between checks of Wedding.version (catches a lost last message)
SUBSCRIPTION_REFRESH = 600.0  # re-add group memberships this often (channels-redis expires them)
RETRY_MIN, RETRY_MAX = 0.5, 10.0  # layer reconnect backoff
YIELD_EVERY = 64  # sends between yields to the event loop in a large fan-out
ATTACH_WAIT = 1.0  # seconds a layer call of a connecting socket may take
SEEN_WINDOW = 2000  # versions above the contiguous one remembered for dedupe


@dataclass
class WeddingState:
    watchers: set[Watcher] = field(default_factory=set)
    subscriptions: dict[tuple, Subscription] = field(default_factory=dict)  # by Watcher.subscription_key()
    ledger: VersionLedger = field(default_factory=lambda: VersionLedger(window=SEEN_WINDOW))
    gap_timer: asyncio.TimerHandle | None = None
    filling: bool = False  # reading missed versions from the change log (`Hub._fill`)
    render_version: int = -1
    renders: dict[tuple, asyncio.Future] = field(default_factory=dict)


class Hub:
    """See the module docstring. Create through `get_hub()` (one per process and loop)."""

    def __init__(self, *, loop: asyncio.AbstractEventLoop, layer: Any = None, origin: str | None = None):
        self.loop = loop
        self.layer = layer
        self.origin = origin or protocol.PROCESS_ID
        self.uses_layer = layer is not None and needs_layer_publish(layer)
        self.weddings: dict[int, WeddingState] = {}
        self.by_user: dict[int, set[Watcher]] = collections.defaultdict(set)
        self.by_household: dict[int, set[Watcher]] = collections.defaultdict(set)
        self.by_session: dict[str, set[Watcher]] = collections.defaultdict(set)
        self.stats = new_counters()
        self.socket_caps = limits.SocketCounts(
            per_principal=limits.sockets_per_principal(), per_address=limits.sockets_per_address()
        )
        self.started_at = time.time()
        self.link: LayerLink | None = None
        if self.uses_layer:
            self.link = LayerLink(
                layer=layer, loop=loop, watched=self.weddings, stats=self.stats,
                on_message=lambda message: self.on_message(message, from_layer=True),
                on_control=self._on_control, on_degraded=self._broadcast_state, on_recovered=self._recovered,
                retry=(RETRY_MIN, RETRY_MAX), wait=ATTACH_WAIT, refresh=SUBSCRIPTION_REFRESH,
            )
        self.debounce_settings = {"quiet": DEBOUNCE, "ceiling": CEILING, "leading": LEADING_FRAMES}
        self.max_backlog = MAX_BACKLOG
        # Topics changed in a committed (wedding, since, until) range: immutable, shared by the
        # sockets of a reconnect storm (the consumer's hello fills it; bounded there).
        self.catch_up_topics: dict[tuple[int, int, int], frozenset[str]] = {}
        self._tasks: list[asyncio.Task] = []
        self._fills: set[asyncio.Task] = set()  # gap fills in flight (`_fill`)
        self._due: dict[Watcher, None] = {}  # an ordered set: sockets flush in the order they were marked
        self._flush_scheduled = False
        self._closed = False

    @property
    def state(self) -> str:
        """LIVE, or DEGRADED while the channel layer is unreachable."""
        return self.link.state if self.link is not None else LIVE

    @property
    def channel(self) -> str | None:
        """This hub's channel on the layer (None until it has one, or without a layer)."""
        return self.link.channel if self.link is not None else None

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        if self.link is not None:
            self._tasks.extend(self.link.start())
        self._tasks.append(self.loop.create_task(self._audit_loop(), name="live-hub-audit"))
        if getattr(settings, "REALTIME_HUB_STATS", True):
            self._tasks.append(self.loop.create_task(self._stats_loop(), name="live-hub-stats"))

    async def shutdown(self) -> None:
        """Stop background work (tests, process exit). Sockets are left to their consumers."""
        self._closed = True
        if self.link is not None:
            self.link.closed = True
        tasks = [*self._tasks, *self._fills]
        for task in tasks:
            task.cancel()
        for task in tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        self._tasks.clear()
        for state in self.weddings.values():
            if state.gap_timer:
                state.gap_timer.cancel()
            for watcher in state.watchers:
                if watcher.timer:
                    watcher.timer.cancel()

    # --- sockets ---------------------------------------------------------------------

    async def attach(self, watcher: Watcher) -> None:
        """Start delivering the wedding's changes to this socket.

        Returns once the wedding's layer subscription is in place (or the layer
        is known to be down), so a version read *after* this returns cannot
        miss a change: whatever commits later reaches the socket. Pair every
        call with `detach()` (the consumer does, in a `finally`).
        """
        state = self.weddings.get(watcher.wedding_id)
        if state is None:
            state = self.weddings[watcher.wedding_id] = WeddingState()
        if watcher not in state.watchers:
            state.watchers.add(watcher)
            _join(state, watcher, self.debounce_settings)
        if watcher.user_id is not None:
            self.by_user[watcher.user_id].add(watcher)
        if watcher.household_id is not None:
            self.by_household[watcher.household_id].add(watcher)
        if watcher.session_key:
            self.by_session[watcher.session_key].add(watcher)
        if self.link is not None:
            await self.link.subscribe(watcher.wedding_id)

    def detach(self, watcher: Watcher) -> None:
        """Stop delivering to this socket and forget it. Idempotent; never raises for a known watcher."""
        if watcher.timer:
            watcher.timer.cancel()
            watcher.timer = None
        self._due.pop(watcher, None)
        state = self.weddings.get(watcher.wedding_id)
        if state is not None and watcher in state.watchers:
            state.watchers.discard(watcher)
            _leave(state, watcher)
            if not state.watchers:
                del self.weddings[watcher.wedding_id]
                if state.gap_timer:
                    state.gap_timer.cancel()
                if self.link is not None:
                    self.link.forget(watcher.wedding_id)
        for index, key in (
            (self.by_user, watcher.user_id),
            (self.by_household, watcher.household_id),
            (self.by_session, watcher.session_key),
        ):
            if key is not None and key in index:
                index[key].discard(watcher)
                if not index[key]:
                    del index[key]

    def watch(self, watcher: Watcher, watched: Iterable[Watched]) -> None:
        """Replace the regions this socket shows."""
        state = self.weddings.get(watcher.wedding_id)
        attached = state is not None and watcher in state.watchers
        if attached:
            _leave(state, watcher)
        watcher.watched = {w.dom_id: w for w in watched}
        watcher.share_keys = {w.dom_id: w.share_key(watcher.viewer) for w in watcher.watched.values()}
        watcher.shown = NOTHING_SHOWN  # a new hello: what the page shows now is not known
        if watcher.dirty is not ALL:
            watcher.dirty = frozenset(d for d in watcher.dirty if d in watcher.watched)
        if attached:
            _join(state, watcher, self.debounce_settings)

    def note_version(self, wedding_id: int, current: int) -> None:
        """A socket read the wedding's version after attaching: versions up to it exist."""
        state = self.weddings.get(wedding_id)
        if state is not None:
            state.ledger.note_current(current, first=len(state.watchers) <= 1)

    def known_version(self, wedding_id: int) -> int | None:
        """The wedding's version when this hub's own record can stand in for a database read, else None.

        Only while other sockets of the wedding are attached and every version
        up to the latest one seen is accounted for (no open gap): a commit
        whose message is still on its way is then delivered to a socket
        welcomed at this version like to any other, and a lost one is found
        by the audit. Saves each socket of a reconnect storm its version read.
        """
        state = self.weddings.get(wedding_id)
        if state is None or len(state.watchers) < 2:
            return None
        ledger = state.ledger
        if ledger.latest <= 0 or ledger.seen or ledger.contiguous != ledger.latest:
            return None
        return ledger.latest

    def catch_up(self, watcher: Watcher, *, current: int, client_version: int, topics: set[str] | None) -> None:
        """The socket's page shows `client_version`; bring it to `current` (DESIGN §4.7).

        `topics` are those changed in between (None: unknown, every region).
        """
        if client_version < current:
            dirty = ALL if topics is ALL else frozenset(
                d for d, w in watcher.watched.items() if w.region.depends_on(topics)
            )
            if dirty is ALL or dirty:  # else nothing the page shows changed meanwhile
                self._mark(watcher, dirty, resync=True)
                self._flush_now(watcher)
        # The welcome told the client `current`: frames from here on follow it.
        watcher.synced_at = max(watcher.synced_at, current)
        watcher.version = max(watcher.version, current)

    def resync(self, watcher: Watcher) -> None:
        """The client asked: every region again, at the current version."""
        self._mark(watcher, ALL, resync=True)
        self._flush_now(watcher)

    # --- messages --------------------------------------------------------------------

    def on_message(self, message: dict, *, from_layer: bool = False) -> None:
        """A committed change (runs on the hub's loop)."""
        if from_layer and message.get("origin") == self.origin:
            return  # our own write, already delivered in memory
        try:
            wedding_id = int(message["wedding"])
            version = int(message["version"])
        except (KeyError, TypeError, ValueError):
            logger.warning("realtime: malformed message %r", message)
            return
        self.stats["messages_in"] += 1
        state = self.weddings.get(wedding_id)
        if state is None:
            return  # nobody here watches this wedding
        arrival = state.ledger.arrive(version)
        if arrival is Arrival.DUPLICATE:
            self.stats["duplicates"] += 1
            return
        if arrival is Arrival.OVERFLOW:  # a long outage: give up on the oldest gaps
            self._resync_wedding(wedding_id, state)
        elif arrival is Arrival.GAP and state.gap_timer is None and not state.filling:
            self._arm_gap_check(wedding_id, state)

        topics = set(message.get("topics") or ())
        memo: dict[tuple, bool] = {}  # one decision per (region, params[, household]) per message
        now = self.loop.time()
        for subscription in state.subscriptions.values():
            dirty = subscription.changed_regions(topics, message, memo)  # once for all its sockets
            if not dirty:
                continue
            # Once for all its sockets: the burst, and whether this change goes out now.
            subscription.debounce.arrived(dirty, now)
            calm = subscription.debounce.send_now(dirty, now)
            for watcher in subscription.members:  # (marking and scheduling never detach)
                if version <= watcher.synced_at:
                    continue  # its last resync already read this version's data
                self._mark(watcher, dirty)
                self._schedule(watcher, now, calm=calm)

    def _arm_gap_check(self, wedding_id: int, state: WeddingState) -> None:
        state.gap_timer = self.loop.call_later(GAP_GRACE, self._check_gap, wedding_id, state.ledger.open_gap())

    def _check_gap(self, wedding_id: int, expected: int) -> None:
        state = self.weddings.get(wedding_id)
        if state is None:
            return
        state.gap_timer = None
        if not state.ledger.missed(expected):
            if state.ledger.open_gap() is not None:  # a newer gap opened meanwhile
                self._arm_gap_check(wedding_id, state)
            return
        self.stats["gaps"] += 1
        self._start_fill(wedding_id, state, expected)

    def _start_fill(self, wedding_id: int, state: WeddingState, upto: int) -> None:
        state.filling = True
        task = self.loop.create_task(self._fill(wedding_id, upto))
        self._fills.add(task)
        task.add_done_callback(self._fills.discard)

    async def _fill(self, wedding_id: int, upto: int) -> None:
        """Versions up to `upto` are committed but some of their messages never came (late
        from another process, or lost): read them from the change log and deliver them as if
        they had, so a socket re-renders only what they changed. A message that comes after
        all is then a duplicate. Only when the log cannot tell is the wedding resynced.
        """
        state = self.weddings.get(wedding_id)
        if state is None:
            return
        try:
            messages = await _logged_messages(wedding_id, state.ledger.contiguous, upto)
        except Exception:
            logger.exception("realtime: reading the change log of wedding %s failed", wedding_id)
            messages = None
        state.filling = False
        if self.weddings.get(wedding_id) is not state:
            return  # its last socket left meanwhile
        for message in messages or ():
            if not state.ledger.has(message["version"]):
                self.stats["filled"] += 1
                self.on_message(message)
        if state.ledger.missed(upto):
            logger.info("realtime: wedding %s missed versions up to %s, resyncing", wedding_id, upto)
            self._resync_wedding(wedding_id, state, upto=upto)
        elif state.ledger.open_gap() is not None and state.gap_timer is None:
            self._arm_gap_check(wedding_id, state)

    def _resync_wedding(self, wedding_id: int, state: WeddingState, upto: int | None = None) -> None:
        state.ledger.resynced(upto)
        if state.gap_timer:
            state.gap_timer.cancel()
            state.gap_timer = None
        for watcher in list(state.watchers):
            self._mark(watcher, ALL, resync=True)
            self._flush_now(watcher)

    def close_principal(
        self,
        *,
        user_id: int | None = None,
        household_id: int | None = None,
        session_key: str | None = None,
        wedding_id: int | None = None,
    ) -> int:
        """Close the sockets of a user, a household or one session (logout, revoked code).

        With `wedding_id`, only those watching that wedding (a planner removed from it).
        """
        victims: set[Watcher] = set()
        if user_id is not None:
            victims |= self.by_user.get(int(user_id), set())
        if household_id is not None:
            victims |= self.by_household.get(int(household_id), set())
        if session_key:
            victims |= self.by_session.get(session_key, set())
        if wedding_id is not None:
            victims = {w for w in victims if w.wedding_id == int(wedding_id)}
        for watcher in list(victims):
            self.detach(watcher)
            self.stats["closed_by_server"] += 1
            self.loop.create_task(watcher.close(protocol.CLOSE_PRINCIPAL_ENDED))
        return len(victims)

    def _on_control(self, message: dict) -> None:
        if message.get("origin") == self.origin:
            return
        self.close_principal(
            user_id=message.get("user"), household_id=message.get("household"), session_key=message.get("session"),
            wedding_id=message.get("wedding"),
        )

    # --- debounce and flushing -------------------------------------------------------

    def _mark(self, watcher: Watcher, dirty: frozenset[str] | None, *, resync: bool = False) -> None:
        if resync:
            watcher.resync_pending = True
        current = watcher.dirty
        if dirty is ALL or current is ALL:
            watcher.dirty = ALL
        elif not current:
            watcher.dirty = dirty  # the subscription's own set: its sockets' plans are shared
        elif not dirty <= current:
            watcher.dirty = current | dirty
        watcher.backlog += 1
        if watcher.backlog > self.max_backlog and watcher.dirty is not ALL:
            # Far behind (slow socket or slow renders): skip the series, resync by version.
            watcher.dirty = ALL
            watcher.resync_pending = True

    def _schedule(self, watcher: Watcher, now: float | None = None, *, calm: bool | None = None) -> None:
        """Send now, or hold the changes while every region they touch is in a burst (`realtime.debounce`).

        `now` and `calm`: the loop time a change for it arrived at, and whether that change
        touched a region not in a burst (None: re-planning the socket's held changes, judged
        by all its dirty regions; every region dirty, a resync, is not held).
        """
        if watcher.flushing:  # picked up when the current frame is out, as judged now
            if calm:
                watcher.due_now = True
            return
        subscription = watcher.subscription
        if subscription is None:  # never attached (or a test's bare watcher): no burst history
            self._flush_now(watcher)
            return
        if now is None:
            now = self.loop.time()
        policy = subscription.debounce
        if calm is None:
            calm = policy.send_now(watcher.dirty, now)
        if calm:
            self._flush_now(watcher)
            return
        if watcher.held_since is None:
            watcher.held_since = now
        if watcher.timer is not None:  # still bursting: wait for quiet, but not past the ceiling
            watcher.timer.cancel()
        watcher.timer = self.loop.call_at(policy.deadline(watcher.held_since, now), self._timer_fired, watcher)

    def _timer_fired(self, watcher: Watcher) -> None:
        watcher.timer = None
        self._flush_now(watcher)

    def _flush_now(self, watcher: Watcher) -> None:
        if watcher.timer is not None:
            watcher.timer.cancel()
            watcher.timer = None
        watcher.held_since = None  # the held changes go out: the next hold starts afresh
        if watcher.flushing:
            watcher.due_now = True
            return
        self._due[watcher] = None
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.loop.call_soon(self._start_flush)

    def _start_flush(self) -> None:
        self._flush_scheduled = False
        due = [w for w in self._due if w.has_work() and not w.flushing]
        self._due.clear()
        if due:
            for watcher in due:
                watcher.flushing = True
            self.loop.create_task(self._flush(due))

    def _plan(self, watcher: Watcher, shared: dict[tuple, tuple]) -> tuple[int, bool, tuple] | None:
        """Take this socket's dirty regions: (version, resync, ((dom id, render future), ...)).

        `shared` is one flush's plans by (subscription, dirty set, version): sockets of one
        subscription marked by the same changes share one tuple of render futures.
        """
        state = self.weddings.get(watcher.wedding_id)
        if state is None:
            return None
        version = max(state.ledger.latest, watcher.version)
        resync = watcher.resync_pending
        dirty = watcher.dirty
        watcher.dirty, watcher.backlog, watcher.resync_pending = CLEAN, 0, False
        key = (watcher.subscription or watcher, dirty, version)
        items = shared.get(key)
        if items is None:
            watched = watcher.watched
            dom_ids = list(watched) if dirty is ALL else [d for d in dirty if d in watched]
            items = shared[key] = tuple(
                (dom_id, self._render(state, (*watcher.share_keys[dom_id], version), watched[dom_id],
                                      watcher.viewer, version))
                for dom_id in dom_ids
            )
        return version, resync, items

    def _frame_for(
        self, items: tuple, version: int, since: int, resync: bool, shown: Mapping[str, tuple],
        interned: dict[tuple, Mapping[str, tuple]],
    ) -> _Frame | None:
        """The frame for a socket whose plan is `items` and that was last sent `shown`; None: nothing to send.

        `interned`: one flush's `shown` mappings by content, so sockets that got here by
        different paths (one resynced, one reconnected) share one again from this frame on.
        """
        parts, included, updated, unchanged = [], [], {}, False
        for dom_id, future in items:
            html = future.result() if not future.cancelled() and future.exception() is None else None
            if html is None:
                continue
            # The HTML this socket was last sent for the region, by hash: a change no region
            # shows (a photo stored but not yet made) costs a version-only frame, not the
            # whole gallery again. A resync sends everything. (str hashes are cached on the
            # shared render, so this is one hash per render, not per socket.)
            digest = (len(html), hash(html))
            if not resync and shown.get(dom_id) == digest:
                unchanged = True
                continue
            updated[dom_id] = digest
            parts.append((dom_id, html))
            included.append(id(future))
        if not parts and not resync and not unchanged:
            return None
        if updated:
            after = {**shown, **updated}
            shown = interned.setdefault(tuple(sorted(after.items())), after)
        text = protocol.update_frame(version=version, since=since, resync=resync, parts=parts)
        return _Frame(text=text, shown=shown, unchanged=unchanged, key=(tuple(included), version, since, resync))

    async def _flush(self, watchers: list[Watcher]) -> None:
        """Render what these sockets need (shared), then send one frame to each.

        Sockets in step — same plan, same version, same HTML last sent, which is what the
        sockets of one subscription are unless one of them reconnected or resynced — share
        one frame decision: per socket there is a dictionary look-up and the write.
        """
        try:
            shared: dict[tuple, tuple] = {}
            # The sockets by plan. Not a (socket, plan) tuple per socket: those would outlive the
            # young-generation collections of a long fan-out and, a thousand per flush, trigger
            # full collections of the whole process (half a second at 5,000 sockets).
            plans: dict[tuple, list[Watcher]] = {}
            for watcher in watchers:
                plan = self._plan(watcher, shared)
                if plan is not None:
                    members = plans.get(plan)
                    if members is None:
                        members = plans[plan] = []
                    members.append(watcher)
            if not plans:
                return
            futures = {id(f): f for items in shared.values() for _d, f in items}
            if futures:
                await asyncio.wait(list(futures.values()))
            # By (plan, version, since, resync, shown) — the value also keeps that `shown` alive, so ids stay unique.
            decisions: dict[tuple, tuple[_Frame | None, Mapping]] = {}
            interned: dict[tuple, Mapping[str, tuple]] = {}
            texts: dict[tuple, str] = {}  # the same frame for sockets whose decisions differ only in `shown`
            wire: dict[tuple, bytes] = {}  # the same frames, framed once for direct writes
            sent = yielded_at = 0
            for (version, resync, items), members in plans.items():
                for watcher in members:
                    if sent - yielded_at >= YIELD_EVERY:
                        # Let the loop put the frames already queued on the wire (and serve other
                        # sockets) during a large fan-out. Here, not between this socket's decision
                        # and its write: a hello meanwhile must find what it reset still reset.
                        yielded_at = sent
                        await asyncio.sleep(0)
                    since, shown = watcher.version, watcher.shown
                    decision_key = (id(items), version, since, resync, id(shown))
                    decision = decisions.get(decision_key)
                    if decision is None:
                        frame = self._frame_for(items, version, since, resync, shown, interned)
                        decision = decisions[decision_key] = (frame, shown)
                    frame = decision[0]
                    if frame is None:
                        continue
                    if frame.unchanged:
                        self.stats["unchanged_skipped"] += 1
                    text = texts.setdefault(frame.key, frame.text)
                    sent += 1
                    watcher.shown = frame.shown
                    watcher.version = version
                    if resync:
                        watcher.synced_at = max(watcher.synced_at, version)
                        self.stats["resyncs"] += 1
                    if watcher.direct is None:
                        await self._send(watcher, text)
                    else:
                        data = wire.get(frame.key)
                        if data is None:
                            data = wire[frame.key] = transport.frame(text)
                        if not self._write_direct(watcher, data):
                            await self._send(watcher, text)
        finally:
            for watcher in watchers:
                watcher.flushing = False
                due_now, watcher.due_now = watcher.due_now, False
                if not watcher.has_work() or watcher.wedding_id not in self.weddings:
                    continue
                if due_now:  # judged "send now" when it arrived: a frame in flight only delayed it
                    self._flush_now(watcher)
                else:  # changes that arrived in a burst: held as any would be
                    self._schedule(watcher)

    def _write_direct(self, watcher: Watcher, data: bytes) -> bool:
        """A prepared frame straight to the socket's connection; False: use the ASGI send instead."""
        try:
            written = watcher.direct.write(data)
        except transport.SlowReader:  # aborted for not reading (realtime.limits); its consumer detaches it
            self.stats["closed_slow"] += 1
            return True
        except Exception:  # nothing was sent: this socket uses the ASGI send from now on
            logger.warning("realtime: direct frame write failed", exc_info=True)
            watcher.direct = None
            return False
        if written:  # else the socket is closing; its consumer detaches it
            self.stats["frames_out"] += 1
            self.stats["direct_frames"] += 1
        return True

    async def _send(self, watcher: Watcher, text: str) -> None:
        try:
            await watcher.send(text)
        except Exception:  # the socket is going away; its consumer detaches it
            logger.debug("realtime: send failed", exc_info=True)
            return
        self.stats["frames_out"] += 1

    def _render(
        self, state: WeddingState, key: tuple, watched: Watched, viewer: Viewer, version: int
    ) -> asyncio.Future:
        """The shared render future for key = (region, params, audience key, version)."""
        if version > state.render_version:
            state.render_version = version
            state.renders = {}
        future = state.renders.get(key) if version == state.render_version else None
        if future is None:
            future = self.loop.create_task(self._do_render(watched, viewer))
            if version == state.render_version:
                state.renders[key] = future
        return future

    async def _do_render(self, watched: Watched, viewer: Viewer) -> str | None:
        self.stats["renders"] += 1
        try:
            return await _render_in_thread(watched.region.name, viewer, dict(watched.params))
        except (Http404, PermissionDenied):
            return None  # the region's object is gone (or no longer visible): leave it be
        except Exception:
            self.stats["render_errors"] += 1
            logger.exception("realtime: render of %s failed", watched.region.name)
            return None

    # --- the channel layer (realtime.layer) ----------------------------------------------

    def _broadcast_state(self) -> None:
        text = protocol.state_frame(self.state)
        for state in self.weddings.values():
            for watcher in state.watchers:
                self.loop.create_task(_quiet_send(watcher, text))

    async def _recovered(self) -> None:
        self._broadcast_state()
        await self._audit(force=True)

    async def _audit_loop(self) -> None:
        while True:
            await asyncio.sleep(AUDIT_INTERVAL)
            try:
                await self._audit()
            except Exception:
                logger.exception("realtime: version audit failed")

    async def _audit(self, *, force: bool = False) -> None:
        """Compare with Wedding.version: a version still unseen one audit later was lost."""
        if not self.weddings:
            return
        versions = await _wedding_versions(list(self.weddings))
        for wedding_id, db_version in versions.items():
            state = self.weddings.get(wedding_id)
            if state is not None and not state.filling and state.ledger.audit(db_version, force=force):
                self.stats["gaps"] += 1
                self._start_fill(wedding_id, state, db_version)

    # --- counters --------------------------------------------------------------------

    def counters(self) -> dict:
        return {
            "process": self.origin,
            "pid": os.getpid(),
            "state": self.state,
            "layer": type(self.layer).__name__ if self.layer is not None else None,
            "send_path": transport.send_path(),
            "sockets": sum(len(s.watchers) for s in self.weddings.values()),
            "weddings": len(self.weddings),
            "updated_at": time.time(),
            "started_at": self.started_at,
            "last_error": self.link.last_error if self.link is not None else "",
            **self.stats,
        }

    async def _stats_loop(self) -> None:
        while True:
            try:
                await asyncio.get_running_loop().run_in_executor(None, write_counters, self.counters())
            except Exception:
                logger.debug("realtime: could not write counters", exc_info=True)
            await asyncio.sleep(STATS_INTERVAL)


# --- helpers ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Frame:
    """One flush's frame for the sockets in step: its text, what they show after it, its identity."""

    text: str
    shown: Mapping[str, tuple]  # the sockets' `shown` after this frame (a new mapping only if it changed)
    unchanged: bool  # a region was left out because its HTML had not changed
    key: tuple  # (ids of the renders included, version, since, resync): one text, framed once


def _join(state: WeddingState, watcher: Watcher, debounce_settings: dict) -> None:
    """Put an attached socket in the subscription of what it shows (a new one if it is the first)."""
    key = watcher.subscription_key()
    subscription = state.subscriptions.get(key)
    if subscription is None:
        subscription = state.subscriptions[key] = Subscription.of(watcher, Debounce(**debounce_settings))
    subscription.members[watcher] = None
    watcher.subscription = subscription
    # The subscription's own dicts (equal by construction): one copy, not one per socket.
    watcher.watched, watcher.share_keys = subscription.watched, subscription.share_keys


def _leave(state: WeddingState, watcher: Watcher) -> None:
    subscription = watcher.subscription
    watcher.subscription = None
    if subscription is None:
        return
    subscription.members.pop(watcher, None)
    if not subscription.members and state.subscriptions.get(subscription.key) is subscription:
        del state.subscriptions[subscription.key]


async def _quiet_send(watcher: Watcher, text: str) -> None:
    try:
        await watcher.send(text)
    except Exception:
        logger.debug("realtime: send failed", exc_info=True)


def _render_sync(name: str, viewer: Viewer, params: dict) -> str:
    return str(regions.render_region(name, viewer, params))


def _wedding_versions_sync(wedding_ids: list[int]) -> dict[int, int]:
    from wedding.core.models import Wedding

    return dict(Wedding.objects.filter(pk__in=wedding_ids).values_list("pk", "version"))


# One thread hop per *shared* render (not per socket), off the sync thread so
# renders run in parallel with request handling; database_sync_to_async closes
# the connection around it as CONN_MAX_AGE says.
_render_in_thread = database_sync_to_async(_render_sync, thread_sensitive=False)
_wedding_versions = database_sync_to_async(_wedding_versions_sync, thread_sensitive=False)
_logged_messages = database_sync_to_async(changelog.logged_messages, thread_sensitive=False)


# --- the process's hub ------------------------------------------------------------------

_hub: Hub | None = None
_hub_lock = threading.Lock()


def get_hub() -> Hub:
    """This process's hub, created on first use on the running loop (the server's)."""
    global _hub
    loop = asyncio.get_running_loop()
    hub = _hub
    if hub is None or hub.loop is not loop or hub.loop.is_closed():
        with _hub_lock:
            hub = Hub(loop=loop, layer=get_channel_layer())
            hub.start()
            _hub = hub
    return hub


def current_hub() -> Hub | None:
    return _hub


def install(hub: Hub | None) -> None:
    """Replace the process's hub (tests inject layers and origins this way)."""
    global _hub
    with _hub_lock:
        _hub = hub


def on_hub_loop(callback: Callable[[], None], *, running: bool = False) -> bool:
    """Run `callback` soon on the loop of this process's hub (a server's). Thread-safe, never blocks.

    False when there is none to run it on: no socket was ever opened in this process (a
    worker, a management command), or its loop is closed (with `running`: or not running
    now, so the callback would wait for it to run again).
    """
    hub = _hub
    if hub is None or hub.loop.is_closed() or (running and not hub.loop.is_running()):
        return False
    try:
        current = asyncio.get_running_loop()
    except RuntimeError:
        current = None
    if current is hub.loop:
        current.call_soon(callback)
        return True
    try:
        hub.loop.call_soon_threadsafe(callback)
    except RuntimeError:  # loop closed meanwhile
        return False
    return True


def _call_on_hub(method: str, *args, **kwargs) -> None:
    hub = _hub
    if hub is None:
        return  # no socket was ever opened in this process
    callback = getattr(hub, method)
    on_hub_loop(lambda: callback(*args, **kwargs))


def deliver_local(message: dict) -> None:
    """Hand a committed change to this process's sockets. Thread-safe, never blocks."""
    _call_on_hub("on_message", dict(message))


def needs_layer_publish(layer) -> bool:
    """Whether a publish must also go through the channel layer.

    The in-memory layer only reaches this process, which `deliver_local`
    already covered.
    """
    return layer is not None and not isinstance(layer, InMemoryChannelLayer)


def close_sockets(
    *,
    user_id: int | None = None,
    household_id: int | None = None,
    session_key: str | None = None,
    wedding_id: int | None = None,
) -> None:
    """Close the sockets of a principal in every process (code 4401). Thread-safe; never raises.

    Call after commit: a session logged out, a household's code regenerated or deleted,
    a planner removed (`wedding_id`: only that wedding's sockets), deactivated or re-passworded.
    """
    _call_on_hub(
        "close_principal", user_id=user_id, household_id=household_id, session_key=session_key, wedding_id=wedding_id
    )
    layer = get_channel_layer()
    if not needs_layer_publish(layer):
        return
    message = {
        "type": CLOSE_TYPE, "origin": protocol.PROCESS_ID,
        "user": user_id, "household": household_id, "session": session_key, "wedding": wedding_id,
    }

    async def send() -> None:
        await asyncio.wait_for(layer.group_send(CONTROL_GROUP, message), timeout=settings.REALTIME_PUBLISH_TIMEOUT)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        from asgiref.sync import async_to_sync

        try:
            async_to_sync(send)()
        except Exception as error:
            logger.warning("realtime: could not broadcast socket close: %r", error)
    else:
        task = asyncio.get_running_loop().create_task(send())
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
