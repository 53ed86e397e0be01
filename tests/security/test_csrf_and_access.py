"""Issue 8 "Hostile input": CSRF on every state-changing request; the planner side never
answers a guest session.

Both tests walk the whole URLconf, so an endpoint added later is covered
without touching this file.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern

from guests.session import SESSION_KEY
from tests import factories
from tests.security.routes import all_routes

# Views that may take a POST without a CSRF token. Keep this empty unless there is a reason.
CSRF_EXEMPT_ALLOWED: set[str] = {
    # Exempt from the middleware only, so its size-limiting upload handler goes in before
    # the body is parsed; the view checks CSRF itself (csrf_protect), proven by
    # test_every_post_without_a_csrf_token_is_refused and tests/wedding/test_photos.py.
    "wedding.photos.views.photos",
    # RFC 8058 one-click unsubscribe: mail clients POST `List-Unsubscribe=One-Click` with no
    # cookie and no token. The view uses no session: the signed opt-out token in the URL is the
    # only credential and can only opt its household out; any other POST is CSRF-checked
    # (csrf_protect inside). Proven by tests/messaging/test_unsubscribe.py.
    "wedding.messaging.views.unsubscribe",
}


def _view_name(entry: URLPattern) -> str:
    callback = entry.callback
    return f"{getattr(callback, '__module__', '?')}.{getattr(callback, '__qualname__', entry.name)}"


def _both_principals(client: Client, planner, household) -> None:
    """A session that is a logged-in planner *and* a guest household: every door is open."""
    client.force_login(planner)
    session = client.session
    session[SESSION_KEY] = {"id": household.pk, "code": household.invitation_code}
    session.save()


@pytest.mark.django_db
def test_no_view_is_csrf_exempt():
    exempt = sorted(
        {_view_name(entry) for _path, entry in all_routes() if getattr(entry.callback, "csrf_exempt", False)}
        - CSRF_EXEMPT_ALLOWED
    )
    assert not exempt, f"views that accept POSTs without a CSRF token: {exempt}"


def test_every_post_without_a_csrf_token_is_refused(planner, wedding, household):
    client = Client(enforce_csrf_checks=True)
    _both_principals(client, planner, household)
    checked, accepted = 0, []
    for path, entry in all_routes():
        if path.startswith(f"/{settings.STATIC_URL.strip('/')}/") or path.startswith(f"/{settings.MEDIA_URL.strip('/')}/"):
            continue
        response = client.post(path, {"anything": "x"})
        checked += 1
        if response.status_code != 403:
            accepted.append((path, _view_name(entry), response.status_code))
    assert checked > 30
    assert not accepted, f"POSTs without a CSRF token that were not refused: {accepted}"


def test_a_post_with_the_token_gets_through(wedding, household):
    """The refusals above are about the token, not about the requests themselves."""
    wedding.guestbook_moderation = False
    wedding.save()
    factories.GuestFactory(household=household)
    client = Client(enforce_csrf_checks=True)
    session = client.session
    session[SESSION_KEY] = {"id": household.pk, "code": household.invitation_code}
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    page = client.get("/guestbook/")
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        "/guestbook/", {"author_name": "Ana", "message": "Hello", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def _planner_paths() -> list[str]:
    paths = [path for path, _entry in all_routes() if path.startswith("/admin/")]
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        paths += [base, base + "add/", base + "1/change/", base + "1/delete/", base + "1/history/"]
    return sorted(set(paths) - {"/admin/login/", "/admin/logout/"})


def test_no_planner_endpoint_answers_a_guest_session(wedding, household):
    """A guest (household session, no user) is sent to the planner login from every admin URL."""
    client = Client()
    session = client.session
    session[SESSION_KEY] = {"id": household.pk, "code": household.invitation_code}
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    assert client.get("/home/").status_code == 200, "the guest session itself must work"

    answered = []
    for path in _planner_paths():
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            location = response.get("Location", "")
            if not (response.status_code in (302, 301) and "/admin/login/" in location) and response.status_code not in (
                403,
                404,
                405,
            ):
                answered.append((method, path, response.status_code))
    assert not answered, f"planner endpoints that answered a guest: {answered}"


def test_planner_regions_refuse_a_guest_on_the_fragment_url(wedding, household):
    from realtime import regions

    client = Client()
    session = client.session
    session[SESSION_KEY] = {"id": household.pk, "code": household.invitation_code}
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    event = factories.EventFactory(wedding=wedding)
    planner_regions = [r for r in regions._registry.values() if r.audience == regions.Audience.PLANNER]
    assert planner_regions, "no planner regions registered"
    leaked = []
    for region in planner_regions:
        response = client.get(f"/live/r/{region.name}/", {"wedding": wedding.pk, "event": event.pk})
        if response.status_code not in (403, 404):
            leaked.append((region.name, response.status_code))
    assert not leaked, f"planner regions rendered for a guest: {leaked}"
