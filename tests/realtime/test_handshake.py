"""realtime.handshake: a socket's session, user and principal, resolved for many handshakes at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.utils import timezone

from guests.session import SESSION_KEY
from realtime import handshake
from realtime.handshake import (
    PRINCIPAL_KEY,
    Handshake,
    LiveAuthMiddleware,
    handshake_of,
    load_sessions,
    resolve,
)
from realtime.regions import Audience
from tests import factories


def household_session(household, code: str | None = None) -> str:
    store = SessionStore()
    store[SESSION_KEY] = {"id": household.pk, "code": code or household.invitation_code}
    store.create()
    return store.session_key


def planner_session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


# --- the scope's claims --------------------------------------------------------------------


def test_the_cookie_and_the_query_are_read_from_the_scope():
    scope = {
        "type": "websocket", "query_string": b"wedding=12&as=household",
        "headers": [(b"origin", b"http://x"), (b"cookie", b"csrftoken=a; sessionid=abcdefgh123")],
    }
    cookies, claims = handshake_of(scope)
    assert cookies == {"csrftoken": "a", "sessionid": "abcdefgh123"}
    assert claims == Handshake(session_key="abcdefgh123", wedding_id=12, prefer_household=True)

    _cookies, claims = handshake_of({"type": "websocket", "query_string": b"wedding=x", "headers": []})
    assert claims == Handshake(session_key=None, wedding_id=None, prefer_household=False)


# --- sessions ---------------------------------------------------------------------------------


def test_many_sessions_load_with_one_query_and_exactly_as_the_backend_loads_them(
    db, household, django_assert_num_queries
):
    good = household_session(household)
    expired_store = SessionStore()
    expired_store["x"] = 1
    expired_store.set_expiry(timezone.now() - timedelta(minutes=1))
    expired_store.create()
    tampered = household_session(household)
    SessionStore.get_model_class().objects.filter(session_key=tampered).update(session_data="not-signed:data")
    keys = [good, expired_store.session_key, tampered, "n0-such-session-key-000", "short", None, good]

    with django_assert_num_queries(1):
        loaded = load_sessions(keys)

    for key, session in zip(keys, loaded, strict=True):
        reference = SessionStore(key)
        assert dict(session.items()) == dict(reference.items()), key  # what Django's own load() gives
        assert session.session_key == reference.session_key, key  # a missing/expired key is dropped
    assert loaded[0][SESSION_KEY]["id"] == household.pk


def test_another_session_engine_loads_through_its_own_backend(db, settings, household):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    from django.contrib.sessions.backends.signed_cookies import SessionStore as CookieStore

    store = CookieStore()
    store[SESSION_KEY] = {"id": household.pk, "code": household.invitation_code}
    store.save()

    [session] = load_sessions([store.session_key])
    assert session[SESSION_KEY] == {"id": household.pk, "code": household.invitation_code}
    [(_session, _user, principal)] = [
        (r.session, r.user, r.principal) for r in resolve([Handshake(store.session_key, household.wedding_id)])
    ]
    assert principal[0].audience is Audience.HOUSEHOLD and principal[2] == household.pk


# --- principals ---------------------------------------------------------------------------------


def test_a_herd_of_guests_costs_two_queries_whatever_its_size(db, wedding, django_assert_num_queries):
    households = [factories.HouseholdFactory(wedding=wedding) for _ in range(30)]
    claims = [Handshake(household_session(h), wedding.pk) for h in households]

    with django_assert_num_queries(2):  # the sessions, the households (with their wedding); no user
        resolved = resolve(claims)

    for household, result in zip(households, resolved, strict=True):
        viewer, user_id, household_id = result.principal
        assert viewer.audience is Audience.HOUSEHOLD and viewer.wedding.pk == wedding.pk
        assert (user_id, household_id) == (None, household.pk)
        assert not result.user.is_authenticated
        assert result.session.session_key == claims[households.index(household)].session_key


def test_who_may_not_watch_gets_no_principal(db, wedding, other_wedding, household, planner):
    outsider = factories.UserFactory()
    claims = [
        Handshake(household_session(household), other_wedding.pk),  # a guest asking for another wedding
        Handshake(household_session(household, code="OLD-CODE"), wedding.pk),  # its code was regenerated
        Handshake(planner_session(outsider), wedding.pk),  # a user who does not plan this wedding
        Handshake(None, wedding.pk),  # no session at all
        Handshake("forged-session-key-123", wedding.pk),
        Handshake(household_session(household), wedding.pk),  # the one allowed
    ]
    resolved = resolve(claims)

    assert [r.principal is None for r in resolved] == [True, True, True, True, True, False]
    assert resolved[2].user == outsider  # signed in, just not a planner here


def test_a_planner_gets_a_planner_principal_and_loses_it_with_a_new_password(db, wedding, planner):
    key = planner_session(planner)
    [result] = resolve([Handshake(key, wedding.pk)])
    viewer, user_id, household_id = result.principal
    assert viewer.audience is Audience.PLANNER and (user_id, household_id) == (planner.pk, None)

    planner.set_password("a-brand-new-password")
    planner.save()
    [result] = resolve([Handshake(key, wedding.pk)])
    assert result.principal is None and not result.user.is_authenticated  # Django's session-hash check


def test_a_deactivated_planner_gets_no_principal(db, wedding, planner):
    key = planner_session(planner)
    planner.is_active = False
    planner.save()
    [result] = resolve([Handshake(key, wedding.pk)])
    assert result.principal is None


# --- the middleware -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_handshakes_arriving_together_share_one_hop(settings):
    from channels.db import database_sync_to_async

    def make():
        wedding = factories.WeddingFactory()
        households = [factories.HouseholdFactory(wedding=wedding) for _ in range(40)]
        return wedding, [(h, household_session(h)) for h in households]

    wedding, sessions = await database_sync_to_async(make)()
    seen: list[dict] = []

    async def inner(scope, receive, send):
        seen.append(scope)

    app = LiveAuthMiddleware(inner)
    before = handshake.batch_calls()

    async def connect(key: str) -> None:
        scope = {
            "type": "websocket", "path": "/ws/live/", "query_string": f"wedding={wedding.pk}".encode(),
            "headers": [(b"cookie", f"sessionid={key}".encode())],
        }
        await app(scope, None, None)

    await asyncio.gather(*(connect(key) for _h, key in sessions))

    assert handshake.batch_calls() - before == 1  # forty handshakes, one thread hop
    by_key = {scope["session"].session_key: scope for scope in seen}
    for household, key in sessions:
        scope = by_key[key]
        assert scope[PRINCIPAL_KEY][2] == household.pk
        assert not scope["user"].is_authenticated and scope["cookies"]["sessionid"] == key


async def test_http_passes_through_untouched():
    seen = []

    async def inner(scope, receive, send):
        seen.append(scope)

    await LiveAuthMiddleware(inner)({"type": "http", "headers": []}, None, None)
    assert seen == [{"type": "http", "headers": []}]
