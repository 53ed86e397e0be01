"""Issue 5 "Proof" 3 and 4: what a planner does reaches the guest's open page, live.

(Proof 1 — a guest's answer reaches the planner's master list — and proof 2 —
publishing seating reveals the table — are in test_dashboard.py.)
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from guests.models import GuestRequest
from rsvp.models import Response
from tests import factories

pytestmark = pytest.mark.e2e

LIVE_MS = 2_000


@pytest.fixture
def invited(wedding, event, household):
    guest = factories.GuestFactory(household=household, first_name="Inés", last_name="Ruiz")
    factories.InvitationFactory(guest=guest, event=event)
    return guest


def open_guest_home(new_page, enter_as_household, household):
    page = new_page()
    enter_as_household(page, household)
    page.goto("/home/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    return page


def test_an_answer_recorded_on_the_guests_behalf_shows_on_their_open_profile(
    daphne_server, new_page, login_planner, enter_as_household, planner, wedding, event, household, invited,
):
    guest = open_guest_home(new_page, enter_as_household, household)
    answers = guest.locator("#live-guest_rsvp_answers")
    expect(answers).to_contain_text("No answer yet")

    desk = new_page()
    login_planner(desk, planner)
    desk.goto(f"/admin/dashboard/{wedding.pk}/guests/{invited.pk}/respond/")
    desk.select_option('select[name="event"]', str(event.pk))
    desk.select_option('select[name="status"]', "declined")
    desk.fill('input[name="note"]', "Replied by phone")
    desk.click('button:has-text("Record answer")')

    expect(answers).to_contain_text("Not attending", timeout=LIVE_MS)
    response = Response.objects.get(guest=invited, event=event)
    assert (response.status, response.answered_by) == ("declined", "planner")


def test_a_request_approved_by_a_planner_changes_status_on_the_guests_open_page(
    daphne_server, new_page, login_planner, enter_as_household, planner, wedding, household,
):
    request = factories.GuestRequestFactory(household=household, kind="plus_one", message="May I bring Leo?")
    guest = open_guest_home(new_page, enter_as_household, household)
    mine = guest.locator("#live-guest_requests")
    expect(mine).to_contain_text("Open")

    desk = new_page()
    login_planner(desk, planner)
    desk.goto(f"/admin/dashboard/{wedding.pk}/requests/{request.pk}/")
    desk.select_option('select[name="status"]', "approved")
    desk.fill('textarea[name="reply"]', "Of course, Leo is welcome!")
    desk.click('button:has-text("Save")')

    expect(mine).to_contain_text("Approved", timeout=LIVE_MS)
    expect(mine).to_contain_text("Leo is welcome", timeout=LIVE_MS)
    assert GuestRequest.objects.get(pk=request.pk).status == "approved"
