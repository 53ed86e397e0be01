"""The product's ASGI handler (wedding/core/handler.py): a sync view's whole request in one thread hop,
the same middleware and the same answer as Django's own handler; async views and static files as before."""

from __future__ import annotations

import pytest
from asgiref.sync import SyncToAsync, ThreadSensitiveContext, async_to_sync
from channels.testing import HttpCommunicator
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponse

from wedding.core.handler import OneHopASGIHandler

# Headers whose value differs on every request (a nonce, a date, a fresh token).
VARYING = {b"content-security-policy", b"set-cookie", b"date", b"content-length"}


def steady_headers(response: dict) -> list:
    return sorted((k.lower(), v) for k, v in response["headers"] if k.lower() not in VARYING)


def cookies_set(response: dict) -> list:
    return sorted(v.split(b"=")[0] for k, v in response["headers"] if k.lower() == b"set-cookie")


def call(app, path: str, *, method: str = "GET", body: bytes = b"", headers=()) -> dict:
    communicator = HttpCommunicator(app, method, path, body=body, headers=[(b"host", b"127.0.0.1"), *headers])
    return async_to_sync(communicator.get_response)(timeout=10)


def thread_hops(monkeypatch) -> list[str]:
    """Every thread-sensitive sync_to_async call from now on, by the function's name."""
    hops: list[str] = []
    original = SyncToAsync.__call__

    async def counting(self, *args, **kwargs):
        if self._thread_sensitive:
            hops.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counting)
    return hops


@pytest.fixture
def product():
    from wedding.asgi import django_asgi_app

    assert isinstance(django_asgi_app, OneHopASGIHandler)
    return django_asgi_app


@pytest.mark.django_db(transaction=True)
def test_a_sync_page_runs_its_middleware_and_view_in_one_hop(product, monkeypatch):
    hops = thread_hops(monkeypatch)
    response = call(product, "/")
    assert response["status"] == 200
    chain = [hop for hop in hops if "get_response" in hop or "process_" in hop]
    assert chain == ["BaseHandler.get_response"]

    hops.clear()
    assert call(ASGIHandler(), "/")["status"] == 200
    assert len([hop for hop in hops if "process_" in hop]) >= 10  # what Django's handler does instead


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/", "/home/", "/no/such/page/", "/i/not-a-code/"])
def test_the_same_answer_as_djangos_handler(product, path):
    """Same status, same headers (security, CSP, frame options, cookies set), same body."""
    ours, django = call(product, path), call(ASGIHandler(), path)
    assert ours["status"] == django["status"]
    assert steady_headers(ours) == steady_headers(django)
    assert cookies_set(ours) == cookies_set(django)
    if ours["status"] == 200:
        assert len(ours["body"]) > 0 and abs(len(ours["body"]) - len(django["body"])) < 200  # nonces differ


@pytest.mark.django_db(transaction=True)
def test_a_post_without_its_csrf_token_is_refused_in_the_sync_chain(product):
    response = call(product, "/rsvp/", method="POST", body=b"x=1",
                    headers=[(b"content-type", b"application/x-www-form-urlencoded")])
    assert response["status"] == 403


def request_for(path: str) -> HttpRequest:
    request = HttpRequest()
    request.path_info = request.path = path
    return request


def test_which_requests_take_the_sync_chain():
    assert OneHopASGIHandler.has_sync_view(request_for("/"))
    assert OneHopASGIHandler.has_sync_view(request_for("/home/"))
    assert not OneHopASGIHandler.has_sync_view(request_for("/photos/"))  # async: parses uploads off the thread
    assert not OneHopASGIHandler.has_sync_view(request_for(settings.STATIC_URL + "css/site.css"))
    assert not OneHopASGIHandler.has_sync_view(request_for("/no/such/page/"))


@pytest.mark.django_db(transaction=True)
def test_static_files_and_async_views_through_the_async_chain(product, monkeypatch):
    hops = thread_hops(monkeypatch)
    assert call(product, settings.STATIC_URL + "no/such/file.css")["status"] == 404
    response = call(product, "/photos/")
    assert response["status"] in (200, 302)  # no guest session: the async view answers as it always did
    assert "BaseHandler.get_response" not in hops


def test_at_most_the_configured_sync_views_run_at_once_and_the_others_wait(settings, monkeypatch):
    """Past HTTP_MAX_CONCURRENT_VIEWS requests wait for a turn (none refused) instead of holding threads."""
    import asyncio
    import threading
    import time

    settings.HTTP_MAX_CONCURRENT_VIEWS = 2
    handler = OneHopASGIHandler()
    running, most, lock = [0], [0], threading.Lock()

    def get_response(request):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return HttpResponse("ok")

    monkeypatch.setattr(handler.sync_handler, "get_response", get_response)

    async def one():
        async with ThreadSensitiveContext():  # as ASGIHandler.__call__: a thread of its own per request
            return await handler.get_response_async(request_for("/"))

    async def rush():
        return await asyncio.gather(*(one() for _ in range(6)))

    responses = asyncio.run(rush())  # not async_to_sync: its thread would run every sync view
    assert [r.status_code for r in responses] == [200] * 6
    assert most[0] == 2
