"""Messaging writes: send (now or scheduled), test sends, retries, opens and opt-outs.

Each function owns its transaction and records its change for live pages
(topic "message"). Composing a send writes every Recipient row in the same
transaction as the send request and enqueues the delivery task only after
commit, so the worker never sees a half-written outbox and a rolled-back
request queues nothing. Queueing the copies is `outbox.copies_queue` (shared
with the scheduled send, in `tasks`); delivery lives in `wedding.messaging.delivery`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import mailers
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guests.models import Household
from realtime.live import acting_as_planner, bulk_change, record_change
from wedding.core.models import Wedding
from wedding.messaging import outbox, rendering, tasks
from wedding.messaging.models import Message, OptOut, Recipient, new_message_id
from wedding.messaging.segments import households_for_rendering


def message_send(*, message: Message, user: Any = None) -> int:
    """Queue `message` for every address its segment reaches now; returns the number queued.

    Refuses (ValidationError) a message already sending or sent. Safe against
    a double click: the message row is locked and its status checked under the lock.
    """
    Wedding.objects.check_planner(user, message.wedding_id)
    with acting_as_planner(user), transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if locked.status not in (Message.Status.DRAFT, Message.Status.SCHEDULED):
            raise ValidationError(f"This message is already {locked.get_status_display().lower()}.")
        count = outbox.copies_queue(message=locked)
        if count:
            transaction.on_commit(lambda: tasks.delivery_enqueue(locked.pk))
    message.refresh_from_db()
    return count


def message_schedule(*, message: Message, when: datetime.datetime, user: Any = None) -> None:
    """Send `message` at `when`; its segment is evaluated then, not now."""
    Wedding.objects.check_planner(user, message.wedding_id)
    if when <= timezone.now():
        raise ValidationError("Choose a time in the future, or send now.")
    with acting_as_planner(user), transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if not locked.editable:
            raise ValidationError(f"This message is already {locked.get_status_display().lower()}.")
        locked.status = Message.Status.SCHEDULED
        locked.scheduled_for = when
        locked.save(update_fields=["status", "scheduled_for", "updated_at"])  # captured by its signal
        transaction.on_commit(lambda: tasks.scheduled_send_enqueue(message_id=locked.pk, when=when))
    message.refresh_from_db()


def message_unschedule(*, message: Message, user: Any = None) -> None:
    """Back to a draft; the scheduled task finds it no longer scheduled and does nothing."""
    Wedding.objects.check_planner(user, message.wedding_id)
    with acting_as_planner(user), transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if locked.status != Message.Status.SCHEDULED:
            raise ValidationError("This message is not scheduled.")
        locked.status = Message.Status.DRAFT
        locked.scheduled_for = None
        locked.save(update_fields=["status", "scheduled_for", "updated_at"])
    message.refresh_from_db()


def message_retry_failed(*, message: Message, user: Any = None) -> int:
    """Queue the failed copies again; returns how many. Sent copies are never resent, nor bounced
    ones: the mail came back from that address, so sending again would only bounce again."""
    Wedding.objects.check_planner(user, message.wedding_id)
    with acting_as_planner(user), transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        failed = list(locked.recipients.filter(status=Recipient.Status.FAILED).order_by("pk"))
        if not failed:
            return 0
        now = timezone.now()
        with bulk_change(wedding_id=locked.wedding_id, topic=outbox.TOPIC, action="update",
                         model="messaging.recipient",
                         summary=f"Retrying {len(failed)} failed copies of “{locked.subject[:60]}”") as ids:
            for row in failed:
                row.status = Recipient.Status.QUEUED
                row.attempts = 0
                row.next_attempt_at = now
                row.claim = ""
                row.history = [*row.history, outbox.history_entry("queued", "retry requested by a planner")]
            Recipient.objects.bulk_update(failed, ["status", "attempts", "next_attempt_at", "claim", "history"])
            ids.extend(r.pk for r in failed)
            locked.status = Message.Status.SENDING
            locked.finished_at = None
            locked.save(update_fields=["status", "finished_at", "updated_at"])
        transaction.on_commit(lambda: tasks.delivery_enqueue(locked.pk))
    message.refresh_from_db()
    return len(failed)


def message_send_test(*, message: Message, household: Household, to: str, user: Any = None) -> None:
    """Send `message` as `household` would get it, to the planner's own address, right now.

    Not an outbox delivery: nothing is recorded, and a mail server error is
    raised (as ValidationError, in the server's words) for the planner to read.
    """
    Wedding.objects.check_planner(user, message.wedding_id)
    if household.wedding_id != message.wedding_id:
        raise ValidationError("That household belongs to another wedding.")
    household = households_for_rendering(Household.objects.filter(pk=household.pk)).get()
    rendering.check_template(message.subject, wedding=household.wedding)  # TemplateError is a ValidationError
    rendering.check_template(message.body, wedding=household.wedding)
    rendered = rendering.render_email(message=message, household=household, wedding=household.wedding)
    email = outbox.build_email(rendered=rendered, subject=f"[Test] {rendered.subject}", to=to,
                               message_id=new_message_id(outbox.message_id_domain()))
    try:
        mailers[settings.MESSAGING_MAILER].send_messages([email])
    except Exception as error:  # noqa: BLE001 - shown to the planner as it is
        raise ValidationError(f"The mail server refused the test: {error}") from error


def recipient_bounce(*, recipient: Recipient, reason: str, user: Any = None) -> None:
    """A sent copy came back (the planner read the bounce): mark it bounced, in `reason`'s words.

    Refuses (ValidationError, nothing changed) an empty or overlong reason and a
    copy that was not sent. The status is checked under the row's lock, so a
    bounce cannot overwrite a retry a worker is sending. Recorded for the delivery
    page, the guest list and the activity feed.
    """
    Wedding.objects.check_planner(user, recipient.wedding_id)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError("Say why it bounced (the mail server's words, if you have them).")
    if len(reason) > 500:
        raise ValidationError("That reason is too long (500 characters at most).")
    with acting_as_planner(user), transaction.atomic():
        locked = Recipient.objects.select_for_update().get(pk=recipient.pk)
        if locked.status != Recipient.Status.SENT:
            raise ValidationError(
                f"Only a sent email can bounce; the one to {locked.address} is {locked.get_status_display().lower()}."
            )
        history = [*locked.history, outbox.history_entry(Recipient.Status.BOUNCED, f"{reason} (marked by a planner)")]
        # update(), not save(): the change is recorded below in the planner's words, once.
        Recipient.objects.filter(pk=locked.pk).update(
            status=Recipient.Status.BOUNCED, reason=reason, failed_at=timezone.now(), history=history,
        )
        record_change(
            wedding_id=locked.wedding_id, topic=outbox.TOPIC, action="update", model="messaging.recipient",
            object_id=locked.pk, household_id=locked.household_id,
            summary=f"Bounced: “{locked.subject[:80]}” to {locked.address} ({reason[:120]})",
        )
    recipient.refresh_from_db()


def household_opened(*, household: Household) -> int:
    """The household followed its personal link: every copy sent to it and not yet opened
    is now "opened" (no tracking pixels: a visit is the only signal). Returns how many."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Recipient.objects.select_for_update()
            .filter(household=household, status=Recipient.Status.SENT, opened_at__isnull=True, sent_at__lte=now)
            .values_list("pk", flat=True)
        )
        if not rows:
            return 0
        with bulk_change(wedding_id=household.wedding_id, topic=outbox.TOPIC, action="update",
                         model="messaging.recipient", summary=f"{household.name} opened their invitation link") as ids:
            Recipient.objects.filter(pk__in=rows).update(opened_at=now)
            ids.extend(rows)
    return len(rows)


def household_address_confirm(*, household: Household, address: str) -> None:
    """The household confirms (or corrects) its mailing address for the paper invitation."""
    address = "\n".join(line.strip() for line in address.strip().splitlines() if line.strip())
    if not address:
        raise ValidationError(_("Please write the address the invitation should go to."))
    if len(address) > 500:
        raise ValidationError("That address is too long (500 characters at most).")
    with transaction.atomic():
        locked = Household.objects.select_for_update().get(pk=household.pk)
        locked.address = address
        locked.save(update_fields=["address", "updated_at"])  # captured by its signal
    household.address = address


def household_opt_out(*, household: Household) -> bool:
    """No more non-essential messages for `household`; True when this is new."""
    with transaction.atomic():
        # Captured by its post_save signal (messaging.optout is tracked).
        _optout, created = OptOut.objects.get_or_create(
            household=household, defaults={"wedding_id": household.wedding_id}
        )
    return created
