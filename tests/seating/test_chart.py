"""The planner's seating chart (seating.views, the `seating_chart` region)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from realtime import regions
from realtime.models import Change
from realtime.regions import Audience, Viewer
from seating.models import Seat, Table
from tests import factories
from tests.seating.builders import build_guests

ACTION = {"HTTP_X_CONFETTI_ACTION": "1"}


def url(name, *args):
    return reverse(f"admin:{name}", args=args)


def attending(wedding, event, **kwargs):
    guest = factories.GuestFactory(household__wedding=wedding, **kwargs)
    factories.InvitationFactory(guest=guest, event=event)
    factories.ResponseFactory(guest=guest, event=event, status="attending")
    return guest


def test_chart_shows_tables_and_unseated_attending_guests(planner_client, wedding, event):
    table = factories.TableFactory(event=event, name="Table 4", capacity=8, shape="rect", x=30, y=40)
    seated = attending(wedding, event, first_name="Sara", last_name="Gil")
    Seat.objects.create(wedding=wedding, event=event, table=table, guest=seated)
    attending(wedding, event, first_name="Tomás", last_name="Vera")
    declined = factories.GuestFactory(household__wedding=wedding, first_name="Nope", last_name="Never")
    factories.ResponseFactory(guest=declined, event=event, status="declined")

    page = planner_client.get(url("seating-chart", wedding.pk, event.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Table 4" in html and 'data-testid="fill">1/8<' in html and "shape-rect" in html
    assert "--x: 30.00; --y: 40.00" in html
    unseated = html.split('aria-label="Unseated attending guests"')[1].split("</ul>")[0]
    assert "Tomás Vera" in unseated and "Sara Gil" not in unseated and "Nope" not in html
    assert 'data-live-region="seating_chart"' in html


def test_first_seating_url_goes_to_the_first_event(planner_client, wedding, event):
    response = planner_client.get(url("seating-chart-first", wedding.pk))
    assert response.status_code == 302 and response["Location"] == url("seating-chart", wedding.pk, event.pk)


def test_households_split_across_tables_are_flagged(wedding, event, household):
    one, two = factories.TableFactory.create_batch(2, event=event)
    a = attending(wedding, event, household=household)
    b = attending(wedding, event, household=household)
    Seat.objects.create(wedding=wedding, event=event, table=one, guest=a)
    Seat.objects.create(wedding=wedding, event=event, table=two, guest=b)
    html = regions.render_region(
        "seating_chart", Viewer(wedding=wedding, audience=Audience.PLANNER), {"event": str(event.pk)}
    )
    assert "1 household split across tables" in html and html.count("is-split") == 2


def test_other_weddings_chart_and_events_are_404(planner_client, wedding, other_wedding):
    foreign_event = factories.EventFactory(wedding=other_wedding)
    assert planner_client.get(url("seating-chart", other_wedding.pk, foreign_event.pk)).status_code == 404
    assert planner_client.get(url("seating-chart", wedding.pk, foreign_event.pk)).status_code == 404
    with pytest.raises(Http404):
        regions.render_region(
            "seating_chart", Viewer(wedding=wedding, audience=Audience.PLANNER), {"event": str(foreign_event.pk)}
        )


def test_move_a_guest_to_a_table_between_tables_and_back(planner_client, wedding, event):
    one, two = factories.TableFactory.create_batch(2, event=event)
    guest = attending(wedding, event, first_name="Sara", last_name="Gil")
    seat_url = url("seating-seat", wedding.pk, event.pk)

    response = planner_client.post(seat_url, {"guest": guest.pk, "table": one.pk}, **ACTION)
    assert response.json() == {"ok": True, "message": f"Sara Gil is seated at {one.name}."}
    planner_client.post(seat_url, {"guest": guest.pk, "table": two.pk}, **ACTION)
    assert Seat.objects.get(guest=guest).table == two
    response = planner_client.post(seat_url, {"guest": guest.pk, "table": ""}, **ACTION)
    assert response.json()["ok"] and not Seat.objects.filter(guest=guest).exists()


def test_last_seat_taken_gets_a_clear_conflict(planner_client, wedding, event):
    table = factories.TableFactory(event=event, name="Table 4", capacity=1)
    Seat.objects.create(wedding=wedding, event=event, table=table, guest=attending(wedding, event))
    latecomer = attending(wedding, event)
    response = planner_client.post(
        url("seating-seat", wedding.pk, event.pk), {"guest": latecomer.pk, "table": table.pk}, **ACTION
    )
    assert response.status_code == 409
    assert response.json() == {"ok": False, "message": "Table 4 is full (1/1)."}
    assert not Seat.objects.filter(guest=latecomer).exists()


def test_moves_refuse_other_weddings_guests_and_tables(planner_client, wedding, event, other_wedding):
    stranger = factories.GuestFactory(household__wedding=other_wedding)
    table = factories.TableFactory(event=event)
    seat_url = url("seating-seat", wedding.pk, event.pk)
    assert planner_client.post(seat_url, {"guest": stranger.pk, "table": table.pk}, **ACTION).status_code == 404
    foreign_table = factories.TableFactory(event=factories.EventFactory(wedding=other_wedding))
    guest = attending(wedding, event)
    response = planner_client.post(seat_url, {"guest": guest.pk, "table": foreign_table.pk}, **ACTION)
    assert response.status_code == 409 and not Seat.objects.exists()
    assert planner_client.post(seat_url, {"guest": "abc", "table": "x"}, **ACTION).status_code == 404


def test_table_controls(planner_client, wedding, event):
    created = planner_client.post(
        url("seating-table-create", wedding.pk, event.pk),
        {"name": "Family", "capacity": 10, "shape": "rect", "x": 20, "y": 30}, **ACTION,
    )
    assert created.json()["ok"]
    table = Table.objects.get(name="Family")
    assert (table.capacity, table.shape, table.x, table.y) == (10, "rect", 20, 30)

    bad = planner_client.post(
        url("seating-table-create", wedding.pk, event.pk), {"name": "Family", "capacity": 0, "shape": "x"}, **ACTION
    )
    assert bad.status_code == 422 and "Capacity" in bad.json()["message"]
    duplicate = planner_client.post(
        url("seating-table-create", wedding.pk, event.pk), {"name": "family", "capacity": 4, "shape": "round"}, **ACTION
    )
    assert "already a table called" in duplicate.json()["message"]

    updated = planner_client.post(
        url("seating-table-update", wedding.pk, event.pk, table.pk),
        {"name": "Family 1", "capacity": 6, "shape": "round", "x": 50, "y": 60}, **ACTION,
    )
    assert updated.json()["ok"]
    table.refresh_from_db()
    assert (table.name, table.capacity, table.shape, table.x, table.y) == ("Family 1", 6, "round", 50, 60)

    moved = planner_client.post(url("seating-table-move", wedding.pk, event.pk, table.pk), {"x": 5, "y": 95}, **ACTION)
    assert moved.json()["ok"]
    table.refresh_from_db()
    assert (table.x, table.y) == (5, 95)


def test_shrinking_below_the_seated_guests_is_refused(planner_client, wedding, event):
    table = factories.TableFactory(event=event, name="T1", capacity=4)
    for _ in range(3):
        Seat.objects.create(wedding=wedding, event=event, table=table, guest=attending(wedding, event))
    response = planner_client.post(
        url("seating-table-update", wedding.pk, event.pk, table.pk),
        {"name": "T1", "capacity": 2, "shape": "round"}, **ACTION,
    )
    assert response.status_code == 422 and "T1 has 3 guests seated" in response.json()["message"]


def test_delete_table_asks_first_then_unseats(planner_client, wedding, event):
    table = factories.TableFactory(event=event, name="T9")
    guests = [attending(wedding, event) for _ in range(2)]
    for g in guests:
        Seat.objects.create(wedding=wedding, event=event, table=table, guest=g)
    delete_url = url("seating-table-delete", wedding.pk, event.pk, table.pk)

    page = planner_client.post(delete_url)
    assert page.status_code == 200 and "2 guests will go back to unseated" in page.content.decode()
    assert Table.objects.filter(pk=table.pk).exists()

    response = planner_client.post(delete_url, {"confirm": "yes"}, **ACTION)
    assert response.json() == {"ok": True, "message": "Deleted T9; 2 guest(s) are unseated."}
    assert not Table.objects.filter(pk=table.pk).exists() and not Seat.objects.exists()


def test_publish_switch(planner_client, planner, wedding):
    publish = url("seating-publish", wedding.pk)
    assert planner_client.post(publish, {"published": "1"}, **ACTION).json()["ok"]
    wedding.refresh_from_db()
    assert wedding.seating_published
    change = Change.objects.filter(topic="wedding").order_by("-pk").first()
    assert change.actor_user == planner
    planner_client.post(publish, {"published": "0"}, **ACTION)
    wedding.refresh_from_db()
    assert not wedding.seating_published


def test_chart_actions_need_post(planner_client, wedding, event):
    assert planner_client.get(url("seating-seat", wedding.pk, event.pk)).status_code == 405


def test_chart_queries_do_not_grow_with_tables_and_guests(planner_client, planner, wedding, event):
    small = factories.WeddingFactory(name="Small", slug="small", planners=[planner])
    small_event = factories.EventFactory(wedding=small, name="Reception")
    build_guests(small, small_event, guests=6, tables=2)
    data = build_guests(wedding, event, guests=2000, tables=200)
    assert Seat.objects.filter(event=event).count() == 1600 and len(data["tables"]) == 200

    def queries(w, e):
        with CaptureQueriesContext(connection) as captured:
            assert planner_client.get(url("seating-chart", w.pk, e.pk)).status_code == 200
        return len(captured)

    assert queries(small, small_event) == queries(wedding, event)


def test_seated_guests_who_declined_are_flagged(wedding, event):
    table = factories.TableFactory(event=event)
    guest = attending(wedding, event, first_name="Pablo", last_name="Paz")
    Seat.objects.create(wedding=wedding, event=event, table=table, guest=guest)
    viewer = Viewer(wedding=wedding, audience=Audience.PLANNER)
    assert "is-declined" not in regions.render_region("seating_chart", viewer, {"event": str(event.pk)})
    guest.responses.update(status="declined")
    html = regions.render_region("seating_chart", viewer, {"event": str(event.pk)})
    assert 'class="seat-guest is-declined"' in html and "has declined: free the seat" in html


def test_publish_switch_inside_the_chart_answers_the_chart_to_htmx(planner_client, wedding, event):
    response = planner_client.post(
        url("seating-publish", wedding.pk), {"published": "1", "event": event.pk}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="live-seating_chart')
    assert "published — guests see their tables" in html and 'aria-checked="true"' in html
    wedding.refresh_from_db()
    assert wedding.seating_published


def test_publish_switch_of_the_chart_is_an_htmx_form(planner_client, wedding, event):
    page = planner_client.get(url("seating-chart", wedding.pk, event.pk)).content.decode()
    switch = page[page.index('<form class="seating-publish"'):]
    switch = switch[: switch.index("</form>")]
    assert f'hx-post="{url("seating-publish", wedding.pk)}"' in switch and 'hx-target="closest [data-live-region]"' in switch
    assert f'name="event" value="{event.pk}"' in switch and "data-dash-action" not in switch
