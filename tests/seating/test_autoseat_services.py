"""Auto-seat against the database: preview writes nothing, accept is one change, stale plans refused."""

from __future__ import annotations

import json

import pytest

from guests.models import Guest
from realtime.models import Change
from seating import services
from seating.models import KeepApart, KeepTogether, Seat
from seating.services import SeatingError
from tests import factories


def attending(wedding, event, household=None, **kwargs):
    guest = factories.GuestFactory(
        household=household or factories.HouseholdFactory(wedding=wedding), **kwargs
    )
    factories.InvitationFactory(guest=guest, event=event)
    factories.ResponseFactory(guest=guest, event=event, status="attending")
    return guest


def seats(event) -> dict[int, int]:
    return dict(Seat.objects.filter(event=event).values_list("guest_id", "table_id"))


def test_preview_writes_nothing_and_accept_is_one_change(wedding, event, planner):
    one = factories.TableFactory(event=event, name="Table 1", capacity=4)
    two = factories.TableFactory(event=event, name="Table 2", capacity=4)
    lopez = factories.HouseholdFactory(wedding=wedding, name="The López family")
    family = [attending(wedding, event, household=lopez) for _ in range(3)]
    others = [attending(wedding, event) for _ in range(4)]
    before = Change.objects.count()

    preview = services.autoseat_preview(event=event, mode="unseated", seconds=1)

    assert Change.objects.count() == before and seats(event) == {}
    assert preview.plan.seated == 7 and preview.plan.details["households_split"] == 0
    assert len({preview.plan.placement[g.pk] for g in family}) == 1

    moved = services.autoseat_accept(
        event=event, mode="unseated", token=preview.token, placement=preview.placement_json, user=planner
    )

    assert moved == 7 and len(seats(event)) == 7
    assert {seats(event)[g.pk] for g in family} <= {one.pk, two.pk}
    change = Change.objects.order_by("-pk").first()
    assert Change.objects.count() == before + 1  # one change, one message for the other planner
    assert change.topic == "seating" and "Auto-seat: 7 guests placed" in change.summary
    assert change.actor_user == planner
    assert set(others) <= set(Guest.objects.filter(seats__event=event))


def test_accept_refuses_when_the_chart_changed_since_the_preview(wedding, event):
    table = factories.TableFactory(event=event, capacity=2)
    first, second = attending(wedding, event), attending(wedding, event)
    preview = services.autoseat_preview(event=event, mode="unseated", seconds=1)
    services.seat_assign(guest=first, table=table)  # another planner, meanwhile
    with pytest.raises(SeatingError, match="The chart changed since this plan was made") as info:
        services.autoseat_accept(event=event, mode="unseated", token=preview.token, placement=preview.placement_json)
    assert info.value.code == "stale"
    assert seats(event) == {first.pk: table.pk} and second.pk not in seats(event)


def test_accept_rechecks_the_hard_rules_of_a_tampered_plan(wedding, event):
    table = factories.TableFactory(event=event, capacity=1)
    a, b = attending(wedding, event), attending(wedding, event)
    preview = services.autoseat_preview(event=event, mode="unseated", seconds=1)
    forged = json.dumps({str(a.pk): table.pk, str(b.pk): table.pk})
    with pytest.raises(SeatingError, match="over capacity"):
        services.autoseat_accept(event=event, mode="unseated", token=preview.token, placement=forged)
    with pytest.raises(SeatingError, match="could not be read"):
        services.autoseat_accept(event=event, mode="unseated", token=preview.token, placement="{nope")
    assert seats(event) == {}


def test_groups_pairs_preferences_and_pins_reach_the_plan(wedding, event):
    kids = factories.TableFactory(event=event, name="Kids", capacity=3, prefers=["age:child"])
    t2 = factories.TableFactory(event=event, name="Table 2", capacity=3)
    t3 = factories.TableFactory(event=event, name="Table 3", capacity=3)
    children = [attending(wedding, event, age_group="child") for _ in range(3)]
    pinned = attending(wedding, event, first_name="Abuela")
    Seat.objects.create(wedding=wedding, event=event, table=t3, guest=pinned, pinned=True)
    ana, bea = attending(wedding, event, first_name="Ana"), attending(wedding, event, first_name="Bea")
    KeepApart.objects.create(wedding=wedding, first=min(ana, bea, key=lambda g: g.pk), second=max(ana, bea, key=lambda g: g.pk))
    friends = KeepTogether.objects.create(wedding=wedding, name="College")
    c, d = attending(wedding, event), attending(wedding, event)
    friends.guests.set([c, d])

    preview = services.autoseat_preview(event=event, mode="all", seconds=1)
    placement = preview.plan.placement

    assert pinned.pk not in placement  # pinned: kept where it is
    assert all(placement[k.pk] == kids.pk for k in children)
    assert placement[ana.pk] != placement[bea.pk]
    assert placement[c.pk] == placement[d.pk] in {t2.pk, t3.pk}
    services.autoseat_accept(event=event, mode="all", token=preview.token, placement=preview.placement_json)
    assert seats(event)[pinned.pk] == t3.pk and len(seats(event)) == 8


def test_nothing_to_seat_and_no_tables_are_clear_errors(wedding, event):
    with pytest.raises(SeatingError, match="nobody to seat"):
        services.autoseat_preview(event=event, mode="unseated")
    attending(wedding, event)
    with pytest.raises(SeatingError, match="Add tables"):
        services.autoseat_preview(event=event, mode="unseated")
    with pytest.raises(SeatingError, match="Choose what to seat"):
        services.autoseat_preview(event=event, mode="everything")


def test_300_guests_and_30_tables_through_the_database_in_under_10_seconds(wedding, event, planner):
    import time

    from seating.models import Table
    from tests.seating.builders import build_guests

    build_guests(wedding, event, guests=330, tables=0, per_household=3)  # 297 attending, none seated
    Table.objects.bulk_create(
        Table(wedding=wedding, event=event, name=f"Table {i + 1}", capacity=10, x=(i % 6) * 20, y=(i // 6) * 25,
              prefers=["age:child"] if i < 2 else [])
        for i in range(30)
    )
    started = time.monotonic()
    preview = services.autoseat_preview(event=event, mode="unseated")
    assert time.monotonic() - started < 10
    assert preview.plan.seated == 297 and preview.plan.details["unseated"] == 0
    moved = services.autoseat_accept(
        event=event, mode="unseated", token=preview.token, placement=preview.placement_json, user=planner
    )
    assert moved == 297 and Seat.objects.filter(event=event).count() == 297
    over = [t for t in Table.objects.filter(event=event) if t.seats.count() > t.capacity]
    assert over == []


def test_the_auto_seat_page_has_a_fixed_number_of_queries(planner_client, planner, wedding, event):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.seating.builders import build_guests

    small = factories.WeddingFactory(name="Small", slug="small", planners=[planner])
    small_event = factories.EventFactory(wedding=small, name="Reception")
    build_guests(small, small_event, guests=6, tables=2)
    build_guests(wedding, event, guests=2000, tables=200)
    for w in (small, wedding):
        group = KeepTogether.objects.create(wedding=w, name="Friends")
        group.guests.set(Guest.objects.filter(wedding=w)[:5])
        a, b = Guest.objects.filter(wedding=w).order_by("pk")[:2]
        KeepApart.objects.create(wedding=w, first=a, second=b)

    def queries(w, e):
        with CaptureQueriesContext(connection) as captured:
            assert planner_client.get(reverse("admin:seating-autoseat", args=[w.pk, e.pk])).status_code == 200
        return len(captured)

    assert queries(small, small_event) == queries(wedding, event)
