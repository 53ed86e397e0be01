"""Issue #13 item 4: no `next` (or Referer) sends a planner or guest off-site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories

OFF_SITE = ["//evil.example/phish", "https://evil.example", "/\\evil.example", "http:evil.example", "javascript:alert(1)"]
ON_SITE = "/admin/?from=next"

# Every module that follows a `next` or a Referer, and the test below that covers it. A new
# reader of either fails `test_every_reader_of_next_is_covered` until it is added here.
READERS = {
    "realtime/pages.py": "action_result: bulk actions, request answers, seating, DJ, moderation",
    "wedding/dashboard/views.py": "respond page, bulk delete confirmation",
    "guests/views.py": "the guest language switch (test_the_language_switch_stays_on_site)",
}
READS_NEXT = re.compile(r"""(\.get\(\s*["']next["']|\[["']next["']\]|HTTP_REFERER|headers\.get\(["']referer)""", re.I)


def test_every_reader_of_next_is_covered():
    root = Path(settings.BASE_DIR)
    readers = set()
    for path in root.glob("*/**/*.py"):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(("tests/", "node_modules/", ".venv/", "bench/")) or "/migrations/" in rel:
            continue
        if READS_NEXT.search(path.read_text(encoding="utf-8")):
            readers.add(rel)
    assert readers == set(READERS)


@pytest.fixture
def invited(wedding, event):
    guest = factories.GuestFactory(household__wedding=wedding)
    factories.InvitationFactory(guest=guest, event=event)
    return guest


def respond(client, wedding, event, guest, next_url):
    return client.post(
        reverse("admin:dashboard-respond", args=[wedding.pk, guest.pk]),
        {"event": event.pk, "status": "declined", "next": next_url},
    )


def bulk(client, wedding, event, guest, next_url):
    return client.post(
        reverse("admin:dashboard-guests-bulk", args=[wedding.pk]),
        {"action": "invite", "event": event.pk, "guest": [guest.pk], "next": next_url},
    )


def bulk_delete(client, wedding, event, guest, next_url):
    return client.post(
        reverse("admin:dashboard-guests-bulk", args=[wedding.pk]),
        {"action": "delete", "confirm": "yes", "guest": [guest.pk], "next": next_url},
    )


def bulk_by_referer(client, wedding, event, guest, next_url):
    return client.post(
        reverse("admin:dashboard-guests-bulk", args=[wedding.pk]),
        {"action": "invite", "event": event.pk, "guest": [guest.pk]}, HTTP_REFERER=next_url,
    )


VIEWS = [respond, bulk, bulk_delete, bulk_by_referer]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_are_not_followed(planner_client, wedding, event, invited, view, target):
    response = view(planner_client, wedding, event, invited, target)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "evil.example" not in location


@pytest.mark.parametrize("view", VIEWS)
def test_on_site_targets_are_followed(planner_client, wedding, event, invited, view):
    assert view(planner_client, wedding, event, invited, ON_SITE)["Location"] == ON_SITE


@pytest.mark.parametrize("target", OFF_SITE)
def test_pages_do_not_echo_an_off_site_next_into_links_or_forms(planner_client, wedding, event, invited, target):
    confirm = planner_client.post(
        reverse("admin:dashboard-guests-bulk", args=[wedding.pk]),
        {"action": "delete", "guest": [invited.pk], "next": target},
    ).content.decode()
    respond_page = planner_client.get(
        reverse("admin:dashboard-respond", args=[wedding.pk, invited.pk]), {"next": target}
    ).content.decode()
    for html in (confirm, respond_page):
        assert "evil.example" not in html and "javascript:" not in html


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_stays_on_site(client, db, target):
    response = client.post(reverse("guests:language"), {"language": "es", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("guests:entry")
    assert client.post(reverse("guests:language"), {"language": "es", "next": "/find/"})["Location"] == "/find/"
