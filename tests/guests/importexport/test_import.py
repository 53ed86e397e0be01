"""Guest list import: row-level validation, all-or-nothing, idempotent, one change."""

from __future__ import annotations

import io

import openpyxl
import pytest

from guests.importexport.importing import ImportFileError, guests_import
from guests.models import Guest, Household, Tag
from realtime.models import Change
from rsvp.models import Invitation
from tests import factories

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite

HEADER = "household,first_name,last_name,email,phone,age_group,side,tags,dietary_notes,events\n"


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(lines) + "\n").encode()


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def events(wedding):
    return (
        factories.EventFactory(wedding=wedding, name="Ceremony", order=1),
        factories.EventFactory(wedding=wedding, name="Reception", order=2),
    )


GOOD = [
    "The Ruiz family,Lucía,Ruiz,lucia@example.org,+34 600 1,adult,a,family;vip,vegetarian,Ceremony;Reception",
    "The Ruiz family,Pablo,Ruiz,,,child,Partner A,family,,Reception",
    "Marco Bianchi,Marco,Bianchi,marco@example.org,,Adult,b,,,Ceremony|Reception",
]


def test_good_file_creates_households_guests_tags_and_invitations(wedding, events):
    report = guests_import(wedding=wedding, content=csv_bytes(*GOOD), filename="guests.csv")

    assert report.ok and report.imported
    assert [r.outcome for r in report.rows] == ["create", "create", "create"]
    assert [r.line for r in report.rows] == [2, 3, 4]
    assert Household.objects.filter(wedding=wedding).count() == 2
    pablo = Guest.objects.get(first_name="Pablo")
    assert pablo.household.name == "The Ruiz family"
    assert pablo.age_group == Guest.AgeGroup.CHILD and pablo.side == Guest.Side.PARTNER_A
    assert sorted(Tag.objects.filter(wedding=wedding).values_list("name", flat=True)) == ["family", "vip"]
    assert Invitation.objects.filter(wedding=wedding).count() == 5
    assert all(len(h.invitation_code) == 10 for h in Household.objects.all())


def test_mixed_good_and_bad_rows_import_nothing_and_report_each_bad_line(wedding, events):
    content = csv_bytes(
        GOOD[0],
        "The Ruiz family,,Ruiz,,,,,,,",  # line 3: no first name
        GOOD[1],
        "Smith,Ann,Smith,not-an-email,,elder,c,,,Brunch",  # line 5: four problems
        "",  # a blank line is skipped but still counted
        "The Ruiz family,Lucía,Ruiz,,,,,,,",  # line 7: same guest as line 2
    )
    before = Change.objects.count()

    report = guests_import(wedding=wedding, content=content, filename="guests.csv")

    assert not report.ok and not report.imported
    bad = {r.line: r.message for r in report.errors}
    assert set(bad) == {3, 5, 7}
    assert "first name is missing" in bad[3]
    assert "not-an-email" in bad[5] and "elder" in bad[5] and "“c”" in bad[5] and "Brunch" in bad[5]
    assert "same guest as line 2" in bad[7]
    assert Guest.objects.count() == 0 and Household.objects.count() == 0 and Tag.objects.count() == 0
    assert Change.objects.count() == before


def test_dry_run_previews_every_row_and_changes_nothing(wedding, events):
    before = Change.objects.count()
    report = guests_import(wedding=wedding, content=csv_bytes(*GOOD), filename="g.csv", dry_run=True)

    assert [r.outcome for r in report.rows] == ["create"] * 3
    assert "Dry run" in report.summary()
    assert Guest.objects.count() == 0 and Change.objects.count() == before


def test_reimport_changes_nothing_and_an_edit_is_an_update(wedding, events):
    guests_import(wedding=wedding, content=csv_bytes(*GOOD), filename="g.csv")
    changes = Change.objects.count()
    version = type(wedding).objects.get(pk=wedding.pk).version

    again = guests_import(wedding=wedding, content=csv_bytes(*GOOD), filename="g.csv")

    assert [r.outcome for r in again.rows] == ["unchanged"] * 3 and not again.imported
    assert Guest.objects.count() == 3 and Household.objects.count() == 2 and Invitation.objects.count() == 5
    assert Change.objects.count() == changes
    assert type(wedding).objects.get(pk=wedding.pk).version == version

    edited = [GOOD[0].replace("vegetarian", "no nuts"), *GOOD[1:]]
    report = guests_import(wedding=wedding, content=csv_bytes(*edited), filename="g.csv")
    assert [r.outcome for r in report.rows] == ["update", "unchanged", "unchanged"]
    assert "dietary notes" in report.rows[0].message
    assert Guest.objects.get(first_name="Lucía").dietary_notes == "no nuts"
    assert Guest.objects.count() == 3


