"""Real-world layouts (tests/guests/fixtures/README.md): each imports with the guessed mapping and at
most one confirmation, and nobody in the file is dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from guests.importexport.importing import guests_import
from guests.models import Guest, Household
from rsvp.models import Response
from seating.models import Seat
from tests import factories

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def couple(db):
    wedding = factories.WeddingFactory(name="Hannah & Eli", slug="hannah-eli")
    factories.EventFactory(wedding=wedding, name="Reception")
    return wedding


def imported(wedding, name: str, **options):
    report = guests_import(wedding=wedding, content=(FIXTURES / name).read_bytes(), filename=name, **options)
    assert report.imported, report.as_dict()
    return report


def households(wedding) -> dict[str, list[tuple[str, str]]]:
    """Household name → its guests' (full name, age group), in file order."""
    result: dict[str, list[tuple[str, str]]] = {}
    for guest in Guest.objects.filter(wedding=wedding).select_related("household").order_by("pk"):
        result.setdefault(guest.household.name, []).append((guest.full_name, guest.age_group))
    return result


def test_wedding_site_export(couple):
    report = imported(couple, "wedding_site_export.csv")

    assert report.ignored_columns == [] and report.counts["create"] == 5
    assert households(couple) == {
        "Hannah Cohen": [("Hannah Cohen", "adult")], "Eli Cohen": [("Eli Cohen", "adult")],
        "Priya Shah": [("Priya Shah", "adult")], "Tom O'Neil": [("Tom O'Neil", "adult")],
        "Grace Kim": [("Grace Kim", "adult")],
    }
    guests = {g.first_name: g for g in Guest.objects.filter(wedding=couple)}
    assert {n: g.side for n, g in guests.items()} == {"Hannah": "a", "Eli": "a", "Priya": "b", "Tom": "both", "Grace": "b"}
    assert guests["Eli"].dietary_notes == "No shellfish" and guests["Hannah"].notes == "Aunt"
    answers = {(r.guest.first_name, r.status, r.meal.name if r.meal else "") for r in Response.objects.filter(wedding=couple)}
    assert answers == {
        ("Hannah", "attending", "Salmon"), ("Eli", "attending", "Beef"), ("Priya", "declined", ""),
        ("Tom", "pending", ""), ("Grace", "pending", ""),
    }
    assert sorted(Seat.objects.filter(wedding=couple).values_list("guest__first_name", "table__name")) == [
        ("Eli", "Table 1"), ("Hannah", "Table 1"),
    ]


def test_one_row_per_household_template(couple):
    report = imported(couple, "household_template.csv")

    assert report.ignored_columns == [] and report.counts["create"] == 9
    assert households(couple) == {
        "Hannah and Eli Cohen": [("Hannah Cohen", "adult"), ("Eli Cohen", "adult"), ("Leo Cohen", "adult"),
                                 ("Maya Cohen", "adult")],
        "Mr. and Mrs. John Smith": [("John Smith", "adult"), ("Mrs. Smith", "adult")],
        "Priya Shah": [("Priya Shah", "adult"), ("Jordan Lee", "adult")],
        "Tom O'Neil": [("Tom O'Neil", "adult")],
    }
    cohens = Household.objects.get(wedding=couple, name="Hannah and Eli Cohen")
    assert cohens.address == "12 Orchard St\nApt 4B\nNew York, NY 10002"
    assert Guest.objects.get(first_name="Hannah").email == "cohens@example.org"
    assert Guest.objects.get(first_name="Jordan").is_plus_one
    assert Household.objects.get(wedding=couple, name="Tom O'Neil").plus_ones_allowed == 1


def test_open_source_wedding_site_sample(couple):
    report = imported(couple, "django_wedding_website.csv")

    assert report.ignored_columns == ["Type", "Invite Now?"]  # named on the preview, not silently dropped
    assert households(couple) == {
        "The Cohens": [("Hannah Cohen", "adult"), ("Eli Cohen", "adult"), ("Leo Cohen", "child")],
        "Priya": [("Priya Shah", "adult")],
        "Tom": [("Tom O'Neil", "adult")],
    }
    assert sorted(Guest.objects.get(first_name="Priya").tags.values_list("name", flat=True)) == ["friends"]


