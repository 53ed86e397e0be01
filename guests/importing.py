"""Guest list import from CSV or XLSX: validate every row, then write all of it or nothing.

Contract of `guests_import()`:

* Every row gets an outcome: create, update, unchanged or error (with its
  line number in the file and the reason). While any row is bad nothing is
  written; a dry run never writes.
* Matching makes a re-import idempotent: a household by its name within the
  wedding (case-insensitive), a guest by household + name, or else by an
  email already on a guest of that household. A second row for the same guest
  is an error. Possible duplicates (the same name in another household, an
  email already used by another guest) are flagged, not refused.
* Columns present in the file are the truth for those fields (an empty cell
  clears the field); absent columns leave fields alone. Tags and events are
  added, never removed: uninviting someone is a deliberate act in the admin.
* Rows are checked outside the write transaction (a long check never holds
  SQLite's write lock); the writes are one transaction, under the wedding's
  row lock, checked again if the wedding changed meanwhile (its version).
  The whole import is ONE change for live pages (one Change row, one
  message), however many rows it has; writes are bulk.

Reading: XLSX through tablib (openpyxl underneath). CSV through the standard
`csv` module, because the report needs each record's real line number and
tablib drops blank lines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from guests.codes import new_code
from guests.exporting import GUEST_COLUMNS
from guests.models import Guest, Household, Tag
from realtime import live
from rsvp.models import Invitation
from wedding.core.models import Event, Wedding

COLUMNS = GUEST_COLUMNS
REQUIRED = ("first_name",)
# Header spellings planners' spreadsheets use → our column.
ALIASES = {
    "household_name": "household", "family": "household", "party": "household",
    "first": "first_name", "firstname": "first_name", "given_name": "first_name", "name": "first_name",
    "last": "last_name", "lastname": "last_name", "surname": "last_name", "family_name": "last_name",
    "e_mail": "email", "email_address": "email", "mail": "email",
    "telephone": "phone", "phone_number": "phone", "mobile": "phone",
    "age": "age_group", "agegroup": "age_group",
    "diet": "dietary_notes", "dietary": "dietary_notes", "dietary_needs": "dietary_notes",
    "dietary_requirements": "dietary_notes", "allergies": "dietary_notes",
    "event": "events", "events_invited_to": "events", "invited_to": "events", "invitations": "events",
    "tag": "tags",
}
SEPARATORS = (";", "|")
FORMATS = ("csv", "xlsx")
MAX_LENGTHS = {
    "household": Household._meta.get_field("name").max_length,
    "first_name": Guest._meta.get_field("first_name").max_length,
    "last_name": Guest._meta.get_field("last_name").max_length,
    "email": Guest._meta.get_field("email").max_length,
    "phone": Guest._meta.get_field("phone").max_length,
    "dietary_notes": Guest._meta.get_field("dietary_notes").max_length,
}
TAG_MAX = Tag._meta.get_field("name").max_length
# Guest fields the file can set (tags and events are handled apart).
GUEST_FIELDS = ("email", "phone", "age_group", "side", "dietary_notes")
BATCH = 500

Progress = Callable[[int, int], None]


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, wrong format, no usable header)."""


@dataclass
class RowResult:
    line: int
    outcome: str  # "create" | "update" | "unchanged" | "error"
    household: str = ""
    name: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.errors:
            return "; ".join(self.errors)
        parts = []
        if self.changes:
            parts.append("changes " + ", ".join(self.changes))
        parts += self.warnings
        return "; ".join(parts)


@dataclass
class ImportReport:
    filename: str
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)
    imported: bool = False
    ignored_columns: list[str] = field(default_factory=list)

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
            f"{len(self.rows)} row(s): {c['create']} to create, {c['update']} to update, "
            f"{c['unchanged']} unchanged, {c['error']} with errors"
        )
        if self.errors:
            return f"{text}. Nothing was imported: fix the rows with errors and import again."
        if self.dry_run:
            return f"{text}. Dry run: nothing was imported."
        return f"{text}. Imported." if self.imported else f"{text}. Nothing to change."

    def as_dict(self) -> dict[str, Any]:
        """A plain, cacheable form (the admin keeps it between requests)."""
        return {
            "filename": self.filename, "dry_run": self.dry_run, "imported": self.imported,
            "ignored_columns": self.ignored_columns, "summary": self.summary(), "counts": self.counts,
            "rows": [
                {"line": r.line, "outcome": r.outcome, "household": r.household, "name": r.name,
                 "message": r.message, "errors": r.errors, "warnings": r.warnings}
                for r in self.rows
            ],
        }


