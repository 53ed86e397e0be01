"""One definition of each guest-list read: the admin filter, the dashboard list and the stats agree."""

from __future__ import annotations

import pytest

from guests.models import Guest
from tests import factories
from wedding.dashboard.reads import event_stats, guest_queryset

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite


@pytest.fixture
def cast(wedding, event, household):
    """Invited and attending, declined, pending (a 'pending' answer), silent; one uninvited; one seated.

    Fay and Gus hold answers without an invitation (an invitation deleted on its own in the
    admin leaves them): the places that used to disagree about "pending".
    """
    make = lambda name: factories.GuestFactory(wedding=wedding, household=household, first_name=name)  # noqa: E731
    guests = {name: make(name) for name in ("Ana", "Ben", "Cleo", "Dani", "Eli", "Fay", "Gus")}
    for name in ("Ana", "Ben", "Cleo", "Dani"):
        factories.InvitationFactory(guest=guests[name], event=event)
    factories.ResponseFactory(guest=guests["Ana"], event=event, status="attending")
    factories.ResponseFactory(guest=guests["Ben"], event=event, status="declined")
    factories.ResponseFactory(guest=guests["Cleo"], event=event, status="pending")
    factories.ResponseFactory(guest=guests["Fay"], event=event, status="declined")
    factories.ResponseFactory(guest=guests["Gus"], event=event, status="pending")
    table = factories.TableFactory(event=event, name="Table 1")
    factories.SeatFactory(table=table, guest=guests["Ana"])
    return guests, table


def _names(queryset) -> set[str]:
    return set(queryset.values_list("first_name", flat=True))


def test_each_status_has_one_answer(cast, wedding, event):
    guests = Guest.objects.for_wedding(wedding)
    assert _names(guests.attending(event)) == {"Ana"}
    assert _names(guests.declined(event)) == {"Ben", "Fay"}
    assert _names(guests.pending(event)) == {"Cleo", "Dani"}
    assert _names(guests.not_invited_to(event)) == {"Eli", "Fay", "Gus"}
    assert _names(guests.unseated(event)) == {"Ben", "Cleo", "Dani", "Eli", "Fay", "Gus"}
    assert _names(guests.seated_at(cast[1])) == {"Ana"}
    assert _names(guests.search("ana")) == {"Ana"}


@pytest.mark.parametrize(("admin_value", "dashboard_value"), [
    ("attending", "attending"), ("declined", "declined"), ("pending", "pending"), ("not_invited", "uninvited"),
])
def test_admin_filter_dashboard_list_and_stats_agree(cast, wedding, event, planner_client, admin_value, dashboard_value):
    page = planner_client.get("/admin/guests/guest/", {f"rsvp_{event.pk}": admin_value, "wedding__id__exact": wedding.pk})
    admin_names = {str(guest.first_name) for guest in page.context["cl"].result_list}
    dashboard_names = _names(guest_queryset(wedding, {"event": str(event.pk), "status": dashboard_value}))
    assert admin_names == dashboard_names == _names(Guest.objects.for_wedding(wedding).rsvp_status(event, admin_value))
    if admin_value == "pending":
        (stats,) = event_stats(wedding)
        assert stats.pending == len(dashboard_names) == 2
