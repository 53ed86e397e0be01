"""The guest site's live surface: what the guest list tracks, and the guest pages' regions.

HOUSEHOLD regions show one household its own data; GUESTS regions are
rendered once per wedding for every guest watching and so show public
content only (never contact details, dietary notes, notes or answers of
another household). Every query is scoped to `viewer.wedding` (and
`viewer.household`); wedding flags are re-read because a socket's viewer
was built when it connected.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404

from guests.models import Guest, GuestRequest, Household
from guests.session import household_from_session
from realtime.live import Audience, Viewer, declare_household, region, track
from rsvp.models import Invitation, Response
from seating.models import Seat
from wedding.core.models import Event, Wedding, WeddingPartyMember

# --- what the guest list tracks (topics "guest" and "request") ------------------------


def request_summary(obj: GuestRequest, action: str) -> str:
    if action == "create":
        return f"New request from {obj.household}: {obj.get_kind_display()}"
    return f"Request from {obj.household} is {obj.get_status_display().lower()}"


track("guests.Household", topic="guest")
# A household is the guest principal of a socket; a new invitation code signs it out everywhere.
declare_household(Household, from_session=household_from_session, secret_field="invitation_code")
track("guests.Guest", topic="guest")
track("guests.Tag", topic="guest")
track("guests.GuestRequest", topic="request", describe=request_summary)


# --- live regions ------------------------------------------------------------------------

DIRECTORY_LIMIT = 1000


def fresh_wedding(viewer: Viewer) -> Wedding:
    """The viewer's wedding as committed now (flags like seating_published change while a page is open)."""
    return Wedding.objects.get(pk=viewer.wedding.pk)


def _household(viewer: Viewer):
    if viewer.household is None or viewer.household.wedding_id != viewer.wedding.pk:
        raise Http404("no household")
    return viewer.household


def events_context(viewer: Viewer) -> dict:
    """My events: every public event, and private ones only when someone of the household is invited."""
    household = _household(viewer)
    invited = Invitation.objects.filter(event=OuterRef("pk"), guest__household=household)
    events = (
        Event.objects.for_wedding(viewer.wedding)
        .annotate(invited=Exists(invited))
        .filter(Q(is_private=False) | Q(invited=True))
        .order_by("order", "starts_at")
    )
    return {"events": list(events)}


def requests_context(viewer: Viewer) -> dict:
    household = _household(viewer)
    return {
        "requests": list(
            GuestRequest.objects.for_wedding(viewer.wedding).filter(household=household).order_by("-created_at")
        )
    }


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


def whos_who_context(viewer: Viewer) -> dict:
    return {"members": list(WeddingPartyMember.objects.for_wedding(viewer.wedding).order_by("order", "name"))}


def profile_context(viewer: Viewer) -> dict:
    """The household's guests (its own data: the household may see its own dietary notes)."""
    household = _household(viewer)
    return {
        "members": list(
            Guest.objects.for_wedding(viewer.wedding).filter(household=household).order_by("is_plus_one", "pk")
        ),
    }


region(
    "guest_events", audience=Audience.HOUSEHOLD, topics={"event", "rsvp", "wedding"},
    template="guests/home.html#events", context=events_context,
)
region(
    "guest_requests", audience=Audience.HOUSEHOLD, topics={"request"},
    template="guests/requests.html#requests", context=requests_context,
)
region(
    "guest_profile", audience=Audience.HOUSEHOLD, topics={"guest"},
    template="guests/home.html#profile", context=profile_context,
)
region(
    "guest_directory", audience=Audience.GUESTS, topics={"guest", "rsvp", "seating", "table", "wedding"},
    template="guests/directory.html#directory", context=directory_context,
)
region(
    "guest_whos_who", audience=Audience.GUESTS, topics={"party"},
    template="guests/whos_who.html#whos_who", context=whos_who_context,
)
