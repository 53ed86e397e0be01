"""import_guests / export_guests: help, clear errors, exit codes, round trip."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guests.models import Guest
from realtime.models import Change
from tests import factories

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def reception(wedding):
    return factories.EventFactory(wedding=wedding, name="Reception")


@pytest.fixture
def guest_file(tmp_path):
    path = tmp_path / "guests.csv"
    path.write_text("household,first_name,last_name,events\nRuiz,Lucía,Ruiz,Reception\nRuiz,Pablo,Ruiz,\n")
    return path


def test_import_then_reimport_changes_nothing(wedding, reception, guest_file):
    out, _ = run("import_guests", str(guest_file), "--wedding", wedding.slug)
    assert "line 2: create: Ruiz / Lucía Ruiz" in out and "Imported" in out
    assert Guest.objects.filter(wedding=wedding).count() == 2

    changes = Change.objects.count()
    out, _ = run("import_guests", str(guest_file), "--wedding", wedding.slug)
    assert "line 2: unchanged" in out and "Nothing to change" in out
    assert Change.objects.count() == changes and Guest.objects.count() == 2


def test_dry_run_changes_nothing(wedding, reception, guest_file):
    out, _ = run("import_guests", str(guest_file), "--dry-run")  # the only wedding: no --wedding needed
    assert "Dry run" in out
    assert Guest.objects.count() == 0


def test_bad_rows_are_listed_with_their_line_and_nothing_is_imported(wedding, reception, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("household,first_name,email,events\nRuiz,Lucía,,Reception\nRuiz,,x@,Brunch\n")
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_guests", str(path), stdout=StringIO(), stderr=err)
    assert "line 3: error:" in err.getvalue() and "Brunch" in err.getvalue()
    assert Guest.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import_guests", "/nonexistent/guests.csv"], "Cannot read /nonexistent/guests.csv"),
        (["import_guests", "{file}", "--wedding", "nope"], "No wedding with the slug “nope”"),
        (["export_guests", "--wedding", "nope"], "No wedding with the slug “nope”"),
        (["export_guests", "--format", "xlsx"], "give --output"),
        (["export_guests", "--output", "guests.pdf"], "Cannot tell the format"),
    ],
)
def test_clear_errors(wedding, guest_file, args, message):
    args = [a.replace("{file}", str(guest_file)) for a in args]
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_several_weddings_need_a_slug(wedding, other_wedding, guest_file):
    with pytest.raises(CommandError, match="several weddings"):
        run("import_guests", str(guest_file))
    with pytest.raises(CommandError, match="several weddings"):
        run("export_guests")


def test_unreadable_file_is_a_command_error(wedding, tmp_path):
    path = tmp_path / "guests.xlsx"
    path.write_bytes(b"this is not a workbook")
    with pytest.raises(CommandError, match="cannot be read"):
        run("import_guests", str(path))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_export_then_import_changes_nothing(wedding, reception, tmp_path, fmt):
    meal = factories.MealOptionFactory(event=reception, name="Fish")
    household = factories.HouseholdFactory(wedding=wedding, name="Ruiz; family")
    lucia = factories.GuestFactory(
        household=household, first_name="Lucía", last_name="Ruiz", phone="+34 600", age_group="child",
        side="a", dietary_notes="no nuts, no fish", email="lucia@example.org",
    )
    lucia.tags.add(factories.TagFactory(wedding=wedding, name="family"), factories.TagFactory(wedding=wedding, name="vip"))
    factories.ResponseFactory(guest=lucia, event=reception, meal=meal)
    factories.InvitationFactory(guest=lucia, event=reception)
    factories.GuestFactory(household=household, first_name="Pablo", last_name="")
    factories.SeatFactory(guest=lucia, table=factories.TableFactory(event=reception, name="Table 1"))
    path = tmp_path / f"out.{fmt}"

    run("export_guests", "--wedding", wedding.slug, "--output", str(path))
    changes = Change.objects.count()
    out, _ = run("import_guests", str(path), "--wedding", wedding.slug)

    assert "2 unchanged" in out and "Nothing to change" in out, out
    assert Change.objects.count() == changes


def test_export_to_stdout_and_meal_report(wedding, reception):
    meal = factories.MealOptionFactory(event=reception, name="Fish", is_vegetarian=False)
    factories.ResponseFactory(guest=factories.GuestFactory(household__wedding=wedding, first_name="Ana"), event=reception, meal=meal)
    factories.ResponseFactory(guest=factories.GuestFactory(household__wedding=wedding), event=reception, meal=None)
    out, _ = run("export_guests")
    assert out.splitlines()[0].startswith("household,first_name,last_name,email")
    assert "Ana" in out
    out, _ = run("export_guests", "--report", "meals")
    assert out.splitlines() == [
        "event,meal,vegetarian,adults,children,infants,total",
        "Reception,Fish,no,1,0,0,1",
        "Reception,(no meal chosen),,1,0,0,1",
    ]


def test_help_and_exit_code_from_a_real_process(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    help_text = subprocess.run(
        [sys.executable, "manage.py", "import_guests", "--help"], cwd=ROOT, capture_output=True, text=True, env=env,
    )
    assert help_text.returncode == 0 and "--dry-run" in help_text.stdout and "nothing is imported" in help_text.stdout
    failed = subprocess.run(
        [sys.executable, "manage.py", "import_guests", str(tmp_path / "missing.csv")],
        cwd=ROOT, capture_output=True, text=True, env=env,
    )
    assert failed.returncode == 1 and "Cannot read" in failed.stderr
