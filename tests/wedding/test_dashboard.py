"""The planner dashboard in the admin (wedding.dashboard, wedding.dashboard_regions)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guests.models import Guest, GuestRequest
from realtime import publish, regions
from realtime.models import Change
from realtime.regions import Audience, Viewer
from rsvp.models import Invitation, Response
from seating.models import Seat
from tests import factories
from tests.seating.builders import build_guests


def url(name, *args):
    return reverse(f"admin:{name}", args=args)


def last_change() -> int:
    return Change.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def guest(wedding, event, household):
    guest = factories.GuestFactory(household=household, first_name="Inés", last_name="Ruiz")
    factories.InvitationFactory(guest=guest, event=event)
    return guest


# --- index, switcher, scoping ---------------------------------------------------------


def test_admin_index_is_the_dashboard_of_the_only_wedding(planner_client, wedding, event):
    page = planner_client.get(url("index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lucía &amp; Marco" in html and 'data-live-region="dash_stats"' in html
    assert page.context["live_viewer"].wedding == wedding


def test_planner_with_several_weddings_gets_a_switcher(planner_client, planner, wedding):
    second = factories.WeddingFactory(name="Second wedding", planners=[planner])
    page = planner_client.get(url("index"))
    html = page.content.decode()
    assert url("dashboard", wedding.pk) in html and url("dashboard", second.pk) in html
    assert "dash_stats" not in html


def test_superuser_without_weddings_gets_the_ordinary_index(client, db):
    admin_user = factories.UserFactory(username="root", is_superuser=True)
    client.force_login(admin_user)
    assert client.get(url("index")).status_code == 200


@pytest.mark.parametrize(
    "name", ["dashboard", "dashboard-guests", "dashboard-requests", "dashboard-activity", "dashboard-reports"]
)
def test_other_weddings_pages_are_404(planner_client, other_wedding, name):
    assert planner_client.get(url(name, other_wedding.pk)).status_code == 404


def test_anonymous_is_sent_to_login(client, wedding):
    response = client.get(url("dashboard", wedding.pk))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_region_refuses_events_of_another_wedding(wedding, other_wedding):
    foreign = factories.EventFactory(wedding=other_wedding)
    viewer = Viewer(wedding=wedding, audience=Audience.PLANNER)
    from django.http import Http404

    with pytest.raises(Http404):
        regions.render_region("dash_reports", viewer, {"event": str(foreign.pk)})
    guests_viewer = Viewer(wedding=wedding, audience=Audience.GUESTS)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        regions.render_region("dash_guests", guests_viewer, {})


# --- stats ------------------------------------------------------------------------------


def test_stats_count_every_answer(planner_client, wedding, event):
    fish = factories.MealOptionFactory(event=event, name="Fish")
    guests = factories.GuestFactory.create_batch(5, household__wedding=wedding)
    for g in guests:
        factories.InvitationFactory(guest=g, event=event)
    guests[0].dietary_notes = "no nuts"
    guests[0].save()
    guests[1].age_group = "child"
    guests[1].save()
    factories.ResponseFactory(guest=guests[0], event=event, meal=fish)
    factories.ResponseFactory(guest=guests[1], event=event)
    factories.ResponseFactory(guest=guests[2], event=event, status="declined")

    from wedding.dashboard.reads import event_stats

    (s,) = event_stats(wedding)
    assert (s.invited, s.answered, s.attending, s.declined, s.pending) == (5, 3, 2, 1, 2)
    assert (s.adults, s.children, s.infants, s.meals_chosen, s.dietary_notes) == (1, 1, 0, 1, 1)
    assert s.meals == [("Fish", 1)]
    html = planner_client.get(url("dashboard", wedding.pk)).content.decode()
    assert 'data-stat="attending">2<' in html and 'data-stat="pending">2<' in html
    assert "<polyline" in html  # the progress chart


def test_days_to_deadline(planner_client, wedding):
    wedding.rsvp_deadline = timezone.now() + datetime.timedelta(days=10, hours=1)
    wedding.save()
    html = planner_client.get(url("dashboard", wedding.pk)).content.decode()
    assert '<strong data-testid="days-left">10</strong> days to the RSVP deadline' in html


def test_latest_responses_show_new_answers(planner_client, wedding, event, guest):
    factories.ResponseFactory(guest=guest, event=event, status="declined")
    html = planner_client.get(url("dashboard", wedding.pk)).content.decode()
    assert "Inés Ruiz" in html and "declined the Reception" in html


# --- responding on a guest's behalf -----------------------------------------------------


def test_record_a_response_on_behalf(planner_client, planner, wedding, event, guest):
    fish = factories.MealOptionFactory(event=event, name="Fish")
    response = planner_client.post(
        url("dashboard-respond", wedding.pk, guest.pk),
        {"event": event.pk, "status": "attending", "meal": fish.pk, "note": "phoned"},
    )
    assert response.status_code == 302
    answer = Response.objects.get(guest=guest, event=event)
    assert (answer.status, answer.meal, answer.answered_by, answer.answered_by_user) == (
        "attending", fish, "planner", planner,
    )


def test_record_a_response_refuses_bad_input(planner_client, wedding, event, guest):
    page = planner_client.post(url("dashboard-respond", wedding.pk, guest.pk), {"event": event.pk, "status": "maybe"})
    assert page.status_code == 422 and "Unknown answer" in page.content.decode()
    assert not Response.objects.filter(guest=guest).exists()


def test_record_a_response_for_another_weddings_guest_is_404(planner_client, wedding, other_wedding):
    stranger = factories.GuestFactory(household__wedding=other_wedding)
    assert planner_client.get(url("dashboard-respond", wedding.pk, stranger.pk)).status_code == 404


# --- master guest list -----------------------------------------------------------------------


def test_guest_list_filters(planner_client, wedding, event):
    ana = factories.GuestFactory(household__wedding=wedding, first_name="Ana", last_name="Sol", side="a")
    bea = factories.GuestFactory(household__wedding=wedding, first_name="Bea", last_name="Luna", side="b")
    tag = factories.TagFactory(wedding=wedding, name="college")
    bea.tags.add(tag)
    factories.InvitationFactory(guest=ana, event=event)
    factories.ResponseFactory(guest=ana, event=event, status="declined")
    table = factories.TableFactory(event=event)
    factories.InvitationFactory(guest=bea, event=event)
    Seat.objects.create(wedding=wedding, event=event, table=table, guest=bea)

    def names(**params):
        page = planner_client.get(url("dashboard-guests", wedding.pk), params)
        assert page.status_code == 200
        html = page.content.decode()
        return [n for n in ("Ana", "Bea") if {"Ana": "Ana Sol", "Bea": "Bea Luna"}[n] in html]

    assert names() == ["Ana", "Bea"]
    assert names(q="luna") == ["Bea"]
    assert names(side="a") == ["Ana"]
    assert names(tag=tag.pk) == ["Bea"]
    assert names(event=event.pk, status="declined") == ["Ana"]
    assert names(event=event.pk, status="pending") == ["Bea"]
    assert names(table=table.pk) == ["Bea"]
    assert names(event=event.pk, table="none") == ["Ana"]
    assert names(household=ana.household_id) == ["Ana"]
    assert names(side="nonsense", tag="x") == ["Ana", "Bea"]  # bad filters are ignored, never a 500


def bulk(client, wedding, **data):
    return client.post(url("dashboard-guests-bulk", wedding.pk), data, HTTP_X_CONFETTI_ACTION="1")


def test_bulk_invite_is_one_change(planner_client, wedding, event):
    guests = factories.GuestFactory.create_batch(3, household__wedding=wedding)
    before = last_change()
    response = bulk(planner_client, wedding, action="invite", event=event.pk, guest=[g.pk for g in guests])
    assert response.status_code == 200 and response.json()["ok"]
    assert Invitation.objects.filter(event=event).count() == 3
    assert Change.objects.filter(pk__gt=before).count() == 1


def test_bulk_seat_respond_and_tag(planner_client, wedding, event):
    guests = factories.GuestFactory.create_batch(3, household__wedding=wedding)
    for g in guests:
        factories.InvitationFactory(guest=g, event=event)
    table = factories.TableFactory(event=event, capacity=3)
    ids = [g.pk for g in guests]

    before = last_change()
    assert bulk(planner_client, wedding, action="respond", event=event.pk, status="attending", guest=ids).json()["ok"]
    assert Response.objects.filter(event=event, status="attending").count() == 3
    assert Change.objects.filter(pk__gt=before).count() == 1

    before = last_change()
    assert bulk(planner_client, wedding, action="seat", table=table.pk, guest=ids).json()["ok"]
    assert Seat.objects.filter(table=table).count() == 3
    assert Change.objects.filter(pk__gt=before).count() == 1

    before = last_change()
    assert bulk(planner_client, wedding, action="tag", tag="family", guest=ids).json()["ok"]
    assert Guest.objects.filter(tags__name="family").count() == 3
    assert Change.objects.filter(pk__gt=before).count() == 1


def test_bulk_seat_over_capacity_is_refused_with_a_message(planner_client, wedding, event):
    guests = factories.GuestFactory.create_batch(3, household__wedding=wedding)
    for g in guests:
        factories.InvitationFactory(guest=g, event=event)
    table = factories.TableFactory(event=event, capacity=2, name="Table 2")
    response = bulk(planner_client, wedding, action="seat", table=table.pk, guest=[g.pk for g in guests])
    assert response.status_code == 422 and "Table 2 has 2 free seats" in response.json()["message"]
    assert not Seat.objects.exists()


def test_bulk_delete_asks_then_deletes_in_one_change(
    planner_client, wedding, event, monkeypatch, django_capture_on_commit_callbacks
):
    guests = factories.GuestFactory.create_batch(2, household__wedding=wedding)
    factories.ResponseFactory(guest=guests[0], event=event)
    ids = [g.pk for g in guests]
    page = planner_client.post(url("dashboard-guests-bulk", wedding.pk), {"action": "delete", "guest": ids})
    assert page.status_code == 200 and "Yes, delete 2 guests" in page.content.decode()
    assert Guest.objects.count() == 2
    before = last_change()
    published: list[dict] = []
    monkeypatch.setattr(publish, "publish", published.append)
    with django_capture_on_commit_callbacks(execute=True):
        done = planner_client.post(
            url("dashboard-guests-bulk", wedding.pk), {"action": "delete", "guest": ids, "confirm": "yes"},
            follow=True,
        )
    assert done.redirect_chain[0][1] == 302 and "Deleted 2 guest(s)." in done.content.decode()
    assert Guest.objects.count() == 0 and not Response.objects.exists()
    assert Change.objects.filter(pk__gt=before).count() == 1
    # The answers that went with the guests are announced too: the stats and RSVP regions update.
    assert [m["topics"] for m in published] == [["guest", "request", "rsvp", "seating", "song"]]


def test_bulk_ignores_other_weddings_guests(planner_client, wedding, other_wedding, event):
    stranger = factories.GuestFactory(household__wedding=other_wedding)
    response = bulk(planner_client, wedding, action="tag", tag="x", guest=[stranger.pk])
    assert response.status_code == 422 and not response.json()["ok"]
    assert not stranger.tags.exists()


def test_bulk_tag_without_a_good_name_says_so(planner_client, wedding):
    guest = factories.GuestFactory(household__wedding=wedding)
    for name in ("  ", "x" * 61):
        response = bulk(planner_client, wedding, action="tag", tag=name, guest=[guest.pk])
        assert response.status_code == 422
        assert response.json()["message"] == "Give a tag name (up to 60 characters)."
    assert not guest.tags.exists()


def test_bulk_without_selection_or_action_says_so(planner_client, wedding):
    assert "Select at least one guest" in bulk(planner_client, wedding, action="tag", tag="x").json()["message"]
    assert "Choose what to do" in bulk(planner_client, wedding, action="", guest=[1]).json()["message"]


# --- requests and activity ------------------------------------------------------------------


def test_requests_inbox_and_resolve(planner_client, planner, wedding, household):
    request = factories.GuestRequestFactory(household=household, kind="plus_one", message="May I bring Leo?")
    inbox = planner_client.get(url("dashboard-requests", wedding.pk)).content.decode()
    assert "May I bring Leo?" in inbox
    response = planner_client.post(
        url("dashboard-request", wedding.pk, request.pk), {"status": "approved", "reply": "Of course!"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.reply, request.resolved_by) == ("approved", "Of course!", planner)
    assert "Of course!" not in planner_client.get(url("dashboard-requests", wedding.pk), {"status": "open"}).content.decode()


def test_resolving_another_weddings_request_is_404(planner_client, wedding, other_wedding):
    foreign = factories.GuestRequestFactory(household__wedding=other_wedding)
    response = planner_client.post(url("dashboard-request", wedding.pk, foreign.pk), {"status": "approved"})
    assert response.status_code == 404
    assert GuestRequest.objects.get(pk=foreign.pk).status == "open"


def test_activity_feed_newest_first_filtered_and_linked(planner_client, planner, wedding, event, guest):
    factories.ResponseFactory(guest=guest, event=event)
    page = planner_client.get(url("dashboard-activity", wedding.pk)).content.decode()
    assert page.index("Inés Ruiz accepted") < page.index("invited to Reception")
    only_rsvp = planner_client.get(url("dashboard-activity", wedding.pk), {"topic": "guest"}).content.decode()
    assert "accepted" not in only_rsvp
    by_planner = planner_client.get(url("dashboard-activity", wedding.pk), {"actor": planner.pk}).content.decode()
    assert "accepted" not in by_planner  # made by the system (factories), not by this planner


def test_activity_links_to_the_admin_change_page(wedding, guest):
    from wedding.dashboard.reads import activity

    change = next(c for c in activity(wedding, topic="guest", actor=None) if c.object_id == str(guest.pk))
    assert change.link == reverse("admin:guests_guest_change", args=[guest.pk])
    guest.delete()
    removed = activity(wedding, topic="guest", actor=None)[0]
    assert removed.action == "delete" and removed.link is None  # nothing left to link to


# --- fixed query counts -----------------------------------------------------------------------


def count_queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(queries)


def test_dashboard_and_list_queries_do_not_grow_with_the_wedding(planner_client, planner, wedding, event):
    small = factories.WeddingFactory(name="Small", slug="small", planners=[planner])
    small_event = factories.EventFactory(wedding=small, name="Reception")
    build_guests(small, small_event, guests=6, tables=2)
    build_guests(wedding, event, guests=2000, tables=200)
    for name in ("dashboard", "dashboard-guests", "dashboard-activity", "dashboard-requests"):
        counts = [count_queries(planner_client, url(name, w.pk)) for w in (small, wedding)]
        assert counts[0] == counts[1], (name, counts)
    filtered = [
        count_queries(planner_client, url("dashboard-guests", w.pk), {"event": e.pk, "status": "attending", "q": "G"})
        for w, e in ((small, small_event), (wedding, event))
    ]
    assert filtered[0] == filtered[1]


def test_bulk_without_its_event_or_table_says_what_is_missing(planner_client, wedding, other_wedding):
    guest = factories.GuestFactory(household__wedding=wedding)
    foreign_event = factories.EventFactory(wedding=other_wedding)
    missing = bulk(planner_client, wedding, action="invite", guest=[guest.pk])
    assert missing.status_code == 422 and missing.json()["message"] == "Choose an event for this action."
    foreign = bulk(planner_client, wedding, action="invite", event=foreign_event.pk, guest=[guest.pk])
    assert foreign.json()["message"] == "Choose an event for this action."
    no_table = bulk(planner_client, wedding, action="seat", table="x", guest=[guest.pk])
    assert no_table.json()["message"] == "Choose a table for this action."
    assert not Invitation.objects.exists()
