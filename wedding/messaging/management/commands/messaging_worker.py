"""`manage.py messaging_worker`: the task worker (django-tasks-db's `db_worker`) plus recovery.

It runs every task of the queue: mail delivery and photos' images
(`wedding.photos.tasks`). Before it starts taking tasks it re-queues delivery
for every message still sending, and processing for every photo still waiting,
whose task may have died with a previous worker. Run one or more, on any
machine sharing the database: `--processes N` (default settings.TASK_WORKER_PROCESSES)
starts N workers from one command, so a photo flood is made N photos at a time.

A worker keeps its database connection from task to task (`connections_kept`):
with CONN_MAX_AGE's default of 0, django-tasks-db's loop closed it after every
task and opened a new one for the next, about 10 ms a task of a photo flood's
~60 (SQLite also checkpointed and recreated its WAL file each time).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from wedding.messaging.tasks import outbox_recover
from wedding.photos.tasks import photos_recover


class Command(BaseCommand):
    help = "Run the background task worker (mail delivery, photos), after recovering interrupted work."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run what is due, then exit.")
        # A photo uploaded while the worker is idle waits up to this long before its thumbnail is
        # started (part of "live within 5 s"); with the connection kept, a poll is one indexed query.
        parser.add_argument("--interval", type=float, default=0.25, help="Seconds between polls when idle.")
        parser.add_argument(
            "--processes", type=int, default=None,
            help="Worker processes to run (default settings.TASK_WORKER_PROCESSES): tasks run this many at a time.",
        )
        parser.add_argument("--no-recover", action="store_true", help="Skip the recovery (another worker did it).")

    def handle(self, *, batch: bool, interval: float, processes: int | None, no_recover: bool, verbosity: int,
               **_options) -> None:
        processes = settings.TASK_WORKER_PROCESSES if processes is None else processes
        if processes < 1:
            raise CommandError("--processes must be at least 1.")
        if not no_recover:
            self._recover(verbosity)
        args = ["--interval", str(interval)] + (["--batch"] if batch else [])
        # The other workers: this command again, without the recovery just done. Each takes
        # tasks on its own (the queue hands a task to one worker); they stop with this one.
        others = [
            subprocess.Popen([sys.executable, "-m", "django", "messaging_worker", "--processes", "1",
                              "--no-recover", "--verbosity", str(verbosity), *args])
            for _ in range(processes - 1)
        ]
        try:
            # No autoreloader (db_worker's default under DEBUG): its child process would outlive a
            # `kill` of this one, and `make run` stops the worker by its pid.
            with connections_kept():
                call_command("db_worker", *args, reload=False, verbosity=verbosity)
        finally:
            for other in others:
                if not batch:
                    other.terminate()  # db_worker finishes its current task on SIGTERM
            for other in others:
                other.wait()

    def _recover(self, verbosity: int) -> None:
        recovered = outbox_recover()
        if recovered and verbosity:
            self.stdout.write(f"Resuming delivery of {len(recovered)} message(s).")
        waiting = photos_recover()
        if waiting and verbosity:
            self.stdout.write(f"Resuming {len(waiting)} photo(s) waiting for their image.")


@contextmanager
def connections_kept() -> Iterator[None]:
    """Within: this thread's database connections outlive each task (CONN_MAX_AGE None), as a request's
    would not. One worker is one thread working task after task, so a connection per task is waste.
    Health checks (settings' `conn_health_checks`) still replace one the database has dropped, and a
    connection from a pool (DATABASE_POOL_MAX_SIZE) is left to the pool. Restored on the way out."""
    kept = [
        (connection, connection.settings_dict["CONN_MAX_AGE"]) for connection in connections.all()
        if not connection.settings_dict.get("OPTIONS", {}).get("pool")
    ]
    for connection, _max_age in kept:
        connection.settings_dict["CONN_MAX_AGE"] = None
        connection.close_at = None
    try:
        yield
    finally:
        for connection, max_age in kept:
            connection.settings_dict["CONN_MAX_AGE"] = max_age
            # As `connect()` sets it, for a connection left open.
            connection.close_at = None if max_age is None else time.monotonic() + max_age
