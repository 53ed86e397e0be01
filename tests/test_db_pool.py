"""PostgreSQL: one bounded connection pool per process (issue 19, the invitation rush).

Without it every request and every live render in flight opened its own
connection (40 % of a render's time) until PostgreSQL refused "too many clients".
The pool is opt-in (DATABASE_POOL_MAX_SIZE); each test runs it in a process of its own,
with the setting on, against the test run's PostgreSQL server.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from django.db import connection

from tests.conftest import require_service, run_with_settings

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


PRELUDE = """
import threading, time, django
django.setup()
from django.conf import settings
from django.db import connection

def in_a_thread(sql, *, barrier=None):
    result = []
    def run():
        from django.db import connection as thread_connection  # what a daphne thread does
        try:
            if barrier is not None:
                barrier.wait()
            with thread_connection.cursor() as cursor:
                cursor.execute(sql)
                result.append(cursor.fetchone()[0])
        except BaseException as exc:
            result.append(exc)
        finally:
            thread_connection.close()  # back to the pool, as database_sync_to_async does
    thread = threading.Thread(target=run)
    thread.start()
    return thread, result
"""


def run_settings(script: str, **env: str) -> subprocess.CompletedProcess:
    """`script` in a Python process of its own with the product's settings and `env` on top, against
    the test run's PostgreSQL server."""
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    return run_with_settings(script, **env)


def run_with_pool(script: str, max_size: int = 4) -> str:
    done = run_settings(PRELUDE + script, DATABASE_POOL_MAX_SIZE=str(max_size),
                        PGAPPNAME=f"confetti-pool-test-{os.getpid()}")
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_many_threads_share_a_bounded_pool_and_reuse_its_connections():
    out = run_with_pool("""
max_size = settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]
assert connection.pool is not None and connection.pool.max_size == max_size == 4
barrier = threading.Barrier(3 * max_size)
runs = [in_a_thread("SELECT pg_backend_pid() FROM pg_sleep(0.05)", barrier=barrier) for _ in range(3 * max_size)]
for thread, _ in runs:
    thread.join()
results = [r[0] for _, r in runs]
assert all(isinstance(r, int) for r in results), results
# 3x as many threads as connections: they waited their turn on at most max_size backends.
assert 1 <= len(set(results)) <= max_size, results
assert connection.pool.get_stats()["pool_size"] <= max_size
print("ok", len(set(results)))
""")
    assert out.startswith("ok")


def test_a_pooled_connection_postgresql_ended_is_replaced_not_handed_out():
    """After a PostgreSQL restart or pg_terminate_backend the pool's idle connections are dead;
    the next request gets a live one (the pool checks each as it leaves), not an error."""
    out = run_with_pool("""
connection.ensure_connection()  # the main thread holds its own connection, never one ended below
threads = [in_a_thread("SELECT pg_backend_pid() FROM pg_sleep(0.1)") for _ in range(3)]
for thread, _ in threads:
    thread.join()
first = [r[0] for _, r in threads]
assert all(isinstance(pid, int) for pid in first), first
# End every other session of this process (PGAPPNAME marks them), as a restart would.
with connection.cursor() as cursor:
    mine = "application_name = current_setting('application_name') AND pid <> pg_backend_pid()"
    cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE " + mine)
    assert cursor.fetchone()[0] >= 1
    for _ in range(100):  # pg_terminate_backend only signals: wait (bounded) until they are gone
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE " + mine)
        if cursor.fetchone()[0] == 0:
            break
        time.sleep(0.05)
thread, again = in_a_thread("SELECT pg_backend_pid()")
thread.join()
assert isinstance(again[0], int), f"a dead pooled connection was handed out: {again[0]!r}"
assert again[0] not in first
print("ok")
""")
    assert out.startswith("ok")


PREPARED = """
import django
django.setup()
from django.db import connection
query = "SELECT count(*) FROM pg_class WHERE relname = %s"
with connection.cursor() as cursor:
    for _ in range(6):
        cursor.execute(query, ["wedding_wedding"])
    cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%FROM pg_class WHERE relname = $1%"])
    print(cursor.fetchone()[0])
"""


def test_a_query_run_again_and_again_is_prepared_once_on_postgresql():
    """Server-side binding: after DATABASE_PREPARE_THRESHOLD runs on a connection, PostgreSQL
    holds the query as a prepared statement (parsed and planned once)."""
    done = run_settings(PREPARED)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["1"]


def test_prepared_statements_can_be_turned_off_for_a_pooler():
    done = run_settings(PREPARED, DATABASE_PREPARE_THRESHOLD="off")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["0"]


def test_a_bad_threshold_is_refused_with_its_name():
    done = run_settings("import django\ndjango.setup()", DATABASE_PREPARE_THRESHOLD="often")
    assert done.returncode != 0
    assert "DATABASE_PREPARE_THRESHOLD must be a number of runs" in done.stderr
