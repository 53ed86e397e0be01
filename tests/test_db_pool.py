"""PostgreSQL: one bounded connection pool per process (issue 19, the invitation rush).

Without it every request and every live render in flight opened its own
connection (40 % of a render's time) until PostgreSQL refused "too many clients".
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import require_service

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_many_threads_share_a_bounded_pool_and_reuse_its_connections():
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    options = settings.DATABASES["default"]["OPTIONS"]["pool"]
    max_size = options["max_size"]
    assert connection.pool is not None and connection.pool.max_size == max_size
    errors: list[BaseException] = []
    backends: set[int] = set()
    barrier = threading.Barrier(3 * max_size)

    def render():  # what a request or a live render in a daphne thread does
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            with thread_connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid() FROM pg_sleep(0.05)")
                backends.add(cursor.fetchone()[0])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            thread_connection.close()  # back to the pool, as database_sync_to_async does

    threads = [threading.Thread(target=render) for _ in range(3 * max_size)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # 3x as many threads as connections: they waited their turn on at most max_size backends.
    assert 1 <= len(backends) <= max_size
    assert connection.pool.get_stats()["pool_size"] <= max_size
