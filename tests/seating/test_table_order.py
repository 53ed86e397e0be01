"""The couple's table order (issue 18): editable in the admin, used by the seating chart, the
reports and their export, and the stationery; without one, tables sort naturally by name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from seating.models import Table, table_key
from seating.views import chart
from tests import factories
from wedding.dashboard.reports import _dataset, seating_list
from wedding.dashboard.stationery import tables_of

NAMES = ["Table 10", "Table 2", "Head table", "Table 1"]


@pytest.fixture
def tables(event):
    return {name: factories.TableFactory(event=event, name=name) for name in NAMES}


def names(items) -> list[str]:
    return [getattr(item, "name", None) or item.table.name for item in items]


def test_without_an_order_tables_sort_naturally():
    tables = [Table(pk=i, name=name) for i, name in enumerate(NAMES)]
    assert [t.name for t in sorted(tables, key=table_key)] == ["Head table", "Table 1", "Table 2", "Table 10"]


def test_the_couples_order_comes_first_then_names():
    tables = [Table(pk=i, name=name, order=order) for i, (name, order) in
              enumerate([("Table 10", 1), ("Table 2", 2), ("Head table", 3), ("Table 1", 2)])]
    assert [t.name for t in sorted(tables, key=table_key)] == ["Table 10", "Table 1", "Table 2", "Head table"]


def test_every_list_follows_the_natural_order_by_default(wedding, event, tables):
    natural = ["Head table", "Table 1", "Table 2", "Table 10"]
    assert names(chart(wedding, event)["tables"]) == natural
    assert names(seating_list(event)) == natural
    assert names(tables_of(event, [])) == natural


def test_every_list_follows_the_couples_order(wedding, event, tables):
    for order, name in enumerate(["Table 10", "Head table", "Table 2", "Table 1"], start=1):
        Table.objects.filter(pk=tables[name].pk).update(order=order)
    chosen = ["Table 10", "Head table", "Table 2", "Table 1"]
    assert names(chart(wedding, event)["tables"]) == chosen
    assert names(seating_list(event)) == chosen
    assert names(tables_of(event, [])) == chosen  # table numbers and the caterer's sheet


def test_the_seating_export_follows_the_couples_order(wedding, event, tables, household):
    for name in NAMES:
        factories.SeatFactory(table=tables[name], guest=factories.GuestFactory(household=household, first_name=name))
    Table.objects.filter(pk=tables["Table 10"].pk).update(order=1)
    Table.objects.filter(pk__in=[t.pk for n, t in tables.items() if n != "Table 10"]).update(order=2)
    column = [row[0] for row in _dataset("seating", wedding, event)]
    assert column == ["Table 10", "Head table", "Table 1", "Table 2"]


def test_the_planner_sets_the_order_in_the_admin(planner_client, wedding, event, tables):
    from tests.stress.test_admin_concurrent_edit import admin_form_data

    url = reverse("admin:seating_table_change", args=[tables["Table 10"].pk])
    page = planner_client.get(url)
    assert "order" in page.context["adminform"].form.fields
    data = admin_form_data(page.context)
    data["order"] = "1"
    assert planner_client.post(url, data).status_code == 302
    assert Table.objects.get(pk=tables["Table 10"].pk).order == 1
    data["order"] = "-3"  # bad input: a clear error, nothing saved
    page = planner_client.post(url, {**data, "confetti_row_state": ""})
    assert page.status_code == 200 and page.context["adminform"].form.errors["order"]
    assert Table.objects.get(pk=tables["Table 10"].pk).order == 1
