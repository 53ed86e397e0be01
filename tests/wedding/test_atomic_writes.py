"""Writes all or nothing, reads without the write lock (wedding.core.atomic, issue 19).

ATOMIC_REQUESTS made every request one transaction; on SQLite (BEGIN IMMEDIATE)
a page load then held the database's write lock for its whole duration.
"""

from __future__ import annotations

import sqlite3
import time

import pytest
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from guests.models import Guest
from realtime import publish
from tests import factories
from wedding.core.atomic import AtomicWritesMiddleware

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sqlite]


@pytest.fixture
def published(monkeypatch):
    messages: list[dict] = []
    monkeypatch.setattr(publish, "publish", messages.append)
    return messages


def through_middleware(method: str, view):
    request = getattr(RequestFactory(), method.lower())("/x/")
    middleware = AtomicWritesMiddleware(lambda r: HttpResponse("not reached"))
    return middleware.process_view(request, view, (), {})


def test_a_write_that_fails_half_way_leaves_nothing_and_publishes_nothing(household, published):
    def view(request):
        factories.GuestFactory(household=household, first_name="Half")
        raise RuntimeError("the second write failed")

    with pytest.raises(RuntimeError):
        through_middleware("POST", view)
    assert not Guest.objects.filter(first_name="Half").exists()
    assert published == []

    def good(request):
        factories.GuestFactory(household=household, first_name="Whole")
        return HttpResponse("ok")

    assert through_middleware("POST", good).content == b"ok"
    assert Guest.objects.filter(first_name="Whole").exists() and len(published) == 1


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_unsafe_methods_run_in_one_transaction(db, method):
    def view(request):
        return HttpResponse(str(connection.in_atomic_block))

    assert through_middleware(method, view).content == b"True"


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_reads_run_in_autocommit(db, method):
    # None: Django calls the view itself, outside any transaction.
    assert through_middleware(method, lambda request: HttpResponse()) is None


def test_non_atomic_requests_still_opts_a_view_out(db):
    @transaction.non_atomic_requests
    def view(request):
        return HttpResponse()

    assert through_middleware("POST", view) is None


def test_a_view_that_returns_nothing_is_an_error_not_a_second_call(db):
    calls = []

    def view(request):
        calls.append(1)

    with pytest.raises(ValueError, match="returned None"):
        through_middleware("POST", view)
    assert calls == [1]


def test_a_guest_page_loads_while_another_request_holds_the_sqlite_write_lock(client, household):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL reads never wait for writers")
    factories.GuestFactory(household=household, first_name="Ana")
    client.get(f"/i/{household.invitation_code}/")
    writer = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        writer.execute("BEGIN IMMEDIATE")  # a long write elsewhere (an import, a slow RSVP)
        started = time.monotonic()
        response = client.get("/home/")
        elapsed = time.monotonic() - started
    finally:
        writer.rollback()
        writer.close()
    assert response.status_code == 200 and "Ana" in response.content.decode()
    assert elapsed < 5  # under ATOMIC_REQUESTS it waited the 20 s busy timeout, then failed
