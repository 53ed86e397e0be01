"""Background work on Django's tasks framework (django-tasks-db: a durable queue in the database).

Tasks take ids, not objects, and are idempotent: running one twice, or
after a crash, delivers nothing twice (see `wedding.messaging.delivery`).
This module imports the worker's side only (`delivery`, `outbox`); the
planner's `services` import it to enqueue.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from wedding.messaging import delivery, outbox
from wedding.messaging.models import Message

logger = logging.getLogger(__name__)


@task()
def deliver_message(message_id: int) -> None:
    """Deliver what is due, then come back when more is due (retries, rate limit)."""
    wait = delivery.outbox_deliver(message_id=message_id)
    if wait is not None:
        delivery_enqueue(message_id, run_after=timezone.now() + datetime.timedelta(seconds=max(wait, 0.2)))


@task()
def send_scheduled(message_id: int, scheduled_for: str) -> None:
    """At the scheduled time: evaluate the segment now and queue the copies."""
    scheduled_send_due(message_id=message_id, scheduled_for=scheduled_for)


def delivery_enqueue(message_id: int, *, run_after: datetime.datetime | None = None) -> None:
    """Ask a worker to deliver the message's due copies (now, or from `run_after`)."""
    (deliver_message.using(run_after=run_after) if run_after else deliver_message).enqueue(message_id)


def scheduled_send_enqueue(*, message_id: int, when: datetime.datetime) -> None:
    """Ask a worker to send the message at `when` (it checks then that this is still the plan)."""
    send_scheduled.using(run_after=when).enqueue(message_id, when.isoformat())


def scheduled_send_due(*, message_id: int, scheduled_for: str) -> int | None:
    """Queue the copies if the message is still scheduled for that time; returns how many, else None.

    It may have been sent by hand, unscheduled or rescheduled meanwhile: the
    status and time are checked under the message's row lock, in the
    transaction that queues the copies, so a planner's click cannot slip in between.
    """
    try:
        with transaction.atomic():
            message = Message.objects.select_for_update().filter(pk=message_id).first()
            if (
                message is None or message.status != Message.Status.SCHEDULED or message.scheduled_for is None
                or message.scheduled_for != datetime.datetime.fromisoformat(scheduled_for)
            ):
                return None
            count = outbox.copies_queue(message=message)
            if count:
                transaction.on_commit(lambda: delivery_enqueue(message_id))
            return count
    except ValidationError as error:  # a template a planner broke after scheduling: it stays scheduled
        logger.warning("scheduled message %s not sent: %s", message_id, " ".join(error.messages))
        return None


def outbox_recover() -> list[int]:
    """At worker start: every message still sending gets a delivery task again (its previous
    task may have died with a worker). Extra tasks are harmless: rows are claimed one way."""
    ids = list(Message.objects.filter(status=Message.Status.SENDING).values_list("pk", flat=True))
    for message_id in ids:
        delivery_enqueue(message_id)
    return ids
