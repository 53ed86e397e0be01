"""The auto-seat pages: rules, preview (nothing written), accept (one change), stale refusal."""

from __future__ import annotations

import re

from django.urls import reverse

from realtime.models import Change
from seating.models import KeepApart, Seat, Table
from tests import factories
from tests.seating.test_autoseat_services import attending


def url(name, *args):
    return reverse(f"admin:{name}", args=args)


def test_preview_then_accept_seats_everyone_in_one_change(planner_client, wedding, event, settings):
    factories.TableFactory(event=event, name="Table 1", capacity=4)
    factories.TableFactory(event=event, name="Table 2", capacity=4)
    guests = [attending(wedding, event, first_name=f"Carmen{i}") for i in range(6)]
    page = planner_client.post(url("seating-autoseat", wedding.pk, event.pk), {"mode": "unseated"})
    html = page.content.decode()
    assert page.status_code == 200 and "Proposed plan" in html and "6 guests placed" in html
    assert "Carmen0" in html and not Seat.objects.exists()

    fields = dict(re.findall(r'name="(mode|token|placement)" value="([^"]*)"', html.split("autoseat-accept")[1]))
    fields["placement"] = fields["placement"].replace("&quot;", '"')
    before = Change.objects.count()
    accepted = planner_client.post(url("seating-autoseat-accept", wedding.pk, event.pk), fields)
    assert accepted.status_code == 302 and accepted["Location"] == url("seating-chart", wedding.pk, event.pk)
    assert Seat.objects.filter(guest__in=guests).count() == 6 and Change.objects.count() == before + 1

    again = planner_client.post(url("seating-autoseat-accept", wedding.pk, event.pk), fields, HTTP_X_CONFETTI_ACTION="1")
    assert again.status_code == 409 and "The chart changed since this plan was made" in again.json()["message"]


def test_nothing_to_seat_is_a_clear_message(planner_client, wedding, event):
    page = planner_client.post(url("seating-autoseat", wedding.pk, event.pk), {"mode": "unseated"})
    assert page.status_code == 422 and "There is nobody to seat" in page.content.decode()


def test_table_preferences_are_saved_and_unknown_ones_refused(planner_client, wedding, event):
    table = factories.TableFactory(event=event, name="Kids")
    factories.TagFactory(wedding=wedding, name="Dancers")
    page = planner_client.get(url("seating-autoseat", wedding.pk, event.pk))
    assert "Children (kids&#x27; table)" in page.content.decode() and "Dancers" in page.content.decode()
    done = planner_client.post(
        url("seating-autoseat-preferences", wedding.pk, event.pk), {f"prefers-{table.pk}": ["age:child", "tag:Dancers"]}
    )
    assert done.status_code == 302
    table.refresh_from_db()
    assert table.prefers == ["age:child", "tag:Dancers"]
    bad = planner_client.post(
        url("seating-autoseat-preferences", wedding.pk, event.pk), {f"prefers-{table.pk}": ["tag:Nope"]},
        HTTP_X_CONFETTI_ACTION="1",
    )
    assert bad.status_code == 422 and "Unknown table preference: tag:Nope" in bad.json()["message"]
    assert Table.objects.get(pk=table.pk).prefers == ["age:child", "tag:Dancers"]


def test_pin_and_unpin_from_the_chart(planner_client, wedding, event):
    table = factories.TableFactory(event=event, name="Table 3")
    guest = attending(wedding, event, first_name="Abuela", last_name="Rosa")
    pin = url("seating-pin", wedding.pk, event.pk)
    refused = planner_client.post(pin, {"guest": guest.pk}, HTTP_X_CONFETTI_ACTION="1")
    assert refused.status_code == 422 and "has no seat to pin yet" in refused.json()["message"]
    Seat.objects.create(wedding=wedding, event=event, table=table, guest=guest)
    done = planner_client.post(pin, {"guest": guest.pk}, HTTP_X_CONFETTI_ACTION="1")
    assert done.json() == {"ok": True, "message": "Abuela Rosa is pinned at Table 3."}
    assert Seat.objects.get(guest=guest).pinned
    planner_client.post(pin, {"guest": guest.pk, "pinned": "0"}, HTTP_X_CONFETTI_ACTION="1")
    assert not Seat.objects.get(guest=guest).pinned


def test_keep_apart_admin_stores_the_pair_once_in_order(planner_client, wedding, event):
    a, b = attending(wedding, event), attending(wedding, event)
    response = planner_client.post(
        reverse("admin:seating_keepapart_add"), {"wedding": wedding.pk, "first": b.pk, "second": a.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pair = KeepApart.objects.get()
    assert (pair.first_id, pair.second_id) == (min(a.pk, b.pk), max(a.pk, b.pk))


def test_other_weddings_autoseat_is_404(planner_client, other_wedding):
    foreign = factories.EventFactory(wedding=other_wedding)
    assert planner_client.get(url("seating-autoseat", other_wedding.pk, foreign.pk)).status_code == 404


def test_keep_together_admin_add_page_and_save(planner_client, wedding, event):
    assert planner_client.get(reverse("admin:seating_keeptogether_add")).status_code == 200
    assert planner_client.get(reverse("admin:seating_keepapart_add")).status_code == 200
    a, b = attending(wedding, event), attending(wedding, event)
    response = planner_client.post(
        reverse("admin:seating_keeptogether_add"), {"wedding": wedding.pk, "name": "College", "guests": [a.pk, b.pk]}
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    page = planner_client.get(url("seating-autoseat", wedding.pk, event.pk)).content.decode()
    assert "College" in page and a.full_name in page
