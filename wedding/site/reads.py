"""What a site page shows a viewer: one function for the first render, the fragment URL and the push."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.urls import reverse

from wedding.site.calendar import google_calendar_url
from wedding.site.maps import directions_links
from wedding.site.models import Page, SiteProfile
from wedding.site.visibility import invited_event_ids, page_visible, visible_events, visible_pages


def site_link(path: str) -> str:
    """An absolute link back to the site (calendars and map apps open it outside the browser tab)."""
    return settings.SITE_URL.rstrip("/") + path


def schedule(*, wedding, household) -> list:
    """The events this viewer may see, each with its directions, calendar and Google links."""
    events = visible_events(wedding=wedding, household=household)
    for event in events:
        event.directions = directions_links(venue=event.venue, address=event.address)
        event.ics_url = reverse("site:event_ics", args=[wedding.slug, event.pk])
        event.google_url = google_calendar_url(wedding=wedding, event=event, link=site_link(event.ics_url))
    return events


def page_content(*, wedding, slug: str, household) -> dict:
    """The page `slug` of `wedding` with its FAQ, links and (for the schedule) events, for `household`
    (None: an anonymous visitor). Http404 when it does not exist or this viewer may not see it."""
    page = Page.objects.for_wedding(wedding).filter(slug=slug).first()
    if page is None or not page_visible(page, household=household, invited=invited_event_ids(household)):
        raise Http404("No such page.")
    return {
        "page": page,
        "faq_items": list(page.faq_items.all()),
        "links": list(page.links.all()),
        "events": schedule(wedding=wedding, household=household) if page.kind == Page.Kind.SCHEDULE else [],
    }


def landing_content(*, wedding, household) -> dict:
    """The landing page: the couple, the date, the pages and events this viewer may see."""
    return {
        "profile": SiteProfile.objects.for_wedding(wedding).first(),
        "pages": visible_pages(wedding=wedding, household=household),
        "events": schedule(wedding=wedding, household=household),
    }
