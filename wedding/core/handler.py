"""Django's ASGI handler, with a sync view's whole request path in one thread stretch.

Every middleware of the project is sync-only (settings.MIDDLEWARE says why), so under daphne
the chain is entered once, in the request's own thread. Django's ASGI handler still ends that
chain in its async core: from the request's thread back to the event loop (`async_to_sync`),
then a hop to the thread and back for each view hook (CSRF, atomic writes) and one for the
view. On a saturated box every hop also waits its turn on the loop (bench/README.md "One
thread stretch for a whole request").

Here a request whose view is sync runs Django's *sync* handler (what WSGI runs: the same
middleware, view hooks, exception handling and logging) in one stretch of the request's
thread. An async view (the photo upload, which reads its body off the thread pool) and a path
that resolves to nothing special keep Django's async path unchanged. The request's signals,
the body's reading and the response's sending stay Django's.
"""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.urls import Resolver404, get_resolver


class OneStretchASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self._sync_handler = BaseHandler()
        self._sync_handler.load_middleware(is_async=False)
        self._sync_get_response = sync_to_async(self._sync_handler.get_response, thread_sensitive=True)

    def _view_is_async(self, request) -> bool:
        # The project's URLconf (no middleware sets request.urlconf); resolving is cached.
        try:
            match = get_resolver().resolve(request.path_info)
        except Resolver404:
            return False
        return iscoroutinefunction(match.func)

    async def get_response_async(self, request):
        if self._view_is_async(request):
            return await super().get_response_async(request)
        return await self._sync_get_response(request)


def get_asgi_application() -> OneStretchASGIHandler:
    """As `django.core.asgi.get_asgi_application`, with the handler above."""
    import django

    django.setup(set_prefix=False)
    return OneStretchASGIHandler()
