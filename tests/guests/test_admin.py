"""The guest list and households in the admin: columns, filters, fixed query counts, bulk actions."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guests.codes import new_code
from guests.importexport import jobs
from guests.importexport import views as admin_views
from guests.models import Guest, Household
from realtime import publish
from realtime.models import Change
from rsvp.models import Invitation, Response
from seating.models import Seat, Table
from tests import factories

GUESTS = reverse("admin:guests_guest_changelist")
HOUSEHOLDS = reverse("admin:guests_household_changelist")


@pytest.fixture
def ceremony(wedding):
    return factories.EventFactory(wedding=wedding, name="Ceremony", order=1)


@pytest.fixture
def reception(wedding):
    return factories.EventFactory(wedding=wedding, name="Reception", order=2)


@pytest.fixture
def fish(reception):
    return factories.MealOptionFactory(event=reception, name="Fish")


def populate(wedding, events, n: int, prefix: str = "") -> None:
    """n guests in n/2 households, each invited to every event, answered, tagged and seated."""
    households = Household.objects.bulk_create(
        Household(wedding=wedding, name=f"Family {i:05d}", invitation_code=new_code()) for i in range(n // 2)
    )
    guests = Guest.objects.bulk_create(
        Guest(wedding=wedding, household=households[i // 2], first_name=f"G{i}", last_name="Doe",
              email=f"g{i}@example.org")
        for i in range(n)
    )
    tag = factories.TagFactory(wedding=wedding, name=f"{prefix}friends")
    Guest.tags.through.objects.bulk_create(Guest.tags.through(guest_id=g.pk, tag_id=tag.pk) for g in guests)
    for event in events:
        Invitation.objects.bulk_create(Invitation(wedding=wedding, guest=g, event=event) for g in guests)
        Response.objects.bulk_create(
            Response(wedding=wedding, guest=g, event=event, status="attending" if i % 2 else "declined")
            for i, g in enumerate(guests)
        )
        tables = Table.objects.bulk_create(
            Table(wedding=wedding, event=event, name=f"{prefix}T{t}", capacity=100) for t in range(n // 100 + 1)
        )
        Seat.objects.bulk_create(
            Seat(wedding=wedding, event=event, table=tables[i // 100], guest=g) for i, g in enumerate(guests)
        )


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_guest_and_household_lists_run_a_fixed_number_of_queries(planner_client, wedding, other_wedding, ceremony, reception):
    populate(wedding, [ceremony, reception], 20)
    small = (count_queries(planner_client, GUESTS), count_queries(planner_client, HOUSEHOLDS))
    populate(other_wedding, [factories.EventFactory(wedding=other_wedding, name=n) for n in ("A", "B")], 20)
    populate(wedding, [ceremony, reception], 1980, prefix="more-")
    assert Guest.objects.filter(wedding=wedding).count() == 2000

    large = (count_queries(planner_client, GUESTS), count_queries(planner_client, HOUSEHOLDS))

    assert large == small, f"guest list / household list queries: 20 guests {small}, 2,000 guests {large}"
    filtered = f"{GUESTS}?rsvp_{reception.pk}=attending&table=&q=Doe"
    assert count_queries(planner_client, filtered) <= small[0] + 2


def test_guest_list_shows_household_response_per_event_and_table(planner_client, wedding, ceremony, reception, fish):
    guest = factories.GuestFactory(household__wedding=wedding, household__name="The Ruiz family", first_name="Lucía")
    factories.InvitationFactory(guest=guest, event=ceremony)
    factories.ResponseFactory(guest=guest, event=reception, status="attending", meal=fish)
    factories.SeatFactory(guest=guest, table=factories.TableFactory(event=reception, name="Table 4"))

    page = planner_client.get(GUESTS).content.decode()

    for text in ("Lucía", "The Ruiz family", "Ceremony", "Reception", "No answer yet", "Attending · Fish", "Reception: Table 4"):
        assert text in page, text


def test_filters_by_rsvp_status_per_event_table_tag_and_search(planner_client, wedding, other_wedding, ceremony, reception):
    coming = factories.GuestFactory(household__wedding=wedding, first_name="Coming", email="coming@example.org")
    staying = factories.GuestFactory(household__wedding=wedding, first_name="Staying")
    waiting = factories.GuestFactory(household__wedding=wedding, first_name="Waiting", household__name="Slowpokes")
    factories.GuestFactory(household__wedding=wedding, first_name="Stranger")
    for guest in (coming, staying, waiting):
        factories.InvitationFactory(guest=guest, event=reception)
    factories.ResponseFactory(guest=coming, event=reception, status="attending")
    factories.ResponseFactory(guest=staying, event=reception, status="declined")
    table = factories.TableFactory(event=reception, name="Table 1")
    factories.SeatFactory(guest=coming, table=table)
    vip = factories.TagFactory(wedding=wedding, name="vip")
    coming.tags.add(vip)
    factories.TagFactory(wedding=other_wedding, name="secret-other-tag").guests.add(
        factories.GuestFactory(household__wedding=other_wedding)
    )

    def names(query: str) -> set[str]:
        response = planner_client.get(f"{GUESTS}?{query}")
        assert response.status_code == 200, response
        return {g.first_name for g in response.context["cl"].result_list}

    key = f"rsvp_{reception.pk}"
    assert names(f"{key}=attending") == {"Coming"}
    assert names(f"{key}=declined") == {"Staying"}
    assert names(f"{key}=pending") == {"Waiting"}
    assert names(f"{key}=not_invited") == {"Stranger"}
    assert names(f"table={table.pk}") == {"Coming"}
    assert names(f"table=none-{reception.pk}") == {"Staying", "Waiting", "Stranger"}
    assert names(f"tags__id__exact={vip.pk}") == {"Coming"}
    assert names("q=Slowpokes") == {"Waiting"}
    assert names("q=coming@example") == {"Coming"}
    assert names("side=both&age_group=adult") == {"Coming", "Staying", "Waiting", "Stranger"}
    page = planner_client.get(GUESTS).content.decode()
    assert "RSVP — Reception" in page and "RSVP — Ceremony" in page
    assert "secret-other-tag" not in page


def action(client, name: str, guests, **data):
    return client.post(
        GUESTS, {"action": name, ACTION_CHECKBOX_NAME: [g.pk for g in guests], **data}, follow=False
    )


def changes_during(func):
    before = set(Change.objects.values_list("pk", flat=True))
    result = func()
    return result, list(Change.objects.exclude(pk__in=before))


def test_invite_to_event_asks_for_the_event_then_invites_as_one_change(planner_client, wedding, other_wedding, reception):
    guests = [factories.GuestFactory(household__wedding=wedding) for _ in range(3)]
    factories.EventFactory(wedding=other_wedding, name="Their party")

    page = action(planner_client, "invite_to_event", guests)
    assert page.status_code == 200
    assert "Reception" in page.content.decode() and "Their party" not in page.content.decode()

    response, changes = changes_during(lambda: action(planner_client, "invite_to_event", guests, apply="1", event=reception.pk))

    assert response.status_code == 302
    assert Invitation.objects.filter(event=reception).count() == 3
    assert len(changes) == 1 and changes[0].count == 3


def test_an_event_of_another_wedding_is_refused(planner_client, wedding, other_wedding):
    guests = [factories.GuestFactory(household__wedding=wedding)]
    theirs = factories.EventFactory(wedding=other_wedding)
    response = action(planner_client, "invite_to_event", guests, apply="1", event=theirs.pk)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Invitation.objects.exists()


def test_assign_to_table_as_one_change_and_a_full_table_is_a_message(planner_client, wedding, reception):
    guests = [factories.GuestFactory(household__wedding=wedding) for _ in range(3)]
    for guest in guests:
        factories.InvitationFactory(guest=guest, event=reception)
    big = factories.TableFactory(event=reception, name="Big", capacity=8)
    small = factories.TableFactory(event=reception, name="Small", capacity=2)

    response, changes = changes_during(lambda: action(planner_client, "assign_to_table", guests, apply="1", table=big.pk))
    assert response.status_code == 302
    assert Seat.objects.filter(table=big).count() == 3
    assert len(changes) == 1

    response, changes = changes_during(
        lambda: planner_client.post(
            GUESTS, {"action": "assign_to_table", ACTION_CHECKBOX_NAME: [g.pk for g in guests], "apply": "1",
                     "table": small.pk}, follow=True,
        )
    )
    assert "Nobody was seated" in response.content.decode() and "Small" in response.content.decode()
    assert Seat.objects.filter(table=small).count() == 0 and changes == []


def test_record_response_on_the_guests_behalf(planner_client, planner, wedding, reception, fish):
    guests = [factories.GuestFactory(household__wedding=wedding) for _ in range(2)]
    uninvited = factories.GuestFactory(household__wedding=wedding)
    for guest in guests:
        factories.InvitationFactory(guest=guest, event=reception)

    response, changes = changes_during(
        lambda: planner_client.post(
            GUESTS, {"action": "record_response", ACTION_CHECKBOX_NAME: [g.pk for g in [*guests, uninvited]],
                     "apply": "1", "event": reception.pk, "status": "attending", "meal": fish.pk}, follow=True,
        )
    )

    assert "1 not invited to it were skipped" in response.content.decode()
    recorded = Response.objects.filter(event=reception)
    assert recorded.count() == 2
    assert all(r.meal == fish and r.answered_by == "planner" and r.answered_by_user == planner for r in recorded)
    assert len(changes) == 1


def test_a_meal_of_another_event_is_a_field_error(planner_client, wedding, ceremony, fish):
    guest = factories.GuestFactory(household__wedding=wedding)
    response = action(planner_client, "record_response", [guest], apply="1", event=ceremony.pk,
                      status="attending", meal=fish.pk)
    assert response.status_code == 200 and "is a meal of Reception" in response.content.decode()
    assert not Response.objects.exists()


def test_delete_selected_confirms_then_deletes_as_one_change(planner_client, wedding, reception):
    guests = [factories.GuestFactory(household__wedding=wedding) for _ in range(4)]
    for guest in guests:
        factories.ResponseFactory(guest=guest, event=reception)

    confirm = action(planner_client, "delete_selected", guests)
    assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()
    assert Guest.objects.count() == 4

    response, changes = changes_during(lambda: action(planner_client, "delete_selected", guests, post="yes"))
    assert response.status_code == 302
    assert Guest.objects.count() == 0 and Response.objects.count() == 0
    assert len(changes) == 1 and changes[0].count == 4 and changes[0].action == "delete"


def test_delete_selected_across_weddings_is_one_change_per_wedding_with_its_cascades(
    client, wedding, other_wedding, reception, monkeypatch, django_capture_on_commit_callbacks
):
    root = factories.UserFactory(username="root", is_superuser=True)
    client.force_login(root)
    ours = [factories.GuestFactory(household__wedding=wedding) for _ in range(2)]
    theirs = factories.GuestFactory(household__wedding=other_wedding, first_name="Zoe", last_name="Other")
    factories.ResponseFactory(guest=ours[0], event=reception)
    published: list[dict] = []
    monkeypatch.setattr(publish, "publish", published.append)

    with django_capture_on_commit_callbacks(execute=True):
        response, changes = changes_during(
            lambda: action(client, "delete_selected", [*ours, theirs], post="yes")
        )

    assert response.status_code == 302 and not Guest.objects.exists()
    assert sorted((c.wedding_id, c.count, c.actor_user_id) for c in changes) == sorted(
        [(wedding.pk, 2, root.pk), (other_wedding.pk, 1, root.pk)]
    )
    assert "Zoe Other" in next(c.summary for c in changes if c.wedding_id == other_wedding.pk)
    assert sorted(m["wedding"] for m in published) == sorted([wedding.pk, other_wedding.pk])
    assert all(m["topics"] == ["guest", "request", "rsvp", "seating", "song"] for m in published)


def test_export_selection_as_csv(planner_client, wedding, reception, fish):
    guest = factories.GuestFactory(household__wedding=wedding, household__name="Ruiz", first_name="Lucía",
                                   dietary_notes="no nuts")
    other = factories.GuestFactory(household__wedding=wedding, first_name="NotSelected")
    factories.ResponseFactory(guest=guest, event=reception, meal=fish)

    response = action(planner_client, "export_csv", [guest])

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 and other.first_name not in response.content.decode()
    assert rows[0]["household"] == "Ruiz" and rows[0]["dietary_notes"] == "no nuts"
    assert rows[0]["Reception response"] == "Attending" and rows[0]["Reception meal"] == "Fish"


def test_actions_refuse_guests_of_two_weddings(planner, client, wedding):
    second = factories.WeddingFactory(planners=[planner])
    client.force_login(planner)
    guests = [factories.GuestFactory(household__wedding=wedding), factories.GuestFactory(household__wedding=second)]
    response = client.post(
        GUESTS, {"action": "invite_to_event", ACTION_CHECKBOX_NAME: [g.pk for g in guests]}, follow=True
    )
    assert "one wedding at a time" in response.content.decode()


def test_actions_cannot_reach_another_weddings_guests(planner_client, wedding, other_wedding, reception):
    theirs = factories.GuestFactory(household__wedding=other_wedding)
    response = action(planner_client, "invite_to_event", [theirs], apply="1", event=reception.pk)
    assert response.status_code == 302  # nothing selected that the planner can see
    assert not Invitation.objects.exists()


def test_household_list_and_inline_guests(planner_client, wedding):
    household = factories.HouseholdFactory(wedding=wedding, name="The Ruiz family")
    factories.GuestFactory(household=household, first_name="Lucía")
    factories.GuestFactory(household=household, first_name="Pablo")
    page = planner_client.get(HOUSEHOLDS).content.decode()
    assert "The Ruiz family" in page and "2: " in page and "Lucía" in page
    # Searching by a guest's name joins the guests; the count must not be multiplied.
    found = planner_client.get(HOUSEHOLDS, {"q": "Ruiz"})
    assert [h.guest_count for h in found.context["cl"].result_list] == [2]

    url = reverse("admin:guests_household_add")
    response = planner_client.post(url, {
        "wedding": wedding.pk, "name": "Bianchi", "plus_ones_allowed": 0,
        "guests-TOTAL_FORMS": 1, "guests-INITIAL_FORMS": 0,
        "guests-0-first_name": "Marco", "guests-0-age_group": "adult", "guests-0-side": "b",
    })
    assert response.status_code == 302, response.context["errors"]
    marco = Guest.objects.get(first_name="Marco")
    assert marco.wedding == wedding and marco.household.name == "Bianchi"
    assert len(marco.household.invitation_code) == 10


def test_household_delete_page_deletes_it_with_its_guests_as_one_change(planner_client, wedding, reception):
    household = factories.HouseholdFactory(wedding=wedding, name="The Ruiz family")
    guest = factories.GuestFactory(household=household)
    factories.ResponseFactory(guest=guest, event=reception)
    url = reverse("admin:guests_household_delete", args=[household.pk])

    response, changes = changes_during(lambda: planner_client.post(url, {"post": "yes"}))

    assert response.status_code == 302
    assert not Household.objects.exists() and not Guest.objects.exists() and not Response.objects.exists()
    assert [(c.model, c.action, c.count, c.summary) for c in changes] == [
        ("guests.household", "delete", 1, "Removed household “The Ruiz family”")
    ]


def test_household_delete_selected_across_weddings_is_one_change_per_wedding_with_its_cascades(
    client, wedding, other_wedding, reception, monkeypatch, django_capture_on_commit_callbacks
):
    root = factories.UserFactory(username="root", is_superuser=True)
    client.force_login(root)
    ours = factories.HouseholdFactory.create_batch(2, wedding=wedding)
    theirs = factories.HouseholdFactory(wedding=other_wedding, name="The Other family")
    factories.ResponseFactory(guest=factories.GuestFactory(household=ours[0]), event=reception)
    factories.GuestFactory(household=theirs)
    published: list[dict] = []
    monkeypatch.setattr(publish, "publish", published.append)
    selected = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [h.pk for h in (*ours, theirs)]}

    confirm = client.post(HOUSEHOLDS, selected)
    assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response, changes = changes_during(lambda: client.post(HOUSEHOLDS, {**selected, "post": "yes"}))

    assert response.status_code == 302
    assert not Household.objects.exists() and not Guest.objects.exists() and not Response.objects.exists()
    assert sorted((c.wedding_id, c.count, c.actor_user_id, c.summary) for c in changes) == sorted([
        (wedding.pk, 2, root.pk, "Removed 2 households"),
        (other_wedding.pk, 1, root.pk, "Removed household “The Other family”"),
    ])
    assert sorted(m["wedding"] for m in published) == sorted([wedding.pk, other_wedding.pk])
    assert all(m["topics"] == ["guest", "request", "rsvp", "seating", "song"] for m in published)


# --- import and export pages ----------------------------------------------------------


@pytest.fixture
def run_inline(monkeypatch):
    """The background thread cannot see the test's transaction: run the job in place."""
    monkeypatch.setattr(admin_views, "run_in_background", jobs.job_run)


