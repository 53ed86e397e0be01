"""A planner marks a copy bounced, with the reason: through the delivery page, captured and live."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from realtime.models import Change
from tests import factories
from tests.messaging.builders import deliver_all, make_household
from tests.realtime.conftest import (
    frames,
    fresh_hub,
    html_of,
    open_socket,
    planner_cookie,
    run,
    version_of,
)
from wedding.messaging import services
from wedding.messaging.models import Recipient

__all__ = ["fresh_hub"]


@pytest.fixture
def sent(smtp, wedding, planner):
    """An invitation delivered to Ana and Ben Ruiz."""
    make_household(wedding, "The Ruiz family", ("Ana", "ana@ruiz.test"), ("Ben", "ben@ruiz.test"))
    message = factories.MessageFactory(wedding=wedding, subject="You're invited")
    services.message_send(message=message, user=planner)
    deliver_all(message)
    return message


def post(client, message, **data):
    """The notes the planner reads on the page the form leads back to."""
    response = client.post(reverse("admin:messaging_message_send", args=[message.pk]), {"action": "bounce", **data},
                           follow=True)
    assert response.status_code == 200 and response.redirect_chain
    return [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_planner_marks_a_copy_bounced_from_the_delivery_page(planner_client, sent, wedding):
    ana = Recipient.objects.get(address="ana@ruiz.test")
    page = planner_client.get(reverse("admin:messaging_message_send", args=[sent.pk])).content.decode()
    assert 'id="bounce-form"' in page and "The Ruiz family: ana@ruiz.test (sent)" in page

    notes = post(planner_client, sent, recipient=ana.pk, reason="  550 5.2.2   mailbox full ")
    assert notes == ["Marked the email to ana@ruiz.test bounced."]
    ana.refresh_from_db()
    assert ana.status == "bounced" and ana.reason == "550 5.2.2 mailbox full" and ana.failed_at
    assert ana.history[-1]["status"] == "bounced" and "mailbox full" in ana.history[-1]["detail"]
    assert Recipient.objects.get(address="ben@ruiz.test").status == "sent"
    change = Change.objects.filter(wedding=wedding, topic="message").latest("pk")
    assert change.summary == "Bounced: “You're invited” to ana@ruiz.test (550 5.2.2 mailbox full)"

    page = planner_client.get(reverse("admin:messaging_message_send", args=[sent.pk])).content.decode()
    assert 'data-status="bounced"' in page and "— 550 5.2.2 mailbox full" in page
    # Bounced copies are not retried: the address is the problem.
    assert services.message_retry_failed(message=sent) == 0


@pytest.mark.django_db
def test_bad_bounces_say_why_and_change_nothing(planner_client, sent, wedding, planner, other_wedding):
    ana = Recipient.objects.get(address="ana@ruiz.test")
    before = Change.objects.count()

    assert post(planner_client, sent, recipient=ana.pk, reason="   ") == ["This field is required."]
    assert post(planner_client, sent, recipient=ana.pk, reason="x" * 501) == [
        "Ensure this value has at most 500 characters (it has 501)."]
    assert post(planner_client, sent, recipient="nonsense", reason="full") == ["Choose one of this message's emails."]
    other = factories.MessageFactory(wedding=wedding)
    assert post(planner_client, other, recipient=ana.pk, reason="full") == ["Choose one of this message's emails."]
    # Another message's copy is not one of this message's emails.
    make_household(wedding, "The Soto family", ("Carla", "carla@soto.test"))
    second = factories.MessageFactory(wedding=wedding)
    services.message_send(message=second, user=planner)
    carla = Recipient.objects.get(message=second, address="carla@soto.test")
    assert post(planner_client, sent, recipient=carla.pk, reason="full") == ["Choose one of this message's emails."]
    # A copy still queued cannot have bounced.
    assert post(planner_client, second, recipient=carla.pk, reason="full") == [
        "Only a sent email can bounce; the one to carla@soto.test is queued."]
    with pytest.raises(ValidationError, match="Say why it bounced"):
        services.recipient_bounce(recipient=ana, reason=" \n ", user=planner)
    with pytest.raises(PermissionDenied, match="Only the wedding's planners"):
        services.recipient_bounce(recipient=ana, reason="full", user=other_wedding.planners.get())

    assert set(Recipient.objects.values_list("status", flat=True)) == {"sent", "queued"}
    assert not Change.objects.filter(pk__gt=before, summary__startswith="Bounced").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_hub")
async def test_a_bounce_shows_on_the_delivery_page_live(sent, wedding, planner):
    ana = await run(lambda: Recipient.objects.get(address="ana@ruiz.test"))
    region = [{"name": "message_delivery", "params": {"message": str(sent.pk)}}]
    socket, welcome = await open_socket(await run(lambda: planner_cookie(planner)), wedding.pk,
                                        regions_=region, version=await version_of(wedding))
    assert welcome["regions"] and not welcome.get("refused")
    await frames(socket)

    await run(lambda: services.recipient_bounce(recipient=ana, reason="550 mailbox full", user=planner))
    html = html_of(await frames(socket, timeout=3, expect=['data-status="bounced"', "550 mailbox full"]))
    assert 'data-status="bounced"' in html and "550 mailbox full" in html
    await socket.disconnect()
