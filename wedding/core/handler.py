"""Django's ASGI handler with one thread hop per sync view instead of one per middleware.

Under an ASGI server Django runs the middleware chain in async mode. Every
`MiddlewareMixin` middleware (Django's own: security, sessions, locale, CSRF,
auth, messages, …) then runs its `process_request` and `process_response` in a
`sync_to_async` hop of its own, each `process_view` and the view another: about
twenty round trips between the event loop and the request's thread for one page
(bench/README.md "Invitation rush": a bare `/` cost 6.2 ms of server CPU under
daphne against 2.5 ms in-process, and the event loop thread held the GIL for
over a quarter of a rush's samples).

This handler builds the same MIDDLEWARE twice: the async chain Django builds,
and a sync chain. A request whose URL resolves to a sync view goes through the
sync chain in **one** hop to the request's thread (asgiref's thread-sensitive
executor, the thread Django would have used for each of those hops: same
database connection, same thread-locals). Anything else — an async view (the
photo upload parses its body off that thread, `tests/wedding/test_photos_async.py`),
a static file (`AsyncWhiteNoiseMiddleware`'s in-memory table), a path that
resolves to nothing (the 404 comes from the chain) — goes through the async
chain as before. The middleware and the views are the same either way; only
the number of hops differs.

At most HTTP_MAX_CONCURRENT_VIEWS such requests run at once per process; the
others wait on the event loop, in arrival order. Python runs one thread at a
time, so more sync views in flight than that add no throughput: under a rush
they would hold more than the pool's connections (a thread waits
DATABASE_POOL_TIMEOUT, then the request fails) and take the interpreter from
the event loop and the live renders, whose frames then lag (bench/README.md
"Invitation rush"). Keep it below DATABASE_POOL_MAX_SIZE so the renders find a
connection; 0 lifts the bound.
"""

from __future__ import annotations

import asyncio
import contextlib

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase
from django.urls import Resolver404, get_resolver


class OneHopASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=is_async)
        self.sync_handler = BaseHandler()
        self.sync_handler.load_middleware(is_async=False)
        limit = settings.HTTP_MAX_CONCURRENT_VIEWS
        # Created here, bound to the server's loop on first use (asyncio.Semaphore).
        self.sync_views = asyncio.Semaphore(limit) if limit > 0 else contextlib.nullcontext()

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        if self.has_sync_view(request):
            async with self.sync_views:
                return await sync_to_async(self.sync_handler.get_response, thread_sensitive=True)(request)
        return await super().get_response_async(request)

    @staticmethod
    def has_sync_view(request: HttpRequest) -> bool:
        """Whether the project's URLconf sends this path to a sync view (no middleware sets
        `request.urlconf` here; Django resolves again inside the chain, as it always does)."""
        try:
            match = get_resolver(settings.ROOT_URLCONF).resolve(request.path_info)
        except Resolver404:
            return False
        return not iscoroutinefunction(match.func)


def get_asgi_application() -> OneHopASGIHandler:
    """`django.core.asgi.get_asgi_application` with this handler."""
    import django

    django.setup(set_prefix=False)
    return OneHopASGIHandler()
