"""Background work on Django's tasks framework (django-tasks-db: a durable queue in the database).

Tasks take ids, not objects, and are idempotent: running one twice, or
after a crash, delivers nothing twice (see `wedding.messaging.delivery`).
"""

from __future__ import annotations

import datetime

from django.tasks import task
from django.utils import timezone

from wedding.messaging import delivery, services


@task()
def deliver_message(message_id: int) -> None:
    """Deliver what is due, then come back when more is due (retries, rate limit)."""
    wait = delivery.outbox_deliver(message_id=message_id)
    if wait is not None:
        run_after = timezone.now() + datetime.timedelta(seconds=max(wait, 0.2))
        deliver_message.using(run_after=run_after).enqueue(message_id)


@task()
def send_scheduled(message_id: int, scheduled_for: str) -> None:
    """At the scheduled time: evaluate the segment now and queue the copies."""
    services.scheduled_send_due(message_id=message_id, scheduled_for=scheduled_for)