def test_excel_for_mac_csv_in_mac_roman(couple):
    dry = guests_import(wedding=couple, content=(FIXTURES / "excel_mac_roman.csv").read_bytes(),
                        filename="excel_mac_roman.csv", dry_run=True)
    assert dry.notes[0] == "Read as Mac Roman text, comma-separated."
    [bad] = dry.bad_rows
    assert bad[0] == 4 and "“The Côté Family” names a household, not the people in it" in bad[2]

    # The one confirmation: import the good rows (the bad one is downloadable to fix).
    imported(couple, "excel_mac_roman.csv", skip_bad_rows=True)
    assert households(couple) == {
        "Mr. José Muñoz and Ms. Inés Peña": [("José Muñoz", "adult"), ("Inés Peña", "adult")],
        "Zoë and Björn Müller": [("Zoë Müller", "adult"), ("Björn Müller", "adult")],
        "René Côté": [("René Côté", "adult")],
    }
    assert Household.objects.get(name="Zoë and Björn Müller").address == "Hauptstraße 5\nMünchen, Bayern 80331"


def test_xlsx_with_title_rows_and_a_merged_two_row_header(couple):
    report = imported(couple, "xlsx_title_and_merged_header.xlsx")

    assert "Read the sheet “Guest List” (2 sheets in the workbook)." in report.notes
    assert "Two-row header on lines 3–4." in report.notes
    assert report.ignored_columns == []
    assert households(couple) == {
        "The Cohens": [("Hannah Cohen", "adult"), ("Eli Cohen", "adult"), ("Leo Cohen", "child"), ("Maya Cohen", "child")],
        "Priya Shah": [("Priya Shah", "adult")],
        "The Smiths": [("John Smith", "adult"), ("Mary Smith", "adult"), ("Sam Smith", "child")],
    }
    assert not Guest.objects.filter(first_name__in=["First Name", "Guest"]).exists()
    assert Guest.objects.get(first_name="Hannah").phone == "2125550101"
    assert dict(Guest.objects.values_list("first_name", "side"))["Priya"] == "b"


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".csv", ".xlsx")))
def test_every_fixture_reimports_with_no_change_and_backs_up_into_an_empty_wedding(couple, name):
    from guests.importexport import exporting

    imported(couple, name, skip_bad_rows=True)
    again = guests_import(wedding=couple, content=(FIXTURES / name).read_bytes(), filename=name, skip_bad_rows=True)
    assert not again.imported and again.counts["create"] == again.counts["update"] == 0

    def backup_of(wedding) -> bytes:
        return exporting.dataset_render(exporting.guest_list_dataset(wedding=wedding), fmt="csv")[0]

    def lines(content: bytes) -> tuple[str, list[str]]:
        header, *rows = content.decode("utf-8-sig").splitlines()
        return header, sorted(rows)

    backup = backup_of(couple)
    fresh = factories.WeddingFactory(slug="fresh")
    restored = guests_import(wedding=fresh, content=backup, filename="backup.csv")
    assert restored.ok and restored.imported
    assert {k: sorted(v) for k, v in households(fresh).items()} == {k: sorted(v) for k, v in households(couple).items()}
    assert lines(backup_of(fresh)) == lines(backup)


def test_the_command_reads_the_mac_file_and_skips_its_bad_row(couple):
    from io import StringIO

    from django.core.management import call_command

    out, err = StringIO(), StringIO()
    call_command("import_guests", str(FIXTURES / "excel_mac_roman.csv"), "--wedding", couple.slug, "--skip-bad-rows",
                 stdout=out, stderr=err)
    assert "Read as Mac Roman text, comma-separated." in out.getvalue()
    assert "Formal Guest Name(s) → full_name" in out.getvalue()
    assert "line 4: error: “The Côté Family” names a household" in err.getvalue()
    assert Guest.objects.filter(wedding=couple).count() == 5
