"""Under daphne a request enters its middleware chain once: the chain runs in sync mode in the
request's own thread (wedding/settings.py, MIDDLEWARE), and requests still run side by side.

Django's ASGI handler gives each request a thread of its own for sync code (asgiref's
ThreadSensitiveContext); a chain of async-capable middleware hopped to that thread and back
for each middleware's request and response hook (bench/README.md "One thread stretch a request").
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref import sync
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpResponse
from django.urls import path

from wedding.core.handler import OneStretchASGIHandler

pytestmark = pytest.mark.urls(__name__)

barrier = threading.Barrier(2, timeout=5)
seen: dict[str, set[int]] = {"views": set()}


def meet(request):
    """Returns only once another request is inside this view too (or fails after 5 s)."""
    seen["views"].add(threading.get_ident())
    barrier.wait()
    return HttpResponse("met")


def plain(request):
    return HttpResponse("plain")


async def async_plain(request):
    seen["async"] = threading.get_ident()
    return HttpResponse("async plain")


def broken(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("meet/", meet), path("plain/", plain), path("async/", async_plain), path("broken/", broken)]


async def asgi_get(handler: ASGIHandler, url: str) -> tuple[int, bytes]:
    messages: list[dict] = []
    body_sent = False

    async def receive():
        nonlocal body_sent
        if body_sent:  # the client stays connected until the response is sent
            await asyncio.Event().wait()
        body_sent = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": url, "raw_path": url.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 40000), "server": ("testserver", 80),
    }
    await handler(scope, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    return start["status"], b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")


def counted_hops(monkeypatch) -> list[str]:
    hops = []
    call = sync.SyncToAsync.__call__

    async def counting(self, *args, **kwargs):
        hops.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await call(self, *args, **kwargs)

    monkeypatch.setattr(sync.SyncToAsync, "__call__", counting)
    return hops


def test_a_page_enters_its_thread_a_handful_of_times(monkeypatch):
    """About twenty hops a request with async-capable middleware; now the chain is entered once,
    and the hops left are Django's own: the view, each view hook, the request's signals."""
    hops = counted_hops(monkeypatch)
    handler = ASGIHandler()
    assert asyncio.run(asgi_get(handler, "/plain/")) == (200, b"plain")
    assert len(hops) <= 8, hops


def test_a_sync_views_whole_request_is_one_stretch_of_its_thread(monkeypatch):
    """wedding.core.handler: the chain, the view hooks and the view in one hop; the only others
    are the request's signals (started, and finished as the response closes)."""
    hops = counted_hops(monkeypatch)
    assert asyncio.run(asgi_get(OneStretchASGIHandler(), "/plain/")) == (200, b"plain")
    assert hops.count("BaseHandler.get_response") == 1
    assert len(hops) == 3, hops
    hops.clear()
    assert asyncio.run(asgi_get(ASGIHandler(), "/plain/")) == (200, b"plain")
    assert len(hops) > 3, hops  # Django's own handler: the view and its hooks hop one by one


def test_an_async_view_and_a_failing_view_are_answered_as_django_answers_them(monkeypatch):
    """The async view keeps Django's async path (it runs on the event loop); a view's exception
    is still Django's 500 page; an unknown path still Django's 404."""
    handler = OneStretchASGIHandler()
    hops = counted_hops(monkeypatch)

    async def requests():
        loop_thread = threading.get_ident()
        answered = await asgi_get(handler, "/async/")
        return answered, seen.pop("async") == loop_thread

    assert asyncio.run(requests()) == ((200, b"async plain"), True)
    assert "BaseHandler.get_response" not in hops
    status, _body = asyncio.run(asgi_get(handler, "/broken/"))
    assert status == 500
    assert asyncio.run(asgi_get(handler, "/nowhere/"))[0] == 404


@pytest.mark.parametrize("handler_class", [ASGIHandler, OneStretchASGIHandler])
def test_requests_run_side_by_side_each_in_its_own_thread(handler_class):
    """Two requests meet inside their views: neither waits for the other to finish."""
    handler = handler_class()
    seen["views"].clear()

    async def both():
        return await asyncio.gather(asgi_get(handler, "/meet/"), asgi_get(handler, "/meet/"))

    # asyncio.run, as daphne runs the app: under async_to_sync the test's own thread would take
    # every request's sync code (asgiref prefers a waiting parent thread to the request's own).
    assert asyncio.run(both()) == [(200, b"met"), (200, b"met")]
    assert len(seen["views"]) == 2
