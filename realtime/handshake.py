"""Who is connecting: a live socket's session, user and principal, resolved before its consumer runs.

`LiveAuthMiddleware` takes the place of channels' `AuthMiddlewareStack` on
`/ws/live/` (wedding/asgi.py, inside the Origin check and admission). It puts
in the scope what that stack did — `cookies`, `session` (loaded), `user` — and
the socket's principal (`PRINCIPAL_KEY`: viewer, planner user id, household
id, or None when the session may not watch the wedding named by `?wedding=`),
all found in **one** thread hop with a fixed number of queries.

Why not channels' stack (issue 14, bench/README.md "Reconnect storm"): it read
the session on channels' single sync thread, then the consumer hopped again
for the household, so every handshake cost two thread hops and two queries,
and a restart's herd queued behind them. Here the handshakes that arrive
together share one hop (`realtime.batching.Batcher`): one session query for
all their cookies, one household query for all their guests (the guest app
declares `from_sessions`, `realtime.principal.declare_household`), no user
query for a guest's session; a planner's session costs its user and wedding
reads as before (planners are few).

The security properties are unchanged: the user comes from
`django.contrib.auth.get_user` (the same backend, active-user and session-hash
checks, key fallbacks, as an HTTP request); the household from the session's
id *and* code; a planner only for a wedding they plan, a household only for
its own wedding (`realtime.principal.viewer_for`). Expired, missing or tampered
sessions load as empty sessions, as Django's own backend loads them.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.sessions.backends import db as db_sessions
from django.contrib.sessions.backends.base import SessionBase
from django.http import parse_cookie
from django.utils import timezone

from realtime.batching import Batcher
from realtime.regions import Audience, Viewer

__all__ = ["LiveAuthMiddleware", "Handshake", "Resolved", "PRINCIPAL_KEY", "handshake_of", "load_sessions", "resolve"]

PRINCIPAL_KEY = "confetti.principal"  # (viewer, user id, household id) or None: may not watch

Principal = tuple[Viewer, int | None, int | None]


@dataclass(frozen=True)
class Handshake:
    """What a handshake claims: its session cookie, the wedding it asks for, and whether as its household."""

    session_key: str | None
    wedding_id: int | None
    prefer_household: bool = False


@dataclass
class Resolved:
    session: SessionBase
    user: Any
    principal: Principal | None


def handshake_of(scope: dict) -> tuple[dict[str, str], Handshake]:
    """The cookies and the claims of a WebSocket scope (no I/O)."""
    cookies: dict[str, str] = {}
    for name, value in scope.get("headers") or ():
        if name == b"cookie":
            cookies = parse_cookie(value.decode("latin-1"))
            break
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    try:
        wedding_id: int | None = int(query.get("wedding", [""])[0])
    except ValueError:
        wedding_id = None
    return cookies, Handshake(
        session_key=cookies.get(settings.SESSION_COOKIE_NAME),
        wedding_id=wedding_id,
        prefer_household=query.get("as", [""])[0] == "household",
    )


def load_sessions(keys: Sequence[str | None]) -> list[SessionBase]:
    """The sessions of these cookies, loaded, in order: one query with Django's database backend.

    With another SESSION_ENGINE (cache, cached_db, signed cookies…) each
    session loads through its own backend, still in the caller's one hop.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    stores = [store_class(key) for key in keys]  # an invalid key (too short) becomes no key
    if not _plain_database_backend(store_class):
        for store in stores:
            store.items()  # loads it
        return stores
    wanted = {store.session_key for store in stores if store.session_key}
    rows = dict(
        store_class.get_model_class().objects.filter(session_key__in=wanted, expire_date__gt=timezone.now())
        .values_list("session_key", "session_data")
    ) if wanted else {}
    for store in stores:
        data = rows.get(store.session_key) if store.session_key else None
        # What db.SessionStore.load() leaves behind: a missing or expired row is an empty session
        # without a key; stored data is decoded (tampered data decodes to {}).
        if data is None:
            store._session_key = None
            store._session_cache = {}
        else:
            store._session_cache = store.decode(data)
    return stores


def _plain_database_backend(store_class: type) -> bool:
    base = db_sessions.SessionStore
    return (
        issubclass(store_class, base)
        and store_class.load is base.load
        and store_class._get_session_from_db is base._get_session_from_db
    )


def resolve(handshakes: Sequence[Handshake]) -> list[Resolved]:
    """Session, user and principal of each handshake (sync: one thread, fixed queries for guests)."""
    from django.contrib.auth import SESSION_KEY, get_user
    from django.contrib.auth.models import AnonymousUser

    from realtime.principal import households_from_sessions, viewer_for

    sessions = load_sessions([h.session_key for h in handshakes])
    households = households_from_sessions(sessions)
    resolved = []
    for handshake, session, household in zip(handshakes, sessions, households, strict=True):
        # Only a session a planner signed in on names a user: a guest's costs no user read.
        user = get_user(types.SimpleNamespace(session=session)) if SESSION_KEY in session else AnonymousUser()
        viewer = viewer_for(
            user=user, household=household, wedding_id=handshake.wedding_id,
            prefer_household=handshake.prefer_household,
        )
        principal = None
        if viewer is not None:
            principal = (viewer, user.pk, None) if viewer.audience is Audience.PLANNER else (
                viewer, None, viewer.household.pk
            )
        resolved.append(Resolved(session=session, user=user, principal=principal))
    return resolved


# The handshakes of one moment share one hop on the thread pool (not channels' one sync thread).
_resolve_batch: Batcher[Handshake, Resolved] = Batcher(database_sync_to_async(resolve, thread_sensitive=False))


class LiveAuthMiddleware:
    """ASGI middleware for the live socket route: session, user and principal in the scope.

    The inner app finds `scope["session"]`, `scope["user"]` and
    `scope[PRINCIPAL_KEY]` set (see the module docstring).
    """

    def __init__(self, inner: Callable) -> None:
        self.inner = inner

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "websocket":
            await self.inner(scope, receive, send)
            return
        cookies, handshake = handshake_of(scope)
        resolved = await _resolve_batch(handshake)
        await self.inner(
            {**scope, "cookies": cookies, "session": resolved.session, "user": resolved.user,
             PRINCIPAL_KEY: resolved.principal},
            receive, send,
        )


def batch_calls() -> int:
    """Hops taken so far to resolve handshakes (tests, counters)."""
    return _resolve_batch.calls
