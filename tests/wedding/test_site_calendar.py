"""Add to calendar: the .ics parses with icalendar and with vobject, in the wedding's zone, across DST."""

from __future__ import annotations

import datetime
import zoneinfo
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import factories
from tests.wedding.content_helpers import enter_as
from wedding.site.calendar import google_calendar_url

pytestmark = pytest.mark.django_db

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")


@pytest.fixture
def madrid_wedding(planner):
    # Spain leaves summer time on 25 Oct 2026 at 03:00 (CEST, +02:00 → CET, +01:00).
    return factories.WeddingFactory(name="Ana & Ben", slug="ana-ben", time_zone="Europe/Madrid",
                                    date=datetime.date(2026, 10, 25), planners=[planner])


@pytest.fixture
def across_dst(madrid_wedding):
    """A welcome drink the evening before the change, a brunch the morning after."""
    before = factories.EventFactory(
        wedding=madrid_wedding, name="Welcome drinks", venue="Bar Cock", address="Calle de la Reina 16\nMadrid",
        starts_at=datetime.datetime(2026, 10, 24, 19, 30, tzinfo=MADRID),
        ends_at=datetime.datetime(2026, 10, 24, 23, 0, tzinfo=MADRID), description="Say hello!",
    )
    after = factories.EventFactory(
        wedding=madrid_wedding, name="Brunch", venue="El Retiro",
        starts_at=datetime.datetime(2026, 10, 25, 11, 0, tzinfo=MADRID),
    )
    household = factories.HouseholdFactory(wedding=madrid_wedding)
    for event in (before, after):
        factories.InvitationFactory(guest=factories.GuestFactory(household=household), event=event)
    return household, before, after


def test_an_events_ics_parses_with_two_libraries_in_the_weddings_zone(client, across_dst, settings):
    import icalendar  # here, not at collection time
    import vobject

    settings.SITE_URL = "https://confetti.example"
    household, before, _ = across_dst
    enter_as(client, household)
    response = client.get(f"/w/ana-ben/calendar/{before.pk}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]

    calendar = icalendar.Calendar.from_ical(response.content)
    (tz,) = calendar.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Madrid"
    (vevent,) = calendar.walk("VEVENT")
    start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
    assert (start.hour, start.minute, start.utcoffset()) == (19, 30, datetime.timedelta(hours=2))
    assert end.astimezone(datetime.UTC) == datetime.datetime(2026, 10, 24, 21, 0, tzinfo=datetime.UTC)
    assert str(vevent["LOCATION"]) == "Bar Cock, Calle de la Reina 16 Madrid"
    assert str(vevent["URL"]) == "https://confetti.example/w/ana-ben/"
    assert "Say hello!" in str(vevent["DESCRIPTION"])
    assert b"TZID=Europe/Madrid:20261024T193000" in response.content

    parsed = vobject.readOne(response.content.decode())
    other = parsed.vevent
    assert other.dtstart.value.astimezone(datetime.UTC) == datetime.datetime(2026, 10, 24, 17, 30, tzinfo=datetime.UTC)
    assert other.summary.value == "Welcome drinks · Ana & Ben"
    assert other.uid.value == f"event-{before.pk}@confetti.example"


def test_all_my_events_keeps_wall_clock_times_across_the_dst_change(client, across_dst):
    import icalendar  # here, not at collection time
    import vobject

    household, before, after = across_dst
    enter_as(client, household)
    content = client.get("/w/ana-ben/calendar.ics").content

    events = {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(content).walk("VEVENT")}
    assert set(events) == {"Welcome drinks · Ana & Ben", "Brunch · Ana & Ben"}
    brunch = events["Brunch · Ana & Ben"].decoded("DTSTART")
    assert (brunch.hour, brunch.utcoffset()) == (11, datetime.timedelta(hours=1))  # CET after the change

    by_vobject = {e.summary.value: e.dtstart.value for e in vobject.readOne(content.decode()).vevent_list}
    assert by_vobject["Brunch · Ana & Ben"].astimezone(datetime.UTC).hour == 10
    assert by_vobject["Welcome drinks · Ana & Ben"].astimezone(datetime.UTC).hour == 17
    # The embedded VTIMEZONE carries both offsets, so a calendar without the zone database still agrees.
    assert b"TZOFFSETFROM:+0200" in content and b"TZOFFSETTO:+0100" in content


def test_google_calendar_link_has_utc_times_and_the_zone(across_dst):
    _, before, _ = across_dst
    url = google_calendar_url(wedding=before.wedding, event=before, link="https://x.example/w/ana-ben/")
    query = parse_qs(urlsplit(url).query)
    assert query["dates"] == ["20261024T173000Z/20261024T210000Z"]
    assert query["ctz"] == ["Europe/Madrid"]
    assert query["location"] == ["Bar Cock, Calle de la Reina 16 Madrid"]
    assert "https://x.example/w/ana-ben/" in query["details"][0]
