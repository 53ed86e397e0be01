"""Seating's live surface: tables and seats tracked, and the guest-facing table reveal.

Hidden until the planners publish seating; the region depends on the
`wedding` topic, so publishing flips every open guest page, and on
`seating`/`table`, so later moves show up live.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404

from guests.live import fresh_wedding, household_of_viewer
from guests.models import Guest
from realtime.live import Audience, Viewer, region, track
from rsvp.models import Response
from seating.models import Seat

# --- what seating tracks (topics "table" and "seating") ---------------------------------


def seat_summary(obj: Seat, action: str) -> str:
    if action == "delete":
        return f"{obj.guest} unseated from {obj.table}"
    return f"{obj.guest} seated at {obj.table} ({obj.event})"


track("seating.Table", topic="table")
track("seating.Seat", topic="seating", describe=seat_summary)
# Auto-seat's rules and the floor plan are part of the chart: topic "table".
track("seating.KeepTogether", topic="table")
track("seating.KeepApart", topic="table")
track("seating.FloorPlan", topic="table")
track("seating.FloorObject", topic="table")


# --- live regions ------------------------------------------------------------------------


def guest_table_context(viewer: Viewer) -> dict:
    household = household_of_viewer(viewer)
    wedding = fresh_wedding(viewer)
    seats = []
    if wedding.seating_published:
        seats = list(
            Seat.objects.for_wedding(wedding)
            .filter(guest__household=household)
            .select_related("guest", "table", "event")
            .order_by("event__order", "event__starts_at", "event_id", "table__order", "table__name", "table_id", "guest__first_name")
        )
    return {"seating_published": wedding.seating_published, "seats": seats}


region(
    "guest_table", audience=Audience.HOUSEHOLD, topics={"seating", "table", "wedding", "guest", "event"},
    template="guests/home.html#table", context=guest_table_context,
)


# --- planner: the seating chart (engineer E; guest-facing regions above) -------------------


def seating_chart_context(viewer: Viewer, event: str | None = None) -> dict:
    """The floor plan of one event of the viewer's wedding (404 for any other event)."""
    from seating.views import chart, event_of

    if event is None:
        raise Http404("which event?")
    return chart(viewer.wedding, event_of(viewer.wedding, event))


region(
    "seating_chart", audience=Audience.PLANNER,
    topics={"seating", "table", "rsvp", "guest", "event", "wedding"},
    template="seating/chart.html#chart", context=seating_chart_context, params=("event",),
)


DIRECTORY_LIMIT = 1000


def directory_context(viewer: Viewer) -> dict:
    """Opted-in guests who attend at least one event: name, side and (once published) table."""
    wedding = fresh_wedding(viewer)
    attending = Response.objects.filter(guest=OuterRef("pk"), status=Response.Status.ATTENDING)
    # Tables of private events stay off the directory: it is shown to every guest,
    # and a private event is only for the guests invited to it.
    seats = (
        Seat.objects.filter(event__is_private=False)
        .select_related("table", "event")
        .order_by("event__order", "event__starts_at")
    )
    guests = (
        Guest.objects.for_wedding(wedding)
        .filter(directory_opt_in=True)
        .filter(Exists(attending))
        .only("id", "first_name", "last_name", "side", "household_id")
        .order_by("last_name", "first_name")
    )
    if wedding.seating_published:
        guests = guests.prefetch_related(Prefetch("seats", queryset=seats))
    return {
        "directory": list(guests[:DIRECTORY_LIMIT]),
        "seating_published": wedding.seating_published,
        "several_seated_events": wedding.seating_published
        and Seat.objects.for_wedding(wedding).filter(event__is_private=False).values("event").distinct().count() > 1,
    }


region(
    "guest_directory", audience=Audience.GUESTS, topics={"guest", "rsvp", "seating", "table", "wedding"},
    template="guests/directory.html#directory", context=directory_context,
)
