"""Who a message reaches: the segment's households and their addresses (reads only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from guests.models import Guest, Household
from rsvp.models import Invitation, Response
from seating.models import Seat
from wedding.messaging.models import Message, OptOut, Recipient


def segment_households(message: Message) -> QuerySet[Household]:
    """The households `message`'s segment selects, evaluated now (at send time, not when scheduled)."""
    households = Household.objects.filter(wedding_id=message.wedding_id)
    event = message.segment_event
    Segment = Message.Segment
    if message.segment == Segment.NOT_ANSWERED:
        invitations = Invitation.objects.filter(guest__household=OuterRef("pk"))
        unanswered = Response.objects.filter(
            guest=OuterRef("guest"), event=OuterRef("event")
        ).exclude(status=Response.Status.PENDING)
        if event is not None:
            invitations = invitations.filter(event=event)
        pending = invitations.annotate(done=Exists(unanswered)).filter(done=False)
        return households.filter(Exists(pending))
    if message.segment in (Segment.ATTENDING, Segment.DECLINED):
        status = Response.Status.ATTENDING if message.segment == Segment.ATTENDING else Response.Status.DECLINED
        responses = Response.objects.filter(guest__household=OuterRef("pk"), status=status)
        if event is not None:
            responses = responses.filter(event=event)
        return households.filter(Exists(responses))
    if message.segment == Segment.INVITED:
        invitations = Invitation.objects.filter(guest__household=OuterRef("pk"))
        if event is not None:
            invitations = invitations.filter(event=event)
        return households.filter(Exists(invitations))
    if message.segment == Segment.TAG:
        return households.filter(Exists(Guest.objects.filter(household=OuterRef("pk"), tags=message.segment_tag)))
    if message.segment == Segment.SIDE:
        return households.filter(Exists(Guest.objects.filter(household=OuterRef("pk"), side=message.segment_side)))
    if message.segment == Segment.NEVER_OPENED:
        opened = Recipient.objects.filter(household=OuterRef("pk"), opened_at__isnull=False)
        return households.filter(~Exists(opened))
    return households


def households_for_rendering(households: QuerySet[Household]) -> QuerySet[Household]:
    """Everything the placeholders read, in a fixed number of queries."""
    return households.select_related("wedding").prefetch_related(
        Prefetch(
            "guests",
            queryset=Guest.objects.order_by("pk").prefetch_related(
                Prefetch("invitations", queryset=Invitation.objects.select_related("event")),
                Prefetch("seats", queryset=Seat.objects.select_related("table", "event")),
            ),
        )
    )


def household_addresses(household: Household) -> list[str]:
    """The household's address first, then each guest's own; each address once (case-insensitive)."""
    seen: dict[str, str] = {}
    for address in [household.email, *(g.email for g in household.guests.all())]:
        address = (address or "").strip()
        if address and address.lower() not in seen:
            seen[address.lower()] = address
    return list(seen.values())


@dataclass
class Reach:
    """Who a message would reach if it were sent now."""

    deliveries: list[tuple[Household, str, bool]] = field(default_factory=list)  # (household, address, essential)
    without_email: list[Household] = field(default_factory=list)
    opted_out: list[Household] = field(default_factory=list)

    @property
    def household_count(self) -> int:
        return len({h.pk for h, _a, _e in self.deliveries})

    @property
    def address_count(self) -> int:
        return len(self.deliveries)


def segment_reach(message: Message) -> Reach:
    """The deliveries `message` would make now.

    Households that opted out get only essential messages, and only when
    someone in them is attending; those copies are marked essential.
    """
    households = list(households_for_rendering(segment_households(message)).order_by("name", "pk"))
    opted_out = set(
        OptOut.objects.filter(household__in=[h.pk for h in households]).values_list("household_id", flat=True)
    )
    attending = set()
    if message.essential and opted_out:
        attending = set(
            Response.objects.filter(guest__household__in=opted_out, status=Response.Status.ATTENDING)
            .values_list("guest__household_id", flat=True)
        )
    reach = Reach()
    for household in households:
        addresses = household_addresses(household)
        if not addresses:
            reach.without_email.append(household)
            continue
        essential = False
        if household.pk in opted_out:
            if household.pk not in attending:
                reach.opted_out.append(household)
                continue
            essential = True
        reach.deliveries.extend((household, address, essential) for address in addresses)
    return reach

