"""The suite's own safety nets: a failing test must be reported, never hang the run."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.conftest import require_service


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
    def __init__(self, database_tests_only):
        self.option, self.deselected = database_tests_only, []
        self.hook = self

    def getoption(self, name):
        assert name == "--database-tests-only"
        return self.option

    def pytest_deselected(self, items):
        self.deselected += items


def test_the_postgresql_pass_leaves_out_only_what_the_sqlite_pass_ran_without_a_database():
    from tests.conftest import pytest_collection_modifyitems

    def collect(database_tests_only):
        items = [
            _Item("pure"),
            _Item("with db", fixtures=["wedding", "db"]),
            _Item("transactional", fixtures=["transactional_db"]),
            _Item("marked", marks=["django_db"]),
            _Item("postgres guard", marks=["postgres"]),
            _Item("browser", fixtures=["new_page"], marks=["e2e"]),
            _Item("processes", marks=["integration"]),
            _Item("pure settings", fixtures=["settings"]),
        ]
        config = _Config(database_tests_only)
        pytest_collection_modifyitems(config, items)
        return [i.name for i in items], [i.name for i in config.deselected]

    assert collect(False) == (
        ["pure", "with db", "transactional", "marked", "postgres guard", "browser", "processes", "pure settings"], [])
    kept, left_out = collect(True)
    assert kept == ["with db", "transactional", "marked", "postgres guard", "browser", "processes"]
    assert left_out == ["pure", "pure settings"]
