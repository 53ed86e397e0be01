"""The suite's own safety nets: a failing test must be reported, never hang the run."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests import factories
from tests.conftest import require_service

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_session_left_idle_in_a_transaction_is_ended_by_postgresql():
    """A thread's connection left inside a transaction by a failed test would block the next
    flush's TRUNCATE forever; PostgreSQL ends it after a minute instead (tests/conftest.py)."""
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    with connection.cursor() as cursor:
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        assert cursor.fetchone() == ("1min",)


@pytest.mark.postgres
@pytest.mark.django_db
def test_ending_the_servers_sessions_spares_this_processs_own_threads():
    """The e2e flush guard ends every other session of the test database; a thread of this
    process that keeps its connection (an async test's executor) must not lose it."""
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    from django.db import connections

    from tests.e2e.conftest import _end_server_sessions

    go_on, answers = threading.Event(), []

    def thread() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT 1")
                answers.append(cursor.fetchone()[0])
                go_on.wait(10)
                cursor.execute("SELECT 2")  # after the other sessions were ended
                answers.append(cursor.fetchone()[0])
        except Exception as error:  # noqa: BLE001 — the assertion below shows it
            answers.append(error)
        finally:
            connections.close_all()

    worker = threading.Thread(target=thread)
    worker.start()
    for _ in range(100):
        if answers:
            break
        threading.Event().wait(0.05)
    _end_server_sessions()
    go_on.set()
    worker.join(10)
    assert answers == [1, 2]


class _Item:
    def __init__(self, name, fixtures=(), marks=()):
        self.name, self.fixturenames, self.marks = name, list(fixtures), set(marks)

    def get_closest_marker(self, mark):
        return mark if mark in self.marks else None


class _Config:
    def __init__(self, option):
        self.option, self.deselected = option, []
        self.hook = self

    def getoption(self, name):
        assert name in ("--sqlite-pass", "--database-tests-only")
        return name == self.option

    def pytest_deselected(self, items):
        self.deselected += items


def test_the_two_passes_together_run_every_test_and_only_the_sqlite_marked_database_tests_twice():
    from tests.conftest import pytest_collection_modifyitems

    def collect(option):
        items = [
            _Item("pure"),
            _Item("with db", fixtures=["wedding", "db"]),
            _Item("transactional", fixtures=["transactional_db"]),
            _Item("marked", marks=["django_db"]),
            _Item("rules on both", marks=["django_db", "sqlite"]),
            _Item("postgres guard", marks=["postgres"]),
            _Item("browser", fixtures=["new_page"], marks=["e2e"]),
            _Item("processes", marks=["integration"]),
            _Item("pure settings", fixtures=["settings"]),
        ]
        config = _Config(option)
        pytest_collection_modifyitems(config, items)
        return [i.name for i in items], [i.name for i in config.deselected]

    everything = ["pure", "with db", "transactional", "marked", "rules on both", "postgres guard", "browser",
                  "processes", "pure settings"]
    assert collect(None) == (everything, [])
    on_sqlite, _ = collect("--sqlite-pass")
    assert on_sqlite == ["pure", "rules on both", "pure settings"]
    on_postgresql, left_out = collect("--database-tests-only")
    assert on_postgresql == ["with db", "transactional", "marked", "rules on both", "postgres guard", "browser",
                             "processes"]
    assert left_out == ["pure", "pure settings"]
    assert set(on_sqlite) | set(on_postgresql) == set(everything)
    assert set(on_sqlite) & set(on_postgresql) == {"rules on both"}


@pytest.mark.django_db(transaction=True)
def test_the_quick_flush_empties_every_table_but_what_migrate_wrote(wedding, household, event):
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from tests.flush import flush_keeping_migrate_data

    factories.GuestFactory(household=household)
    kept = (ContentType.objects.count(), Permission.objects.count())
    assert flush_keeping_migrate_data(connection)
    left = {model._meta.db_table: model._base_manager.count() for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy and model not in (ContentType, Permission)}
    assert [table for table, rows in left.items() if rows] == []
    assert (ContentType.objects.count(), Permission.objects.count()) == kept
    # The apps' database rules (triggers, tested in their apps) are still installed.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'confetti_%%'")
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'confetti_%'")
        assert cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_the_quick_flush_gives_way_to_djangos_when_a_test_changed_the_permissions():
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from tests.flush import flush_keeping_migrate_data

    Permission.objects.create(name="Extra", codename="extra", content_type=ContentType.objects.first())
    assert not flush_keeping_migrate_data(connection)  # TransactionTestCase's own flush then runs,
    # and the next flush knows the content types and permissions it made again.


def test_every_module_with_module_scoped_fixtures_runs_on_one_worker(request):
    """A module whose tests share a module-scoped fixture (its own servers) must be listed in
    SHARED_FIXTURE_MODULES, or xdist spreads its tests and each worker starts the servers again."""
    from tests.conftest import SHARED_FIXTURE_MODULES, shares_module_fixtures

    sharing = {item.nodeid.split("::", 1)[0] for item in request.session.items if shares_module_fixtures(item)}
    # A worker may have collected a subset (`pytest some/file.py`); the full run collects them all.
    assert sharing <= SHARED_FIXTURE_MODULES, f"add to SHARED_FIXTURE_MODULES: {sorted(sharing - SHARED_FIXTURE_MODULES)}"


@pytest.mark.django_db
def test_under_xdist_the_test_database_is_this_workers_clone_of_the_runs_template():
    """tests/testdb.py: one migrated template per run, one clone per worker."""
    import os

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        pytest.skip("only under xdist (-n N)")
    from tests.testdb import template_name

    assert connection.settings_dict["NAME"].replace(".sqlite3", "").endswith(f"_{worker}")
    assert connection.settings_dict["NAME"].startswith(template_name(connection.settings_dict).removesuffix(".sqlite3"))


def test_the_scheduler_hands_out_groups_first_then_the_longest_tests_of_last_run():
    from tests.durations import longest_first

    queue = {
        "a.py::quick": {"a.py::quick": False},
        "a.py::never_timed": {"a.py::never_timed": False},
        "b.py": {"b.py::one": False, "b.py::two": False},
        "a.py::slow": {"a.py::slow": False},
        "c.py::also_never_timed": {"c.py::also_never_timed": False},
    }
    durations = {"a.py::quick": 0.1, "a.py::slow": 17.0, "b.py::one": 0.5, "b.py::two": 0.5}
    assert list(longest_first(queue, durations)) == [
        "b.py", "a.py::slow", "a.py::quick", "a.py::never_timed", "c.py::also_never_timed",
    ]
    assert list(longest_first(queue, {})) == ["b.py", "a.py::quick", "a.py::never_timed", "a.py::slow",
                                              "c.py::also_never_timed"]
