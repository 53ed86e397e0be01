"""Planner reports and exports (wedding.reports)."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from realtime import regions
from realtime.regions import Audience, Viewer
from seating.models import Seat
from tests import factories
from tests.seating.builders import build_guests

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite


def url(name, *args):
    return reverse(f"admin:{name}", args=args)


@pytest.fixture
def party(wedding, event):
    """Two households at the Reception: three attending (one child, one vegan), one declined, seated."""
    fish = factories.MealOptionFactory(event=event, name="Fish")
    veg = factories.MealOptionFactory(event=event, name="Vegetarian")
    ruiz = factories.HouseholdFactory(wedding=wedding, name="The Ruiz family")
    vera = factories.HouseholdFactory(wedding=wedding, name="The Vera family")
    ana = factories.GuestFactory(household=ruiz, first_name="Ana", last_name="Ruiz")
    leo = factories.GuestFactory(household=ruiz, first_name="Leo", last_name="Ruiz", age_group="child")
    eva = factories.GuestFactory(household=vera, first_name="Eva", last_name="Vera", dietary_notes="vegan")
    tom = factories.GuestFactory(household=vera, first_name="Tom", last_name="Vera")
    for g in (ana, leo, eva, tom):
        factories.InvitationFactory(guest=g, event=event)
    factories.ResponseFactory(guest=ana, event=event, meal=fish)
    factories.ResponseFactory(guest=leo, event=event, meal=fish)
    factories.ResponseFactory(guest=eva, event=event, meal=veg)
    factories.ResponseFactory(guest=tom, event=event, status="declined")
    one = factories.TableFactory(event=event, name="Table 1", capacity=4)
    two = factories.TableFactory(event=event, name="Table 2", capacity=4)
    Seat.objects.create(wedding=wedding, event=event, table=one, guest=ana)
    Seat.objects.create(wedding=wedding, event=event, table=one, guest=leo)
    Seat.objects.create(wedding=wedding, event=event, table=two, guest=eva)
    return {"ana": ana, "leo": leo, "eva": eva, "tom": tom}


def rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_headcount_csv(planner_client, wedding, event, party):
    data = rows(planner_client.get(url("dashboard-report-csv", wedding.pk, "headcount")))
    assert data[0][:9] == ["event", "invited", "answered", "attending", "declined", "pending", "adults", "children", "infants"]
    assert data[1] == ["Reception", "4", "4", "3", "1", "0", "2", "1", "0", "3", "1", "3"]


def test_meals_csv(planner_client, wedding, event, party):
    data = rows(planner_client.get(url("dashboard-report-csv", wedding.pk, "meals")))
    assert data[1:] == [["Reception", "Fish", "2"], ["Reception", "Vegetarian", "1"]]


def test_dietary_csv(planner_client, wedding, event, party):
    data = rows(planner_client.get(url("dashboard-report-csv", wedding.pk, "dietary")))
    assert data == [["name", "household", "note", "events"], ["Eva Vera", "The Vera family", "vegan", "Reception"]]


def test_seating_and_escort_csv(planner_client, wedding, event, party):
    seating = rows(planner_client.get(url("dashboard-report-csv", wedding.pk, "seating"), {"event": event.pk}))
    assert seating[1:] == [
        ["Table 1", "4", "Ana Ruiz", "The Ruiz family"],
        ["Table 1", "4", "Leo Ruiz", "The Ruiz family"],
        ["Table 2", "4", "Eva Vera", "The Vera family"],
    ]
    escort = rows(planner_client.get(url("dashboard-report-csv", wedding.pk, "escort"), {"event": event.pk}))
    assert escort == [["name", "table"], ["Ana Ruiz", "Table 1"], ["Leo Ruiz", "Table 1"], ["Eva Vera", "Table 2"]]


def test_unknown_report_and_other_weddings_event_are_404(planner_client, wedding, other_wedding):
    foreign = factories.EventFactory(wedding=other_wedding)
    assert planner_client.get(url("dashboard-report-csv", wedding.pk, "salaries")).status_code == 404
    assert planner_client.get(
        url("dashboard-report-csv", wedding.pk, "escort"), {"event": foreign.pk}
    ).status_code == 404
    assert planner_client.get(url("dashboard-report-csv", wedding.pk, "escort"), {"event": "x"}).status_code == 404
    assert planner_client.get(url("dashboard-report-csv", other_wedding.pk, "headcount")).status_code == 404


def test_printable_pages(planner_client, wedding, event, party):
    escort = planner_client.get(url("dashboard-report-print", wedding.pk, "escort"), {"event": event.pk})
    html = escort.content.decode()
    assert escort.status_code == 200 and "print.css" in html
    assert html.index("Ana Ruiz") < html.index("Leo Ruiz") < html.index("Eva Vera")
    seating = planner_client.get(url("dashboard-report-print", wedding.pk, "seating"), {"event": event.pk})
    assert "Table 1" in seating.content.decode()
    assert planner_client.get(url("dashboard-report-print", wedding.pk, "place")).status_code == 200
    assert planner_client.get(url("dashboard-report-print", wedding.pk, "nope")).status_code == 404


def test_reports_page_numbers_follow_a_decline(planner_client, wedding, event, party):
    viewer = Viewer(wedding=wedding, audience=Audience.PLANNER)
    before = regions.render_region("dash_reports", viewer, {"event": str(event.pk)})
    assert 'data-stat="attending">3<' in before
    from rsvp.models import Response

    Response.objects.filter(guest=party["ana"], event=event).update(status="declined", meal=None)
    after = regions.render_region("dash_reports", viewer, {"event": str(event.pk)})
    assert 'data-stat="attending">2<' in after and 'data-stat="declined">2<' in after
    page = planner_client.get(url("dashboard-reports", wedding.pk))
    assert page.status_code == 200 and 'data-live-region="dash_reports"' in page.content.decode()


def test_reports_queries_do_not_grow(planner_client, planner, wedding, event):
    small = factories.WeddingFactory(name="Small", slug="small", planners=[planner])
    small_event = factories.EventFactory(wedding=small, name="Reception")
    build_guests(small, small_event, guests=6, tables=2)
    build_guests(wedding, event, guests=2000, tables=200)

    def queries(w):
        with CaptureQueriesContext(connection) as captured:
            assert planner_client.get(url("dashboard-reports", w.pk)).status_code == 200
        return len(captured)

    assert queries(small) == queries(wedding)


def test_reports_sort_tables_naturally_names_without_accents_and_meals_in_the_couples_order(
    planner_client, wedding, event
):
    """"Table 2" before "Table 10"; "Ángel Álvarez" among the A's; meals as the couple ordered them."""
    tables = {name: factories.TableFactory(event=event, name=name) for name in ("Table 10", "table 2", "Table 1")}
    household = factories.HouseholdFactory(wedding=wedding)
    cake = factories.MealOptionFactory(event=event, name="Zucchini tart", order=1)
    beef = factories.MealOptionFactory(event=event, name="Beef", order=2)
    people = [("Zoe", "Zubiri", "Table 1", beef), ("Ángel", "Álvarez", "Table 10", cake), ("Bea", "Bravo", "table 2", cake)]
    for first, last, table, meal in people:
        guest = factories.GuestFactory(household=household, first_name=first, last_name=last, dietary_notes="none")
        factories.ResponseFactory(guest=guest, event=event, meal=meal)
        Seat.objects.create(wedding=wedding, event=event, table=tables[table], guest=guest)

    seating = rows(planner_client.get(url("dashboard-report-csv", wedding.pk, "seating") + f"?event={event.pk}"))
    assert [r[0] for r in seating[1:]] == ["Table 1", "table 2", "Table 10"]
    escort = rows(planner_client.get(url("dashboard-report-csv", wedding.pk, "escort") + f"?event={event.pk}"))
    assert [r[0] for r in escort[1:]] == ["Ángel Álvarez", "Bea Bravo", "Zoe Zubiri"]
    dietary = rows(planner_client.get(url("dashboard-report-csv", wedding.pk, "dietary")))
    assert [r[0] for r in dietary[1:]] == ["Ángel Álvarez", "Bea Bravo", "Zoe Zubiri"]
    meals = rows(planner_client.get(url("dashboard-report-csv", wedding.pk, "meals")))
    assert [r[1] for r in meals[1:]] == ["Zucchini tart", "Beef"]

    page = planner_client.get(url("dashboard-reports", wedding.pk) + f"?event={event.pk}").content.decode()
    section = page[page.index('id="report-seating"'):]
    assert section.index(">Table 1 <") < section.index(">table 2 <") < section.index(">Table 10 <")
    printed = planner_client.get(url("dashboard-report-print", wedding.pk, "seating") + f"?event={event.pk}")
    text = printed.content.decode()
    assert text.index("<h2>Table 1</h2>") < text.index("<h2>table 2</h2>") < text.index("<h2>Table 10</h2>")


def test_natural_key_orders_numbers_by_value_and_folds_accents_and_case():
    from wedding.core.ordering import natural_key

    names = ["Table 10", "Table 2", "table 1", "Head table", "Table 2b", "Ábside", "zeta"]
    assert sorted(names, key=natural_key) == ["Ábside", "Head table", "table 1", "Table 2", "Table 2b", "Table 10", "zeta"]
