"""Every guest page and region shows the household only its own private data."""

from __future__ import annotations

import pytest

from realtime import regions
from tests import factories

PAGES = ["/home/", "/rsvp/", "/rsvp/done/", "/directory/", "/whos-who/", "/requests/"]
GUEST_REGIONS = ["guest_events", "guest_requests", "guest_profile", "guest_directory", "guest_whos_who",
                 "guest_rsvp_answers", "guest_table"]


@pytest.fixture
def world(wedding, event, household):
    wedding.seating_published = True
    wedding.save()
    meal = factories.MealOptionFactory(event=event, name="Fish")
    household.notes = "OWN-PLANNER-NOTE"
    household.save()
    me = factories.GuestFactory(household=household, first_name="Ana", notes="OWN-GUEST-PLANNER-NOTE", directory_opt_in=True)
    factories.InvitationFactory(guest=me, event=event)
    factories.ResponseFactory(guest=me, event=event, meal=meal)

    other = factories.HouseholdFactory(
        wedding=wedding, name="The Hidden family", email="hidden-household@example.org",
        phone="+34 999 111 222", address="7 Secret Lane", notes="OTHER-PLANNER-NOTE",
        message_to_couple="OTHER-MESSAGE-TO-COUPLE", plus_ones_allowed=2,
    )
    unlisted = factories.GuestFactory(
        household=other, first_name="Zebedee", last_name="Hidden", email="zebedee@example.org",
        phone="+34 611 000 999", dietary_notes="OTHER-DIETARY", notes="OTHER-GUEST-NOTE",
    )
    listed = factories.GuestFactory(
        household=other, first_name="Listed", last_name="Person", email="listed@example.org",
        phone="+34 622 000 888", dietary_notes="LISTED-DIETARY", notes="LISTED-NOTE", directory_opt_in=True,
    )
    for guest in (unlisted, listed):
        factories.InvitationFactory(guest=guest, event=event)
    factories.ResponseFactory(guest=unlisted, event=event, status="declined", note="OTHER-RESPONSE-NOTE")
    factories.ResponseFactory(guest=listed, event=event, meal=meal, note="LISTED-RESPONSE-NOTE")
    private = factories.EventFactory(wedding=wedding, name="SECRET-REHEARSAL", is_private=True)
    factories.InvitationFactory(guest=unlisted, event=private)
    factories.SeatFactory(guest=listed, event=event, table=factories.TableFactory(event=event, name="Olive"))
    factories.GuestRequestFactory(household=other, message="OTHER-REQUEST", reply="OTHER-REPLY")
    return {"other": other, "listed": listed}


FORBIDDEN = [
    "hidden-household@example.org", "+34 999 111 222", "7 Secret Lane", "OTHER-PLANNER-NOTE",
    "OTHER-MESSAGE-TO-COUPLE", "Zebedee", "zebedee@example.org", "+34 611 000 999", "OTHER-DIETARY",
    "OTHER-GUEST-NOTE", "listed@example.org", "+34 622 000 888", "LISTED-DIETARY", "LISTED-NOTE",
    "OTHER-RESPONSE-NOTE", "LISTED-RESPONSE-NOTE", "SECRET-REHEARSAL", "OTHER-REQUEST", "OTHER-REPLY",
    "The Hidden family", "OWN-PLANNER-NOTE", "OWN-GUEST-PLANNER-NOTE",
]


@pytest.fixture
def guest_client(client, household):
    client.get(f"/i/{household.invitation_code}/")
    return client


@pytest.mark.parametrize("url", PAGES)
def test_no_page_shows_another_households_private_data(guest_client, world, url):
    html = guest_client.get(url).content.decode()
    leaks = [s for s in FORBIDDEN if s in html]
    assert leaks == []


@pytest.mark.parametrize("name", GUEST_REGIONS)
def test_no_region_fragment_shows_another_households_private_data(guest_client, world, wedding, name):
    response = guest_client.get(f"/live/r/{name}/", {"wedding": wedding.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert [s for s in FORBIDDEN if s in html] == []


def test_the_directory_shows_listed_guests_name_side_and_table_only(guest_client, world):
    html = guest_client.get("/live/r/guest_directory/", {"wedding": world["other"].wedding_id}).content.decode()
    assert "Listed Person" in html and "Olive" in html and "Both" in html


def test_every_guest_region_is_registered_for_guests_only():
    for name in GUEST_REGIONS:
        assert regions.get(name).audience in (regions.Audience.GUESTS, regions.Audience.HOUSEHOLD)


def test_another_weddings_household_gets_no_fragment(client, world, other_wedding):
    stranger = factories.HouseholdFactory(wedding=other_wedding)
    client.get(f"/i/{stranger.invitation_code}/")
    response = client.get("/live/r/guest_directory/", {"wedding": world["other"].wedding_id})
    assert response.status_code == 403
