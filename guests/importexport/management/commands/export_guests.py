"""manage.py export_guests [--wedding SLUG] [--format csv|xlsx] [--report guests|meals] [--output FILE]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guests.importexport import exporting
from guests.importexport.management.commands._wedding import wedding_from_option


class Command(BaseCommand):
    help = (
        "Export a wedding's guest list (households, contact details, tags, dietary notes, and per "
        "event the response, meal and table) or, with --report meals, the caterer's meal counts per "
        "event. The guest list's first columns are the import columns: the file imports back unchanged."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--wedding", metavar="SLUG", help="the wedding to export (needed when there are several)")
        parser.add_argument("--format", choices=sorted(exporting.FORMATS), help="csv or xlsx (default: from --output, else csv)")
        parser.add_argument("--report", choices=["guests", "meals"], default="guests", help="guests (default) or meals")
        parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of standard output (required for xlsx)")

    def handle(self, *args, wedding: str | None, format: str | None, report: str, output: str | None, **options) -> None:
        fmt = format or (Path(output).suffix.lstrip(".").lower() if output else "") or "csv"
        if fmt not in exporting.FORMATS:
            raise CommandError(f"Cannot tell the format from “{output}”; add --format csv or --format xlsx.")
        if fmt == "xlsx" and not output:
            raise CommandError("XLSX is a binary file: give --output FILE.xlsx.")
        target = wedding_from_option(wedding)
        if report == "meals":
            dataset = exporting.meal_counts_dataset(wedding=target)
        else:
            dataset = exporting.guest_list_dataset(wedding=target)
        content, _content_type = exporting.dataset_render(dataset, fmt=fmt)
        if output:
            try:
                Path(output).write_bytes(content)
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error.strerror or error}.") from None
            self.stderr.write(self.style.SUCCESS(f"{target.slug}: wrote {len(dataset)} row(s) to {output}"))
        else:
            # CSV only (XLSX needs --output); the BOM is for spreadsheets, not terminals.
            self.stdout.write(content.decode("utf-8-sig"), ending="")
