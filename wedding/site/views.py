"""The wedding site: the public landing page, the couple's pages, calendar files.

Anyone with the site link reads the landing page and public pages; a page for
guests only sends an anonymous visitor to the code entry, and a page or event a
household may not see answers 404, like one that does not exist.
"""

from __future__ import annotations

import zoneinfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from guests.views import guest_context, household_of
from wedding.core.models import Wedding
from wedding.site.calendar import events_ics
from wedding.site.models import Page
from wedding.site.reads import landing_content, page_content, schedule, site_link


def _wedding_and_household(request: HttpRequest, slug: str):
    """The wedding of the link and the entered household when it is this wedding's (else None)."""
    wedding = get_object_or_404(Wedding, slug=slug)
    household = household_of(request)
    if household is not None and household.wedding_id != wedding.pk:
        household = None
    return wedding, household


@require_GET
def landing(request: HttpRequest, slug: str) -> HttpResponse:
    wedding, household = _wedding_and_household(request, slug)
    days = (wedding.date - timezone.localdate(timezone=zoneinfo.ZoneInfo(wedding.time_zone))).days
    context = {"wedding": wedding, "household": household, "days_to_go": days,
               **landing_content(wedding=wedding, household=household)}
    with timezone.override(wedding.time_zone):
        return render(request, "site/landing.html", context)


@require_GET
def page(request: HttpRequest, slug: str, page: str) -> HttpResponse:
    wedding, household = _wedding_and_household(request, slug)
    if household is None:
        try:
            content = page_content(wedding=wedding, slug=page, household=None)
        except Http404:
            # Going further than the public pages: ask for the code (404 for no such page at all).
            if Page.objects.for_wedding(wedding).filter(slug=page).exists():
                return redirect("guests:entry")
            raise
        with timezone.override(wedding.time_zone):
            return render(request, "site/page.html", {"wedding": wedding, "public": True, **content})
    request.guest_household = household
    content = page_content(wedding=wedding, slug=page, household=household)  # 404 when not for them
    with timezone.override(wedding.time_zone):
        return render(request, "site/page.html", guest_context(request, **content))


def _ics_response(*, wedding, events, filename: str) -> HttpResponse:
    body = events_ics(
        wedding=wedding, events=events, link=site_link(f"/w/{wedding.slug}/"),
        host=site_link("").split("://", 1)[-1] or "confetti",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def event_ics(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    """One event's `.ics`: 404 unless this visitor may see the event."""
    wedding, household = _wedding_and_household(request, slug)
    events = [event for event in schedule(wedding=wedding, household=household) if event.pk == event_id]
    if not events:
        raise Http404("No such event.")
    return _ics_response(wedding=wedding, events=events, filename=f"{wedding.slug}-{event_id}.ics")


@require_GET
def all_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """All my events: every event this visitor may see (the public ones for an anonymous visitor)."""
    wedding, household = _wedding_and_household(request, slug)
    events = schedule(wedding=wedding, household=household)
    return _ics_response(wedding=wedding, events=events, filename=f"{wedding.slug}.ics")
