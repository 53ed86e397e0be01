"""Seating writes (seating.services): capacity, eligibility, moves, bulk seating, tables, publishing."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from realtime.context import SYSTEM, acting_as, actor_for, current_actor
from realtime.models import Change
from rsvp.models import Response
from seating import services
from seating.models import Seat, Table
from seating.services import SeatingError
from tests import factories
from tests.conftest import require_service

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite


def last_change() -> int:
    return Change.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def invited_guest(wedding, event, **kwargs):
    guest = factories.GuestFactory(household__wedding=wedding, **kwargs)
    factories.InvitationFactory(guest=guest, event=event)
    return guest


def test_seat_assign_seats_and_records_one_change(wedding, event, planner):
    table = factories.TableFactory(event=event, name="Table 4")
    guest = invited_guest(wedding, event, first_name="Inés")
    before = last_change()

    seat = services.seat_assign(guest=guest, table=table, user=planner)

    assert seat.table == table and seat.event == event
    change = Change.objects.exclude(pk__lte=before).get()
    assert change.topic == "seating" and change.actor_user == planner
    assert "Table 4" in change.summary


def test_the_user_named_is_credited_else_whoever_acts(wedding, event, planner):
    """realtime.context.acting_as_planner: a command names its planner; without one, the
    actor already set (the request's, or the system) keeps the credit."""
    table = factories.TableFactory(event=event)
    colleague = factories.UserFactory(username="colleague")
    guests = [invited_guest(wedding, event) for _ in range(2)]

    with acting_as(actor_for(user=colleague)):
        services.seat_assign(guest=guests[0], table=table, user=planner)
        services.seat_assign(guest=guests[1], table=table)

    credited = Change.objects.filter(topic="seating").order_by("pk").values_list("actor_user", flat=True)
    assert list(credited) == [planner.pk, colleague.pk]
    assert current_actor() == SYSTEM


def test_seat_assign_moves_an_existing_seat(wedding, event):
    first, second = factories.TableFactory.create_batch(2, event=event)
    guest = invited_guest(wedding, event)
    services.seat_assign(guest=guest, table=first)
    services.seat_assign(guest=guest, table=second)
    assert list(Seat.objects.filter(guest=guest).values_list("table_id", flat=True)) == [second.pk]


def test_seat_assign_on_a_full_table_says_so_and_changes_nothing(wedding, event):
    table = factories.TableFactory(event=event, name="Table 4", capacity=2)
    for _ in range(2):
        services.seat_assign(guest=invited_guest(wedding, event), table=table)
    latecomer = invited_guest(wedding, event)
    with pytest.raises(SeatingError, match=r"Table 4 is full \(2/2\)"):
        services.seat_assign(guest=latecomer, table=table)
    assert not Seat.objects.filter(guest=latecomer).exists()


def test_database_backstop_becomes_the_same_clear_message(wedding, event, monkeypatch):
    """Even if the count under the lock were wrong, the trigger's IntegrityError reads well."""
    table = factories.TableFactory(event=event, name="Table 4", capacity=1)
    services.seat_assign(guest=invited_guest(wedding, event), table=table)
    monkeypatch.setattr(services.Seat.objects, "filter", _count_zero(services.Seat.objects.filter))
    with pytest.raises(SeatingError, match=r"Table 4 is full \(1/1\)"):
        services.seat_assign(guest=invited_guest(wedding, event), table=table)
    assert Seat.objects.filter(table=table).count() == 1


def _count_zero(real_filter):
    def fake(*args, **kwargs):
        qs = real_filter(*args, **kwargs)
        if "table_id" in kwargs and len(kwargs) == 1:
            qs.count = lambda: 0
        return qs

    return fake


def test_moving_within_the_same_table_is_a_no_op(wedding, event):
    table = factories.TableFactory(event=event, capacity=1)
    guest = invited_guest(wedding, event)
    services.seat_assign(guest=guest, table=table)
    before = last_change()
    services.seat_assign(guest=guest, table=table)  # full, but they are the one sitting there
    assert last_change() == before


def test_guest_of_another_wedding_is_refused(wedding, event, other_wedding):
    table = factories.TableFactory(event=event)
    stranger = factories.GuestFactory(household__wedding=other_wedding)
    with pytest.raises(SeatingError, match="another wedding"):
        services.seat_assign(guest=stranger, table=table)


def test_declined_and_uninvited_guests_are_refused(wedding, event):
    table = factories.TableFactory(event=event)
    declined = factories.GuestFactory(household__wedding=wedding, first_name="Pablo", last_name="")
    factories.ResponseFactory(guest=declined, event=event, status=Response.Status.DECLINED)
    uninvited = factories.GuestFactory(household__wedding=wedding, first_name="Rosa", last_name="")
    with pytest.raises(SeatingError, match="Pablo has declined the Reception"):
        services.seat_assign(guest=declined, table=table)
    with pytest.raises(SeatingError, match="Rosa is not invited to the Reception"):
        services.seat_assign(guest=uninvited, table=table)
    # A guest who answered (attending) counts as invited even without an Invitation row.
    attending = factories.GuestFactory(household__wedding=wedding)
    factories.ResponseFactory(guest=attending, event=event, status=Response.Status.ATTENDING)
    assert services.seat_assign(guest=attending, table=table).table == table


def test_seat_unassign(wedding, event, planner):
    table = factories.TableFactory(event=event)
    guest = invited_guest(wedding, event)
    services.seat_assign(guest=guest, table=table)
    assert services.seat_unassign(guest=guest, event=event, user=planner) is True
    assert not Seat.objects.filter(guest=guest).exists()
    assert services.seat_unassign(guest=guest, event=event) is False
    assert Change.objects.filter(topic="seating", action="delete").count() == 1


def test_seats_assign_many_is_one_change(wedding, event, planner):
    table = factories.TableFactory(event=event, name="Table 7", capacity=5)
    elsewhere = factories.TableFactory(event=event)
    guests = [invited_guest(wedding, event) for _ in range(4)]
    services.seat_assign(guest=guests[0], table=elsewhere)
    before = last_change()

    seats = services.seats_assign_many(guests=guests, table=table, user=planner)

    assert {s.table_id for s in seats} == {table.pk}
    assert Seat.objects.filter(table=table).count() == 4
    change = Change.objects.exclude(pk__lte=before).get()
    assert change.count == 4 and change.summary.startswith("Seated 4 guests at Table 7")


def test_seats_assign_many_is_all_or_nothing(wedding, event):
    table = factories.TableFactory(event=event, name="Table 7", capacity=3)
    services.seat_assign(guest=invited_guest(wedding, event), table=table)
    guests = [invited_guest(wedding, event) for _ in range(3)]
    with pytest.raises(SeatingError, match=r"Table 7 has 2 free seats \(1/3\); 3 guests need one"):
        services.seats_assign_many(guests=guests, table=table)
    declined = factories.GuestFactory(household__wedding=wedding)
    factories.ResponseFactory(guest=declined, event=event, status=Response.Status.DECLINED)
    with pytest.raises(SeatingError, match="declined"):
        services.seats_assign_many(guests=[guests[0], declined], table=table)
    assert Seat.objects.filter(table=table).count() == 1


def test_table_create_update_move(event):
    table = services.table_create(event=event, name=" Table 1 ", capacity=6, shape="rect", x=150, y=-3)
    assert (table.name, table.capacity, table.shape, table.x, table.y) == ("Table 1", 6, "rect", 100, 0)
    with pytest.raises(SeatingError, match="already a table called “table 1”"):
        services.table_create(event=event, name="table 1")
    with pytest.raises(SeatingError, match="at least one seat"):
        services.table_create(event=event, name="T2", capacity=0)
    with pytest.raises(SeatingError, match="not a valid choice"):
        services.table_create(event=event, name="T2", shape="hexagon")
    updated = services.table_update(table=table, name="Family", capacity=10, shape="square")
    assert (updated.name, updated.capacity, updated.shape) == ("Family", 10, "square")
    moved = services.table_move(table=table, x="42.5", y=20)
    assert (moved.x, moved.y) == (42.5, 20)
    with pytest.raises(SeatingError, match="must be a number"):
        services.table_move(table=table, x="left", y=1)


def test_table_cannot_shrink_below_its_guests(wedding, event):
    table = factories.TableFactory(event=event, name="Table 2", capacity=4)
    for _ in range(3):
        services.seat_assign(guest=invited_guest(wedding, event), table=table)
    with pytest.raises(SeatingError, match="Table 2 has 3 guests seated"):
        services.table_update(table=table, capacity=2)
    table.refresh_from_db()
    assert table.capacity == 4


def test_table_delete_unseats_its_guests_in_one_change(wedding, event):
    table = factories.TableFactory(event=event, name="Table 9")
    guests = [invited_guest(wedding, event) for _ in range(3)]
    services.seats_assign_many(guests=guests, table=table)
    before = last_change()

    assert services.table_delete(table=table) == 3

    assert not Table.objects.filter(pk=table.pk).exists()
    assert not Seat.objects.filter(guest__in=guests).exists()
    new = Change.objects.filter(pk__gt=before)
    assert {(c.topic, c.action) for c in new} == {("seating", "delete"), ("table", "delete")}
    assert new.get(topic="seating").count == 3


def test_seating_publish(wedding, planner):
    before = last_change()
    services.seating_publish(wedding=wedding, published=True, user=planner)
    wedding.refresh_from_db()
    assert wedding.seating_published is True
    change = Change.objects.get(pk__gt=before)
    assert change.topic == "wedding" and "published" in change.summary and change.actor_user == planner
    services.seating_publish(wedding=wedding, published=True, user=planner)  # already: no change
    assert last_change() == change.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_planners_race_for_the_last_seat(wedding, event):
    """20 concurrent attempts at the last seat: exactly one wins, the rest get the clear error."""
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")
    table = factories.TableFactory(event=event, name="Table 4", capacity=8)
    for _ in range(7):
        services.seat_assign(guest=invited_guest(wedding, event), table=table)
    contenders = [invited_guest(wedding, event) for _ in range(20)]
    barrier = threading.Barrier(len(contenders))
    results: list[str] = []
    lock = threading.Lock()

    def attempt(guest):
        try:
            barrier.wait(timeout=10)
            services.seat_assign(guest=guest, table=table)
            outcome = "won"
        except SeatingError as exc:
            outcome = exc.messages[0]
        except Exception as exc:  # noqa: BLE001 - anything else is a failure we want to see
            outcome = f"unexpected: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(g,)) for g in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert results.count("won") == 1, results
    assert results.count("Table 4 is full (8/8).") == 19, results
    assert Seat.objects.filter(table=table).count() == 8
