"""The couple's questions in a real browser: an event's question follows the attendance, a required one
left blank is refused with the typed answers kept, and the answer reaches the planner's open reports live."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from rsvp.models import Question, QuestionAnswer
from tests import factories

pytestmark = pytest.mark.e2e

LIVE_MS = 2_000


def test_a_guest_answers_the_couples_questions_and_the_planner_sees_it_live(
    daphne_server, new_page, login_planner, enter_as_household, planner, wedding, event, household,
):
    ana = factories.GuestFactory(household=household, first_name="Ana", last_name="Ruiz")
    factories.InvitationFactory(guest=ana, event=event)
    shuttle = factories.QuestionFactory(
        wedding=wedding, event=event, text="Shuttle from the hotel?", kind=Question.Kind.YES_NO, required=True,
    )
    factories.QuestionFactory(wedding=wedding, text="Your favourite dance?")

    desk = new_page()
    login_planner(desk, planner)
    desk.goto(f"/admin/dashboard/{wedding.pk}/reports/?event={event.pk}")
    expect(desk.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(desk.locator("#report-answers")).to_contain_text("No answers yet")

    guest = new_page()
    enter_as_household(guest, household)
    guest.goto("/rsvp/")
    question = guest.locator(f"#question-id_g{ana.pk}_q{shuttle.pk}")
    guest.check(f"#id_g{ana.pk}_e{event.pk}_status_1")  # not attending
    expect(question).to_be_hidden()
    guest.check(f"#id_g{ana.pk}_e{event.pk}_status_0")  # attending
    expect(question).to_be_visible()

    guest.get_by_label("Your favourite dance?").fill("Swing")
    guest.click("#rsvp-submit")
    expect(question).to_contain_text("Please answer: Shuttle from the hotel?")
    expect(guest.get_by_label("Your favourite dance?")).to_have_value("Swing")  # nothing typed is lost

    question.get_by_text("Yes").click()
    guest.click("#rsvp-submit")
    expect(guest).to_have_url(f"{daphne_server.url}/rsvp/done/")
    assert set(QuestionAnswer.objects.values_list("value", flat=True)) == {"yes", "Swing"}

    expect(desk.locator(f"#report-question-{shuttle.pk}")).to_contain_text("1 answer", timeout=LIVE_MS)
    expect(desk.locator('#report-answers [data-count="Yes"]')).to_have_text("1")
