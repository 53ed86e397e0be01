"""`manage.py messaging_worker`: the task worker (django-tasks-db's `db_worker`) plus recovery.

It runs every task of the queue: mail delivery and photos' images
(`wedding.photos.tasks`). Before it starts taking tasks it re-queues delivery
for every message still sending, and processing for every photo still waiting,
whose task may have died with a previous worker. Run one or more, on any
machine sharing the database: `--processes N` (default settings.TASK_WORKER_PROCESSES)
starts N workers from one command, so a photo flood is made N photos at a time.
"""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from wedding.messaging.tasks import outbox_recover
from wedding.photos.tasks import photos_recover


class Command(BaseCommand):
    help = "Run the background task worker (mail delivery, photos), after recovering interrupted work."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run what is due, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
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
