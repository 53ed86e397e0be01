"""Issue 8 "Hostile input": markup in every guest-written field is escaped on every page
(guest site, admin, dashboard) and in every live region — which is exactly what
the socket pushes (the push renders the same function; the real-socket check is
tests/e2e/test_realtime_xss.py).
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.http import Http404
from django.test import Client

from guests.models import Guest, GuestRequest
from guests.session import SESSION_KEY
from realtime import regions
from realtime.regions import Audience, Viewer
from rsvp.models import Response
from tests import factories
from tests.security.routes import all_routes
from wedding.core.models import Moderation
from wedding.songs.models import SongRequest
from wedding.tributes.models import Remembrance

RAW = re.compile(r"<script>xss_|<img src=x onerror=xss_", re.IGNORECASE)


def payload(field: str) -> str:
    return f'<script>xss_{field}()</script><img src=x onerror=xss_{field}()>"\'&'


def assert_escaped(html: str, where: str) -> None:
    match = RAW.search(html)
    assert match is None, f"unescaped guest markup on {where}: …{html[max(0, match.start() - 80):match.end() + 40]}…"


@pytest.fixture
def hostile(wedding, planner, event):
    """A wedding where guests wrote markup into every field they can write."""
    wedding.guestbook_moderation = False
    wedding.seating_published = True
    wedding.save()
    meal = factories.MealOptionFactory(event=event)
    household = factories.HouseholdFactory(
        wedding=wedding, message_to_couple=payload("message_to_couple"), plus_ones_allowed=1
    )
    guest = factories.GuestFactory(household=household, dietary_notes=payload("dietary_notes"), directory_opt_in=True)
    plus_one = factories.GuestFactory(
        household=household, first_name=payload("plus_one_first")[:100], last_name=payload("plus_one_last")[:100],
        is_plus_one=True, directory_opt_in=True,
    )
    for person in (guest, plus_one):
        factories.InvitationFactory(guest=person, event=event)
        factories.ResponseFactory(guest=person, event=event, meal=meal, note=payload("response_note"))
    table = factories.TableFactory(event=event)
    factories.SeatFactory(table=table, guest=guest)
    factories.SongRequestFactory(
        wedding=wedding, requested_by=household, title=payload("song_title"), artist=payload("song_artist"),
        dedication=payload("song_dedication"), status=SongRequest.Status.APPROVED,
    )
    factories.PhotoFactory(wedding=wedding, uploaded_by_household=household, caption=payload("photo_caption"), status=Moderation.APPROVED)
    factories.GuestbookEntryFactory(
        wedding=wedding, household=household, author_name=payload("guestbook_author")[:120],
        message=payload("guestbook_message"),
    )
    tribute = factories.TributeFactory(wedding=wedding, published=True)
    Remembrance.objects.create(
        wedding=wedding, tribute=tribute, household=household, author_name=payload("remembrance_author")[:120],
        message=payload("remembrance_message"), status=Moderation.APPROVED,
    )
    GuestRequest.objects.create(wedding=wedding, household=household, message=payload("guest_request"))
    return {"household": household, "guest": guest, "event": event, "table": table, "tribute": tribute}


def _guest_client(household) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = {"id": household.pk, "code": household.invitation_code}
    session.save()
    return client


def _params(region, hostile) -> dict:
    return {"event": str(hostile["event"].pk)} if "event" in region.params else {}


def test_every_live_region_escapes_guest_markup(wedding, hostile):
    household = hostile["household"]
    viewers = {
        Audience.PLANNER: Viewer(wedding=wedding, audience=Audience.PLANNER),
        Audience.GUESTS: Viewer(wedding=wedding, audience=Audience.GUESTS),
        Audience.HOUSEHOLD: Viewer(wedding=wedding, audience=Audience.HOUSEHOLD, household=household),
    }
    rendered = seen_markup = 0
    for region in regions.all_regions().values():
        try:
            html = regions.render_region(region.name, viewers[region.audience], _params(region, hostile))
        except Http404:  # a region about an object this data has none of (e.g. an import run)
            continue
        assert_escaped(html, f"region {region.name}")
        rendered += 1
        seen_markup += "&lt;script&gt;xss_" in html
    assert rendered >= 10
    assert seen_markup >= 5, "the hostile content should be in several regions (escaped)"


def test_guest_pages_escape_guest_markup(wedding, hostile):
    client = _guest_client(hostile["household"])
    by_name = {"pk": str(hostile["tribute"].pk), "code": hostile["household"].invitation_code}
    pages = [path for path, _ in all_routes(by_name) if not path.startswith(("/admin/", "/live/"))]
    seen_markup = 0
    for path in pages:
        response = client.get(path, follow=True)
        if response.status_code == 405:
            continue
        assert response.status_code < 500, path
        html = response.content.decode()
        assert_escaped(html, path)
        seen_markup += "&lt;script&gt;xss_" in html
    assert seen_markup >= 5, "the hostile content should be on several guest pages (escaped)"


def test_planner_pages_escape_guest_markup(wedding, planner, hostile):
    client = Client()
    client.force_login(planner)
    by_name = {
        "wedding_id": str(wedding.pk), "event_id": str(hostile["event"].pk), "table_id": str(hostile["table"].pk),
    }
    pages = {path for path, _ in all_routes(by_name) if path.startswith("/admin/") and "abc" not in path}
    pages -= {"/admin/logout/"}
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages.add(base)
        for obj in model._default_manager.all()[:5]:
            pages.add(f"{base}{obj.pk}/change/")
    seen_markup = 0
    for path in sorted(pages):
        response = client.get(path)
        if response.status_code in (302, 404, 405):
            continue
        assert response.status_code < 500, path
        html = response.content.decode()
        assert_escaped(html, path)
        seen_markup += "&lt;script&gt;xss_" in html
    assert seen_markup >= 5, "the hostile content should be on several planner pages (escaped)"


def test_hostile_fixture_really_holds_the_markup(hostile):
    """Guard against a fixture that silently stored nothing hostile."""
    assert Guest.objects.filter(dietary_notes__contains="<script>").exists()
    assert Response.objects.filter(note__contains="<script>").exists()