def _page(client, name: str, wedding):
    """Each of the guest list's own pages, as a planner opens it."""
    if name in ("import", "export"):
        return client.get(reverse(f"admin:guests_guest_{name}"))
    if name == "action":
        factories.EventFactory(wedding=wedding, name="Reception")
        return action(client, "invite_to_event", [factories.GuestFactory(household__wedding=wedding)])
    upload = io.BytesIO(b"household,first_name\nRuiz,Lucia\n")
    upload.name = "guests.csv"
    preview = client.post(reverse("admin:guests_guest_import"), {"wedding": wedding.pk, "file": upload})
    if name == "preview":
        return preview
    return client.get(reverse("admin:guests_guest_import_progress", args=[preview.context["token"]]))


@pytest.mark.parametrize("name, title", [
    ("import", "Import guests"),
    ("preview", "Import guests"),
    ("progress", "Importing guests.csv"),
    ("export", "Export guests"),
    ("action", "Invite guests to an event"),
])
def test_guest_pages_lead_back_to_the_guest_list(planner_client, wedding, run_inline, name, title):
    response = _page(planner_client, name, wedding)

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>{title} | " in html and f"<h1>{title}</h1>" in html
    crumbs = html[html.index('<div class="breadcrumbs">'):]
    crumbs = " ".join(crumbs[:crumbs.index("</div>")].split())
    assert crumbs == (
        '<div class="breadcrumbs"> <a href="/admin/">Home</a> &rsaquo; <a href="/admin/guests/">Guests</a>'
        f' &rsaquo; <a href="{GUESTS}">Guests</a> &rsaquo; {title}'
    )


