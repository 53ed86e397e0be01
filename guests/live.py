"""The guest site's live surface: what the guest list tracks, and the guest pages' regions.

HOUSEHOLD regions show one household its own data; GUESTS regions are
rendered once per wedding for every guest watching and so show public
content only (never contact details, dietary notes, notes or answers of
another household). Every query is scoped to `viewer.wedding` (and
`viewer.household`); wedding flags are re-read because a socket's viewer
was built when it connected.
"""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404

from guests.models import Guest, GuestRequest, Household
from guests.session import household_from_session, households_from_sessions
from realtime.live import Audience, Viewer, admin_list_region, declare_household, region, track
from wedding.core.models import Wedding, WeddingPartyMember

# --- what the guest list tracks (topics "guest" and "request") ------------------------


def request_summary(obj: GuestRequest, action: str) -> str:
    if action == "create":
        return f"New request from {obj.household}: {obj.get_kind_display()}"
    return f"Request from {obj.household} is {obj.get_status_display().lower()}"


# A household's row is its own (its note to the couple); a guest row stays "any household's":
# a planner may move a guest from one household to another.
track("guests.Household", topic="guest", household=lambda household: household.pk)
# A household is the guest principal of a socket; a new invitation code signs it out everywhere.
declare_household(
    Household, from_session=household_from_session, from_sessions=households_from_sessions,
    secret_field="invitation_code",
)
track("guests.Guest", topic="guest")
track("guests.Tag", topic="guest")
track("guests.GuestRequest", topic="request", describe=request_summary)
track("guests.ImportMapping", topic="guest")  # saved within an import's one change


# --- live regions ------------------------------------------------------------------------


def fresh_wedding(viewer: Viewer) -> Wedding:
    """The viewer's wedding as committed now (flags like seating_published change while a page is open).

    A page's viewer read it with the page's version (`Viewer.fresh`): no second read.
    """
    if viewer.fresh:
        return viewer.wedding
    return Wedding.objects.get(pk=viewer.wedding.pk)


def household_of_viewer(viewer: Viewer):
    """The viewer's household, or 404 (HOUSEHOLD regions of every app use it)."""
    if viewer.household is None or viewer.household.wedding_id != viewer.wedding.pk:
        raise Http404("no household")
    return viewer.household


def household_guests(viewer: Viewer) -> list[Guest]:
    """The viewer's household's guests, plus-ones last (every HOUSEHOLD region showing them).

    A page's viewer (`Viewer.fresh`: its household was read in this request) reads them once
    for the whole page: they are kept as the household's prefetched `guests`, which its
    other regions and `Household.greeting_name` then use. A socket's viewer lives for the
    socket's life: it reads them again each time.
    """
    household = household_of_viewer(viewer)
    guests = Guest.objects.for_wedding(viewer.wedding).order_by("is_plus_one", "pk")
    if not viewer.fresh:
        return list(guests.filter(household=household))
    prefetch_related_objects([household], Prefetch("guests", queryset=guests))  # once: kept on the household
    return list(household.guests.all())


def requests_context(viewer: Viewer) -> dict:
    household = household_of_viewer(viewer)
    return {
        "requests": list(
            GuestRequest.objects.for_wedding(viewer.wedding).filter(household=household).order_by("-created_at")
        )
    }


def whos_who_context(viewer: Viewer) -> dict:
    return {"members": list(WeddingPartyMember.objects.for_wedding(viewer.wedding).order_by("order", "name"))}


def profile_context(viewer: Viewer) -> dict:
    """The household's guests (its own data: the household may see its own dietary notes)."""
    return {"members": household_guests(viewer)}


region(
    "guest_requests", audience=Audience.HOUSEHOLD, topics={"request"},
    template="guests/requests.html#requests", context=requests_context,
    attrs={"aria-live": "polite"},  # a planner's answer is announced, focus stays put
)
region(
    "guest_profile", audience=Audience.HOUSEHOLD, topics={"guest"},
    template="guests/home.html#profile", context=profile_context,
)
region(
    "guest_whos_who", audience=Audience.GUESTS, topics={"party"},
    template="guests/whos_who.html#whos_who", context=whos_who_context,
)


# The admin's own lists (planners), live like the dashboard's: a guest row shows answers and tables.
admin_list_region(
    "guest_admin_list", model="guests.Guest", topics={"guest", "rsvp", "seating", "table", "event", "wedding"},
)
admin_list_region("household_admin_list", model="guests.Household", topics={"guest", "wedding"})
