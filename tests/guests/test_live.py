"""The guest pages' regions over the real /ws/live/ socket: planners' changes arrive, privately."""

from __future__ import annotations

import pytest

from guests import services as guest_services
from rsvp import services as rsvp_services
from seating import services as seating
from tests import factories
from tests.realtime.conftest import (
    closed_code,
    frames,
    fresh_hub,
    household_cookie,
    html_of,
    open_socket,
    run,
    session_cookie,
    version_of,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_hub")]
__all__ = ["fresh_hub"]  # the fixture, imported from the realtime tests

HOME = [{"name": n, "params": {}} for n in
        ("guest_table", "guest_rsvp_answers", "guest_requests", "guest_events", "guest_profile", "guest_directory")]


async def test_planner_changes_reach_the_open_guest_home(wedding, planner, household, event):
    def setup():
        guest = factories.GuestFactory(household=household, first_name="Ana")
        factories.InvitationFactory(guest=guest, event=event)
        table = factories.TableFactory(event=event, name="Olive")
        request = guest_services.guest_request_create(household=household, kind="plus_one", message="Marta?")
        return guest, table, request

    guest, table, request = await run(setup)
    socket, _ = await open_socket(await run(lambda: household_cookie(household)), wedding.pk,
                                  regions_=HOME, version=await version_of(wedding))
    await frames(socket)

    def planner_works():
        rsvp_services.response_record(guest=guest, event=event, status="declined", user=planner)
        seating.seating_publish(wedding=wedding, published=True, user=planner)
        guest_services.guest_request_resolve(request=request, status="approved", reply="Of course", user=planner)

    await run(planner_works)
    html = html_of(await frames(socket, expect=["Not attending", 'data-seating="published"', "Of course"]))
    assert "Not attending" in html and "recorded by the couple" in html
    assert 'data-seating="published"' in html
    assert "Approved" in html and "Of course" in html

    await run(lambda: rsvp_services.response_record(guest=guest, event=event, status="attending", user=planner))
    await run(lambda: seating.seat_assign(guest=guest, table=table, user=planner))
    assert "Olive" in html_of(await frames(socket, expect=["Olive"]))
    await socket.disconnect()


async def test_guest_frames_carry_no_other_households_private_data(wedding, planner, household, event):
    secrets = ["neighbour@example.org", "+34 699 000 111", "7 Secret Lane", "secret-nuts", "planner-secret",
               "NEIGHBOUR-REQUEST", "NEIGHBOUR-NOTE-TO-COUPLE", "RESPONSE-SECRET"]
    await run(lambda: factories.GuestFactory(household=household, first_name="Own", dietary_notes="own-ok"))
    socket, _ = await open_socket(await run(lambda: household_cookie(household)), wedding.pk,
                                  regions_=HOME, version=await version_of(wedding))
    await frames(socket)

    def planner_edits():
        neighbours = factories.HouseholdFactory(
            wedding=wedding, name="Neighbours", address="7 Secret Lane", email="neighbour@example.org",
            phone="+34 699 000 111", notes="planner-secret", message_to_couple="NEIGHBOUR-NOTE-TO-COUPLE",
        )
        nadia = factories.GuestFactory(household=neighbours, first_name="Nadia", dietary_notes="secret-nuts",
                                       directory_opt_in=True)
        factories.InvitationFactory(guest=nadia, event=event)
        factories.ResponseFactory(guest=nadia, event=event, note="RESPONSE-SECRET")
        guest_services.guest_request_create(household=neighbours, kind="other", message="NEIGHBOUR-REQUEST")
        seating.seating_publish(wedding=wedding, published=True, user=planner)
        factories.GuestFactory(household=household, first_name="Second", dietary_notes="own-second-ok")

    await run(planner_edits)
    html = html_of(await frames(socket, expect=["Nadia", "own-second-ok"]))
    assert "Nadia" in html and "own-second-ok" in html  # frames did arrive (directory, own profile)
    assert [s for s in secrets if s in html] == []
    await socket.disconnect()


async def test_signing_out_closes_that_browsers_live_pages(wedding, household):
    from django.test import Client

    client = Client()
    await run(lambda: client.get(f"/i/{household.invitation_code}/"))
    socket, _ = await open_socket(session_cookie(client), wedding.pk, regions_=HOME, version=await version_of(wedding))
    await frames(socket)
    response = await run(lambda: client.post("/signout/"))
    assert response.status_code == 302
    assert await closed_code(socket) == 4401