def test_import_page_previews_then_imports_with_progress(planner_client, wedding, reception, run_inline):
    content = b"household,first_name,events\nRuiz,Lucia,Reception\nRuiz,Pablo,Reception\nBianchi,,\n"
    upload = io.BytesIO(content)
    upload.name = "guests.csv"

    preview = planner_client.post(reverse("admin:guests_guest_import"), {"wedding": wedding.pk, "file": upload})

    page = preview.content.decode()
    assert preview.status_code == 200 and "Nothing was imported" in page and "first name is missing" in page
    assert not preview.context["can_import"]
    assert Guest.objects.count() == 0

    upload = io.BytesIO(content.replace(b"Bianchi,,", b"Bianchi,Marco,"))
    upload.name = "guests.csv"
    preview = planner_client.post(reverse("admin:guests_guest_import"), {"wedding": wedding.pk, "file": upload})
    assert preview.context["can_import"] and Guest.objects.count() == 0
    token = preview.context["token"]
    progress_url = reverse("admin:guests_guest_import_progress", args=[token])

    started, changes = changes_during(lambda: planner_client.post(progress_url))

    assert started.status_code == 302
    assert Guest.objects.filter(wedding=wedding).count() == 3
    assert len(changes) == 1
    page = planner_client.get(progress_url).content.decode()
    assert "Imported" in page and "data-live-region=\"guest_import\"" in page
    # Starting twice does nothing more.
    planner_client.post(progress_url)
    assert Guest.objects.count() == 3


