"""The suite's own safety nets: a failing test must be reported, never hang the run."""

from __future__ import annotations

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
