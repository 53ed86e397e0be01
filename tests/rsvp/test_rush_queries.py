"""What the invitation rush's pages cost (bench/rush.py, issue 19): queries per page, fixed.

A household's way through the rush is entry link → home → RSVP form → submit → done →
home again; at 1,000 households in two minutes every query of these pages counts. The
counts below are pinned so that a region or a middleware that reads again what the
request already has shows up here first. They do not grow with the wedding's size.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guests.models import Household
from realtime.models import Change
from realtime.regions import Audience, Viewer, render_region
from realtime.views import live_page_context
from rsvp.models import Response
from tests import factories

# Session + household with its wedding and version (middleware; a GET page reads them no second
# time), then the regions: "home" shows the table, the answers, the events, the household, the
# requests. The household's guests are read once for the page (guests.live.household_guests):
# the greeting, the answers and the household's region share them.
HOME_QUERIES = 10
RSVP_FORM_QUERIES = 12
DONE_QUERIES = 6
# The form reads no tags, no replies and no attendance when the wedding asks no question (as
# in the rush). Two guests, two events each: one locked read of the household's answers, then the
# four inserts under one savepoint; at the commit, the wedding's version and the four change rows
# in one insert (realtime.db); nothing reads a guest, an event or a meal back to describe it.
SUBMIT_QUERIES = 27


@pytest.fixture
def rush_household(wedding):
    """A household of two as bench/rush.py makes them: ceremony and dinner (two meals), seated."""
    wedding.seating_published = True
    wedding.save()
    ceremony = factories.EventFactory(wedding=wedding, name="Ceremony", order=1)
    dinner = factories.EventFactory(wedding=wedding, name="Dinner", order=2)
    fish = factories.MealOptionFactory(event=dinner, name="Fish")
    factories.MealOptionFactory(event=dinner, name="Vegetables", is_vegetarian=True)
    household = factories.HouseholdFactory(wedding=wedding, name="The Rush family")
    table = factories.TableFactory(event=dinner, wedding=wedding, name="Table 1", capacity=8)
    guests = [factories.GuestFactory(household=household, first_name=n) for n in ("Ana", "Luis")]
    for guest in guests:
        for event in (ceremony, dinner):
            factories.InvitationFactory(guest=guest, event=event)
        factories.SeatFactory(event=dinner, table=table, guest=guest)
    return {"household": household, "guests": guests, "ceremony": ceremony, "dinner": dinner, "fish": fish}


@pytest.fixture
def entered(client, rush_household):
    client.get(f"/i/{rush_household['household'].invitation_code}/")
    return client


def submit_data(p) -> dict:
    data = {}
    for guest in p["guests"]:
        data[f"g{guest.pk}_e{p['ceremony'].pk}_status"] = "attending"
        data[f"g{guest.pk}_e{p['dinner'].pk}_status"] = "attending"
        data[f"g{guest.pk}_e{p['dinner'].pk}_meal"] = p["fish"].pk
        data[f"g{guest.pk}_dietary"] = ""
    return data


def test_home_page_queries(entered, django_assert_num_queries):
    with django_assert_num_queries(HOME_QUERIES):
        response = entered.get("/home/")
    assert response.status_code == 200
    assert "Table 1" in response.content.decode()


def test_rsvp_form_queries(entered, django_assert_num_queries):
    with django_assert_num_queries(RSVP_FORM_QUERIES):
        response = entered.get("/rsvp/")
    assert response.status_code == 200


def test_submit_queries_and_its_change_summaries(entered, rush_household, django_assert_num_queries):
    with django_assert_num_queries(SUBMIT_QUERIES):
        response = entered.post("/rsvp/", submit_data(rush_household))
    assert response.status_code == 302
    assert Response.objects.filter(status="attending").count() == 4
    # The objects handed to the writes name the answers as the rows would.
    summaries = sorted(Change.objects.filter(topic="rsvp", model="rsvp.response").values_list("summary", flat=True))
    assert summaries == sorted(
        f"{guest.full_name} accepted the {event}{meal}"
        for guest in rush_household["guests"]
        for event, meal in ((rush_household["ceremony"], ""), (rush_household["dinner"], ", Fish"))
    )


def test_done_page_queries(entered, rush_household, django_assert_num_queries):
    entered.post("/rsvp/", submit_data(rush_household))
    with django_assert_num_queries(DONE_QUERIES):
        response = entered.get("/rsvp/done/")
    assert response.status_code == 200


def test_a_pages_viewer_is_read_with_its_version(rush_household):
    """The page's wedding and household are read with the version (one query), newer than the
    request's own objects, and the regions use them as they are."""
    stale = Household.objects.select_related("wedding").get(pk=rush_household["household"].pk)
    Household.objects.filter(pk=stale.pk).update(message_to_couple="See you there!")
    wedding = stale.wedding
    type(wedding).objects.filter(pk=wedding.pk).update(version=41, seating_published=False)
    viewer = Viewer(wedding=stale.wedding, audience=Audience.HOUSEHOLD, household=stale)
    with CaptureQueriesContext(connection) as read:
        context = live_page_context(viewer)
    assert len(read.captured_queries) == 1
    page_viewer = context["live_viewer"]
    assert page_viewer.fresh and not viewer.fresh
    assert context["live_version"] == 41 and context["wedding"] is page_viewer.wedding
    with CaptureQueriesContext(connection) as answers:
        html = render_region("guest_rsvp_answers", page_viewer)
    assert "See you there!" in html
    assert not any(q["sql"].startswith('SELECT "guests_household"') for q in answers.captured_queries)
    assert not any(q["sql"].startswith('SELECT "wedding_wedding"') for q in answers.captured_queries)
    assert "revealed here soon" in render_region("guest_table", page_viewer)  # seating unpublished since


def test_a_sockets_viewer_reads_the_wedding_and_note_again(rush_household):
    """Without the page's read (a socket's viewer, kept for the socket's life) nothing is taken as fresh."""
    household = Household.objects.select_related("wedding").get(pk=rush_household["household"].pk)
    Household.objects.filter(pk=household.pk).update(message_to_couple="Changed since")
    type(household.wedding).objects.filter(pk=household.wedding.pk).update(seating_published=False)
    viewer = Viewer(wedding=household.wedding, audience=Audience.HOUSEHOLD, household=household)
    assert not viewer.fresh
    assert "Changed since" in render_region("guest_rsvp_answers", viewer)
    assert "revealed here soon" in render_region("guest_table", viewer)
