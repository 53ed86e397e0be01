"""HTTP and data helpers for tests that drive real daphne processes."""

from __future__ import annotations

import logging
import re
import time
from importlib import import_module

import httpx

from tests import factories

logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns the report

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def household_session_key(household) -> str:
    from django.conf import settings

    from guests.session import SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = {"id": household.pk, "code": household.invitation_code}
    store.create()
    return store.session_key


def planner_session_key(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def http_client(server, session_key: str | None = None) -> httpx.Client:
    cookies = {"sessionid": session_key} if session_key else {}
    return httpx.Client(base_url=server.url, cookies=cookies, timeout=10, follow_redirects=False)


def form_post(client: httpx.Client, path: str, data: dict) -> tuple[httpx.Response, float]:
    """GET the form (for the CSRF token), POST it; returns the POST response and when it was sent."""
    page = client.get(path)
    page.raise_for_status()
    match = CSRF_INPUT.search(page.text)
    token = match.group(1) if match else client.cookies.get("csrftoken", "")
    sent_at = time.monotonic()
    response = client.post(path, data={**data, "csrfmiddlewaretoken": token})
    return response, sent_at


def guestbook_wedding():
    """A wedding whose guestbook shows entries at once, with one household of two guests."""
    planner = factories.UserFactory()
    wedding = factories.WeddingFactory(guestbook_moderation=False, planners=[planner])
    household = factories.HouseholdFactory(wedding=wedding, name="The Ruiz family")
    factories.GuestFactory.create_batch(2, household=household)
    return wedding, household, planner


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]
