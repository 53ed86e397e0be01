"""A co-planner of wedding A (who joined by invitation, not by a superuser's hand) never sees wedding B.

Walks every admin route with B's ids, every registered admin's changelist and
search, every planner region's fragment URL, and B's reports, exports and
stationery; a route added later is covered without touching this file.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from realtime import regions
from tests import factories
from tests.security.routes import all_routes
from tests.wedding.planner_helpers import join_by_invitation

SECRET = "Zebulon"  # only wedding B's rows carry it; the admin's searches look for it
MARK = "Quillfeather"  # beside SECRET in every name of B: a page that echoes the search shows SECRET, not MARK


@pytest.fixture
def co_planner(wedding):
    """Marta, invited to wedding A by its planner and joined through the link's service."""
    return join_by_invitation(wedding, "marta@example.com")


@pytest.fixture
def wedding_b(db):
    """Another wedding, with one of everything, each named with SECRET."""
    b = factories.WeddingFactory(name=f"{SECRET} {MARK} wedding", slug="zebulon",
                                 planners=[factories.UserFactory(username="b.planner")])
    event = factories.EventFactory(wedding=b, name=f"{SECRET} {MARK} dinner")
    household = factories.HouseholdFactory(wedding=b, name=f"The {SECRET} {MARK} family", email="z@example.org")
    guest = factories.GuestFactory(household=household, first_name=SECRET, last_name=MARK)
    factories.InvitationFactory(guest=guest, event=event)
    factories.ResponseFactory(guest=guest, event=event)
    table = factories.TableFactory(event=event, name=f"{SECRET} {MARK} table")
    factories.SeatFactory(guest=guest, table=table)
    factories.GuestRequestFactory(household=household, message=f"{SECRET} {MARK} asks")
    factories.SongRequestFactory(wedding=b, title=f"{SECRET} {MARK} song")
    factories.GuestbookEntryFactory(wedding=b, household=household, message=f"{SECRET} {MARK} wrote")
    factories.TributeFactory(wedding=b, name=f"{SECRET} {MARK} remembered")
    factories.WeddingPartyMemberFactory(wedding=b, name=f"{SECRET} {MARK} best man")
    factories.MessageFactory(wedding=b, subject=f"{SECRET} {MARK} news")
    b.ids = {"wedding_id": b.pk, "event_id": event.pk, "guest_id": guest.pk, "household_id": household.pk,
             "table_id": table.pk}
    return b


@pytest.fixture
def marta_client(co_planner) -> Client:
    client = Client()
    client.force_login(co_planner)
    return client


def _leaks(response) -> bool:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return MARK.encode() in body


def test_the_co_planner_plans_a_and_only_a(co_planner, wedding, wedding_b, marta_client):
    assert list(co_planner.planned_weddings.all()) == [wedding]
    assert marta_client.get(f"/admin/dashboard/{wedding.pk}/").status_code == 200
    assert marta_client.get(f"/admin/dashboard/{wedding_b.pk}/").status_code == 404


@pytest.mark.sqlite  # every admin route renders on SQLite too
def test_no_admin_route_shows_wedding_b(wedding, wedding_b, marta_client):
    ids = {name: str(value) for name, value in wedding_b.ids.items()}
    ids |= {"pk": str(wedding_b.ids["guest_id"]), "object_id": str(wedding_b.ids["guest_id"])}
    paths = {path for path, _ in all_routes(ids) if path.startswith("/admin/")}
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        paths |= {base, f"{base}?q={SECRET}", f"{base}?wedding__id__exact={wedding_b.pk}"}
        foreign = model._default_manager.filter(wedding=wedding_b).first() if hasattr(model, "wedding") else None
        if foreign is not None:
            paths |= {f"{base}{foreign.pk}/change/", f"{base}{foreign.pk}/delete/", f"{base}{foreign.pk}/history/"}
    paths -= {"/admin/logout/"}
    leaked, errors = [], []
    for path in sorted(paths):
        response = marta_client.get(path)
        if response.status_code >= 500:
            errors.append((path, response.status_code))
        elif response.status_code == 200 and _leaks(response):
            leaked.append(path)
    assert errors == []
    assert leaked == [], f"pages that showed wedding B to a co-planner of A: {leaked}"
    # The detector sees B where B may be seen: a superuser's search finds it.
    root = Client()
    root.force_login(factories.UserFactory(username="root", is_superuser=True))
    assert _leaks(root.get(f"/admin/guests/guest/?q={SECRET}"))


def test_reports_exports_and_stationery_of_b_are_404(wedding_b, marta_client):
    b = wedding_b.pk
    for path in (
        f"/admin/dashboard/{b}/reports/",
        f"/admin/dashboard/{b}/reports/dietary.csv",
        f"/admin/dashboard/{b}/reports/print/seating/",
        f"/admin/dashboard/{b}/stationery/place-cards.pdf",
        f"/admin/dashboard/{b}/guests/",
        f"/admin/dashboard/{b}/activity/",
        f"/admin/dashboard/{b}/planners/",
        f"/admin/songs/songrequest/queue/?wedding={b}",
        f"/admin/photos/photo/waiting/?wedding={b}",
    ):
        response = marta_client.get(path)
        assert response.status_code == 404, path


def test_no_planner_region_of_b_renders_for_the_co_planner(wedding, wedding_b, marta_client):
    planner_regions = [r for r in regions._registry.values() if r.audience == regions.Audience.PLANNER]
    assert len(planner_regions) > 5
    leaked = []
    for region in planner_regions:
        response = marta_client.get(
            f"/live/r/{region.name}/", {"wedding": wedding_b.pk, "event": wedding_b.ids["event_id"]}
        )
        if response.status_code not in (403, 404) or _leaks(response):
            leaked.append((region.name, response.status_code))
    assert leaked == []
    mine = marta_client.get("/live/r/dash_planners/", {"wedding": wedding.pk})
    assert mine.status_code == 200 and b"marta@example.com" in mine.content
