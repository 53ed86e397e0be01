"""Guest regions render the right content for the household, with a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from guests import services as guest_services
from realtime import regions
from realtime.regions import Audience, Viewer
from rsvp import services as rsvp_services
from tests import factories


def viewer_for(household) -> Viewer:
    return Viewer(wedding=household.wedding, audience=Audience.HOUSEHOLD, household=household)


def render(name: str, household, **params) -> str:
    return str(regions.render_region(name, viewer_for(household), params))


def test_events_show_private_events_only_to_the_invited(wedding, event, household):
    private = factories.EventFactory(wedding=wedding, name="Rehearsal dinner", is_private=True)
    other_private = factories.EventFactory(wedding=wedding, name="Stag night", is_private=True)
    ana = factories.GuestFactory(household=household)
    factories.InvitationFactory(guest=ana, event=private)
    html = render("guest_events", household)
    assert "Reception" in html and "Rehearsal dinner" in html and "Stag night" not in html
    assert other_private.name not in html


def test_requests_region_shows_the_new_status(household, planner):
    request = guest_services.guest_request_create(household=household, kind="plus_one", message="May I bring Marta?")
    assert "Open" in render("guest_requests", household)
    guest_services.guest_request_resolve(request=request, status="approved", reply="Of course!", user=planner)
    assert regions.get("guest_requests").depends_on({"request"})
    html = render("guest_requests", household)
    assert "Approved" in html and "Of course!" in html


def test_answers_region_shows_an_answer_recorded_on_behalf(wedding, event, household, planner):
    ana = factories.GuestFactory(household=household, first_name="Ana")
    factories.InvitationFactory(guest=ana, event=event)
    meal = factories.MealOptionFactory(event=event, name="Risotto")
    assert "No answer yet" in render("guest_rsvp_answers", household)
    rsvp_services.response_record(guest=ana, event=event, status="attending", meal=meal, user=planner)
    html = render("guest_rsvp_answers", household)
    assert "Attending" in html and "Risotto" in html and "recorded by the couple" in html


def test_profile_shows_own_household_only(wedding, household):
    factories.GuestFactory(household=household, first_name="Ana", dietary_notes="No nuts")
    factories.GuestFactory(wedding=wedding, first_name="Zebedee")
    html = render("guest_profile", household)
    assert "Ana" in html and "No nuts" in html and "Zebedee" not in html


def test_whos_who(wedding, household):
    factories.WeddingPartyMemberFactory(wedding=wedding, name="Carmen", role="Officiant")
    factories.WeddingPartyMemberFactory(wedding=factories.WeddingFactory(), name="Elsewhere")
    html = render("guest_whos_who", household)
    assert "Carmen" in html and "Officiant" in html and "Elsewhere" not in html


def test_household_regions_refuse_a_household_of_another_wedding(household, other_wedding):
    stranger = factories.HouseholdFactory(wedding=other_wedding)
    viewer = Viewer(wedding=household.wedding, audience=Audience.HOUSEHOLD, household=stranger)
    with pytest.raises(Http404):
        regions.render_region("guest_requests", viewer)


def _directory_queries(wedding, household) -> int:
    with CaptureQueriesContext(connection) as ctx:
        render("guest_directory", household)
    return len(ctx.captured_queries)


def test_directory_has_a_fixed_query_count(wedding, event, household):
    wedding.seating_published = True
    wedding.save()
    table = factories.TableFactory(event=event)

    def add_guest():
        guest = factories.GuestFactory(wedding=wedding, directory_opt_in=True)
        factories.InvitationFactory(guest=guest, event=event)
        factories.ResponseFactory(guest=guest, event=event)
        factories.SeatFactory(guest=guest, event=event, table=table)

    add_guest()
    few = _directory_queries(wedding, household)
    for _ in range(5):
        add_guest()
    assert _directory_queries(wedding, household) == few
    assert render("guest_directory", household).count("<li id=\"dir-guest-") == 6


def test_directory_lists_only_opted_in_attending_guests(wedding, event, household):
    def guest(name, opt_in, status):
        g = factories.GuestFactory(wedding=wedding, first_name=name, directory_opt_in=opt_in)
        if status:
            factories.ResponseFactory(guest=g, event=event, status=status)

    guest("Listed", True, "attending")
    guest("Private", False, "attending")
    guest("Declined", True, "declined")
    guest("Silent", True, None)
    html = render("guest_directory", household)
    assert "Listed" in html
    assert not any(name in html for name in ("Private", "Declined", "Silent"))


def test_directory_never_names_a_private_events_table(wedding, event, household):
    wedding.seating_published = True
    wedding.save()
    secret = factories.EventFactory(wedding=wedding, name="Secret dinner", is_private=True)
    guest = factories.GuestFactory(wedding=wedding, first_name="Listed", directory_opt_in=True)
    factories.ResponseFactory(guest=guest, event=event)
    factories.SeatFactory(guest=guest, event=event, table=factories.TableFactory(event=event, name="Olive"))
    factories.SeatFactory(guest=guest, event=secret, table=factories.TableFactory(event=secret, name="Hidden table"))
    html = render("guest_directory", household)
    assert "Olive" in html
    assert "Hidden table" not in html and "Secret dinner" not in html


def test_a_page_reads_its_households_guests_once_and_a_socket_reads_them_each_time(wedding, event, household):
    """The home page's greeting, answers and household regions share one read of the guests
    (`Viewer.fresh`); a socket's viewer lives long, so each of its renders reads them again."""
    ana = factories.GuestFactory(household=household, first_name="Ana")
    factories.InvitationFactory(guest=ana, event=event)
    page = Viewer(wedding=wedding, audience=Audience.HOUSEHOLD, household=household, fresh=True)
    with CaptureQueriesContext(connection) as reads:
        answers = str(regions.render_region("guest_rsvp_answers", page, {}))
        profile = str(regions.render_region("guest_profile", page, {}))
        greeting = household.greeting_name
    assert "Ana" in answers and "Ana" in profile and greeting == "Ana"
    assert sum('FROM "guests_guest"' in query["sql"] for query in reads.captured_queries) == 1

    ana.first_name = "Anabel"
    ana.save()
    socket = viewer_for(household)  # not fresh
    with CaptureQueriesContext(connection) as reads:
        assert "Anabel" in render("guest_profile", household)
        assert "Anabel" in str(regions.render_region("guest_rsvp_answers", socket, {}))
    assert sum('FROM "guests_guest"' in query["sql"] for query in reads.captured_queries) == 2
