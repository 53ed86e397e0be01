"""Messaging as other pages read it: each household's last message, opened, responded (reads only).

The dashboard's guest list composes these (dependencies point one way:
feature apps → dashboard). "Responded" means someone in the household
answered for some event; "opened" is the household's personal link visited
after a copy was sent (see `services.household_opened`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from rsvp.models import Response
from wedding.messaging.models import Message, Recipient

S = Recipient.Status

# The guest list's filter (value → label); any other value filters nothing.
MESSAGE_FILTERS = {
    "never_opened": "Sent, never opened",
    "opened_unanswered": "Opened, not answered",
}


@dataclass(frozen=True)
class LastMessage:
    """The household's copies of the last message queued for it, summed up for one table cell."""

    message: Message
    subject: str  # as rendered for this household
    status: str  # a Recipient.Status: the furthest any copy got (sent beats queued beats bounced beats failed)
    sent_at: datetime.datetime | None
    opened_at: datetime.datetime | None
    reason: str  # the mail server's words when no copy went out

    @property
    def status_label(self) -> str:
        return S(self.status).label


def _sent_copy(household: str) -> QuerySet[Recipient]:
    return Recipient.objects.filter(household=OuterRef(household), status=S.SENT)


def _answered(household: str) -> QuerySet[Response]:
    return Response.objects.filter(guest__household=OuterRef(household)).exclude(status=Response.Status.PENDING)


def household_message_filter(name: str | None, *, household: str = "household") -> Q | None:
    """A condition on the rows whose `household` field is the household (e.g. guests), or None.

    "never_opened": a copy was sent to it and none was opened. "opened_unanswered":
    it opened a copy and nobody in it has answered yet. Unknown names give None.
    """
    if name == "never_opened":
        return Q(Exists(_sent_copy(household))) & ~Q(Exists(_sent_copy(household).filter(opened_at__isnull=False)))
    if name == "opened_unanswered":
        opened = Recipient.objects.filter(household=OuterRef(household), opened_at__isnull=False)
        return Q(Exists(opened)) & ~Q(Exists(_answered(household)))
    return None


_RANK = {S.SENT: 4, S.SENDING: 3, S.CLAIMED: 3, S.QUEUED: 3, S.BOUNCED: 2, S.FAILED: 1}


def last_messages(household_ids: Iterable[int]) -> dict[int, LastMessage]:
    """Household id → its last message (the one most recently queued for it). One query."""
    ids = set(household_ids)
    if not ids:
        return {}
    latest = Recipient.objects.filter(household=OuterRef("household")).order_by("-queued_at", "-pk")
    copies = (
        Recipient.objects.filter(household_id__in=ids, message_id=Subquery(latest.values("message_id")[:1]))
        .select_related("message").order_by("pk")
    )
    found: dict[int, list[Recipient]] = {}
    for copy in copies:
        found.setdefault(copy.household_id, []).append(copy)
    result = {}
    for household_id, rows in found.items():
        best = max(rows, key=lambda r: _RANK[r.status])
        sent = [r.sent_at for r in rows if r.sent_at and r.status == S.SENT]
        opened = [r.opened_at for r in rows if r.opened_at]
        result[household_id] = LastMessage(
            message=best.message, subject=best.subject, status=best.status, sent_at=min(sent, default=None),
            opened_at=min(opened, default=None), reason=best.reason if best.status in (S.FAILED, S.BOUNCED) else "",
        )
    return result


def households_answered(household_ids: Iterable[int]) -> set[int]:
    """The households among `household_ids` in which someone has answered. One query."""
    ids = set(household_ids)
    if not ids:
        return set()
    return set(
        Response.objects.filter(guest__household_id__in=ids).exclude(status=Response.Status.PENDING)
        .values_list("guest__household_id", flat=True).distinct()
    )
