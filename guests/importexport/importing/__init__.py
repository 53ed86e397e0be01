"""Guest list import from CSV or XLSX: read any file, map its columns, check every row, write in one go.

Contract of `guests_import()`:

* Reading (`reading`) decides encoding, delimiter, sheet and header and says so
  (`ImportReport.notes`); the column mapping (`mapping`) is the planner's, or
  guessed when none is given; nothing in a column mapped to "ignore" is read,
  and every ignored column is named in `ImportReport.ignored_columns`.
* One file row may name several people (a couple, a family: see
  `planning.entries_build`); each gets an outcome: create, update, unchanged or
  error (with its line number in the file and the reason). A row is taken whole
  or not at all. While any row is bad nothing is written, unless
  `skip_bad_rows`: then the good rows are imported and the bad ones are in
  `ImportReport.bad_rows`, to download and fix. A dry run never writes.
* Matching makes a re-import idempotent: a household by its key (the export's
  `household_key` column) or else by its name within the wedding
  (case-insensitive), a guest by household + name, or else by an email already
  on a guest of that household. A second row for the same guest is an error.
  Possible duplicates (the same name in another household, an email already
  used by another guest) are flagged, not refused.
* Columns present in the file are the truth for those fields (an empty cell
  clears the field); absent columns leave fields alone. Tags and events are
  added, never removed: uninviting someone is a deliberate act in the admin. An
  empty RSVP cell leaves the answer alone. Events and meals the file names that
  do not exist yet are created (and named in the notes).
* Rows are checked outside the write transaction (a long check never holds
  SQLite's write lock); the writes are one transaction, under the wedding's
  row lock, checked again if the wedding changed meanwhile (its version).
  The whole import is ONE change for live pages (one Change row, one
  message), however many rows it has; writes are bulk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from guests.importexport.importing import mapping as m
from guests.importexport.importing.planning import (
    Context,
    Index,
    Planner,
    RowResult,
    entries_build,
    group_values,
    households_group,
)
from guests.importexport.importing.reading import (
    FORMATS,
    ImportFileError,
    Table,
    format_for,
    table_read,
)
from guests.importexport.importing.writing import BATCH, Progress, plan_write
from guests.models import ImportMapping
from wedding.core.models import Wedding

__all__ = [
    "COLUMNS", "FORMATS", "bad_rows_csv", "ImportFileError", "ImportReport", "RowResult", "Table", "format_for",
    "guests_import", "mapping_remember", "mapping_remembered", "table_read", "table_mapping",
]

# The columns of Confetti's own export that the import reads back (see guests.importexport.exporting).
COLUMNS = [
    "household", "first_name", "last_name", "email", "phone", "age_group", "side", "tags", "dietary_notes", "events",
]
REQUIRED_ANY = ("first_name", "full_name")


@dataclass
class ImportReport:
    filename: str
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)
    imported: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    mapping: m.Mapping | None = None
    bad_rows: list[tuple[int, list[str], str]] = field(default_factory=list)  # (line, cells, reason)
    skip_bad_rows: bool = False

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.rows if r.outcome == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    @property
    def warnings(self) -> list[RowResult]:
        return [r for r in self.rows if r.warnings]

    def summary(self) -> str:
        c = self.counts
        text = (
            f"{len(self.rows)} guest(s) from {len({r.line for r in self.rows})} row(s): {c['create']} to create, "
            f"{c['update']} to update, {c['unchanged']} unchanged, {c['error']} row(s) with errors"
        )
        if self.errors and self.skip_bad_rows:
            if self.dry_run:
                return (f"{text}. Nothing was imported yet: fix the rows with errors, "
                        "or import the good rows only and download the bad ones.")
            done = "Imported the good rows" if self.imported else "Nothing to change in the good rows"
            return f"{text}. {done}; the {c['error']} bad row(s) were left out (download them to fix)."
        if self.errors:
            return (f"{text}. Nothing was imported: fix the rows with errors and import again, "
                    "or import the good rows only.")
        if self.dry_run:
            return f"{text}. Dry run: nothing was imported."
        return f"{text}. Imported." if self.imported else f"{text}. Nothing to change."

    def as_dict(self) -> dict[str, Any]:
        """A plain, cacheable form (the admin keeps it between requests)."""
        return {
            "filename": self.filename, "dry_run": self.dry_run, "imported": self.imported,
            "ignored_columns": self.ignored_columns, "summary": self.summary(), "counts": self.counts,
            "notes": self.notes, "headers": self.headers,
            "bad_rows": [list(row) for row in self.bad_rows],
            "rows": [
                {"line": r.line, "outcome": r.outcome, "household": r.household, "name": r.name,
                 "message": r.message, "errors": r.errors, "warnings": r.warnings}
                for r in self.rows
            ],
        }


def bad_rows_csv(*, headers: list[str], bad_rows: list[Any]) -> bytes:
    """The rows left out, as the planner's own columns plus "line" and "error", to fix and import again.

    Written through `exporting.dataset_render` (UTF-8 with BOM, formula cells neutralised).
    """
    import tablib

    from guests.importexport.exporting import dataset_render

    dataset = tablib.Dataset(headers=["line", *headers, "error"], title="Rows not imported")
    for line, cells, reason in bad_rows:
        dataset.append([line, *(list(cells) + [""] * len(headers))[: len(headers)], reason])
    return dataset_render(dataset, fmt="csv")[0]


def _events_of(wedding: Wedding) -> list[str]:
    from wedding.core.models import Event

    return list(Event.objects.filter(wedding=wedding).order_by("order", "pk").values_list("name", flat=True))


def mapping_remembered(*, wedding: Wedding) -> ImportMapping | None:
    return ImportMapping.objects.filter(wedding=wedding).first()


def table_mapping(*, table: Table, wedding: Wedding) -> m.Mapping:
    """The guessed mapping for a table, with the wedding's remembered choices first."""
    remembered = mapping_remembered(wedding=wedding)
    columns = m.mapping_guess(
        table.headers, [cells for _, cells in table.rows], _events_of(wedding),
        remembered.columns if remembered else None,
    )
    mapping = m.Mapping(columns=columns)
    if remembered is not None:
        mapping.values = {k: dict(v) for k, v in remembered.values.items()}
        mapping.split_couples = remembered.split_couples
        mapping.grouping = remembered.grouping if remembered.grouping in ("row", "surname_address") else "row"
    return mapping


