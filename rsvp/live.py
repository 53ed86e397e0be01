"""The RSVP's live surface: what it tracks, and a household's own answers as a region."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q

from guests.live import fresh_wedding, household_of_viewer
from guests.models import Guest, Household
from realtime.live import Audience, Viewer, region, track
from rsvp.models import Invitation, Response
from wedding.core.models import Event

# --- what the RSVP tracks (topics "rsvp" and, for meals, "event") ----------------------


def response_summary(obj: Response, action: str) -> str:
    if action == "delete":
        return f"Removed {obj.guest}'s answer for {obj.event}"
    verb = {"attending": "accepted", "declined": "declined", "pending": "has not answered"}.get(
        obj.status, obj.status
    )
    behalf = " (recorded by a planner)" if obj.answered_by == "planner" else ""
    meal = f", {obj.meal}" if obj.status == "attending" and obj.meal_id else ""
    return f"{obj.guest} {verb} the {obj.event}{meal}{behalf}"


def invitation_summary(obj: Invitation, action: str) -> str:
    if action == "delete":
        return f"{obj.guest} uninvited from {obj.event}"
    return f"{obj.guest} invited to {obj.event}"


track("rsvp.MealOption", topic="event")
track("rsvp.Invitation", topic="rsvp", describe=invitation_summary)
track("rsvp.Response", topic="rsvp", describe=response_summary)


# --- live regions ------------------------------------------------------------------------


def answers_context(viewer: Viewer) -> dict:
    """Per invited event, each guest of the household and their answer (pending when none)."""
    household = household_of_viewer(viewer)
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


region(
    "guest_rsvp_answers", audience=Audience.HOUSEHOLD, topics={"rsvp", "guest", "event", "wedding"},
    template="rsvp/rsvp.html#answers", context=answers_context,
    attrs={"aria-live": "polite"},  # an answer recorded by the planner is announced, focus stays put
)


def events_context(viewer: Viewer) -> dict:
    """My events: every public event, and private ones only when someone of the household is invited."""
    household = household_of_viewer(viewer)
    invited = Invitation.objects.filter(event=OuterRef("pk"), guest__household=household)
    events = (
        Event.objects.for_wedding(viewer.wedding)
        .annotate(invited=Exists(invited))
        .filter(Q(is_private=False) | Q(invited=True))
        .order_by("order", "starts_at")
    )
    return {"events": list(events)}


region(
    "guest_events", audience=Audience.HOUSEHOLD, topics={"event", "rsvp", "wedding"},
    template="guests/home.html#events", context=events_context,
)
