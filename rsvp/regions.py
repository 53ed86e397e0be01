"""Live regions of the RSVP (imported by RsvpConfig.ready()): a household's own answers."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404

from guests.models import Guest, Household
from guests.regions import fresh_wedding
from realtime.regions import Audience, Viewer, register
from rsvp.models import Response
from wedding.core.models import Event


def answers_context(viewer: Viewer) -> dict:
    """Per invited event, each guest of the household and their answer (pending when none)."""
    household = viewer.household
    if household is None or household.wedding_id != viewer.wedding.pk:
        raise Http404("no household")
    wedding = fresh_wedding(viewer)
    events = list(
        Event.objects.for_wedding(wedding)
        .filter(invitations__guest__household=household)
        .distinct()
        .order_by("order", "starts_at")
    )
    guests = list(
        Guest.objects.for_wedding(wedding)
        .filter(household=household)
        .prefetch_related(
            Prefetch("invitations", to_attr="invited"),
            Prefetch("responses", queryset=Response.objects.select_related("meal"), to_attr="answers"),
        )
        .order_by("is_plus_one", "pk")
    )
    rows = []
    for event in events:
        lines = []
        for guest in guests:
            if not any(i.event_id == event.pk for i in guest.invited):
                continue
            response = next((r for r in guest.answers if r.event_id == event.pk), None)
            lines.append({"guest": guest, "response": response})
        rows.append({"event": event, "lines": lines})
    return {
        "rows": rows,
        "rsvp_open": wedding.rsvp_open,
        "rsvp_deadline": wedding.rsvp_deadline,
        # Re-read: the viewer's household object may be older than the note.
        "message_to_couple": Household.objects.filter(pk=household.pk)
        .values_list("message_to_couple", flat=True)
        .first(),
    }


register(
    "guest_rsvp_answers", audience=Audience.HOUSEHOLD, topics={"rsvp", "guest", "event", "wedding"},
    template="rsvp/regions.html#answers", context=answers_context,
)
