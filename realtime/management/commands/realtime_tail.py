"""`manage.py realtime_tail [--wedding SLUG]`: print changes as they are committed.

Polls the change log by version (per wedding, in commit order), so it sees
every committed change whatever the channel layer is doing, and needs no
socket. Stops on Ctrl-C, after --timeout seconds, or after one poll (--once).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from realtime.management.commands.realtime_status import format_change
from realtime.models import Change


class Command(BaseCommand):
    help = "Print committed changes live (polls the change log by version)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--wedding", metavar="SLUG", help="Only this wedding.")
        parser.add_argument("--interval", type=float, default=0.5, help="Seconds between polls (default 0.5).")
        parser.add_argument("--timeout", type=float, default=None, help="Stop after this many seconds.")
        parser.add_argument("--once", action="store_true", help="Poll once and stop.")
        parser.add_argument(
            "--backlog", type=int, default=0, help="Print this many recent changes per wedding first."
        )

    def handle(self, *args, wedding=None, interval=0.5, timeout=None, once=False, backlog=0, **options) -> None:
        from wedding.core.models import Wedding

        weddings = Wedding.objects.all()
        if wedding:
            weddings = weddings.filter(slug=wedding)
            if not weddings.exists():
                raise CommandError(f"No wedding with slug {wedding!r}.")
        seen = {pk: max(version - max(backlog, 0), 0) for pk, version in weddings.values_list("pk", "version")}
        deadline = time.monotonic() + timeout if timeout is not None else None
        if not once:
            where = f"wedding {wedding}" if wedding else "all weddings"
            self.stderr.write(f"Tailing changes of {where} (Ctrl-C to stop)…")
        try:
            while True:
                self._poll(weddings, seen)
                if once or (deadline is not None and time.monotonic() >= deadline):
                    return
                time.sleep(max(min(interval, deadline - time.monotonic()) if deadline else interval, 0))
                close_old_connections()  # a long tail must survive a database restart
        except KeyboardInterrupt:
            return

    def _poll(self, weddings, seen: dict[int, int]) -> None:
        for pk, version in weddings.values_list("pk", "version"):
            last = seen.get(pk, 0)
            if version <= last:
                continue
            changes = (
                Change.objects.filter(wedding_id=pk, version__gt=last, version__lte=version)
                .select_related("wedding")
                .order_by("version", "id")
            )
            for change in changes:
                self.stdout.write(format_change(change))
            self.stdout.flush()
            seen[pk] = version
