"""Seat-level places: seat N of a table, unique and within capacity, also in the database."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from seating import services
from seating.models import Seat
from seating.services import SeatingError
from tests import factories
from tests.seating.test_autoseat_services import attending

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite

ACTION = {"HTTP_X_CONFETTI_ACTION": "1"}


def test_a_guest_gets_seat_three_and_nobody_else_can_have_it(wedding, event):
    table = factories.TableFactory(event=event, name="Table 4", capacity=8)
    ana, bo = attending(wedding, event, first_name="Ana", last_name="Gil"), attending(wedding, event)
    services.seat_assign(guest=ana, table=table)
    services.seat_assign(guest=bo, table=table)
    assert services.seat_number_set(guest=ana, event=event, number="3").number == 3
    with pytest.raises(SeatingError, match="Seat 3 at Table 4 is Ana Gil's"):
        services.seat_number_set(guest=bo, event=event, number=3)
    with pytest.raises(SeatingError, match="Table 4 has seats 1 to 8"):
        services.seat_number_set(guest=bo, event=event, number=9)
    with pytest.raises(SeatingError, match="whole number"):
        services.seat_number_set(guest=bo, event=event, number="x")
    assert services.seat_number_set(guest=ana, event=event, number="").number is None


def test_the_database_refuses_duplicates_and_numbers_beyond_capacity(wedding, event):
    table = factories.TableFactory(event=event, capacity=4)
    a, b = attending(wedding, event), attending(wedding, event)
    Seat.objects.create(wedding=wedding, event=event, table=table, guest=a, number=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(wedding=wedding, event=event, table=table, guest=b, number=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(wedding=wedding, event=event, table=table, guest=b, number=5)
    Seat.objects.filter(guest=a).update(number=4)
    with pytest.raises(SeatingError):  # shrinking below a numbered seat
        services.table_update(table=table, capacity=3)


def test_moving_to_another_table_drops_the_number(wedding, event):
    one, two = factories.TableFactory.create_batch(2, event=event)
    guest = attending(wedding, event)
    services.seat_assign(guest=guest, table=one)
    services.seat_number_set(guest=guest, event=event, number=1)
    assert services.seat_assign(guest=guest, table=two).number is None


def test_the_chart_sets_and_shows_the_number(planner_client, wedding, event):
    table = factories.TableFactory(event=event, name="Table 4")
    guest = attending(wedding, event, first_name="Ana", last_name="Gil")
    place = reverse("admin:seating-place", args=[wedding.pk, event.pk])
    refused = planner_client.post(place, {"guest": guest.pk, "number": 3}, **ACTION)
    assert refused.status_code == 422 and "seat them first" in refused.json()["message"]
    services.seat_assign(guest=guest, table=table)
    done = planner_client.post(place, {"guest": guest.pk, "number": 3}, **ACTION)
    assert done.json() == {"ok": True, "message": "Ana Gil is at seat 3 of Table 4."}
    html = planner_client.get(reverse("admin:seating-chart", args=[wedding.pk, event.pk])).content.decode()
    assert 'data-number="3"' in html and 'title="seat 3">3</span> Ana Gil' in html