def test_import_progress_region_polls_while_running(planner_client, wedding, monkeypatch):
    monkeypatch.setattr(admin_views, "run_in_background", lambda token: None)
    upload = io.BytesIO(b"household,first_name\nRuiz,Lucia\n")
    upload.name = "g.csv"
    token = planner_client.post(reverse("admin:guests_guest_import"), {"wedding": wedding.pk, "file": upload}).context["token"]
    planner_client.post(reverse("admin:guests_guest_import_progress", args=[token]))
    jobs.job_update(token, done=1, total=2)

    fragment = planner_client.get(reverse("realtime:fragment", args=["guest_import"]), {"wedding": wedding.pk, "job": token})

    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "50%" in html and 'hx-trigger="every 700ms"' in html


def test_import_job_of_another_planner_is_404(client, wedding, other_wedding, planner_client):
    upload = io.BytesIO(b"household,first_name\nRuiz,Lucia\n")
    upload.name = "g.csv"
    token = planner_client.post(reverse("admin:guests_guest_import"), {"wedding": wedding.pk, "file": upload}).context["token"]
    intruder = other_wedding.planners.get()
    client.force_login(intruder)
    assert client.get(reverse("admin:guests_guest_import_progress", args=[token])).status_code == 404
    assert client.post(reverse("admin:guests_guest_import_progress", args=[token])).status_code == 404
    fragment = client.get(reverse("realtime:fragment", args=["guest_import"]), {"wedding": other_wedding.pk, "job": token})
    assert fragment.status_code == 404


