"""Two planners move the same guest: the one whose move lost the race is told the truth."""

from __future__ import annotations

import pytest
from django.urls import reverse

from seating import services
from seating.models import Seat
from seating.services import SeatingError
from tests import factories
from tests.seating.test_autoseat_services import attending

ACTION = {"HTTP_X_CONFETTI_ACTION": "1"}


@pytest.fixture
def ana(planner):
    return planner  # "Ana Planner"


@pytest.fixture
def bea(wedding):
    user = factories.UserFactory(username="bea", first_name="Bea")
    wedding.planners.add(user)
    return user


def test_the_loser_is_told_where_the_guest_went_and_who_moved_them(wedding, event, ana, bea):
    eight = factories.TableFactory(event=event, name="Table 8")
    nine = factories.TableFactory(event=event, name="Table 9")
    carmen = attending(wedding, event, first_name="Carmen", last_name="")
    # Both planners see Carmen unseated; Ana drops her on Table 9 first.
    services.seat_assign(guest=carmen, table=nine, user=ana, expected=None)
    with pytest.raises(SeatingError) as lost:
        services.seat_assign(guest=carmen, table=eight, user=bea, expected=None)
    assert str(lost.value.messages[0]) == "Carmen was moved to Table 9 by Ana a moment ago. Your move was not applied."
    assert lost.value.code == "moved"
    assert Seat.objects.get(guest=carmen).table == nine


def test_unseated_meanwhile_is_told_too(wedding, event, ana, bea):
    eight = factories.TableFactory(event=event, name="Table 8")
    nine = factories.TableFactory(event=event, name="Table 9")
    carmen = attending(wedding, event, first_name="Carmen", last_name="")
    services.seat_assign(guest=carmen, table=eight, user=ana)
    services.seat_unassign(guest=carmen, event=event, user=ana, expected=eight.pk)
    with pytest.raises(SeatingError, match="Carmen was unseated by Ana a moment ago"):
        services.seat_assign(guest=carmen, table=nine, user=bea, expected=eight.pk)
    with pytest.raises(SeatingError, match="Carmen was unseated by Ana"):
        services.seat_unassign(guest=carmen, event=event, user=bea, expected=eight.pk)


def test_the_chart_sends_where_the_guest_was_and_gets_a_409(client, wedding, event, ana, bea):
    eight = factories.TableFactory(event=event, name="Table 8")
    nine = factories.TableFactory(event=event, name="Table 9")
    carmen = attending(wedding, event, first_name="Carmen", last_name="")
    seat_url = reverse("admin:seating-seat", args=[wedding.pk, event.pk])
    client.force_login(ana)
    first = client.post(seat_url, {"guest": carmen.pk, "table": nine.pk, "from": ""}, **ACTION)
    assert first.json() == {"ok": True, "message": "Carmen is seated at Table 9."}
    client.force_login(bea)
    second = client.post(seat_url, {"guest": carmen.pk, "table": eight.pk, "from": ""}, **ACTION)
    assert second.status_code == 409
    assert second.json()["message"] == "Carmen was moved to Table 9 by Ana a moment ago. Your move was not applied."
    # A move made from a fresh chart goes through.
    third = client.post(seat_url, {"guest": carmen.pk, "table": eight.pk, "from": nine.pk}, **ACTION)
    assert third.json()["ok"] and Seat.objects.get(guest=carmen).table == eight