# --- reading -------------------------------------------------------------------


def _normalize_header(value: Any) -> str:
    text = str(value or "").strip().lower().replace("-", " ").replace(".", " ")
    key = "_".join(text.split())
    return ALIASES.get(key, key)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a spreadsheet
    return str(value).strip()


def format_for(filename: str, fmt: str | None = None) -> str:
    fmt = (fmt or Path(filename).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ImportFileError(
            f"“{filename or 'the file'}” is not a CSV or XLSX file; save it as .csv or .xlsx (or name the format)."
        )
    return fmt


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("The CSV file is not UTF-8 text; save it as “CSV UTF-8”.")


def _csv_rows(content: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(content)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    start = 1
    try:
        for record in reader:
            rows.append((start, record))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(f"The CSV file cannot be read near line {reader.line_num}: {error}.") from None
    return rows


def _xlsx_rows(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        dataset = tablib.Dataset().load(content, format="xlsx", headers=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportFileError(f"The XLSX file cannot be read ({type(error).__name__}); is it an Excel workbook?") from None
    return [(index + 1, list(row)) for index, row in enumerate(dataset)]


def rows_read(*, content: bytes, filename: str = "", fmt: str | None = None) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[str]]:
    """(columns, [(line, {column: value})], ignored headers) of a CSV or XLSX file.

    Raises ImportFileError for an unreadable file or a header without the required columns.
    """
    fmt = format_for(filename, fmt)
    raw = _csv_rows(content) if fmt == "csv" else _xlsx_rows(content)
    raw = [(line, [_cell(v) for v in values]) for line, values in raw]
    # The header is the first non-blank row.
    while raw and not any(raw[0][1]):
        raw.pop(0)
    if not raw:
        raise ImportFileError("The file is empty: expected a header row with the columns " + ", ".join(COLUMNS) + ".")
    _header_line, header = raw[0]
    columns = [_normalize_header(h) for h in header]
    known = [c for c in columns if c in COLUMNS]
    duplicated = sorted({c for c in known if known.count(c) > 1})
    if duplicated:
        raise ImportFileError(f"The header names these columns twice: {', '.join(duplicated)}.")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ImportFileError(
            f"The header has no {', '.join(missing)} column. Expected columns: {', '.join(COLUMNS)} "
            f"(found: {', '.join(str(h) for h in header if h) or 'nothing'})."
        )
    ignored = [str(h) for h, c in zip(header, columns, strict=True) if h and c not in COLUMNS]
    rows = []
    for line, values in raw[1:]:
        if not any(values):
            continue
        rows.append((line, {c: (values[i] if i < len(values) else "") for i, c in enumerate(columns) if c in COLUMNS}))
    return [c for c in columns if c in COLUMNS], rows, ignored


# --- planning ------------------------------------------------------------------


def _split(value: str) -> list[str]:
    items = [value]
    for separator in SEPARATORS:
        items = [part for item in items for part in item.split(separator)]
    seen: dict[str, str] = {}
    for item in (i.strip() for i in items):
        if item and item.casefold() not in seen:
            seen[item.casefold()] = item
    return list(seen.values())


def _choice(value: str, choices: type, label: str) -> tuple[str | None, str | None]:
    """(stored value, error) for a choice given by value or by label, any case."""
    folded = value.casefold()
    for stored, display in choices.choices:
        if folded in (stored.casefold(), str(display).casefold()):
            return stored, None
    allowed = ", ".join(str(display) for _, display in choices.choices)
    return None, f"{label} “{value}” is not one of: {allowed}"


@dataclass
class _Plan:
    """What the import will write, built without writing anything."""

    new_households: dict[str, Household] = field(default_factory=dict)  # casefolded name → unsaved
    new_guests: list[Guest] = field(default_factory=list)
    updated: dict[int, tuple[Guest, list[str]]] = field(default_factory=dict)  # pk → (guest, fields)
    new_tags: dict[str, Tag] = field(default_factory=dict)
    # (guest object, tag casefolded name) and (guest object, event id) links to add.
    tag_links: list[tuple[Guest, str]] = field(default_factory=list)
    invitations: list[tuple[Guest, int]] = field(default_factory=list)


class _Index:
    """The wedding's existing households, guests, tags, events and links, read in a few queries."""

    def __init__(self, wedding: Wedding) -> None:
        self.households = {h.name.strip().casefold(): h for h in Household.objects.filter(wedding=wedding)}
        guests = list(Guest.objects.filter(wedding=wedding))
        self.by_household_name: dict[tuple[int, str, str], Guest] = {}
        self.by_household_email: dict[tuple[int, str], Guest] = {}
        self.by_name: dict[tuple[str, str], list[Guest]] = {}
        self.by_email: dict[str, list[Guest]] = {}
        for guest in guests:
            name = (guest.first_name.strip().casefold(), guest.last_name.strip().casefold())
            self.by_household_name.setdefault((guest.household_id, *name), guest)
            self.by_name.setdefault(name, []).append(guest)
            if guest.email:
                email = guest.email.strip().casefold()
                self.by_household_email.setdefault((guest.household_id, email), guest)
                self.by_email.setdefault(email, []).append(guest)
        self.tags = {t.name.strip().casefold(): t for t in Tag.objects.filter(wedding=wedding)}
        self.events = {e.name.strip().casefold(): e for e in Event.objects.filter(wedding=wedding)}
        through = Guest.tags.through
        self.guest_tags: set[tuple[int, int]] = set(
            through.objects.filter(guest__wedding=wedding).values_list("guest_id", "tag_id")
        )
        self.invited: set[tuple[int, int]] = set(
            Invitation.objects.filter(wedding=wedding).values_list("guest_id", "event_id")
        )
        self.household_names = {h.pk: h.name for h in self.households.values()}


def _plan_row(
    *, line: int, values: dict[str, str], columns: list[str], wedding: Wedding, index: _Index,
    plan: _Plan, seen_guests: dict[Any, int], file_names: dict[tuple[str, str], list[tuple[str, int]]],
    file_emails: dict[str, list[tuple[str, int]]],
) -> RowResult:
    first, last = values.get("first_name", ""), values.get("last_name", "")
    household_name = " ".join(values.get("household", "").split()) or f"{first} {last}".strip()
    result = RowResult(line=line, outcome="error", household=household_name, name=f"{first} {last}".strip())
    errors = result.errors

    if not first:
        errors.append("first name is missing")
    for column, limit in MAX_LENGTHS.items():
        value = household_name if column == "household" else values.get(column, "")
        if limit and len(value) > limit:
            errors.append(f"{column.replace('_', ' ')} is longer than {limit} characters")
    email = values.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(f"email “{email}” is not a valid address")
    wanted: dict[str, str] = {}
    for column in GUEST_FIELDS:
        if column in columns:
            wanted[column] = values.get(column, "")
    for column, choices, label in (("age_group", Guest.AgeGroup, "age group"), ("side", Guest.Side, "side")):
        if column not in wanted:
            continue
        if not wanted[column]:
            wanted[column] = Guest._meta.get_field(column).default
            continue
        stored, error = _choice(wanted[column], choices, label)
        if error:
            errors.append(error)
        else:
            wanted[column] = stored
    tags = _split(values.get("tags", "")) if "tags" in columns else []
    for tag in tags:
        if len(tag) > TAG_MAX:
            errors.append(f"tag “{tag[:20]}…” is longer than {TAG_MAX} characters")
    event_ids: list[int] = []
    for name in _split(values.get("events", "")) if "events" in columns else []:
        event = index.events.get(name.casefold())
        if event is None:
            known = ", ".join(e.name for e in index.events.values()) or "none yet"
            errors.append(f"event “{name}” does not exist (events: {known})")
        else:
            event_ids.append(event.pk)

    # Which guest is this row?
    household_key = household_name.casefold()
    household = index.households.get(household_key)
    first_key, last_key = first.casefold(), last.casefold()
    guest = None
    if household is not None:
        guest = index.by_household_name.get((household.pk, first_key, last_key))
        if guest is None and email:
            guest = index.by_household_email.get((household.pk, email.casefold()))
    identity: Any = ("guest", guest.pk) if guest is not None else ("new", household_key, first_key, last_key)
    if first and identity in seen_guests:
        errors.append(f"same guest as line {seen_guests[identity]}")
    if errors:
        return result
    seen_guests[identity] = line

    # Possible duplicates: flagged for the planner, not refused.
    for other in index.by_name.get((first_key, last_key), []):
        if other is not guest and other.household_id != getattr(household, "pk", None):
            result.warnings.append(
                f"possible duplicate: {other.full_name} is already a guest in {index.household_names.get(other.household_id, 'another household')}"
            )
            break
    for other_household, other_line in file_names.get((first_key, last_key), []):
        if other_household != household_key:
            result.warnings.append(f"possible duplicate: the same name is on line {other_line} in another household")
            break
    if email:
        for other in index.by_email.get(email.casefold(), []):
            if other is not guest:
                result.warnings.append(f"possible duplicate: {other.full_name} already has the email {email}")
                break
        for _other_household, other_line in file_emails.get(email.casefold(), []):
            result.warnings.append(f"possible duplicate: the same email is on line {other_line}")
            break
    file_names.setdefault((first_key, last_key), []).append((household_key, line))
    if email:
        file_emails.setdefault(email.casefold(), []).append((household_key, line))

    # What changes.
    if guest is None:
        if household is None:
            household = plan.new_households.get(household_key)
            if household is None:
                household = Household(wedding=wedding, name=household_name)
                plan.new_households[household_key] = household
        guest = Guest(wedding=wedding, first_name=first, last_name=last)
        guest._import_household = household  # resolved to an id once households are saved
        for column, value in wanted.items():
            setattr(guest, column, value)
        plan.new_guests.append(guest)
        result.outcome = "create"
    else:
        changed = [c for c, v in wanted.items() if getattr(guest, c) != v]
        if guest.first_name != first or guest.last_name != last:  # matched by email
            changed += [c for c in ("first_name", "last_name") if getattr(guest, c) != values.get(c, "")]
            guest.first_name, guest.last_name = first, last
        for column in changed:
            if column in wanted:
                setattr(guest, column, wanted[column])
        if changed:
            plan.updated[guest.pk] = (guest, changed)
        result.changes = [c.replace("_", " ") for c in changed]
    for tag in tags:
        existing = index.tags.get(tag.casefold())
        if existing is None or guest.pk is None or (guest.pk, existing.pk) not in index.guest_tags:
            if existing is None and tag.casefold() not in plan.new_tags:
                plan.new_tags[tag.casefold()] = Tag(wedding=wedding, name=tag)
            plan.tag_links.append((guest, tag.casefold()))
            if guest.pk is not None:
                result.changes.append(f"tag {tag}")
    for event_id in event_ids:
        if guest.pk is None or (guest.pk, event_id) not in index.invited:
            plan.invitations.append((guest, event_id))
            if guest.pk is not None:
                name = next(e.name for e in index.events.values() if e.pk == event_id)
                result.changes.append(f"invited to {name}")
    if result.outcome != "create":
        result.outcome = "update" if result.changes else "unchanged"
    return result


# --- writing -------------------------------------------------------------------


def _write(*, wedding: Wedding, plan: _Plan, index: _Index, progress: Progress | None, total: int) -> list[int]:
    """Apply the plan with bulk writes. Call inside the import's transaction. Returns guest ids."""
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(min(done, total), total)

    households = list(plan.new_households.values())
    if households:
        codes = set()
        while len(codes) < len(households):
            codes.add(new_code())
        # Codes are ~46 random bits: a clash with an existing one is astronomically
        # rare, but checking costs one query.
        while taken := set(Household.objects.filter(invitation_code__in=codes).values_list("invitation_code", flat=True)):
            codes -= taken
            while len(codes) < len(households):
                codes.add(new_code())
        for household, code in zip(households, sorted(codes), strict=True):
            household.invitation_code = code
        Household.objects.bulk_create(households, batch_size=BATCH)
    for guest in plan.new_guests:
        guest.household_id = guest._import_household.pk
    for start in range(0, len(plan.new_guests), BATCH):
        batch = plan.new_guests[start:start + BATCH]
        Guest.objects.bulk_create(batch)
        step(len(batch))
    if plan.updated:
        by_fields: dict[tuple[str, ...], list[Guest]] = {}
        for guest, fields in plan.updated.values():
            by_fields.setdefault(tuple(sorted(set(fields))), []).append(guest)
        for fields, guests in by_fields.items():
            Guest.objects.bulk_update(guests, [*fields, "updated_at"] if fields else ["updated_at"], batch_size=BATCH)
            step(len(guests))
    if plan.new_tags:
        Tag.objects.bulk_create(list(plan.new_tags.values()))
        index.tags.update(plan.new_tags)
    if plan.tag_links:
        through = Guest.tags.through
        links = {(guest.pk, index.tags[key].pk) for guest, key in plan.tag_links}
        through.objects.bulk_create(
            [through(guest_id=g, tag_id=t) for g, t in sorted(links)], batch_size=BATCH, ignore_conflicts=True
        )
    if plan.invitations:
        from rsvp.services import invitations_create

        by_event: dict[int, dict[int, Guest]] = {}
        for guest, event_id in plan.invitations:
            by_event.setdefault(event_id, {})[guest.pk] = guest
        events = {e.pk: e for e in index.events.values()}
        for event_id, guests in by_event.items():
            invitations_create(guests=list(guests.values()), event=events[event_id])
    step(total)
    changed = {g.pk for g in plan.new_guests} | set(plan.updated)
    changed |= {guest.pk for guest, _ in plan.tag_links} | {guest.pk for guest, _ in plan.invitations}
    return sorted(changed)


def guests_import(
    *,
    wedding: Wedding,
    content: bytes,
    filename: str = "",
    fmt: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a guest list into `wedding` (see the module docstring for the contract).

    Raises ImportFileError when the file as a whole cannot be read; bad rows
    are reported in the returned ImportReport (and nothing is written).
    `progress(done, total)` is called as rows are checked and written.
    Who acts is taken from `realtime.context` (set it with `acting_as`).
    """
    columns, rows, ignored = rows_read(content=content, filename=filename, fmt=fmt)
    if not rows:
        raise ImportFileError("The file has a header but no guests.")
    # Checking and writing are each half of the work a progress bar shows.
    total = len(rows) * 2

    def check() -> tuple[ImportReport, _Plan, _Index]:
        report = ImportReport(filename=filename, dry_run=dry_run, ignored_columns=ignored)
        index, plan = _Index(wedding), _Plan()
        seen: dict[Any, int] = {}
        names: dict[tuple[str, str], list[tuple[str, int]]] = {}
        emails: dict[str, list[tuple[str, int]]] = {}
        for number, (line, values) in enumerate(rows, start=1):
            report.rows.append(
                _plan_row(
                    line=line, values=values, columns=columns, wedding=wedding, index=index, plan=plan,
                    seen_guests=seen, file_names=names, file_emails=emails,
                )
            )
            if progress and number % BATCH == 0:
                progress(number, total)
        if progress:
            progress(len(rows), total)
        return report, plan, index

    def nothing_to_write(report: ImportReport) -> bool:
        counts = report.counts
        return dry_run or bool(report.errors) or not (counts["create"] or counts["update"])

    # Rows are checked before the write transaction opens, so a long check never
    # holds the database's write lock (SQLite has one for the whole file, and the
    # progress bar's requests need it). The wedding's version says whether anything
    # changed meanwhile; if so, the check is redone under the wedding's row lock.
    version = Wedding.objects.filter(pk=wedding.pk).values_list("version", flat=True).first()
    report, plan, index = check()
    if nothing_to_write(report):
        return report
    with transaction.atomic():
        locked = Wedding.objects.select_for_update().filter(pk=wedding.pk).values_list("version", flat=True)
        if list(locked) != [version]:
            report, plan, index = check()
            if nothing_to_write(report):
                return report

        def forward(done: int, _total: int) -> None:
            if progress:
                progress(len(rows) + min(done, len(rows)), total)

        counts = report.counts
        summary = f"Imported the guest list {filename}".strip() + (
            f": {counts['create']} added, {counts['update']} updated"
        )
        with live.bulk_change(
            wedding_id=wedding.pk, topic="guest", action="create" if not counts["update"] else "update",
            model="guests.guest", summary=summary,
        ) as ids:
            ids.extend(_write(wedding=wedding, plan=plan, index=index, progress=forward, total=len(rows)))
        report.imported = True
    return report
