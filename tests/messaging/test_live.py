"""The delivery region over the real /ws/live/ socket: statuses and "opened" arrive without a reload."""

from __future__ import annotations

import pytest
from django.test import Client

from realtime.models import Change
from tests import factories
from tests.realtime.conftest import (
    frames,
    fresh_hub,
    html_of,
    open_socket,
    planner_cookie,
    run,
    version_of,
)
from wedding.messaging import delivery, services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_hub")]
__all__ = ["fresh_hub"]


async def test_planner_watches_copies_go_out_and_get_opened(smtp, wedding, planner):
    def setup():
        household = factories.HouseholdFactory(wedding=wedding, name="The Ruiz family", email="rosa@ruiz.test")
        factories.GuestFactory(household=household, first_name="Rosa", email="")
        message = factories.MessageFactory(wedding=wedding)
        services.message_send(message=message, user=planner)
        return household, message

    household, message = await run(setup)
    region = [{"name": "message_delivery", "params": {"message": str(message.pk)}}]
    socket, welcome = await open_socket(await run(lambda: planner_cookie(planner)), wedding.pk,
                                        regions_=region, version=await version_of(wedding))
    assert welcome["regions"] and not welcome.get("refused")
    await frames(socket)

    await run(lambda: delivery.outbox_deliver(message_id=message.pk))
    html = html_of(await frames(socket, timeout=3, expect=['data-status="sent"', "1 of 1 done"]))
    assert 'data-status="sent"' in html and "rosa@ruiz.test" in html and "1 of 1 done" in html

    # Rosa follows the link in the email she received.
    await run(lambda: Client().get(f"/i/{household.invitation_code}/"))
    assert ">opened<" in html_of(await frames(socket, timeout=3, expect=[">opened<"]))
    await socket.disconnect()

    summaries = await run(lambda: list(Change.objects.filter(wedding=wedding, topic="message")
                                       .values_list("summary", flat=True)))
    assert "Invitation sent to 1 household" in summaries
    assert "The Ruiz family opened their invitation link" in summaries
