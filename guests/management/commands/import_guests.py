"""manage.py import_guests FILE [--wedding SLUG] [--dry-run]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guests.importing import FORMATS, ImportFileError, guests_import
from guests.management.commands._wedding import wedding_from_option
from realtime.live import acting_as, actor_for


class Command(BaseCommand):
    help = (
        "Import a guest list from a CSV or XLSX file. Columns: household, first_name, last_name, "
        "email, phone, age_group, side, tags, dietary_notes, events (tags and events separated by ; or |). "
        "Every row is checked first: if any row is bad, each bad row is listed with its line and "
        "nothing is imported (exit code 1). Households are matched by name and guests by household "
        "and name (or email), so importing the same file twice changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the .csv or .xlsx file to import")
        parser.add_argument("--wedding", metavar="SLUG", help="the wedding to import into (needed when there are several)")
        parser.add_argument("--dry-run", action="store_true", help="show what each row would do; change nothing")
        parser.add_argument("--format", choices=FORMATS, help="the file's format when its name does not say")
        parser.add_argument("--quiet-rows", action="store_true", help="print only errors, warnings and the summary")

    def handle(self, *args, file: str, wedding: str | None, dry_run: bool, format: str | None,
               quiet_rows: bool, **options) -> None:
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from None
        target = wedding_from_option(wedding)
        try:
            with acting_as(actor_for(label="manage.py import_guests")):
                report = guests_import(
                    wedding=target, content=content, filename=path.name, fmt=format, dry_run=dry_run
                )
        except ImportFileError as error:
            raise CommandError(f"{file}: {error}") from None
        for row in report.rows:
            if row.outcome == "error":
                self.stderr.write(f"line {row.line}: error: {row.message} ({row.household} / {row.name})")
            elif not quiet_rows or row.warnings:
                message = f" — {row.message}" if row.message else ""
                self.stdout.write(f"line {row.line}: {row.outcome}: {row.household} / {row.name}{message}")
        if report.ignored_columns:
            self.stdout.write(f"Columns ignored: {', '.join(report.ignored_columns)}")
        if report.errors:
            raise CommandError(f"{target.slug}: {report.summary()}")
        self.stdout.write(self.style.SUCCESS(f"{target.slug}: {report.summary()}"))
