"""manage.py import_guests FILE [--wedding SLUG] [--dry-run] [--skip-bad-rows] [--sheet NAME] [--header-line N]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guests.importexport.importing import FORMATS, ImportFileError, guests_import
from guests.importexport.management.commands._wedding import wedding_from_option
from realtime.live import acting_as, actor_for


class Command(BaseCommand):
    help = (
        "Import a guest list from a CSV (any encoding or delimiter) or XLSX file. Columns are "
        "matched by name (English or Spanish synonyms, the wedding's remembered choices, and "
        "Confetti's own export: household, first_name, last_name, email, phone, age_group, side, "
        "tags, dietary_notes, events, household_key, …); a row naming a couple or family becomes "
        "one guest each. Every row is checked first: if any row is bad, each bad row is listed with "
        "its line and nothing is imported (exit code 1), unless --skip-bad-rows. Households are "
        "matched by key or name and guests by household and name (or email), so importing the same "
        "file twice changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the .csv or .xlsx file to import")
        parser.add_argument("--wedding", metavar="SLUG", help="the wedding to import into (needed when there are several)")
        parser.add_argument("--dry-run", action="store_true", help="show what each row would do; change nothing")
        parser.add_argument("--format", choices=FORMATS, help="the file's format when its name does not say")
        parser.add_argument("--quiet-rows", action="store_true", help="print only errors, warnings and the summary")
        parser.add_argument("--skip-bad-rows", action="store_true", help="import the good rows and list the bad ones")
        parser.add_argument("--sheet", metavar="NAME", help="the workbook's sheet (default: the first with data)")
        parser.add_argument("--header-line", type=int, metavar="N", help="the header's line (default: detected)")

    def handle(self, *args, file: str, wedding: str | None, dry_run: bool, format: str | None,
               quiet_rows: bool, skip_bad_rows: bool, sheet: str | None, header_line: int | None,
               **options) -> None:
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from None
        target = wedding_from_option(wedding)
        try:
            with acting_as(actor_for(label="manage.py import_guests")):
                report = guests_import(
                    wedding=target, content=content, filename=path.name, fmt=format, dry_run=dry_run,
                    skip_bad_rows=skip_bad_rows, sheet=sheet, header_line=header_line,
                )
        except ImportFileError as error:
            raise CommandError(f"{file}: {error}") from None
        for note in report.notes:
            self.stdout.write(note)
        if report.mapping is not None:
            mapped = [f"{h} → {k}" for h, k in zip(report.headers, report.mapping.columns, strict=True) if k]
            self.stdout.write("Columns: " + "; ".join(mapped))
        for row in report.rows:
            if row.outcome == "error":
                self.stderr.write(f"line {row.line}: error: {row.message} ({row.household} / {row.name})")
            elif not quiet_rows or row.warnings:
                message = f" — {row.message}" if row.message else ""
                self.stdout.write(f"line {row.line}: {row.outcome}: {row.household} / {row.name}{message}")
        if report.ignored_columns:
            self.stdout.write(f"Columns ignored: {', '.join(report.ignored_columns)}")
        if report.errors and not skip_bad_rows:
            raise CommandError(f"{target.slug}: {report.summary()}")
        self.stdout.write(self.style.SUCCESS(f"{target.slug}: {report.summary()}"))
