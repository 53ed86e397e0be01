"""Add to calendar: RFC 5545 `.ics` files (icalendar) and Google Calendar links, in the wedding's zone.

Times are written as local times with a TZID and the matching VTIMEZONE, so a
calendar shows 17:00 in Madrid whether the guest's phone is in Madrid or in
New York, and daylight saving is the zone's rules', not an offset we guessed.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from urllib.parse import urlencode

from django.utils import timezone

from wedding.core.i18n import translated
from wedding.site.maps import place_of

PRODID = "-//Confetti//Wedding site//EN"


def _local(moment, tz: zoneinfo.ZoneInfo):
    return timezone.localtime(moment, tz).replace(microsecond=0)


def events_ics(*, wedding, events: Iterable, link: str, host: str) -> bytes:
    """One VCALENDAR with a VEVENT per event (UID stable per event and host), the zone's VTIMEZONE,
    location (venue and address) and `link` back to the site."""
    tz = zoneinfo.ZoneInfo(wedding.time_zone)
    import icalendar  # imported when a calendar file is asked for, not at every process start

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", wedding.name)
    events = list(events)
    for event in events:
        vevent = icalendar.Event()
        vevent.add("uid", f"event-{event.pk}@{host}")
        vevent.add("dtstamp", timezone.now().replace(microsecond=0))
        vevent.add("summary", f"{translated(event, 'name')} · {wedding.name}")
        vevent.add("dtstart", _local(event.starts_at, tz))
        if event.ends_at:
            vevent.add("dtend", _local(event.ends_at, tz))
        location = place_of(venue=event.venue, address=event.address)
        if location:
            vevent.add("location", location)
        description = "\n\n".join(part for part in (translated(event, "description").strip(), link) if part)
        vevent.add("description", description)
        vevent.add("url", link)
        calendar.add_component(vevent)
    if events:
        # The zone's rules around these events only (a year either side), not icalendar's default
        # 1970–2038: a few lines instead of ~140, and readers built on dateutil (vobject) misread
        # the long default form — they put 24 Oct 2026 19:30 Madrid at +01:00 instead of +02:00.
        margin = datetime.timedelta(days=366)
        first = min(event.starts_at for event in events).astimezone(tz).date() - margin
        last = max(event.ends_at or event.starts_at for event in events).astimezone(tz).date() + margin
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def google_calendar_url(*, wedding, event, link: str) -> str:
    """A Google Calendar "add event" link (UTC times, the wedding's zone as `ctz`)."""
    fmt = "%Y%m%dT%H%M%SZ"
    start = event.starts_at.astimezone(zoneinfo.ZoneInfo("UTC"))
    end = (event.ends_at or event.starts_at).astimezone(zoneinfo.ZoneInfo("UTC"))
    location = place_of(venue=event.venue, address=event.address)
    query = {
        "action": "TEMPLATE",
        "text": f"{translated(event, 'name')} · {wedding.name}",
        "dates": f"{start.strftime(fmt)}/{end.strftime(fmt)}",
        "details": "\n\n".join(part for part in (translated(event, "description").strip(), link) if part),
        "location": location,
        "ctz": wedding.time_zone,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)
