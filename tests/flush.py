"""A faster flush between transactional tests, with the same result as Django's.

Django's `TransactionTestCase` empties the test database after each transactional test
with `flush`: TRUNCATE of every table (on PostgreSQL), then the `post_migrate` signal,
which makes the content types and permissions again and reinstalls the apps' database
rules. On this project's PostgreSQL test database that TRUNCATE cost 1–2 s per test on a
loaded 2-core machine (every table and index gets new files), against ~20 ms for a
DELETE of the few rows a test wrote.

`flush_keeping_migrate_data` DELETEs every row of every table except the content types and
permissions — and does so only while those two tables are exactly as `migrate` left them
(a fingerprint taken once the test database exists), so no `post_migrate` is needed:
everything `post_migrate` makes is still there (the database rules are triggers, which a
DELETE leaves in place). When they changed, or the connection may not switch triggers off,
it does nothing and Django's own flush runs.
"""

from __future__ import annotations

from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

# What `migrate` (its post_migrate) writes and tests only read.
MIGRATE_DATA_TABLES = ("django_content_type", "auth_permission")

_fingerprints: dict[str, tuple] = {}


def _fingerprint(cursor) -> tuple:
    rows = []
    for table in MIGRATE_DATA_TABLES:
        cursor.execute(f"SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(SUM(id), 0) FROM {table}")
        rows.append(tuple(cursor.fetchone()))
    return tuple(rows)


def remember_migrate_data(connection: BaseDatabaseWrapper) -> None:
    """Call once the test database is migrated: the state later flushes must find."""
    with connection.cursor() as cursor:
        _fingerprints[connection.alias] = _fingerprint(cursor)


def flush_keeping_migrate_data(connection: BaseDatabaseWrapper) -> bool:
    """Empty every other table; True when done, False when Django's flush must run instead."""
    expected = _fingerprints.get(connection.alias)
    if expected is None:
        return False
    tables = [
        table for table in connection.introspection.django_table_names(only_existing=True, include_views=False)
        if table not in MIGRATE_DATA_TABLES
    ]
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if _fingerprint(cursor) != expected:
                return False
            if connection.vendor == "postgresql":
                # Row triggers (the apps' rules) and foreign-key checks off for this transaction, as
                # TRUNCATE does: every table is emptied. Needs a superuser, as the test setup uses.
                cursor.execute("SET LOCAL session_replication_role = replica")
            # SQLite: Django's own flush is these DELETEs (foreign keys are checked at commit).
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
    except DatabaseError:
        return False
    return True


def fixture_teardown(original):
    """A `TransactionTestCase._fixture_teardown` that flushes with the above when it can."""

    def _fixture_teardown(self) -> None:
        if self.available_apps is None and not self.serialized_rollback and all(
            flush_keeping_migrate_data(connections[alias])
            for alias in self._databases_names(include_mirrors=False)
        ):
            return
        original(self)  # TRUNCATE and post_migrate: new content types and permissions, remembered
        for alias in self._databases_names(include_mirrors=False):
            remember_migrate_data(connections[alias])

    return _fixture_teardown
