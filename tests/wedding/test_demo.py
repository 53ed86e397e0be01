"""`manage.py demo` builds a wedding that looks real: local hours, households named after their members,
a floor plan that fits a laptop screen."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
from django.core.management import call_command

from guests.models import Household
from seating import floorplan
from seating.models import FloorObject, FloorPlan, Seat, Table
from seating.views import PIXELS_PER_UNIT
from wedding.core.models import Event, Wedding

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite

# A 1366×900 laptop: the admin's content area once its padding and header are taken.
SCREEN_W, SCREEN_H = 1366 - 80, 900 - 100


@pytest.fixture
def demo(db) -> Wedding:
    call_command("demo", "--wedding", "demo", "--households", "45", stdout=io.StringIO())
    return Wedding.objects.get(slug="demo")


def test_events_are_at_sensible_hours_in_the_weddings_zone(demo):
    zone = zoneinfo.ZoneInfo(demo.time_zone)
    local = {e.name: (e.starts_at.astimezone(zone), e.ends_at.astimezone(zone)) for e in Event.objects.for_wedding(demo)}
    the_day = demo.date
    rehearsal, ceremony, reception = local["Rehearsal dinner"], local["Ceremony"], local["Reception"]
    assert rehearsal[0].date() == the_day - datetime.timedelta(days=1) and rehearsal[0].hour == 20
    assert ceremony[0].date() == the_day and (ceremony[0].hour, ceremony[0].minute) == (17, 30)
    assert reception[0].date() == the_day and reception[0].hour == 19
    assert reception[1].date() == the_day + datetime.timedelta(days=1) and reception[1].hour == 2
    assert ceremony[1] <= reception[0]
    assert demo.rsvp_deadline.astimezone(zone).date() == the_day - datetime.timedelta(days=45)


def test_households_are_named_after_their_members(demo):
    households = Household.objects.filter(wedding=demo).prefetch_related("guests")
    assert households.count() == 45
    for household in households:
        members = list(household.guests.order_by("pk"))
        assert members, household.name
        last = {g.last_name for g in members}
        assert len(last) == 1, household.name
        (surname,) = last
        if len(members) == 1:
            assert household.name == members[0].full_name
        elif len(members) == 2:
            assert household.name == f"{members[0].first_name} & {members[1].first_name} {surname}"
        else:
            assert household.name == f"The {surname} family"


def test_the_reception_has_a_few_tables_on_a_plan_that_fits_a_laptop_screen(demo):
    reception = Event.objects.get(wedding=demo, name="Reception")
    plan = FloorPlan.objects.get(event=reception)
    tables = list(Table.objects.filter(event=reception).order_by("pk"))
    objects = list(FloorObject.objects.filter(event=reception).order_by("pk"))
    assert 5 <= len(tables) <= 12
    assert {o.kind for o in objects} >= {"dance", "dj", "bar", "entrance"}
    px = PIXELS_PER_UNIT[plan.unit]
    assert plan.width * px <= SCREEN_W and plan.length * px <= SCREEN_H

    placed, room_w, room_l = floorplan.layout(
        [(o.pk, o.x, o.y, o.width, o.length) for o in objects], plan.width, plan.length, unit=plan.unit
    )
    items = [(t.pk, t.x, t.y, *floorplan.footprint(t.capacity, t.shape, plan.unit)) for t in tables]
    boxes, room_w, room_l = floorplan.layout(items, room_w, room_l, unit=plan.unit, fixed=list(placed.values()))
    # Nothing had to be moved or the room grown: the stored plan is already a clean one.
    assert (room_w, room_l) == (plan.width, plan.length)
    for key, x, y, width, length in items:
        assert boxes[key] == floorplan.place(x, y, width, length, room_w, room_l), key
    for o in objects:
        assert placed[o.pk] == floorplan.place(o.x, o.y, o.width, o.length, room_w, room_l), o.label


def test_seated_guests_fit_their_tables(demo):
    for table in Table.objects.filter(wedding=demo):
        assert Seat.objects.filter(table=table).count() <= table.capacity
    assert Seat.objects.filter(wedding=demo).exists()