def test_import_page_reports_an_unreadable_file(planner_client, wedding):
    upload = io.BytesIO(b"\x00\x01garbage")
    upload.name = "guests.xlsx"
    response = planner_client.post(reverse("admin:guests_guest_import"), {"wedding": wedding.pk, "file": upload})
    assert response.status_code == 200 and "cannot be read" in response.content.decode()


def test_export_page_downloads_guest_list_and_meal_counts(planner_client, wedding, other_wedding, reception, fish):
    guest = factories.GuestFactory(household__wedding=wedding, age_group="child")
    factories.ResponseFactory(guest=guest, event=reception, meal=fish)
    url = reverse("admin:guests_guest_export")

    xlsx = planner_client.post(url, {"wedding": wedding.pk, "report": "guests", "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats") and xlsx.content[:2] == b"PK"

    meals = planner_client.post(url, {"wedding": wedding.pk, "report": "meals", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(meals.content.decode("utf-8-sig"))))
    assert rows == [{"event": "Reception", "meal": "Fish", "vegetarian": "no", "adults": "0", "children": "1",
                     "infants": "0", "total": "1"}]

    refused = planner_client.post(url, {"wedding": other_wedding.pk, "report": "guests", "format": "csv"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()


def test_deleting_one_guest_from_its_page_is_one_change(planner_client, wedding, reception):
    guest = factories.GuestFactory(household__wedding=wedding, first_name="Lucía")
    factories.ResponseFactory(guest=guest, event=reception)
    factories.InvitationFactory(guest=guest, event=reception)

    response, changes = changes_during(
        lambda: planner_client.post(reverse("admin:guests_guest_delete", args=[guest.pk]), {"post": "yes"})
    )

    assert response.status_code == 302 and not Guest.objects.exists()
    assert len(changes) == 1 and "Lucía" in changes[0].summary


def test_guest_list_links_to_import_and_export_pages(planner_client, wedding):
    page = planner_client.get(GUESTS).content.decode()
    assert reverse("admin:guests_guest_import") in page and reverse("admin:guests_guest_export") in page
    form = planner_client.get(reverse("admin:guests_guest_import"))
    assert form.status_code == 200 and form.context["form"].fields["wedding"].initial == wedding.pk
    assert planner_client.get(reverse("admin:guests_guest_export")).status_code == 200


def test_many_events_fold_into_one_responses_column_with_fixed_queries(planner_client, wedding):
    events = [factories.EventFactory(wedding=wedding, name=f"Day {n}") for n in range(9)]

    def add(n: int) -> None:
        for _ in range(n):
            guest = factories.GuestFactory(household__wedding=wedding)
            factories.ResponseFactory(guest=guest, event=events[0])

    add(2)
    few = count_queries(planner_client, GUESTS)
    add(8)
    assert count_queries(planner_client, GUESTS) == few
    assert "Day 0: Attending" in planner_client.get(GUESTS).content.decode()
