"""Provider APIs through django-anymail: any MAILERS alias can be an ESP's backend (MESSAGING_MAILER)."""

from __future__ import annotations

from django.core import mail

from tests import factories
from tests.messaging.builders import deliver_all, make_household
from wedding.messaging import services
from wedding.messaging.models import Message, Recipient


def test_a_deployment_can_send_through_an_esp_with_anymail(settings, wedding, event, planner):
    """With MESSAGING_MAILER naming an anymail backend, the outbox delivers through it: every
    copy is recorded as sent with our Message-ID, and the ESP saw our headers and both parts."""
    settings.MAILERS = {
        **settings.MAILERS,
        "esp": {"BACKEND": "anymail.backends.test.EmailBackend"},  # anymail's own test ESP
    }
    settings.MESSAGING_MAILER = "esp"
    make_household(wedding, "The Ruiz family", ("Ana", "ana@ruiz.test"), event=event)
    message = factories.MessageFactory(wedding=wedding)
    mail.outbox = []
    assert services.message_send(message=message, user=planner) == 1
    deliver_all(message)

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    row = Recipient.objects.get(message=message)
    assert row.status == "sent" and row.address == "ana@ruiz.test"
    [sent] = mail.outbox  # anymail's test backend keeps what the ESP would have received
    assert sent.to == ["ana@ruiz.test"] and sent.extra_headers.get("Message-ID") == row.message_id_header
    assert "List-Unsubscribe" in sent.extra_headers
    assert any(mimetype == "text/html" for _content, mimetype in sent.alternatives)
    assert sent.anymail_status.status == {"sent"}
