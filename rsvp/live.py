"""The RSVP's live surface: what it tracks, and a household's own answers as a region."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects

from guests.live import fresh_wedding, household_guests, household_of_viewer
from guests.models import Household
from realtime.live import Audience, Viewer, actor_words, admin_list_region, region, track
from rsvp.models import Invitation, Question, QuestionAnswer, Response
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


def question_answer_summary(obj: QuestionAnswer, action: str) -> str:
    if action == "delete":
        return f"Removed {obj.guest}'s answer to “{obj.question}”"
    return f"{obj.guest} answered “{obj.question}”"


def guest_household(obj) -> int:
    """The household whose own row an answer or invitation is (its guest's): regions with
    `own_topics={"rsvp"}` of other households skip it. `describe` has loaded the guest."""
    return obj.guest.household_id


track("rsvp.MealOption", topic="event")
# The couple's questions and the guests' answers to them are part of the RSVP: every region
# showing answers (the household's own, the reports, the guest lists) depends on "rsvp".
track(Question, topic="rsvp")
# A question is the couple's (no household: every household re-renders); an answer or an
# invitation is one household's own row.
track(QuestionAnswer, topic="rsvp", describe=question_answer_summary, household=guest_household)
track("rsvp.Invitation", topic="rsvp", describe=invitation_summary, household=guest_household)
def responses_summary(changes) -> str:
    """One RSVP that answered for several guests: one line (each guest's answer is in its details)."""
    who, count = actor_words(changes[0]), len(changes)
    if changes[0].actor_household_id:
        return f"{who} answered the RSVP for {count} guests"
    return f"{who} recorded {count} answers"


track(
    "rsvp.Response", topic="rsvp", describe=response_summary, describe_group=responses_summary,
    household=guest_household,
)


# --- live regions ------------------------------------------------------------------------


def answers_context(viewer: Viewer) -> dict:
    """Per invited event, each guest of the household and their answer (pending when none)."""
    household = household_of_viewer(viewer)
    wedding = fresh_wedding(viewer)
    guests = household_guests(viewer)  # a page's other regions share the read
    prefetch_related_objects(
        guests,
        Prefetch("invitations", queryset=Invitation.objects.select_related("event"), to_attr="invited"),
        Prefetch("responses", queryset=Response.objects.select_related("meal"), to_attr="answers"),
        Prefetch("question_answers", queryset=QuestionAnswer.objects.select_related("question"), to_attr="replies"),
    )
    # The household's events, from its invitations (no query of their own).
    invited_events = {i.event_id: i.event for guest in guests for i in guest.invited if i.event.wedding_id == wedding.pk}
    events = sorted(invited_events.values(), key=lambda e: (e.order, e.starts_at, e.pk))
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
        "replies": [(guest, guest.replies) for guest in guests if guest.replies],
        "rsvp_open": wedding.rsvp_open,
        "rsvp_deadline": wedding.rsvp_deadline,
        # Re-read unless the page read it with its version: a socket's household object may be
        # older than the note.
        "message_to_couple": household.message_to_couple if viewer.fresh else Household.objects.filter(
            pk=household.pk
        ).values_list("message_to_couple", flat=True).first(),
    }


region(
    "guest_rsvp_answers", audience=Audience.HOUSEHOLD, topics={"rsvp", "guest", "event", "wedding"},
    # Only its own answers and note: another household's RSVP does not re-render it (events,
    # meals and the couple's questions, no household's, still reach every household).
    own_topics={"rsvp", "guest"},
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
    own_topics={"rsvp"},  # only its own invitations decide which private events it sees
    template="guests/home.html#events", context=events_context,
)


# The admin's list of responses (planners), live.
admin_list_region("response_admin_list", model="rsvp.Response", topics={"rsvp", "guest", "event", "wedding"})
