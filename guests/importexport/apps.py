from __future__ import annotations

from django.apps import AppConfig


class ImportExportConfig(AppConfig):
    """The guest list in and out: CSV/XLSX import with column mapping, and the backup export.

    Nested in guests (as django.contrib nests its apps) but its own app: it reads and writes
    RSVP and seating rows too, so it sits above guests, rsvp and seating, and plugs its pages
    into the guest list admin (guests.admin.GuestListPart).
    """

    name = "guests.importexport"
    label = "importexport"
    verbose_name = "Guest list import and export"
