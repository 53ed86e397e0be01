"""Messaging's live surface: messages and opt-outs tracked, delivery progress per message as a region."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef
from django.http import Http404

from realtime.live import Audience, Viewer, region, track
from rsvp.models import Response
from wedding.messaging.models import Message, OptOut, Recipient

# The outbox (recipients) is written with update()/bulk_create() and records its own changes;
# tracking it still captures any save().
track(Message, topic="message")
track(Recipient, topic="message")
track(OptOut, topic="message", household=lambda opt_out: opt_out.household_id)

S = Recipient.Status


def delivery_context(viewer: Viewer, message: str = "") -> dict:
    """Progress and the per-household table of one message, for its wedding's planners."""
    try:
        found = Message.objects.get(pk=int(message), wedding=viewer.wedding)
    except (ValueError, Message.DoesNotExist):
        raise Http404("No such message.") from None
    counts = dict(found.recipients.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    total = sum(counts.values())
    queued = sum(counts.get(s, 0) for s in (S.QUEUED, S.CLAIMED, S.SENDING))
    done = total - queued
    answered = Response.objects.filter(guest__household=OuterRef("household")).exclude(status=Response.Status.PENDING)
    rows = list(
        found.recipients.select_related("household").annotate(responded=Exists(answered))
        .order_by("household__name", "address")
    )
    return {
        "message": found,
        "total": total,
        "done": done,
        "percent": int(100 * done / total) if total else 100,
        "sent": counts.get(S.SENT, 0),
        "failed": counts.get(S.FAILED, 0) + counts.get(S.BOUNCED, 0),
        "queued": queued,
        "opened": sum(1 for r in rows if r.opened_at),
        "rows": rows,
    }


region(
    "message_delivery",
    audience=Audience.PLANNER,
    topics={"message", "rsvp"},
    template="admin/messaging/message/send.html#delivery",
    context=delivery_context,
    params=("message",),
)
