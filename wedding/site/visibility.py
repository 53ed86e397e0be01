"""Who sees which page and which event: the one rule every read path uses.

A household of another wedding counts as nobody (`household=None`).
"""

from __future__ import annotations

from rsvp.models import Invitation
from wedding.core.models import Event
from wedding.site.models import EventDetails, Page, Visibility


def invited_event_ids(household) -> frozenset[int]:
    """Events someone of the household is invited to (empty for nobody)."""
    if household is None:
        return frozenset()
    return frozenset(
        Invitation.objects.filter(guest__household=household).values_list("event_id", flat=True)
    )


def page_visible(page: Page, *, household, invited: frozenset[int]) -> bool:
    """Public: anyone. Guests: any entered household. Event: households invited to that event."""
    if page.visibility == Visibility.PUBLIC:
        return True
    if household is None:
        return False
    if page.visibility == Visibility.EVENT:
        return page.event_id in invited
    return True


def event_visible(event: Event, *, public: bool, household, invited: frozenset[int]) -> bool:
    """A private event: its invited households only. Otherwise any guest, and anyone when `public`."""
    if event.is_private:
        return household is not None and event.pk in invited
    return public or household is not None


def _household_of_wedding(wedding, household):
    return household if household is not None and household.wedding_id == wedding.pk else None


def visible_pages(*, wedding, household) -> list[Page]:
    """The wedding's pages this household (or an anonymous visitor, `None`) may read, in order."""
    household = _household_of_wedding(wedding, household)
    invited = invited_event_ids(household)
    pages = Page.objects.for_wedding(wedding).order_by("order", "title")
    return [page for page in pages if page_visible(page, household=household, invited=invited)]


def visible_events(*, wedding, household) -> list[Event]:
    """The wedding's events this household (or an anonymous visitor) may see, each with
    `site_public` and `map_image` (its EventDetails, or none) set."""
    household = _household_of_wedding(wedding, household)
    invited = invited_event_ids(household)
    details = {d.event_id: d for d in EventDetails.objects.for_wedding(wedding)}
    events = []
    for event in Event.objects.for_wedding(wedding).order_by("starts_at", "order"):
        extra = details.get(event.pk)
        event.site_public = bool(extra and extra.public)
        event.map_image = extra.map_image if extra and extra.map_image else None
        if event_visible(event, public=event.site_public, household=household, invited=invited):
            events.append(event)
    return events
