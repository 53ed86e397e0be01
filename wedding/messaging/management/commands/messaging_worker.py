"""`manage.py messaging_worker`: the task worker (django-tasks-db's `db_worker`) plus recovery.

It runs every task of the queue: mail delivery and photos' images
(`wedding.photos.tasks`). Before it starts taking tasks it re-queues delivery
for every message still sending, and processing for every photo still waiting,
whose task may have died with a previous worker. Run one or more, on any
machine sharing the database.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from wedding.messaging.tasks import outbox_recover
from wedding.photos.tasks import photos_recover


class Command(BaseCommand):
    help = "Run the background task worker (mail delivery, photos), after recovering interrupted work."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run what is due, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")

    def handle(self, *, batch: bool, interval: float, verbosity: int, **_options) -> None:
        recovered = outbox_recover()
        if recovered and verbosity:
            self.stdout.write(f"Resuming delivery of {len(recovered)} message(s).")
        waiting = photos_recover()
        if waiting and verbosity:
            self.stdout.write(f"Resuming {len(waiting)} photo(s) waiting for their image.")
        args = ["--interval", str(interval)] + (["--batch"] if batch else [])
        # No autoreloader (db_worker's default under DEBUG): its child process would outlive a
        # `kill` of this one, and `make run` stops the worker by its pid.
        call_command("db_worker", *args, reload=False, verbosity=verbosity)
