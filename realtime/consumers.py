"""The one WebSocket endpoint of live pages: `/ws/live/?wedding=<id>`.

Authorisation (DESIGN §4.10): the route sits behind
`AllowedHostsOriginValidator` (a foreign Origin is refused at the handshake)
and `AuthMiddlewareStack`. The principal comes from the session only — a
planner user who plans the wedding named by `?wedding=`, or the guest
household of the invitation-code session (`guests.session`), which may only
watch its own wedding. Anybody else is accepted and immediately closed with
4403, so the browser knows not to retry. The client never names a group:
the socket is attached to the process hub (`realtime.hub`) under the
wedding, user or household the server chose.

Wire protocol (JSON text frames):

client → server
  {"t": "hello", "v": <version the page was rendered at>,
   "regions": [{"name": "song_queue", "params": {"event": "3"}}, ...]}
      First frame after open (may be sent again to change the regions).
      Regions the viewer may not see, unknown names or bad parameters are
      refused (listed in the welcome), never rendered.
  {"t": "resync"}   every region again at the current version (the client
                    saw a version it cannot account for, or a tab woke up)
  {"t": "ping"}     keep-alive; answered with {"t": "pong"}

server → client
  {"t": "welcome", "v": <current version>, "state": "live"|"degraded",
   "regions": [<accepted dom ids>], "refused": [{"name", "reason"}]}
      If "v" is newer than the hello's, an update with the changed regions
      follows (nothing committed between page render and connect is missed).
  {"t": "update", "v": <version>, "since": <version the server last told
   this socket>, "resync": bool, "regions": [{"id": <dom id>, "html": ...}]}
      Replace each element by id. "since" different from the client's own
      version means a frame went missing: the client sends a resync.
  {"t": "state", "state": "live"|"degraded"}
      degraded: this server lost its channel layer; the page polls its
      regions' fragment URLs until "live" (followed by a resync).

Close codes: 4403 not allowed (no principal, or not for this wedding),
4401 the principal ended (logged out, invitation code regenerated), 4400
protocol abuse. The client reconnects after any other close.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.http import Http404

from realtime import hub as hub_module
from realtime import regions, transport
from realtime.regions import Audience, Viewer

logger = logging.getLogger(__name__)

MAX_FRAME = 32 * 1024  # bytes of one client frame
MAX_REGIONS = 50
CATCH_UP_LIMIT = 500  # versions behind after which every region is re-rendered
CLOSE_NOT_ALLOWED = 4403
CLOSE_PRINCIPAL_ENDED = 4401
CLOSE_BAD_REQUEST = 4400


def _principal(
    scope: dict, wedding_id: int | None, prefer_household: bool = False
) -> tuple[Viewer, int | None, int | None] | None:
    from realtime.principal import household_from_session, viewer_for

    user = scope.get("user")
    household = household_from_session(scope.get("session"))
    viewer = viewer_for(user=user, household=household, wedding_id=wedding_id, prefer_household=prefer_household)
    if viewer is None:
        return None
    if viewer.audience is Audience.PLANNER:
        return viewer, user.pk, None
    return viewer, None, viewer.household.pk


def _current_version(wedding_id: int) -> int:
    from wedding.core.models import Wedding

    return Wedding.objects.filter(pk=wedding_id).values_list("version", flat=True).first() or 0


def _changed_topics(wedding_id: int, since: int, until: int) -> set[str] | None:
    """Topics changed in (since, until], or None when the log cannot tell (too many, pruned)."""
    from realtime.models import Change

    if since <= 0 or until - since > CATCH_UP_LIMIT:
        return None
    rows = set(
        Change.objects.filter(wedding_id=wedding_id, version__gt=since, version__lte=until)
        .order_by()
        .values_list("version", "topic")
        .distinct()
    )
    if len({version for version, _topic in rows}) < until - since:
        return None
    return {topic for _version, topic in rows}


def _hello_state(wedding_id: int, since: int) -> tuple[int, set[str] | None]:
    current = _current_version(wedding_id)
    if since > current:  # a page from another database, or a forged number: start over
        return current, None
    topics = _changed_topics(wedding_id, since, current) if since < current else set()
    return current, topics


def watched_regions(viewer: Viewer, requested: Any) -> tuple[list[hub_module.Watched], list[dict]]:
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
            hub_module.Watched(region=region, params=tuple(sorted(params.items())), dom_id=regions.dom_id(name, params))
        )
    if len(requested) > MAX_REGIONS:
        refused.append({"name": "", "reason": f"at most {MAX_REGIONS} regions"})
    return accepted, refused


def _beneath_wrappers(send):
    """The server's own `send` under middleware wrappers that frames do not need.

    Channels' SessionMiddleware wrapper only acts on `http.response.start`; for
    every other message it still reads the lazy session's `modified` and
    `is_empty()`, which in a 1,000-socket fan-out costs more than the send
    itself. Frames never touch the session (this socket only reads it), so
    they go straight to the server — which also lets `realtime.transport`
    recognise daphne's send and write prepared frames. A wrapper that
    declares what it wraps (`__wrapped__`, as `functools.wraps` does) is
    looked through the same way.
    """
    from channels.sessions import InstanceSessionWrapper

    while True:
        if isinstance(getattr(send, "__self__", None), InstanceSessionWrapper):
            send = send.__self__.real_send
        elif callable(getattr(send, "__wrapped__", None)):
            send = send.__wrapped__
        else:
            return send


class LiveConsumer(AsyncWebsocketConsumer):
    # No per-socket layer channel: the hub holds one subscription per wedding
    # and calls `send` directly (an unknown alias makes get_channel_layer() None).
    channel_layer_alias = "confetti-hub-only"

    watcher: hub_module.Watcher | None = None
    attached = False
    closing = False  # closed by the server (logout, revoked code): ignore the client from now on
    bad_frames = 0

    async def dispatch(self, message: dict) -> None:
        # Channels' dispatch closes old DB connections through a thread hop for
        # every message; ours are rare client frames whose DB work already runs
        # inside database_sync_to_async (which does that housekeeping).
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        wedding_id = self._wedding_id()
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        prefer_household = query.get("as", [""])[0] == "household"
        principal = await database_sync_to_async(_principal)(self.scope, wedding_id, prefer_household)
        await self.accept()
        if principal is None:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        viewer, user_id, household_id = principal
        self.hub = hub_module.get_hub()
        self.watcher = hub_module.Watcher(
            viewer=viewer, send=self._send_text, close=self._close_with,
            user_id=user_id, household_id=household_id,
            session_key=getattr(self.scope.get("session"), "session_key", None),
            direct=transport.direct_socket(self._server_send()),
        )

    def _wedding_id(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        try:
            return int(query.get("wedding", [""])[0])
        except ValueError:
            return None

    async def disconnect(self, code: int) -> None:
        if self.watcher is not None and self.attached:
            self.hub.detach(self.watcher)  # idempotent

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.watcher is None or self.closing:
            return
        if text_data is None or len(text_data) > MAX_FRAME:
            await self._bad("frames must be JSON text under 32 KB")
            return
        try:
            data = json.loads(text_data)
            kind = data["t"]
        except (ValueError, TypeError, KeyError):
            await self._bad("malformed frame")
            return
        if kind == "hello":
            await self._hello(data)
        elif kind == "resync" and self.attached:
            self.hub.resync(self.watcher)
        elif kind == "ping":
            await self._send_text('{"t":"pong"}')
        else:
            await self._bad(f"unknown frame type {str(kind)[:20]!r}")

    async def _hello(self, data: dict) -> None:
        watcher = self.watcher
        try:
            claimed = max(int(data.get("v") or 0), 0)
        except (TypeError, ValueError):
            claimed = 0
        watched, refused = watched_regions(watcher.viewer, data.get("regions", []))
        self.hub.watch(watcher, watched)
        if not self.attached:
            watcher.version = claimed
            self.attached = True
            await self.hub.attach(watcher)  # subscribed before the version is read: no gap
        current, topics = await database_sync_to_async(_hello_state)(watcher.wedding_id, claimed)
        if self.closing:  # closed while we waited (logout): attach may have re-added it
            self.hub.detach(watcher)
            return
        if claimed > current:
            claimed, watcher.version = 0, 0
        self.hub.note_version(watcher.wedding_id, current)
        await self._send_text(json.dumps({
            "t": "welcome", "v": current, "state": self.hub.state,
            "regions": [w.dom_id for w in watched], "refused": refused,
        }))
        self.hub.catch_up(watcher, current=current, client_version=claimed, topics=topics)

    async def _bad(self, message: str) -> None:
        self.bad_frames += 1
        if self.bad_frames > 20:
            await self._close_with(CLOSE_BAD_REQUEST)
            return
        await self._send_text(json.dumps({"t": "error", "message": message}))

    def _server_send(self):
        send = self.__dict__.get("_frame_send")
        if send is None:
            send = self._frame_send = _beneath_wrappers(self.base_send)
        return send

    async def _send_text(self, text: str) -> None:
        await self._server_send()({"type": "websocket.send", "text": text})

    async def _close_with(self, code: int) -> None:
        if self.closing:
            return
        self.closing = True
        if self.watcher is not None and self.attached:
            self.hub.detach(self.watcher)
        await self.close(code=code)