def test_guest_matched_by_email_within_household_when_the_name_changed(wedding, events):
    guests_import(wedding=wedding, content=csv_bytes(*GOOD), filename="g.csv")
    renamed = GOOD[0].replace(",Lucía,", ",Lucia,")

    report = guests_import(wedding=wedding, content=csv_bytes(renamed), filename="g.csv")

    assert report.rows[0].outcome == "update"
    assert Guest.objects.filter(first_name="Lucia").count() == 1
    assert not Guest.objects.filter(first_name="Lucía").exists()


def test_possible_duplicates_are_flagged_not_refused(wedding, events):
    household = factories.HouseholdFactory(wedding=wedding, name="Garcia")
    factories.GuestFactory(household=household, first_name="Ana", last_name="Lopez", email="ana@example.org")
    content = csv_bytes(
        "Lopez family,Ana,Lopez,,,,,,,",
        "Other,Eva,Diaz,ana@example.org,,,,,,",
    )

    report = guests_import(wedding=wedding, content=content, filename="g.csv", dry_run=True)

    assert report.ok
    assert "possible duplicate" in report.rows[0].message and "Garcia" in report.rows[0].message
    assert "ana@example.org" in report.rows[1].message


def test_the_whole_import_is_one_change_and_one_message(wedding, events, django_capture_on_commit_callbacks):
    before = Change.objects.count()
    lines = [f"Family {i // 2},Guest{i},Doe,g{i}@example.org,,,,friends,,Reception" for i in range(60)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = guests_import(wedding=wedding, content=csv_bytes(*lines), filename="big.csv")

    assert report.imported
    rows = Change.objects.filter(wedding=wedding, model="guests.guest")
    assert rows.count() == 1
    change = rows.get()
    assert change.count == 60 and "60 added" in change.summary
    assert Change.objects.count() == before + 1
    assert len(callbacks) == 1


def test_xlsx_import_with_spreadsheet_types_and_friendly_headers(wedding, events):
    content = xlsx_bytes([
        ["Household", "First name", "Last name", "E-mail", "Phone", "Age group", "Side", "Tags", "Dietary notes", "Events invited to"],
        ["Ruiz", "Lucía", "Ruiz", "lucia@example.org", 600123456, "Adult", "Both", "", "", "Reception"],
        [None, None, None, None, None, None, None, None, None, None],
        ["Ruiz", "", "Ruiz", "", None, "", "", "", "", ""],
    ])

    report = guests_import(wedding=wedding, content=content, filename="guests.xlsx")

    assert [(r.line, r.outcome) for r in report.rows] == [(2, "create"), (4, "error")]
    assert Guest.objects.count() == 0

    fixed = xlsx_bytes([
        ["Household", "First name", "Phone", "Events"],
        ["Ruiz", "Lucía", 600123456, "Reception"],
    ])
    report = guests_import(wedding=wedding, content=fixed, filename="guests.xlsx")
    assert report.imported
    assert Guest.objects.get().phone == "600123456"


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "g.csv", "empty"),
        (b"name_of_dog,colour\nRex,brown\n", "g.csv", "no first_name column"),
        (b"first_name\n", "g.csv", "no guests"),
        (b"not a workbook", "g.xlsx", "cannot be read"),
        (b"first_name\nAna\n", "g.pdf", "not a CSV or XLSX"),
    ],
)
def test_unreadable_files_raise_a_clear_error(wedding, content, filename, message):
    with pytest.raises(ImportFileError, match=message):
        guests_import(wedding=wedding, content=content, filename=filename)


def test_semicolon_separated_csv_from_european_excel(wedding, events):
    content = "household;first_name;events\r\nRuiz;Lucía;Reception\r\n".encode("cp1252", errors="replace")
    report = guests_import(wedding=wedding, content=content, filename="g.csv")
    assert report.imported
    assert Guest.objects.get().first_name == "Lucía"


def test_a_5000_row_import_finishes_as_one_change(wedding, events):
    lines = [
        f"Family {i // 2},Guest{i},Doe{i // 2},guest{i}@example.org,+34 {i},,{'ab'[i % 2]},friends,,Ceremony;Reception"
        for i in range(5000)
    ]
    before = Change.objects.count()
    ticks: list[tuple[int, int]] = []

    report = guests_import(
        wedding=wedding, content=csv_bytes(*lines), filename="big.csv", progress=lambda d, t: ticks.append((d, t))
    )

    assert report.imported and report.counts["create"] == 5000
    assert Guest.objects.filter(wedding=wedding).count() == 5000
    assert Household.objects.filter(wedding=wedding).count() == 2500
    assert Invitation.objects.filter(wedding=wedding).count() == 10000
    assert Change.objects.count() == before + 1
    # The progress bar moves forward to the end.
    assert ticks[-1] == (10000, 10000) and [d for d, _ in ticks] == sorted(d for d, _ in ticks) and len(ticks) > 5