def mapping_remember(*, wedding: Wedding, headers: list[str], mapping: m.Mapping) -> None:
    """Remember the planner's choices for this wedding's next import (merged with earlier ones).

    Called by `guests_import(remember_mapping=True)` inside the import's one change.
    """
    with transaction.atomic():
        saved, _ = ImportMapping.objects.select_for_update().get_or_create(wedding=wedding)
        columns = dict(saved.columns)
        for header, key in zip(headers, mapping.columns, strict=False):
            if m.fold(header):
                columns[m.fold(header)] = key
        values = {k: dict(v) for k, v in saved.values.items()}
        for kind, chosen in mapping.values.items():
            values.setdefault(kind, {}).update(chosen)
        saved.columns, saved.values = columns, values
        saved.split_couples, saved.grouping = mapping.split_couples, mapping.grouping
        saved.save()


def _side_topics(planner: Planner) -> list[str]:
    plan = planner.plan
    topics = ["rsvp"] if plan.answers or plan.invitations or plan.new_meals or plan.new_events else []
    return [*topics, "seating"] if plan.seats else topics


def guests_import(
    *,
    wedding: Wedding,
    content: bytes,
    filename: str = "",
    fmt: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    mapping: m.Mapping | None = None,
    sheet: str | None = None,
    header_line: int | None = None,
    header_rows: int | None = None,
    skip_bad_rows: bool = False,
    remember_mapping: bool = False,
) -> ImportReport:
    """Import a guest list into `wedding` (see the module docstring for the contract).

    Raises ImportFileError when the file as a whole cannot be read; bad rows
    are reported in the returned ImportReport. `mapping` is the planner's
    (guessed when None); `sheet`, `header_line` and `header_rows` override what
    reading detects. `remember_mapping` saves the mapping for the wedding's next
    import, in the import's transaction and change. `progress(done, total)` is
    called as rows are checked and written. Who acts is taken from `realtime.context` (set it with `acting_as`).
    """
    table = table_read(
        content=content, filename=filename, fmt=fmt, sheet=sheet, header_line=header_line,
        header_rows=header_rows, known=m.header_known,
    )
    if mapping is None:
        mapping = table_mapping(table=table, wedding=wedding)
    mapping.columns = (mapping.columns + [m.IGNORE] * len(table.headers))[: len(table.headers)]
    if not any(key in mapping.columns for key in REQUIRED_ANY):
        found = ", ".join(f"“{h}”" for h in table.headers if not h.startswith("Column ")) or "nothing"
        raise ImportFileError(
            "No column holds the guests' names: the header has no first_name column (or full name). "
            f"Found: {found}. Map a column to “First name” or “Full name”."
        )
    if not table.rows:
        raise ImportFileError("The file has a header but no guests.")
    ignored = [h for h, key in zip(table.headers, mapping.columns, strict=True) if not key]
    total = len(table.rows) * 2

    def check() -> tuple[ImportReport, Planner]:
        report = ImportReport(
            filename=filename, dry_run=dry_run, ignored_columns=ignored, notes=list(table.notes),
            headers=table.headers, mapping=mapping, skip_bad_rows=skip_bad_rows,
        )
        context = Context(wedding, mapping)
        entries, bad = entries_build(table, context)
        households_group(entries, grouping=mapping.grouping)
        order = list(context.new_events)
        planner = Planner(wedding=wedding, index=Index(wedding), group_values=group_values(entries), event_order=order)
        results: list[RowResult] = [
            RowResult(line=b.line, outcome="error", household=b.household, name=b.name, errors=b.errors) for b in bad
        ]
        for number, entry in enumerate(entries, start=1):
            results.append(planner.plan_entry(entry))
            if progress and number % BATCH == 0:
                progress(min(number, len(table.rows)), total)
        bad_lines = {r.line for r in results if r.outcome == "error"}
        while bad_lines and skip_bad_rows:
            # A row is taken whole: plan again without every line that has an error (until
            # no new one appears: leaving a row out can, rarely, change another's outcome).
            planner = Planner(
                wedding=wedding, index=Index(wedding),
                group_values=group_values([e for e in entries if e.line not in bad_lines]), event_order=order,
            )
            good = [planner.plan_entry(e) for e in entries if e.line not in bad_lines]
            errors = [r for r in results if r.line in bad_lines and r.outcome == "error"]
            results = errors + good
            newly_bad = {r.line for r in good if r.outcome == "error"}
            if not newly_bad:
                break
            bad_lines |= newly_bad
        # A new wedding gets every event the file has a column for, answered or not (a backup's).
        for name in context.new_events.values():
            planner.event_key(name)
        results.sort(key=lambda r: r.line)
        report.rows = results
        reasons: dict[int, list[str]] = {}
        for r in results:
            if r.outcome == "error":
                reasons.setdefault(r.line, []).extend(r.errors)
        cells = dict(table.rows)
        report.bad_rows = [(line, cells[line], "; ".join(reasons[line])) for line in sorted(reasons)]
        for event in planner.plan.new_events.values():
            report.notes.append(f"Creates the event “{event.name}” (the file names it; set its date and place after).")
        for meal in planner.plan.new_meals.values():
            report.notes.append(f"Creates the meal “{meal.name}”.")
        if progress:
            progress(len(table.rows), total)
        return report, planner

    def nothing_to_write(report: ImportReport) -> bool:
        counts = report.counts
        if report.errors and not skip_bad_rows:
            return True
        return dry_run or not (counts["create"] or counts["update"])

    # Rows are checked before the write transaction opens, so a long check never
    # holds the database's write lock (SQLite has one for the whole file, and the
    # progress bar's requests need it). The wedding's version says whether anything
    # changed meanwhile; if so, the check is redone under the wedding's row lock.
    version = Wedding.objects.filter(pk=wedding.pk).values_list("version", flat=True).first()
    report, planner = check()
    if nothing_to_write(report):
        return report
    with transaction.atomic():
        locked = Wedding.objects.select_for_update().filter(pk=wedding.pk).values_list("version", flat=True)
        if list(locked) != [version]:
            report, planner = check()
            if nothing_to_write(report):
                return report

        def forward(done: int, _total: int) -> None:
            if progress:
                progress(len(table.rows) + min(done, len(table.rows)), total)

        counts = report.counts
        summary = f"Imported the guest list {filename}".strip() + (
            f": {counts['create']} added, {counts['update']} updated"
        )

        def remember() -> None:
            if remember_mapping:
                mapping_remember(wedding=wedding, headers=table.headers, mapping=mapping)

        plan_write(
            wedding=wedding, plan=planner.plan, index=planner.index, progress=forward, total=len(table.rows),
            summary=summary, action="create" if not counts["update"] else "update",
            also_topics=_side_topics(planner), also=remember,
        )
        report.imported = True
    return report
