"""The export is a safe backup: it imports back with no change, into a new wedding with no error,
and exporting that wedding again gives the same file (modulo row order)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command

from guests.importexport import exporting
from guests.importexport.exporting import ANSWER_SUFFIX
from guests.importexport.importing import guests_import
from guests.models import Guest, Household
from realtime.models import Change
from rsvp.models import Response
from seating.models import Seat
from tests import factories
from wedding.core.models import Wedding

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite


@pytest.fixture
def demo(db):
    call_command("demo", "--wedding", "demo", "--households", "30", stdout=io.StringIO())
    return Wedding.objects.get(slug="demo")


def export(wedding: Wedding, fmt: str = "csv") -> bytes:
    return exporting.dataset_render(exporting.guest_list_dataset(wedding=wedding), fmt=fmt)[0]


def rows_of(content: bytes, fmt: str) -> tuple[list[str], list[tuple[str, ...]]]:
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return rows[0], sorted(tuple(r) for r in rows[1:])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_demo_wedding_round_trip(demo, fmt):
    original = export(demo, fmt)
    changes = Change.objects.count()

    same = guests_import(wedding=demo, content=original, filename=f"backup.{fmt}")

    assert same.ok and not same.imported, [r.message for r in same.errors][:3]
    assert same.counts["create"] == same.counts["update"] == 0
    assert same.counts["unchanged"] == Guest.objects.filter(wedding=demo).count()
    assert Change.objects.count() == changes

    fresh = factories.WeddingFactory(name="Restored", slug="restored")
    restored = guests_import(wedding=fresh, content=original, filename=f"backup.{fmt}")

    assert restored.ok and restored.imported, [r.message for r in restored.errors][:3]
    assert Household.objects.filter(wedding=fresh).count() == Household.objects.filter(wedding=demo).count()
    assert Guest.objects.filter(wedding=fresh).count() == Guest.objects.filter(wedding=demo).count()
    assert Response.objects.filter(wedding=fresh).count() == Response.objects.filter(wedding=demo).count()
    assert Seat.objects.filter(wedding=fresh).count() == Seat.objects.filter(wedding=demo).count()
    # The answers to the couple's questions are exported for reading; questions are the wedding's own
    # settings, not the guest list's, so a restore into a wedding without them leaves those columns out.
    assert rows_of(export(fresh, fmt), fmt) == without_answers(*rows_of(original, fmt))
    assert any(h.endswith(ANSWER_SUFFIX) for h in rows_of(original, fmt)[0])


def without_answers(headers: list[str], rows: list[tuple[str, ...]]) -> tuple[list[str], list[tuple[str, ...]]]:
    keep = [i for i, h in enumerate(headers) if not h.endswith(ANSWER_SUFFIX)]
    return [headers[i] for i in keep], sorted(tuple(r[i] for i in keep) for r in rows)


def test_households_of_the_same_name_stay_apart(wedding):
    for email in ("a@example.org", "b@example.org"):
        household = factories.HouseholdFactory(wedding=wedding, name="The Müller household")
        factories.GuestFactory(household=household, first_name="Hans", last_name="Müller", email=email)
    content = export(wedding)

    fresh = factories.WeddingFactory(slug="fresh")
    report = guests_import(wedding=fresh, content=content, filename="b.csv")

    assert report.imported
    assert Household.objects.filter(wedding=fresh, name="The Müller household").count() == 2
    assert sorted(Guest.objects.filter(wedding=fresh).values_list("email", flat=True)) == ["a@example.org", "b@example.org"]


NASTY = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "=1+1"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cells_a_spreadsheet_would_execute_are_neutralised_and_import_back_exactly(wedding, fmt):
    household = factories.HouseholdFactory(wedding=wedding, name=NASTY[0], notes=NASTY[1], address=NASTY[2])
    factories.GuestFactory(
        household=household, first_name=NASTY[3], last_name=NASTY[6], phone="+34 600 123", dietary_notes=NASTY[4],
        notes=NASTY[5],
    )
    content = export(wedding, fmt)

    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(content))
        cells = [c for row in book.active.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula in the export"
        assert all(not str(c.value or "").startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    else:
        for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
            assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)

    fresh = factories.WeddingFactory(slug="fresh")
    report = guests_import(wedding=fresh, content=content, filename=f"x.{fmt}")
    assert report.imported, report.as_dict()
    guest = Guest.objects.select_related("household").get(wedding=fresh)
    assert (guest.household.name, guest.household.notes, guest.household.address) == tuple(NASTY[:3])
    assert (guest.first_name, guest.last_name, guest.phone) == (NASTY[3], NASTY[6], "+34 600 123")
    # XLSX is XML, which stores a carriage return as a line feed: the one difference.
    assert (guest.dietary_notes, guest.notes) == (NASTY[4], NASTY[5] if fmt == "csv" else "\nCR")


def test_spreadsheet_safe_is_one_small_function_for_every_export():
    assert exporting.spreadsheet_safe("=1+1") == "'=1+1"
    assert exporting.spreadsheet_safe("Ana") == "Ana"
    assert exporting.spreadsheet_safe(-3) == -3
