"""Benchmark: import a generated 5,000-row guest list (CSV and XLSX), then re-import it.

    .venv/bin/python bench/import_guests.py [--rows 5000] [--format csv|xlsx] [--layout confetti|foreign]

`--layout foreign` writes the same guests under another tool's headers ("Party",
"Given name", "Relationship to couple", "Is child?"…) and values ("Bride",
"yes"), so every column goes through the guesser; the time of reading the
file and guessing the mapping alone is printed too.

Uses a fresh SQLite file in a temporary directory unless DATABASE_URL is set
(then that database is migrated and a throw-away wedding is imported into it and
deleted afterwards: point it at a scratch database). Prints the
time of the dry run (preview), the import, and the re-import (which must
change nothing).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


CONFETTI = ["household", "first_name", "last_name", "email", "phone", "age_group", "side", "tags",
            "dietary_notes", "events"]
FOREIGN = ["Party", "Given name", "Surname", "E-mail Address", "Cell", "Is child?", "Relationship to couple",
           "Category", "Dietary restrictions", "Invited to"]


def generate(rows: int, fmt: str, events: list[str], layout: str = "confetti") -> bytes:
    import tablib

    data = tablib.Dataset(headers=CONFETTI if layout == "confetti" else FOREIGN)
    if layout == "confetti":
        sides, ages = ["Partner A", "Partner B", "Both"], ["Adult", "Adult", "Adult", "Child", "Infant"]
    else:
        sides, ages = ["Bride's family", "Groom", "Mutual friends"], ["no", "no", "no", "yes", "1"]
    for i in range(rows):
        family = i // 2
        data.append([
            f"The {family:05d} family", f"Guest{i}", f"Family{family:05d}", f"guest{i}@example.org",
            f"+34 600 {i:06d}", ages[i % len(ages)], sides[family % 3], "friends; dance floor" if i % 3 else "family",
            "vegetarian" if i % 7 == 0 else "", "; ".join(events[: 1 + i % len(events)]),
        ])
    return data.export("csv").encode() if fmt == "csv" else data.export("xlsx")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--layout", choices=["confetti", "foreign"], default="confetti")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wedding.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from guests.importexport.importing import guests_import, table_mapping, table_read
    from guests.importexport.importing.mapping import header_known
    from guests.models import Guest
    from realtime.models import Change
    from wedding.core.models import Event, Wedding

    call_command("migrate", verbosity=0)
    wedding = Wedding.objects.create(name="Bench", slug=f"bench-import-{os.getpid()}", date=timezone.now().date())
    names = ["Ceremony", "Reception", "Brunch"]
    for order, name in enumerate(names):
        Event.objects.create(wedding=wedding, name=name, order=order, starts_at=timezone.now())
    content = generate(args.rows, args.format, names, args.layout)
    filename = f"guests.{args.format}"
    print(f"{args.rows} rows, {args.format}, {args.layout} headers, {len(content) / 1024:.0f} KiB, {connection.vendor}")
    try:
        start = time.perf_counter()
        table = table_read(content=content, filename=filename, known=header_known)
        read = time.perf_counter() - start
        mapping = table_mapping(table=table, wedding=wedding)
        guessed = time.perf_counter() - start - read
        print(f"{'read file':24} {read:6.2f} s")
        print(f"{'guess mapping':24} {guessed:6.2f} s   {mapping.columns}")
        for label, dry_run in (("dry run (preview)", True), ("import", False), ("re-import (no change)", False)):
            start = time.perf_counter()
            report = guests_import(wedding=wedding, content=content, filename=filename, dry_run=dry_run)
            elapsed = time.perf_counter() - start
            print(f"{label:24} {elapsed:6.2f} s   {report.counts}")
        print(
            f"guests: {Guest.objects.filter(wedding=wedding).count()}, "
            f"change rows for the import: {Change.objects.filter(wedding=wedding, model='guests.guest').count()}"
        )
    finally:
        Wedding.objects.filter(pk=wedding.pk).delete()
        tmp.cleanup()


if __name__ == "__main__":
    main()
