"""The rules the database enforces whatever code writes the row (wedding.db_constraints)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from realtime.models import Change
from tests import factories

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite


def test_invitation_codes_are_unique_and_unambiguous(wedding):
    households = factories.HouseholdFactory.create_batch(50, wedding=wedding)
    codes = {h.invitation_code for h in households}
    assert len(codes) == 50
    assert all(len(c) == 10 and not set(c) & set("01OILZ2S5B8") for c in codes)


def test_one_response_per_guest_and_event(wedding, event):
    guest = factories.GuestFactory(household__wedding=wedding)
    factories.ResponseFactory(guest=guest, event=event)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ResponseFactory(guest=guest, event=event)


def test_meal_must_belong_to_the_response_event(wedding, event):
    other_event = factories.EventFactory(wedding=wedding, name="Rehearsal dinner")
    fish = factories.MealOptionFactory(event=other_event, name="Fish")
    guest = factories.GuestFactory(household__wedding=wedding)
    with pytest.raises(IntegrityError, match="event"), transaction.atomic():
        factories.ResponseFactory(guest=guest, event=event, meal=fish)
    response = factories.ResponseFactory(guest=guest, event=event)
    response.meal = fish
    with pytest.raises(IntegrityError), transaction.atomic():
        response.save()


def test_seat_table_must_belong_to_the_seat_event(wedding, event):
    other_event = factories.EventFactory(wedding=wedding, name="Brunch")
    table = factories.TableFactory(event=other_event)
    guest = factories.GuestFactory(household__wedding=wedding)
    with pytest.raises(IntegrityError, match="event"), transaction.atomic():
        factories.SeatFactory(table=table, event=event, guest=guest)


def test_table_never_over_capacity(wedding, event):
    table = factories.TableFactory(event=event, capacity=2)
    guests = factories.GuestFactory.create_batch(3, household__wedding=wedding)
    factories.SeatFactory(table=table, guest=guests[0])
    factories.SeatFactory(table=table, guest=guests[1])
    with pytest.raises(IntegrityError, match="full"), transaction.atomic():
        factories.SeatFactory(table=table, guest=guests[2])
    table.capacity = 1
    with pytest.raises(IntegrityError, match="capacity"), transaction.atomic():
        table.save()


def test_saving_a_stale_wedding_never_rewinds_its_version(wedding, event):
    stale = type(wedding).objects.get(pk=wedding.pk)
    factories.GuestFactory.create_batch(3, household__wedding=wedding)
    stale.venue = "Elsewhere"
    stale.save()
    wedding.refresh_from_db()
    assert wedding.version == Change.objects.filter(wedding=wedding).order_by("-version")[0].version
    assert wedding.venue == "Elsewhere"


def test_deleting_a_wedding_deletes_its_rows_and_log(wedding, event, other_wedding):
    factories.SeatFactory(table=factories.TableFactory(event=event))
    wedding.delete()
    assert not Change.objects.filter(wedding_id=wedding.pk).exists()
    # Nothing of the deletion lingers: changes of other weddings are still captured.
    before = Change.objects.count()
    factories.HouseholdFactory(wedding=other_wedding)
    assert Change.objects.count() == before + 1


def test_deleting_weddings_in_bulk_is_clean_too(wedding, event):
    factories.SeatFactory(table=factories.TableFactory(event=event))
    type(wedding).objects.filter(pk=wedding.pk).delete()
    assert not Change.objects.filter(wedding_id=wedding.pk).exists()


def test_sqlite_migrations_that_rebuild_tables_keep_working_and_the_rules_come_back(tmp_path):
    """SQLite rebuilds a table to alter it; a rule's trigger naming that table used to fail the
    migration ("error in trigger …: no such table"). The triggers step aside during migrate
    and are reinstalled after it: back to seating 0001 (rebuilds seating_seat) and forward again."""
    import os
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    database = tmp_path / "migrate.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}

    def migrate(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", "migrate", *args, "-v0"], cwd=root, env=env,
            capture_output=True, text=True, timeout=180,
        )
        assert done.returncode == 0, done.stderr[-2000:]

    def triggers() -> int:
        with sqlite3.connect(database) as db:
            query = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'confetti_%'"
            return db.execute(query).fetchone()[0]

    migrate()
    installed = triggers()
    assert installed > 0
    migrate("seating", "0001")
    migrate()
    assert triggers() == installed
