"""Browser: the planner composes, previews, sends to "not answered", watches the copies go out;
the guest opens the link from the email and the planner sees "opened" without reloading."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rsvp.models import Response
from tests import factories
from tests.e2e.conftest import *  # noqa: F403 - the browser fixtures: daphne_server, new_page, login_planner…
from tests.e2e.conftest import (  # noqa: F401 - the private fixtures those depend on
    _daphne_session,
    _mark_log_offsets,
    _playwright,
    _playwright_loop_is_current,
)
from wedding.messaging import delivery
from wedding.messaging.models import Message

pytestmark = pytest.mark.e2e


def test_planner_sends_a_reminder_and_watches_it_live(smtp, daphne_server, new_page, login_planner, planner,
                                                     wedding, event):
    waiting = factories.HouseholdFactory(wedding=wedding, name="The Ruiz family", email="rosa@ruiz.test")
    rosa = factories.GuestFactory(household=waiting, first_name="Rosa", email="")
    factories.InvitationFactory(guest=rosa, event=event)
    answered = factories.HouseholdFactory(wedding=wedding, name="The Soto family", email="carla@soto.test")
    carla = factories.GuestFactory(household=answered, first_name="Carla", email="")
    factories.InvitationFactory(guest=carla, event=event)
    factories.ResponseFactory(guest=carla, event=event, status=Response.Status.ATTENDING)

    page = new_page()
    login_planner(page, planner)
    page.goto("/admin/messaging/message/add/?kind=reminder")
    page.select_option("#id_segment", "not_answered")
    page.select_option("#id_segment_event", str(event.pk))
    page.click("input[name=_save]")

    expect(page.locator("#preview-subject")).to_contain_text("Reminder: please RSVP by")
    expect(page.locator("#reach")).to_contain_text("1 household, 1 address")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    page.click("#send-form button")
    expect(page.locator("#delivery-summary")).to_contain_text("0 of 1 done")
    row = page.locator("#delivery-table tr[data-recipient]")
    expect(row).to_contain_text("rosa@ruiz.test")

    # The worker's part (here in the test process; its writes are published like the worker's).
    message = Message.objects.get()
    assert delivery.outbox_deliver(message_id=message.pk) is None
    expect(page.locator("#delivery-progress")).to_have_attribute("value", "100")
    expect(row).to_have_attribute("data-status", "sent")
    assert smtp.handler.to("carla@soto.test") == []

    # Rosa follows the link in the email she received.
    text = smtp.handler.to("rosa@ruiz.test")[0].part("text/plain")
    link = re.search(r"http://testserver(/i/[A-Z0-9]+/)", text).group(1)
    guest = new_page()
    guest.goto(link)
    expect(guest.locator("h1")).to_be_visible()
    expect(row).to_contain_text("opened")
