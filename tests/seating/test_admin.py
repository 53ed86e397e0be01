"""Tables and seats in the admin: capacity is a form error, never a 500."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from seating.models import Seat
from tests import factories


def inline_data(table, guests, total=None):
    data = {
        "wedding": table.wedding_id, "event": table.event_id, "name": table.name, "capacity": table.capacity,
        "shape": "round", "x": 10, "y": 10, "order": 0,
        "seats-TOTAL_FORMS": len(guests), "seats-INITIAL_FORMS": 0,
    }
    for i, guest in enumerate(guests):
        data[f"seats-{i}-guest"] = guest.pk
    return data


def test_seat_inline_seats_guests_at_the_tables_event(planner_client, wedding, event):
    table = factories.TableFactory(event=event, name="Table 1", capacity=2)
    guests = [factories.GuestFactory(household__wedding=wedding) for _ in range(2)]

    response = planner_client.post(
        reverse("admin:seating_table_change", args=[table.pk]), inline_data(table, guests)
    )

    assert response.status_code == 302, response.context["errors"]
    seats = Seat.objects.filter(table=table)
    assert seats.count() == 2 and {s.event_id for s in seats} == {event.pk} and {s.wedding_id for s in seats} == {wedding.pk}


def test_more_guests_than_seats_is_a_form_error(planner_client, wedding, event):
    table = factories.TableFactory(event=event, name="Table 1", capacity=2)
    guests = [factories.GuestFactory(household__wedding=wedding) for _ in range(3)]

    response = planner_client.post(
        reverse("admin:seating_table_change", args=[table.pk]), inline_data(table, guests)
    )

    assert response.status_code == 200 and "seats 2; 3 guests were given" in response.content.decode()
    assert not Seat.objects.exists()


def test_seat_at_a_full_table_is_a_field_error(planner_client, wedding, event):
    table = factories.TableFactory(event=event, capacity=1)
    factories.SeatFactory(table=table)
    guest = factories.GuestFactory(household__wedding=wedding)

    response = planner_client.post(
        reverse("admin:seating_seat_add"),
        {"wedding": wedding.pk, "event": event.pk, "table": table.pk, "guest": guest.pk},
    )

    assert response.status_code == 200 and "is full" in response.content.decode()
    assert not Seat.objects.filter(guest=guest).exists()


def test_lowering_capacity_below_the_seated_guests_is_a_message_not_a_500(planner_client, wedding, event):
    table = factories.TableFactory(event=event, capacity=4)
    for _ in range(3):
        factories.SeatFactory(table=table)
    data = inline_data(table, [])
    data.update({"capacity": 2, "seats-TOTAL_FORMS": 0})

    response = planner_client.post(reverse("admin:seating_table_change", args=[table.pk]), data, follow=True)

    assert response.status_code == 200 and "Nothing was saved" in response.content.decode()
    table.refresh_from_db()
    assert table.capacity == 4


def test_table_list_shows_seated_count_without_a_query_per_table(planner_client, wedding, event):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = planner_client.get(reverse("admin:seating_table_changelist"))
        assert "1 / 8" in page.content.decode()
        return len(captured)

    factories.SeatFactory(table=factories.TableFactory(event=event, name="T0"))
    one = queries()
    for n in range(1, 15):
        factories.SeatFactory(table=factories.TableFactory(event=event, name=f"T{n}"))
    assert queries() == one
    assert one <= 15  # permissions are asked once per request, not once per model and action
