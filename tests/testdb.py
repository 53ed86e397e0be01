"""One migrated test database per run, cloned for every xdist worker.

`migrate` from nothing costs about 7 CPU-seconds (65 migrations; Django re-renders model states
as it goes). Each of the four workers of a pass ran it, twice per `make test`: about 56
CPU-seconds of two cores. Now the first worker to get here migrates a template database, and
every worker (that one too) clones it with Django's own `clone_test_db`, as `manage.py test
--parallel` does: PostgreSQL's CREATE DATABASE ... TEMPLATE, a file copy on SQLite. The clones
are what the tests use, named `<template>_gwN`; each worker drops its own at its end (Django's
`destroy_test_db`), and the controller drops the template once every worker is done.

A run without workers (`-n 0`) creates its database as before.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Set by the controller before it starts the workers: one template per run.
RUN_TOKEN = "CONFETTI_TEST_RUN_TOKEN"


def start_run() -> None:
    """In the controller, before the workers start (they inherit the environment)."""
    os.environ.setdefault(RUN_TOKEN, uuid.uuid4().hex[:12])


def _is_sqlite(settings_dict: dict) -> bool:
    return settings_dict["ENGINE"].endswith("sqlite3")


def template_name(settings_dict: dict) -> str:
    token = os.environ[RUN_TOKEN]
    if _is_sqlite(settings_dict):
        return str(Path(tempfile.gettempdir()) / f"test_confetti_template_{token}.sqlite3")
    return f"test_confetti_template_{token}"


def run_shared_path(name: str) -> Path:
    """A path that every process of this run shares, removed by `end_run`."""
    return Path(tempfile.gettempdir()) / f"confetti-run-{os.environ[RUN_TOKEN]}-{name}"


@contextmanager
def once_per_run(name: str) -> Iterator[bool]:
    """Hold the run's lock `name` (processes queue for it) and say whether the work it guards is
    still to do; when that work ends without an exception it is marked done for the whole run.

        with once_per_run("staticfiles") as first:
            if first:
                ...  # the first process of the run does it; the others wait, then reuse it
    """
    done = run_shared_path(f"{name}.done")
    with open(run_shared_path(f"{name}.lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        first = not done.exists()
        yield first
        if first:
            done.touch()


def clone_for_worker(connection, worker_id: str) -> None:
    """Make `connection.creation.create_test_db` clone the run's template (migrating it first if
    this worker is the first to come)."""
    creation = connection.creation
    create_from_migrations = creation.create_test_db

    def create_test_db(verbosity=1, autoclobber=False, serialize=None, keepdb=False):
        from django.conf import settings

        template = template_name(connection.settings_dict)
        with once_per_run("test-database") as first:  # one migrate, and one clone at a time
            if first:
                connection.settings_dict["TEST"]["NAME"] = template
                create_from_migrations(verbosity=verbosity, autoclobber=True, keepdb=False)
                if _is_sqlite(connection.settings_dict):
                    with connection.cursor() as cursor:  # everything into the file that gets copied
                        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
            connection.settings_dict["NAME"] = template  # the source of the clone
            creation.clone_test_db(suffix=worker_id, verbosity=verbosity, autoclobber=True, keepdb=False)
        clone = creation.get_test_db_clone_settings(worker_id)["NAME"]
        settings.DATABASES[connection.alias]["NAME"] = clone
        connection.settings_dict["NAME"] = clone
        # Serializing (for serialized_rollback) is setup_databases' own step, after this returns.
        return clone

    creation.create_test_db = create_test_db


def end_run(settings_dict: dict) -> None:
    """In the controller, after every worker has dropped its clone: drop the template, and remove
    the files the run's processes shared."""
    if RUN_TOKEN not in os.environ:
        return
    name = template_name(settings_dict)
    made_template = run_shared_path("test-database.done").exists()
    for shared in Path(tempfile.gettempdir()).glob(f"confetti-run-{os.environ[RUN_TOKEN]}-*"):
        shutil.rmtree(shared) if shared.is_dir() else shared.unlink(missing_ok=True)
    if not made_template:
        return
    if _is_sqlite(settings_dict):
        # The template, and whatever a clone's last connection left beside it (-wal, -shm).
        template = Path(name)
        for path in template.parent.glob(f"{template.stem}*"):
            path.unlink(missing_ok=True)
        return
    import warnings

    import psycopg

    try:
        with psycopg.connect(
            host=settings_dict.get("HOST") or None, port=settings_dict.get("PORT") or None,
            user=settings_dict.get("USER") or None, password=settings_dict.get("PASSWORD") or None,
            dbname="postgres", autocommit=True,
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error as exc:  # the run's result stands; only a template is left behind
        warnings.warn(f"could not drop the test template database {name}: {exc}", stacklevel=1)
