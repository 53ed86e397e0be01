"""Exports: the guest list's columns and the caterer's counts, in a fixed number of queries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from guests.importexport import exporting
from tests import factories


def test_guest_list_columns_and_one_row_per_guest_of_the_wedding_only(wedding, other_wedding, event):
    meal = factories.MealOptionFactory(event=event, name="Fish")
    guest = factories.GuestFactory(household__wedding=wedding, household__name="Ruiz", first_name="Lucía",
                                   dietary_notes="no nuts", side="a", age_group="child")
    guest.tags.add(factories.TagFactory(wedding=wedding, name="vip"))
    factories.InvitationFactory(guest=guest, event=event)
    factories.ResponseFactory(guest=guest, event=event, meal=meal)
    factories.SeatFactory(guest=guest, table=factories.TableFactory(event=event, name="Table 4"))
    factories.GuestFactory(household__wedding=other_wedding, first_name="Stranger")

    dataset = exporting.guest_list_dataset(wedding=wedding)

    assert dataset.headers == [*exporting.GUEST_COLUMNS, "Reception response", "Reception meal", "Reception table"]
    assert dataset.dict == [{
        "household": "Ruiz", "first_name": "Lucía", "last_name": "Ruiz", "email": guest.email, "phone": "",
        "age_group": "Child", "side": "Partner A", "tags": "vip", "dietary_notes": "no nuts",
        "events": "Reception", "household_key": guest.household.key, "is_plus_one": "no",
        "directory_opt_in": "no", "notes": "", "household_email": guest.household.email,
        "household_phone": guest.household.phone, "address": guest.household.address,
        "plus_ones_allowed": guest.household.plus_ones_allowed, "household_notes": guest.household.notes,
        "Reception response": "Attending", "Reception meal": "Fish", "Reception table": "Table 4",
    }]
    assert guest.household.key.startswith("H") and len(guest.household.key) == 10


def test_guest_list_export_runs_a_fixed_number_of_queries(wedding, event):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            exporting.guest_list_dataset(wedding=wedding)
            exporting.meal_counts_dataset(wedding=wedding)
        return len(captured)

    def add(n: int) -> None:
        for _ in range(n):
            guest = factories.GuestFactory(household__wedding=wedding)
            factories.ResponseFactory(guest=guest, event=event)
            guest.tags.add(factories.TagFactory(wedding=wedding, name="friends"))

    add(2)
    few = queries()
    add(20)
    assert queries() == few


def test_meal_counts_add_up_to_everyone_attending(wedding, event):
    fish = factories.MealOptionFactory(event=event, name="Fish", order=1)
    factories.MealOptionFactory(event=event, name="Risotto", is_vegetarian=True, order=2)
    for age, meal in [("adult", fish), ("adult", fish), ("child", fish), ("infant", None), ("adult", None)]:
        guest = factories.GuestFactory(household__wedding=wedding, age_group=age)
        factories.ResponseFactory(guest=guest, event=event, meal=meal)
    factories.ResponseFactory(guest=factories.GuestFactory(household__wedding=wedding), event=event, status="declined")

    rows = exporting.meal_counts_dataset(wedding=wedding).dict

    assert rows == [
        {"event": "Reception", "meal": "Fish", "vegetarian": "no", "adults": 2, "children": 1, "infants": 0, "total": 3},
        {"event": "Reception", "meal": "Risotto", "vegetarian": "yes", "adults": 0, "children": 0, "infants": 0, "total": 0},
        {"event": "Reception", "meal": "(no meal chosen)", "vegetarian": "", "adults": 1, "children": 0, "infants": 1, "total": 2},
    ]
