"""The planner's pages: compose with a preset, preview, reach, send, schedule; paper exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from tests import factories
from wedding.messaging.models import Message, Recipient

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(wedding, event):
    ruiz = factories.HouseholdFactory(wedding=wedding, name="The Ruiz family", email="home@ruiz.test",
                                      address="1 Calle Mayor\nMadrid")
    for first in ("Ana", "Ben"):
        guest = factories.GuestFactory(household=ruiz, first_name=first, last_name="Ruiz", email="")
        factories.InvitationFactory(guest=guest, event=event)
    post = factories.HouseholdFactory(wedding=wedding, name="The Post family", email="", phone="+34 1", address="")
    factories.GuestFactory(household=post, first_name="=cmd", last_name="Post", email="")
    return ruiz, post


def test_compose_from_a_preset_then_preview_reach_and_send(planner_client, wedding, households):
    ruiz, post = households
    add = reverse("admin:messaging_message_add")
    page = planner_client.get(add + "?kind=reminder")
    assert page.status_code == 200
    assert "Reminder: please RSVP by {{ rsvp_deadline }}" in page.content.decode()

    response = planner_client.post(add, {
        "wedding": wedding.pk, "kind": "invitation", "subject": "Hello {{ household }}",
        "body": "{{ greeting }}: {{ link }}", "segment": "all",
    })
    message = Message.objects.get()
    send_page = reverse("admin:messaging_message_send", args=[message.pk])
    assert response.status_code == 302 and response.url == send_page

    page = planner_client.get(send_page + f"?household={ruiz.pk}").content.decode()
    assert "Hello The Ruiz family" in page and "Dear Ana and Ben" in page
    assert f"/i/{ruiz.invitation_code}/" in page
    assert "<strong>1</strong> household, <strong>1</strong> address" in page
    assert 'id="no-email"' in page and "The Post family" in page  # reach them another way

    response = planner_client.post(send_page, {"action": "send"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == "sending"
    assert list(Recipient.objects.values_list("address", "status")) == [("home@ruiz.test", "queued")]
    page = planner_client.get(send_page).content.decode()
    assert 'id="delivery-progress"' in page and "home@ruiz.test" in page


def test_a_broken_template_is_a_form_error_and_saves_nothing(planner_client, wedding):
    response = planner_client.post(reverse("admin:messaging_message_add"), {
        "wedding": wedding.pk, "kind": "update", "subject": "Hi {% if household %}", "body": "ok", "segment": "all",
    })
    assert response.status_code == 200
    assert "The template has an error" in response.content.decode()
    assert not Message.objects.exists()


def test_segment_needing_a_choice_says_so(planner_client, wedding):
    response = planner_client.post(reverse("admin:messaging_message_add"), {
        "wedding": wedding.pk, "kind": "update", "subject": "Hi", "body": "ok", "segment": "tag",
    })
    assert "Choose the tag." in response.content.decode() and not Message.objects.exists()


def test_schedule_in_the_past_is_refused_and_in_the_future_is_kept(planner_client, wedding, households):
    message = factories.MessageFactory(wedding=wedding)
    url = reverse("admin:messaging_message_send", args=[message.pk])
    response = planner_client.post(url, {"action": "schedule", "when": "2001-01-01T10:00"}, follow=True)
    assert "Choose a time in the future" in response.content.decode()
    message.refresh_from_db()
    assert message.status == "draft"
    planner_client.post(url, {"action": "schedule", "when": "2099-01-01T10:00"})
    message.refresh_from_db()
    assert message.status == "scheduled" and message.scheduled_for.year == 2099


def test_another_planners_message_is_not_found(client, wedding, other_wedding, households):
    message = factories.MessageFactory(wedding=wedding)
    client.force_login(other_wedding.planners.get())
    url = reverse("admin:messaging_message_send", args=[message.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "send"}).status_code == 404
    assert not Recipient.objects.exists()
    assert client.get(reverse("admin:messaging_envelopes", args=[wedding.pk])).status_code == 404


def test_sent_messages_are_read_only(planner_client, wedding, households):
    message = factories.MessageFactory(wedding=wedding, status="sent")
    url = reverse("admin:messaging_message_change", args=[message.pk])
    planner_client.post(url, {"wedding": wedding.pk, "kind": "update", "subject": "changed", "body": "x",
                              "segment": "all"})
    message.refresh_from_db()
    assert message.subject != "changed"


def test_envelope_csv_and_qr_codes(planner_client, wedding, households):
    ruiz, post = households
    response = planner_client.get(reverse("admin:messaging_envelopes", args=[wedding.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_household = {r["household"]: r for r in rows}
    assert by_household["The Ruiz family"]["addressee"] == "Ana and Ben Ruiz"
    assert by_household["The Ruiz family"]["mailing_address"] == "1 Calle Mayor\nMadrid"
    assert by_household["The Ruiz family"]["invitation_link"].endswith(f"/i/{ruiz.invitation_code}/")
    assert by_household["The Post family"]["addressee"] == "'=cmd Post"  # formula neutralised

    page = planner_client.get(reverse("admin:messaging_paper", args=[wedding.pk])).content.decode()
    assert 'id="missing-address"' in page and "The Post family" in page
    png = planner_client.get(reverse("admin:messaging_qr", args=[wedding.pk, ruiz.pk, "png"]))
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    svg = planner_client.get(reverse("admin:messaging_qr", args=[wedding.pk, ruiz.pk, "svg"]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert planner_client.get(reverse("admin:messaging_qr", args=[wedding.pk, ruiz.pk, "gif"])).status_code == 404


def test_family_addressee_lines():
    from wedding.messaging.paper import addressee_line

    def guest(first, last, age="adult"):
        return factories.GuestFactory.build(first_name=first, last_name=last, age_group=age)

    household = factories.HouseholdFactory.build(name="Ruiz & Soto")
    assert addressee_line(household, [guest("Ana", "Ruiz"), guest("Ben", "Soto")]) == "Ana Ruiz and Ben Soto"
    assert addressee_line(household, [guest("Ana", "Ruiz"), guest("Ben", "Ruiz"), guest("Leo", "Ruiz", "child")]) == "The Ruiz Family"
    assert addressee_line(household, [guest("Ana", "Ruiz")]) == "Ana Ruiz"


def test_guest_confirms_the_mailing_address(client, wedding, households):
    ruiz, _post = households
    url = reverse("messaging:address")
    assert client.get(url).status_code == 302  # no household session: to the entry page
    client.get(reverse("guests:invitation", args=[ruiz.invitation_code]))
    page = client.get(url).content.decode()
    assert "1 Calle Mayor" in page
    response = client.post(url, {"address": "   "})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    ruiz.refresh_from_db()
    assert ruiz.address == "1 Calle Mayor\nMadrid"
    client.post(url, {"address": " 2 Calle Nueva \r\n\r\n 28001 Madrid "})
    ruiz.refresh_from_db()
    assert ruiz.address == "2 Calle Nueva\n28001 Madrid"
