"""The outbox through a real SMTP server: what arrives, failures, retries, idempotency."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from realtime.models import Change
from rsvp.models import Response
from tests import factories
from tests.messaging.builders import deliver_all, make_household
from wedding.messaging import delivery, services, tasks
from wedding.messaging.models import Message, OptOut, Recipient

pytestmark = pytest.mark.django_db


@pytest.fixture
def ruiz(wedding, event):
    return make_household(wedding, "The Ruiz family", ("Ana", "ana@ruiz.test"), ("Ben", "ben@ruiz.test"),
                          email="home@ruiz.test", event=event)


@pytest.fixture
def soto(wedding, event):
    return make_household(wedding, "The Soto family", ("Carla", "carla@soto.test"), event=event)


def test_invitation_arrives_with_both_parts_a_working_link_and_nobody_elses_data(
    smtp, wedding, event, ruiz, soto, planner, client
):
    message = factories.MessageFactory(wedding=wedding)
    assert services.message_send(message=message, user=planner) == 4  # 3 Ruiz addresses + Carla
    deliver_all(message)

    assert message.status == Message.Status.SENT
    ana = smtp.handler.to("ana@ruiz.test")
    assert len(ana) == 1
    mail = ana[0]
    assert mail.subject == "You're invited, The Ruiz family"
    text, html = mail.part("text/plain"), mail.part("text/html")
    assert "Dear Ana and Ben," in text and "Come to Lucía & Marco!" in text and event.name in text
    assert "Come to Lucía &amp; Marco!" in html  # every value escaped in the HTML part
    link = f"http://testserver/i/{ruiz.invitation_code}/"
    assert link in text and f'<a href="{link}">' in html
    for private in ("Carla", "Soto", soto.invitation_code):
        assert private not in text and private not in html
    # Headers: our Message-ID (recorded on the row) and a one-click unsubscribe.
    row = Recipient.objects.get(message=message, address="ana@ruiz.test")
    assert mail.message["Message-ID"] == row.message_id_header and row.status == "sent" and row.sent_at
    unsubscribe = re.fullmatch(r"<http://testserver(/m/unsubscribe/[^>]+/)>", mail.message["List-Unsubscribe"])
    assert unsubscribe
    assert [h["status"] for h in row.history] == ["queued", "sending", "sent"]

    # The personal link works and marks the household's copies opened (not Soto's).
    response = client.get(link.removeprefix("http://testserver"))
    assert response.status_code == 302 and response.url.endswith("/home/")
    assert Recipient.objects.filter(household=ruiz, opened_at__isnull=False).count() == 3
    assert not Recipient.objects.filter(household=soto, opened_at__isnull=False).exists()

    # The unsubscribe link needs no login; GET only asks, the page's button opts out.
    path = unsubscribe.group(1)
    csrf_client = Client(enforce_csrf_checks=True)
    page = csrf_client.get(path)
    assert page.status_code == 200 and not OptOut.objects.exists()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert csrf_client.post(path, {"csrfmiddlewaretoken": token}).status_code == 200
    assert OptOut.objects.filter(household=ruiz).exists()
    assert client.post(path.replace("/m/unsubscribe/", "/m/unsubscribe/x")).status_code == 404
    # The activity feed says how it went.
    assert Change.objects.filter(wedding=wedding, summary="Invitation sent to 2 households").exists()


def test_html_part_escapes_a_hostile_name(smtp, wedding, event, planner):
    make_household(wedding, "The Hack family", ("<script>alert(1)</script>", "x@hack.test"), event=event)
    message = factories.MessageFactory(wedding=wedding, body="{{ greeting }} / {{ guest_names }}")
    services.message_send(message=message, user=planner)
    deliver_all(message)
    html = smtp.handler.to("x@hack.test")[0].part("text/html")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_refused_recipients_and_a_dropped_connection_end_sent_or_failed_and_retry_sends_only_the_failed(
    smtp, settings, wedding, event, planner
):
    settings.MESSAGING_BATCH_SIZE = 4
    households = [make_household(wedding, f"The H{i} family", (f"G{i}", f"g{i}@test.example"), event=event)
                  for i in range(8)]
    del households
    smtp.handler.refuse = {"g2@test.example": "550 5.1.1 No such user here",
                           "g5@test.example": "450 4.2.1 Mailbox busy, try later"}
    smtp.handler.drop_on_data = {3}  # the 3rd DATA: the server hangs up before answering
    message = factories.MessageFactory(wedding=wedding)
    services.message_send(message=message, user=planner)
    settings.MESSAGING_MAX_ATTEMPTS = 3
    deliver_all(message)

    rows = {r.address: r for r in Recipient.objects.filter(message=message)}
    assert {r.status for r in rows.values()} <= {"sent", "failed"}
    assert rows["g2@test.example"].status == "failed" and "550 5.1.1 No such user here" in rows["g2@test.example"].reason
    assert rows["g5@test.example"].status == "failed" and "450" in rows["g5@test.example"].reason
    assert rows["g5@test.example"].attempts == 3  # 4xx: retried until the attempts ran out
    for address, row in rows.items():
        assert len(smtp.handler.to(address)) == (1 if row.status == "sent" else 0), address
    # The copy whose connection dropped was retried and arrived once.
    dropped = [r for r in rows.values() if any("Connection" in h["detail"] for h in r.history)]
    assert dropped and all(r.status == "sent" for r in dropped)

    # The server recovers; "retry failed" sends exactly the two failed copies.
    smtp.handler.refuse = {}
    assert services.message_retry_failed(message=message, user=planner) == 2
    deliver_all(message)
    assert message.status == Message.Status.SENT
    assert Recipient.objects.filter(message=message, status="sent").count() == 8
    for i in range(8):
        assert len(smtp.handler.to(f"g{i}@test.example")) == 1


def test_mail_server_down_retries_with_backoff_then_fails_with_the_reason(settings, wedding, event, planner, ruiz):
    from tests.messaging.smtp import free_port

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2}}}
    settings.MESSAGING_RETRY_BASE_SECONDS = 30
    message = factories.MessageFactory(wedding=wedding)
    services.message_send(message=message, user=planner)
    wait = delivery.outbox_deliver(message_id=message.pk)
    assert 25 <= wait <= 30  # nothing due until the backoff has passed
    row = Recipient.objects.filter(message=message).first()
    assert row.status == "queued" and row.attempts == 1 and "Connection" in row.reason

    settings.MESSAGING_RETRY_BASE_SECONDS = 0
    settings.MESSAGING_MAX_ATTEMPTS = 2
    Recipient.objects.update(next_attempt_at=timezone.now())
    deliver_all(message)
    assert set(Recipient.objects.values_list("status", flat=True)) == {"failed"}
    assert all("Connection" in r for r in Recipient.objects.values_list("reason", flat=True))


def test_a_second_send_is_refused_and_queues_nothing(smtp, wedding, ruiz, planner):
    message = factories.MessageFactory(wedding=wedding)
    services.message_send(message=message, user=planner)
    with pytest.raises(ValidationError, match="already sending"):
        services.message_send(message=message, user=planner)
    assert Recipient.objects.filter(message=message).count() == 3


def test_a_bad_template_queues_nothing(wedding, ruiz, planner):
    message = factories.MessageFactory(wedding=wedding, body="{% include 'base.html' %}")
    with pytest.raises(ValidationError):
        services.message_send(message=message, user=planner)
    message.refresh_from_db()
    assert message.status == "draft" and not Recipient.objects.exists()


def test_another_weddings_planner_cannot_send(wedding, other_wedding, ruiz):
    from django.core.exceptions import PermissionDenied

    message = factories.MessageFactory(wedding=wedding)
    with pytest.raises(PermissionDenied):
        services.message_send(message=message, user=other_wedding.planners.get())
    assert not Recipient.objects.exists()


def test_segment_is_evaluated_at_send_time_not_when_scheduled(smtp, wedding, event, ruiz, soto, planner):
    message = factories.MessageFactory(
        wedding=wedding, kind="reminder", segment="not_answered", segment_event=event,
        subject="Please answer", body="{{ link }}",
    )
    when = timezone.now() + datetime.timedelta(days=1)
    services.message_schedule(message=message, when=when, user=planner)
    assert message.status == "scheduled" and not Recipient.objects.exists()
    # Carla Soto answers before the reminder goes out.
    carla = soto.guests.get()
    factories.ResponseFactory(guest=carla, event=event, status=Response.Status.ATTENDING)

    tasks.scheduled_send_due(message_id=message.pk, scheduled_for=when.isoformat())
    deliver_all(message)
    assert set(Recipient.objects.values_list("household__name", flat=True)) == {"The Ruiz family"}
    assert smtp.handler.to("carla@soto.test") == []
    assert len(smtp.handler.to("ana@ruiz.test")) == 1


def test_a_rescheduled_or_unscheduled_message_is_not_sent_by_the_old_task(wedding, ruiz, planner):
    message = factories.MessageFactory(wedding=wedding)
    first = timezone.now() + datetime.timedelta(hours=1)
    services.message_schedule(message=message, when=first, user=planner)
    services.message_unschedule(message=message, user=planner)
    assert tasks.scheduled_send_due(message_id=message.pk, scheduled_for=first.isoformat()) is None
    assert not Recipient.objects.exists()


def test_segments_choose_households(wedding, event, ruiz, soto, planner):
    from wedding.messaging.segments import segment_reach

    tag = factories.TagFactory(wedding=wedding, name="family")
    soto.guests.get().tags.add(tag)
    factories.ResponseFactory(guest=ruiz.guests.first(), event=event, status=Response.Status.DECLINED)
    nobody = factories.HouseholdFactory(wedding=wedding, name="The Post family", email="")
    factories.GuestFactory(household=nobody, email="")

    def reach(**segment) -> set[str]:
        return {h.name for h, _a, _e in segment_reach(factories.MessageFactory.build(wedding=wedding, **segment)).deliveries}

    assert reach(segment="tag", segment_tag=tag) == {"The Soto family"}
    assert reach(segment="declined", segment_event=event) == {"The Ruiz family"}
    assert reach(segment="not_answered", segment_event=event) == {"The Ruiz family", "The Soto family"}
    assert reach(segment="invited", segment_event=event) == {"The Ruiz family", "The Soto family"}
    assert reach(segment="never_opened") == {"The Ruiz family", "The Soto family"}
    everyone = segment_reach(factories.MessageFactory.build(wedding=wedding, segment="all"))
    assert [h.name for h in everyone.without_email] == ["The Post family"]
    assert everyone.household_count == 2 and everyone.address_count == 4


def test_opted_out_households_get_only_essential_updates_and_only_when_attending(
    smtp, wedding, event, ruiz, soto, planner
):
    services.household_opt_out(household=ruiz)
    services.household_opt_out(household=soto)
    factories.ResponseFactory(guest=soto.guests.get(), event=event, status=Response.Status.ATTENDING)
    update = factories.MessageFactory(wedding=wedding, kind="update", body="The shuttle leaves at 4")
    services.message_send(message=update, user=planner)
    assert not Recipient.objects.filter(message=update).exists()

    essential = factories.MessageFactory(wedding=wedding, kind="update", essential=True, body="The shuttle leaves at 4")
    services.message_send(message=essential, user=planner)
    deliver_all(essential)
    assert list(Recipient.objects.filter(message=essential).values_list("address", "essential")) == [
        ("carla@soto.test", True)
    ]
    text = smtp.handler.to("carla@soto.test")[0].part("text/plain")
    assert "Essential update" in text and "No more messages" not in text


def test_rate_limit_per_wedding_holds_the_rest_for_later(smtp, settings, wedding, ruiz, soto, planner):
    settings.MESSAGING_RATE_PER_MINUTE = 3
    message = factories.MessageFactory(wedding=wedding)
    services.message_send(message=message, user=planner)
    wait = delivery.outbox_deliver(message_id=message.pk)
    assert wait is not None and 50 < wait <= 60
    assert len(smtp.handler.arrived) == 3
    assert Recipient.objects.filter(message=message, status="queued").count() == 1


def test_a_dead_workers_rows_are_recovered_without_a_second_copy(smtp, settings, wedding, ruiz, planner):
    message = factories.MessageFactory(wedding=wedding)
    services.message_send(message=message, user=planner)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    home, ana, ben = Recipient.objects.filter(message=message).order_by("address")[:3]
    Recipient.objects.filter(pk=home.pk).update(status="claimed", claim="dead", claimed_at=long_ago)
    Recipient.objects.filter(pk=ana.pk).update(status="sending", claim="dead", claimed_at=long_ago, attempts=1)
    deliver_all(message)
    statuses = dict(Recipient.objects.filter(message=message).values_list("address", "status"))
    # Claimed but never handed over: sent now. Mid-hand-over: uncertain, so failed, never resent.
    assert statuses == {home.address: "sent", ana.address: "failed", ben.address: "sent"}
    assert "uncertain" in Recipient.objects.get(pk=ana.pk).reason
    assert smtp.handler.to(ana.address) == []


def test_send_test_goes_only_to_the_planner(smtp, wedding, ruiz, planner):
    message = factories.MessageFactory(wedding=wedding)
    services.message_send_test(message=message, household=ruiz, to="me@planner.test", user=planner)
    assert [a.to for a in smtp.handler.arrived] == [["me@planner.test"]]
    assert smtp.handler.arrived[0].subject.startswith("[Test] You're invited, The Ruiz family")
    assert not Recipient.objects.exists()
