"""The wedding site's live surface: every site row is topic "site"; a page is one region per page.

The page region is a HOUSEHOLD region: what it shows depends on the household's
invitations (a private event's page), so it is rendered per household, and a
household that may not see the page gets a 404 from the context, never its HTML.
"""

from __future__ import annotations

from guests.live import household_of_viewer
from realtime.live import Audience, Viewer, region, track
from wedding.site.models import EventDetails, FaqItem, Link, Page, SiteProfile
from wedding.site.reads import page_content

for model in (Page, FaqItem, Link, EventDetails, SiteProfile):
    track(model, topic="site")


def site_page_context(viewer: Viewer, page: str = "") -> dict:
    return page_content(wedding=viewer.wedding, slug=page, household=household_of_viewer(viewer))


region(
    "site_page", audience=Audience.HOUSEHOLD, topics={"site", "event", "rsvp", "wedding"},
    own_topics={"rsvp"},  # only its own invitations decide what it shows; others' answers never
    template="site/page.html#content", context=site_page_context, params=("page",),
)
