"""The outbox's low level, shared by the planner's writes (`services`) and the worker (`delivery`, `tasks`).

What a copy is (its topic, its history entries, the email built from it) and
how the copies of a message are queued. This module enqueues no task and
imports neither `services` nor `delivery` nor `tasks`: they all import it, so
the dependencies point one way (services → tasks → delivery → outbox).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from realtime.live import bulk_change
from wedding.core.i18n import guest_language, translated
from wedding.core.models import Wedding
from wedding.messaging import rendering
from wedding.messaging.models import Message, Recipient, new_message_id
from wedding.messaging.segments import segment_reach

TOPIC = "message"


def history_entry(status: str, detail: str = "") -> dict[str, str]:
    """One step of a copy's history, as the planner reads it ("did Aunt Rosa get it?")."""
    return {"status": status, "at": timezone.now().isoformat(), "detail": detail[:300]}


def message_id_domain() -> str:
    return settings.MESSAGING_MESSAGE_ID_DOMAIN


def build_email(*, rendered: rendering.RenderedEmail, subject: str, to: str, message_id: str) -> EmailMultiAlternatives:
    """Both parts of one copy, with its Message-ID and the household's List-Unsubscribe link."""
    email = EmailMultiAlternatives(
        subject=subject, body=rendered.text, to=[to],
        headers={
            "Message-ID": message_id,
            "List-Unsubscribe": f"<{rendered.unsubscribe_url}>",
            # RFC 8058: the mail client may POST to that URL itself (messaging.views.unsubscribe).
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    email.attach_alternative(rendered.html, "text/html")
    return email


def copies_queue(*, message: Message) -> int:
    """Write one queued Recipient per address `message`'s segment reaches now; returns how many.

    Marks the message sending (sent at once when it reaches nobody) and records
    the change. Contract: call inside `transaction.atomic()`, holding the
    message's row lock (`select_for_update`) with its status checked; the caller
    enqueues the delivery task on commit when the count is not 0. Raises
    `rendering.TemplateError` (a ValidationError) for a subject or body that
    does not render, before writing anything.
    """
    wedding = Wedding.objects.get(pk=message.wedding_id)
    rendering.check_template(message.subject, wedding=wedding)
    rendering.check_template(message.body, wedding=wedding)
    for texts in (message.translations or {}).values():  # each language's subject and body render too
        for text in texts.values():
            rendering.check_template(text, wedding=wedding)
    reach = segment_reach(message)
    now = timezone.now()
    domain = message_id_domain()
    contexts: dict[int, dict[str, str]] = {}
    rows = []
    for household, address, essential in reach.deliveries:
        if household.pk not in contexts:
            contexts[household.pk] = rendering.household_context(household, wedding=wedding)
        rows.append(Recipient(
            wedding_id=wedding.pk, message=message, household=household, address=address,
            subject=rendering.render_subject(
                translated(message, "subject", guest_language(wedding, household)), contexts[household.pk]
            ),
            message_id_header=new_message_id(domain), essential=essential, queued_at=now,
            next_attempt_at=now, history=[history_entry("queued")],
        ))
    summary = (
        f"{message.get_kind_display()} “{message.subject[:60]}” queued for "
        f"{reach.household_count} households ({len(rows)} addresses)"
    )
    with bulk_change(wedding_id=wedding.pk, topic=TOPIC, action="create", model="messaging.recipient",
                     summary=summary) as ids:
        Recipient.objects.bulk_create(rows, batch_size=500)
        ids.append(message.pk)
        message.status = Message.Status.SENDING if rows else Message.Status.SENT
        message.send_requested_at = now
        message.finished_at = None if rows else now
        message.scheduled_for = None
        message.save(update_fields=["status", "send_requested_at", "finished_at", "scheduled_for", "updated_at"])
    return len(rows)
