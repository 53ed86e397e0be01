"""Shared fixtures. Services (PostgreSQL, Redis, browser) are mandatory under CI=true:
tests that need them fail there instead of skipping (see `require_service`)."""

from __future__ import annotations

import os

import pytest

from tests import durations, factories

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# The PostgreSQL application_name of every connection this test process opens (any thread).
TEST_PROCESS_APPLICATION_NAME = f"confetti-tests-{os.getpid()}"


def require_service(name: str, available: bool, why: str = "") -> None:
    """Skip locally when a service is missing; fail under CI=true (it must be there)."""
    if available:
        return
    message = f"{name} is not available{': ' + why if why else ''}"
    if CI:
        pytest.fail(f"{message} (mandatory under CI=true)")
    pytest.skip(message)


def run_with_settings(script: str, **env: str):
    """`script` in a Python process of its own with the product's settings and `env` on top
    (a `subprocess.CompletedProcess`, output as text)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wedding.settings", "PYTHONPATH": str(root), **env}
    return subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)


def pytest_configure(config) -> None:
    """Build the translations (.mo) from the committed .po when they are missing or older, as
    `make test` does, so a plain `pytest` sees the Spanish guest site too. Once, before workers.
    And the run's token for the template database its workers clone (tests/testdb.py)."""
    if hasattr(config, "workerinput"):
        return
    from tests import testdb

    testdb.start_run()
    import shutil
    import subprocess
    from pathlib import Path

    if shutil.which("msgfmt") is None:
        return  # the translation tests then fail with a clear message (tests/test_i18n.py)
    for po in Path(__file__).resolve().parent.parent.glob("locale/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            partial = mo.with_suffix(".mo.partial")
            subprocess.run(["msgfmt", "--check-format", "-o", str(partial), str(po)], check=True)
            partial.replace(mo)


# Fixtures through which a test reaches the Django database (pytest-django blocks every other way).
DATABASE_FIXTURES = frozenset({
    "db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server",
})
# Tests that only the full (PostgreSQL) pass runs: the SQLite pass leaves them out (see the Makefile).
FULL_PASS_ONLY_MARKERS = ("postgres", "e2e", "integration")


def pytest_unconfigure(config) -> None:
    """The controller, once every worker is done: drop the run's template database and remove
    what the run's processes shared (tests/testdb.py)."""
    if hasattr(config, "workerinput"):
        return
    from django.conf import settings

    from tests import testdb

    testdb.end_run(settings.DATABASES["default"])


# Test modules whose tests share module-scoped fixtures (servers, a deployment, collected statics).
# Under xdist their tests run on one worker, together: spread over the four workers, each worker
# that got one of them started the module's servers again (tests/integration/test_nginx.py: its
# whole deployment, collectstatic included, for each of its four tests).
# tests/test_suite_guards.py fails when a module with such a fixture is missing here.
SHARED_FIXTURE_MODULES = frozenset({
    "tests/integration/test_direct_writes.py",
    "tests/integration/test_nginx.py",
    "tests/integration/test_scale_out.py",
    "tests/security/test_static.py",
    "tests/security/test_websocket.py",
    "tests/stress/test_races.py",
    "tests/stress/test_redis_outage.py",
    "tests/wedding/test_photos_s3.py",
})


def shares_module_fixtures(item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    return bool(info) and any(
        definitions[-1].scope == "module" for definitions in info.name2fixturedefs.values() if definitions
    )


def pytest_xdist_make_scheduler(config, log):
    """xdist's "load" distribution (one test at a time to whichever worker is free), except that
    the tests of a SHARED_FIXTURE_MODULES module go to one worker as one unit (xdist's own
    `--dist loadgroup` would do this from markers, but pytest 9.2's structured node ids broke
    the suffix it relies on), and that the tests which took longest last time start first.

    Handed out in collection order, a 29-second test that came last kept one worker busy
    alone at the end of the run while the others had finished."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixturesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in SHARED_FIXTURE_MODULES else nodeid

        def schedule(self) -> None:
            first = self.collection is None
            super().schedule()  # groups first (xdist orders units by size), and each worker's first unit
            if first and self.workqueue:
                ordered = durations.longest_first(dict(self.workqueue), durations.recorded(pass_name(config)))
                self.workqueue.clear()
                self.workqueue.update(ordered)

    return SharedFixturesTogether(config, log)


def pass_name(config) -> str:
    if config.getoption("--sqlite-pass"):
        return "sqlite-pass"
    return "database-tests-only" if config.getoption("--database-tests-only") else "all"


def pytest_runtest_logreport(report) -> None:
    durations.add(report.nodeid, report.duration)


def pytest_sessionfinish(session) -> None:
    """The controller (or a run without xdist) keeps this run's durations for the next run's order."""
    if not hasattr(session.config, "workerinput"):
        durations.save(pass_name(session.config))


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--sqlite-pass", action="store_true",
        help="The first pass of `make test`, on SQLite: the tests that reach no database, and the "
             "database tests marked `sqlite` (what can differ between SQLite and PostgreSQL). "
             "Leaves out the postgres, e2e and integration tests.",
    )
    parser.addoption(
        "--database-tests-only", action="store_true",
        help="The second pass of `make test`, on PostgreSQL: every test that reaches the database, "
             "and the postgres, e2e and integration ones; leaves out the tests that reach no "
             "database, which the SQLite pass ran.",
    )


def uses_database(item) -> bool:
    return bool(item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def left_out(config, item) -> bool:
    """Whether this pass of `make test` leaves the test to the other one (see the Makefile)."""
    full_pass_only = any(item.get_closest_marker(mark) for mark in FULL_PASS_ONLY_MARKERS)
    if config.getoption("--sqlite-pass"):
        return full_pass_only or (uses_database(item) and not item.get_closest_marker("sqlite"))
    if config.getoption("--database-tests-only"):
        return not full_pass_only and not uses_database(item)
    return False


def pytest_collection_modifyitems(config, items) -> None:
    """--sqlite-pass and --database-tests-only: the two passes of `make test`. Together they run
    every test at least once: the ones reaching no database on SQLite, the database tests on
    PostgreSQL, and those marked `sqlite` on both."""
    others = [item for item in items if left_out(config, item)]
    if others:
        config.hook.pytest_deselected(items=others)
        chosen = set(map(id, others))
        items[:] = [item for item in items if id(item) not in chosen]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    """Under xdist, each worker's test database is a clone of one migrated per run (tests/testdb.py).

    PostgreSQL: a session left idle inside a transaction is ended after 60 s.

    A test that fails while a thread of it is inside a transaction (an async test's
    `database_sync_to_async` hop) can leave that thread's connection open and idle in
    the transaction; the next transactional test's flush (TRUNCATE) then waits for its
    locks forever and the whole run hangs. With the timeout PostgreSQL ends such a
    session and the flush goes on: the failure is reported instead of a hang.
    """
    from django.conf import settings
    from django.db import connection

    from tests import testdb

    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if worker:
        testdb.clone_for_worker(connection, worker)
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "realtime.db.postgresql":
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c idle_in_transaction_session_timeout=60000".strip()
        # Named, so that ending the servers' sessions (tests/e2e/conftest.py) spares this process's own.
        options["application_name"] = TEST_PROCESS_APPLICATION_NAME


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, plus: nothing may keep it open at the end.

    Executor threads of async tests (database_sync_to_async) and stopped test
    servers can leave PostgreSQL sessions behind; DROP DATABASE then fails and
    leaves the database on the machine. End those sessions first.

    And: transactional tests are flushed by `tests/flush.py` (the same result, without
    TRUNCATE and post_migrate) once it knows what `migrate` wrote.
    """
    from django.db import connection
    from django.test import TransactionTestCase

    from tests.flush import fixture_teardown, remember_migrate_data

    with django_db_blocker.unblock():
        remember_migrate_data(connection)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown",
                      fixture_teardown(TransactionTestCase._fixture_teardown))
        yield

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A test that activates a language (a Spanish page rendered in-process) leaves the thread in
    it; the next test on that worker would read Spanish messages. Back to the default after each."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PHOTO_ROOT = tmp_path / "photos"


@pytest.fixture
def planner(db):
    return factories.UserFactory(username="ana.planner", first_name="Ana", last_name="Planner")


@pytest.fixture
def wedding(db, planner):
    return factories.WeddingFactory(name="Lucía & Marco", slug="lucia-marco", planners=[planner])


@pytest.fixture
def other_wedding(db):
    other = factories.UserFactory(username="other.planner")
    return factories.WeddingFactory(name="Other wedding", slug="other", planners=[other])


@pytest.fixture
def event(wedding):
    return factories.EventFactory(wedding=wedding, name="Reception")


@pytest.fixture
def household(wedding):
    return factories.HouseholdFactory(wedding=wedding, name="The Ruiz family")


@pytest.fixture
def planner_client(client, planner):
    client.force_login(planner)
    return client
