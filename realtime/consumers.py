"""The one WebSocket endpoint of live pages: `/ws/live/?wedding=<id>`.

Authorisation (DESIGN §4.10): the route sits behind
`realtime.origin.SiteOriginValidator` (an Origin that is not one of the
site's own scheme, host and port is refused at the handshake) and
`realtime.handshake.LiveAuthMiddleware`, which resolves the session and the
principal before the consumer runs. The principal comes from the session only — a
planner user who plans the wedding named by `?wedding=`, or the guest
household of the invitation-code session (`guests.session`), which may only
watch its own wedding. Anybody else is accepted and immediately closed with
4403, so the browser knows not to retry. The client never names a group:
the socket is attached to the process hub (`realtime.hub`) under the
wedding, user or household the server chose.

The wire protocol (frames, close codes) is `realtime.protocol`. Whatever a
socket sends and however it ends — a clean close, a crash in a handler, the
server cancelling it — its watcher is detached from the hub (a `finally`
around the consumer's whole lifetime), so a socket can never stay counted,
subscribed and re-rendered after it is gone. Client frames are parsed
defensively (`protocol.parse_client_frame`: size before parsing, bounded
nesting, finite numbers); a bad one gets an error frame and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.http import Http404

from realtime import admission as admission_module
from realtime import hub as hub_module
from realtime import limits, protocol, regions, transport
from realtime.batching import Batcher
from realtime.changelog import CATCH_UP_LIMIT, changed_topics
from realtime.handshake import PRINCIPAL_KEY
from realtime.protocol import CLOSE_BAD_REQUEST, CLOSE_NOT_ALLOWED, MAX_FRAME, ProtocolError
from realtime.regions import Viewer
from realtime.watchers import Watched, Watcher

__all__ = ["LiveConsumer", "watched_regions", "MAX_FRAME"]

logger = logging.getLogger(__name__)

MAX_REGIONS = 50
MAX_BAD_FRAMES = 20  # error frames a socket gets before it is closed 4400
TOPICS_CACHE = 1024  # (wedding, since, until) ranges whose changed topics are remembered


def _current_version(wedding_id: int) -> int:
    from wedding.core.models import Wedding

    return Wedding.objects.filter(pk=wedding_id).values_list("version", flat=True).first() or 0


def _hello_state(wedding_id: int, since: int) -> tuple[int, set[str] | None]:
    current = _current_version(wedding_id)
    if since > current:  # a page from another database, or a forged number: start over
        return current, None
    topics = changed_topics(wedding_id, since, current) if since < current else set()
    return current, topics


def _hello_states(keys: Sequence[tuple[int, int]]) -> list[tuple[int, set[str] | None]]:
    """`_hello_state` of each (wedding, claimed version): each distinct one read once."""
    states: dict[tuple[int, int], tuple[int, set[str] | None]] = {}
    for key in keys:
        if key not in states:
            states[key] = _hello_state(*key)
    return [(current, None if topics is None else set(topics)) for current, topics in map(states.get, keys)]


# The hellos of one moment share one read on the thread pool (realtime.batching): a batch
# starts after every socket in it is attached, so no commit falls between (see `_hello`).
_hello_batch: Batcher[tuple[int, int], tuple[int, set[str] | None]] = Batcher(
    database_sync_to_async(_hello_states, thread_sensitive=False)
)


def watched_regions(viewer: Viewer, requested: Any) -> tuple[list[Watched], list[dict]]:
    """The regions of a hello this viewer may watch, and what was refused (and why)."""
    accepted, refused = [], []
    if not isinstance(requested, list):
        return [], [{"name": "", "reason": "regions must be a list"}]
    for item in requested[:MAX_REGIONS]:
        name = item.get("name") if isinstance(item, dict) else None
        raw = item.get("params") or {} if isinstance(item, dict) else {}
        if not isinstance(name, str) or not isinstance(raw, dict):
            refused.append({"name": str(name)[:60], "reason": "malformed"})
            continue
        try:
            region = regions.get(name)
            params = regions.clean_params(region, raw)
        except Http404 as error:
            refused.append({"name": name[:60], "reason": str(error)[:120]})
            continue
        if not viewer.can_see(region.audience):
            refused.append({"name": name, "reason": "not for this audience"})
            continue
        accepted.append(
            Watched(region=region, params=tuple(sorted(params.items())), dom_id=regions.dom_id(name, params))
        )
    if len(requested) > MAX_REGIONS:
        refused.append({"name": "", "reason": f"at most {MAX_REGIONS} regions"})
    return accepted, refused


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("realtime: deferred frame failed", exc_info=task.exception())


class LiveConsumer(transport.LeanDispatch, AsyncWebsocketConsumer):
    # No per-socket layer channel: the hub holds one subscription per wedding
    # and calls `send` directly (an unknown alias makes get_channel_layer() None).
    channel_layer_alias = "confetti-hub-only"

    watcher: Watcher | None = None
    attached = False
    closing = False  # closed by the server (logout, revoked code): ignore the client from now on
    bad_frames = 0
    admitted: tuple | None = None  # (principal, address) counted against the socket caps
    hellos = 0  # hellos run so far; every one after the first re-checks the principal
    ticket: admission_module.Ticket | None = None  # this handshake's admission slot, until the welcome

    async def __call__(self, scope, receive, send) -> None:
        # The one place a socket's end is handled: a clean close, an exception
        # in any handler (the server then closes 1011 and never sends
        # websocket.disconnect to us) or a cancelled application all pass here.
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release(finished=False)
            self._detach()

    def _detach(self) -> None:
        self.closing = True  # gone: frames still in flight and deferred resyncs do nothing
        for timer in self.__dict__.get("_deferred_timers", ()):
            timer.cancel()
        if self.watcher is not None:
            self.hub.detach(self.watcher)  # idempotent
        if self.admitted is not None:
            self.hub.socket_caps.release(*self.admitted)
            self.admitted = None

    def _release(self, *, finished: bool) -> None:
        if self.ticket is not None:
            self.ticket.release(finished)  # idempotent

    async def connect(self) -> None:
        # Admitted by AdmissionMiddleware (outside the session/auth middleware): the
        # slot is given back at the welcome, or by the middleware when the socket ends.
        self.ticket = self.scope.get(admission_module.SCOPE_KEY)
        if PRINCIPAL_KEY not in self.scope:
            raise ValueError("LiveConsumer runs inside realtime.handshake.LiveAuthMiddleware (wedding/asgi.py)")
        principal = self.scope[PRINCIPAL_KEY]  # resolved with the session, before the consumer ran
        await self.accept()
        transport.release_http_request(self._server_send())
        if principal is None:
            self._release(finished=True)
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        viewer, user_id, household_id = principal
        self.hub = hub_module.get_hub()
        if not await self._admit(user_id, household_id):
            return
        self.watcher = Watcher(
            viewer=viewer, send=self._send_text, close=self._close_with,
            user_id=user_id, household_id=household_id,
            session_key=getattr(self.scope.get("session"), "session_key", None),
            direct=transport.direct_socket(self._server_send()),
        )

    async def disconnect(self, code: int) -> None:
        self._detach()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.watcher is None or self.closing:
            return
        try:
            data = protocol.parse_client_frame(text_data)
        except ProtocolError as error:
            await self._bad(str(error))
            return
        kind = data["t"]
        if kind == "hello" or (kind == "resync" and self.attached):
            await self._throttled(kind, data)
        elif kind == "ping":
            await self._send_text(protocol.PONG)
        elif kind != "resync":
            await self._bad(f"unknown frame type {kind[:20]!r}")

    async def _hello(self, data: dict) -> None:
        watcher = self.watcher
        claimed = protocol.client_version(data.get("v"))
        watched, refused = watched_regions(watcher.viewer, data.get("regions", []))
        self.hub.watch(watcher, watched)
        if not self.attached:
            watcher.version = claimed
            self.attached = True
            await self.hub.attach(watcher)  # subscribed before the version is read: no gap
        current, topics = await self._hello_versions(watcher.wedding_id, claimed)
        if self.closing:  # closed while we waited (logout): attach may have re-added it
            self.hub.detach(watcher)
            return
        if claimed > current:
            claimed, watcher.version = 0, 0
        self.hub.note_version(watcher.wedding_id, current)
        self._release(finished=True)  # the handshake's own work is done; the catch-up render is shared (hub)
        await self._send_text(protocol.welcome_frame(
            version=current, state=self.hub.state, regions=[w.dom_id for w in watched], refused=refused,
        ))
        self.hub.catch_up(watcher, current=current, client_version=claimed, topics=topics)

    # --- limits (DESIGN §4.13, realtime.limits) ------------------------------------------

    async def _admit(self, user_id: int | None, household_id: int | None) -> bool:
        """Count this socket against its principal's and its address's caps; over one: close 1013."""
        principal = ("user", user_id) if user_id is not None else ("household", household_id)
        address = limits.client_address(self.scope)
        refused = self.hub.socket_caps.admit(principal, address)
        if refused is not None:
            self.hub.stats[f"refused_{refused}_cap"] += 1
            self.closing = True
            await self.close(code=limits.CLOSE_TRY_LATER)
            return False
        self.admitted = (principal, address)
        return True

    async def _throttled(self, kind: str, data: dict) -> None:
        """Run a hello or resync now, or once at the end of its throttle interval (latest frame wins).

        Both cost a database read and renders; a flood of them costs one run per
        interval. Every run but the first hello re-checks the principal, so a
        revoked planner whose close was lost gets nothing more (closed 4401).
        """
        throttles = self.__dict__.setdefault("_throttles", {})
        throttle = throttles.get(kind)
        if throttle is None:
            loop = asyncio.get_running_loop()
            interval = limits.hello_interval() if kind == "hello" else limits.resync_interval()
            throttle = throttles[kind] = limits.Throttle(interval=interval, clock=loop.time)
        pending = self.__dict__.setdefault("_pending_frames", {})
        pending[kind] = data
        wait = throttle.ask()
        if wait is limits.COALESCED:
            self.hub.stats["throttled_frames"] += 1
        elif wait == limits.NOW:
            await self._run_throttled(kind)
        else:
            self.hub.stats["throttled_frames"] += 1
            timers = self.__dict__.setdefault("_deferred_timers", [])
            timers.append(asyncio.get_running_loop().call_later(wait, self._deferred, kind, throttle))

    def _deferred(self, kind: str, throttle: limits.Throttle) -> None:
        throttle.ran()
        task = asyncio.get_running_loop().create_task(self._run_throttled(kind))
        task.add_done_callback(_log_failure)

    async def _run_throttled(self, kind: str) -> None:
        data = self.__dict__.get("_pending_frames", {}).pop(kind, None)
        if data is None or self.closing or self.watcher is None:
            return
        if (kind == "resync" or self.hellos) and not await self._still_allowed():
            self.hub.stats["closed_by_server"] += 1
            await self._close_with(protocol.CLOSE_PRINCIPAL_ENDED)
            return
        if kind == "hello":
            self.hellos += 1
            await self._hello(data)
        elif not self.closing:
            self.hub.resync(self.watcher)

    async def _still_allowed(self) -> bool:
        from realtime.principal import principal_still_allowed

        watcher = self.watcher
        return await database_sync_to_async(principal_still_allowed)(
            session=self.scope.get("session"), user_id=watcher.user_id,
            household_id=watcher.household_id, wedding_id=watcher.wedding_id,
        )
    async def _hello_versions(self, wedding_id: int, claimed: int) -> tuple[int, set[str] | None]:
        """(current version, topics changed since `claimed`), from the hub and a cache where they can tell.

        In a reconnect storm every socket of a wedding asks the same: the hub
        already knows the version (`Hub.known_version`) and the topics of a
        committed version range never change, so only the first socket per
        (wedding, since, until) hops to the database.
        """
        known = self.hub.known_version(wedding_id)
        if known is not None and claimed <= known:
            if claimed == known:
                return known, set()
            if claimed <= 0 or known - claimed > CATCH_UP_LIMIT:
                return known, None  # every region, whatever the log says (as changed_topics decides)
            topics = self.hub.catch_up_topics.get((wedding_id, claimed, known))
            if topics is not None:
                return known, set(topics)
        current, topics = await _hello_batch((wedding_id, claimed))
        if topics is not None and claimed < current:
            seen = self.hub.catch_up_topics
            if len(seen) >= TOPICS_CACHE:
                seen.pop(next(iter(seen)))  # oldest first (insertion order)
            seen[(wedding_id, claimed, current)] = frozenset(topics)
        return current, topics

    async def _bad(self, message: str) -> None:
        self.bad_frames += 1
        if self.bad_frames > MAX_BAD_FRAMES:
            await self._close_with(CLOSE_BAD_REQUEST)
            return
        await self._send_text(protocol.error_frame(message))

    def _server_send(self):
        send = self.__dict__.get("_frame_send")
        if send is None:
            send = self._frame_send = transport.server_send(self.base_send)
        return send

    async def _send_text(self, text: str) -> None:
        if self._unread_too_much():
            return
        await self._server_send()({"type": "websocket.send", "text": text})

    def _unread_too_much(self) -> bool:
        """The ASGI path's send-buffer bound (realtime.transport.SendBuffer): True when the socket was dropped."""
        if "_send_buffer" not in self.__dict__:
            self._send_buffer = transport.send_buffer(self._server_send())
        if self._send_buffer is None or not self._send_buffer.over_limit():
            return False
        self.closing = True  # the connection is aborted; its disconnect detaches the watcher
        hub = self.__dict__.get("hub")
        if hub is not None:
            hub.stats["closed_slow"] += 1
        return True

    async def _close_with(self, code: int) -> None:
        if self.closing:
            return
        self.closing = True
        self._detach()
        await self.close(code=code)
