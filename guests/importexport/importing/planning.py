"""From a mapped table to a plan: who the guests are, which household each joins, what changes.

Nothing here writes. `entries_build()` turns each file row into the people it
names (a row for a couple or family becomes several guests) with its errors
in the planner's words; `households_group()` decides households; `plan_entry()`
compares each person with the wedding's guest list (read once by `Index`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from guests.importexport.importing import mapping as m
from guests.importexport.importing import reading
from guests.models import Guest, Household, Tag
from rsvp.models import Invitation, MealOption, Response
from seating.models import Seat, Table
from wedding.core.models import Event, Wedding
from wedding.core.spreadsheets import FORMULA_LEADERS

SEPARATORS = (";", "|")
MAX_LENGTHS = {
    "household": Household._meta.get_field("name").max_length,
    "first_name": Guest._meta.get_field("first_name").max_length,
    "last_name": Guest._meta.get_field("last_name").max_length,
    "email": Guest._meta.get_field("email").max_length,
    "phone": Guest._meta.get_field("phone").max_length,
    "dietary_notes": Guest._meta.get_field("dietary_notes").max_length,
    "household_phone": Household._meta.get_field("phone").max_length,
    "household_key": Household._meta.get_field("key").max_length,
}
TAG_MAX = Tag._meta.get_field("name").max_length
EVENT_MAX = Event._meta.get_field("name").max_length
MEAL_MAX = MealOption._meta.get_field("name").max_length
TABLE_MAX = Table._meta.get_field("name").max_length
# Guest fields the file can set (tags, events and answers are handled apart).
GUEST_FIELDS = ("email", "phone", "age_group", "side", "dietary_notes", "notes", "directory_opt_in", "is_plus_one")
HOUSEHOLD_FIELDS = ("address", "household_email", "household_phone", "household_notes", "plus_ones_allowed")
HOUSEHOLD_ATTRS = {"address": "address", "household_email": "email", "household_phone": "phone",
                   "household_notes": "notes", "plus_ones_allowed": "plus_ones_allowed"}
BOOL_FIELDS = {"directory_opt_in", "is_plus_one"}
# Escape our own export adds before a cell a spreadsheet would execute (see wedding.core.spreadsheets.spreadsheet_safe).
# "'\n" too: XLSX (XML) stores an escaped leading CR as a line feed.
ESCAPED = (*("'" + leader for leader in FORMULA_LEADERS), "'\n")


def unescape(value: str) -> str:
    return value[1:] if value.startswith(ESCAPED) else value


def list_split(value: str) -> list[str]:
    items = [value]
    for separator in SEPARATORS:
        items = [part for item in items for part in item.split(separator)]
    seen: dict[str, str] = {}
    for item in (i.strip() for i in items):
        if item and item.casefold() not in seen:
            seen[item.casefold()] = item
    return list(seen.values())


@dataclass
class Entry:
    """One guest-to-be from one file row."""

    line: int
    first_name: str
    last_name: str
    role: str = "main"
    household_name: str = ""  # from the file (column or a couple's names); "" = decided by grouping
    household_key: str = ""
    group: str = ""  # casefolded household identity within the file
    values: dict[str, Any] = field(default_factory=dict)  # guest fields the file sets
    household_values: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    answers: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # event → (status, meal)
    tables: dict[str, str] = field(default_factory=dict)  # event → table name
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class LineError:
    line: int
    errors: list[str]
    household: str = ""
    name: str = ""


class Context:
    """What building entries needs to know about the wedding (read once)."""

    def __init__(self, wedding: Wedding, mapping: m.Mapping) -> None:
        self.wedding = wedding
        self.mapping = mapping
        self.couple = m.couple_names(wedding.name)
        self.events = {e.name.strip().casefold(): e for e in Event.objects.filter(wedding=wedding)}
        self.new_events: dict[str, str] = {}  # casefolded → name, events the file names that do not exist
        # A new wedding's events are created in the order of the file's per-event columns.
        for key in mapping.columns:
            if ":" in key:
                self.event_name(key.partition(":")[2])

    def event_name(self, name: str) -> str | None:
        """The event's name as the wedding spells it; None if the wedding has events and not this one.

        A wedding without events (a backup imported into a new wedding) gets the ones the file names.
        """
        key = name.strip().casefold()
        if key in self.events:
            return self.events[key].name
        if self.events:
            return None
        return self.new_events.setdefault(key, " ".join(name.split()))

    def unknown_event(self, name: str) -> str:
        known = ", ".join(e.name for e in self.events.values())
        return f"event “{name}” does not exist (events: {known}); create it first or correct the name"

    def value(self, kind: str, raw: str) -> str | None:
        chosen = self.mapping.values.get(kind, {}).get(m.fold(raw))
        return chosen if chosen else m.value_guess(kind, raw, self.couple)


_CHOICES = {"side": Guest.Side, "age_group": Guest.AgeGroup, "rsvp": Response.Status}
_KIND_WORDS = {"side": "a side", "age_group": "an age group", "rsvp": "an RSVP answer"}


def _choice(ctx: Context, kind: str, raw: str, column: str) -> tuple[str | None, str | None]:
    stored = ctx.value(kind, raw)
    if stored is None:
        for value, label in _CHOICES[kind].choices:
            if m.fold(raw) in (m.fold(value), m.fold(str(label))):
                return value, None
        allowed = ", ".join(str(label) for _, label in _CHOICES[kind].choices)
        return None, (f"column “{column}”: “{raw}” is not {_KIND_WORDS[kind]} Confetti knows "
                      f"(choose what it means on the preview, or use one of: {allowed})")
    return stored, None


def entries_build(table: reading.Table, ctx: Context) -> tuple[list[Entry], list[LineError]]:
    """The people each row names, or the row's errors (a row is taken whole or not at all)."""
    columns = ctx.mapping.columns
    headers = table.headers
    present = {c for c in columns if c}
    entries: list[Entry] = []
    bad: list[LineError] = []
    for line, cells in table.rows:
        values: dict[str, list[tuple[str, str]]] = {}  # field → [(header, value)]
        for index, key in enumerate(columns):
            if key and index < len(cells):
                values.setdefault(key, []).append((headers[index], unescape(cells[index].strip())))
        row, errors = _row_entries(line, values, present, ctx)
        if errors:
            first = row[0] if row else None
            bad.append(LineError(line, errors, first.household_name if first else "", first.name if first else ""))
        else:
            entries.extend(row)
    return entries, bad


def _one(values: dict[str, list[tuple[str, str]]], key: str) -> str:
    return " ".join(v for _, v in values.get(key, []) if v)


class _Row:
    """One file row being read: its cells by field, and what is wrong with it so far."""

    def __init__(self, line: int, values: dict[str, list[tuple[str, str]]], present: set[str], ctx: Context) -> None:
        self.line, self.values, self.present, self.ctx = line, values, present, ctx
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.plus_ones_allowed: int | None = None

    def one(self, key: str) -> str:
        return _one(self.values, key)

    def header(self, key: str) -> str:
        return self.values[key][0][0]

    def people(self) -> list[m.Person]:
        """Everyone the row names: the main guest (or a couple/family in one cell), partner, others, children, plus-one."""
        values, split = self.values, self.ctx.mapping.split_couples
        first, last, full = self.one("first_name"), self.one("last_name"), self.one("full_name")
        people: list[m.Person] = []
        if first:
            if split and m._AND.search(first):
                people = m.people_split(first, last_name=last)
            else:
                people = [m.Person(first, last)]
                if m.looks_like_full_name(first, last):
                    self.warnings.append(
                        f"column “{self.header('first_name')}”: “{first}” looks like a whole name in a first-name column"
                    )
        elif "full_name" in self.present:
            people = m.people_split(full, last_name=last) if split else (
                [m.Person(*m.name_split(full))] if full else []
            )
            if last:
                people = [m.Person(p.first_name, p.last_name or last, p.role, p.note) for p in people]
        main_last = people[0].last_name if people else last
        partner, partner_full = self.one("partner_first_name"), self.one("partner_name")
        if partner:
            people.append(m.Person(partner, self.one("partner_last_name") or main_last, role="partner"))
        elif partner_full:
            p_first, p_last = m.name_split(partner_full)
            people.append(m.Person(p_first, p_last or main_last, role="partner"))
        for _header, cell in values.get("member_name", []):
            if cell:
                o_first, o_last = m.name_split(cell)
                people.append(m.Person(o_first, o_last or main_last, role="member"))
        for _header, cell in values.get("child_name", []):
            for name in [n for n in cell.replace(" and ", ",").replace("&", ",").replace(";", ",").split(",") if n.strip()]:
                c_first, c_last = m.name_split(name)
                people.append(m.Person(c_first, c_last or main_last, role="child"))
        plus_one = self.one("plus_one_name")
        if plus_one:
            if m.bool_guess(plus_one) is not None or m.fold(plus_one) in {"guest", "tbd", "plus one", "and guest"}:
                self.plus_ones_allowed = 1 if m.bool_guess(plus_one) is not False else 0
            else:
                p_first, p_last = m.name_split(plus_one)
                people.append(m.Person(p_first, p_last, role="plus_one"))
        if not people and full and not first:
            self.errors.append(f"“{full}” names a household, not the people in it: write their names")
        elif not people or not people[0].first_name:
            what = "first name" if "first_name" in self.present or "full_name" not in self.present else "name"
            self.errors.append(f"{what} is missing")
        for person in people:
            for part in ("first_name", "last_name"):
                if len(getattr(person, part)) > MAX_LENGTHS[part]:
                    self.errors.append(
                        f"{part.replace('_', ' ')} of {person.first_name[:20]} is longer than {MAX_LENGTHS[part]} characters"
                    )
        return people

    def guest_fields(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(fields for everyone of the row, fields for its main guest only)."""
        shared: dict[str, Any] = {}
        own: dict[str, Any] = {}
        for key in GUEST_FIELDS:
            if key not in self.present:
                continue
            joined = key in ("dietary_notes", "notes")
            raw = "; ".join(v for _, v in self.values[key] if v) if joined else self.one(key)
            header = self.header(key)
            if key in ("side", "age_group"):
                stored, error = _choice(self.ctx, key, raw, header) if raw else (Guest._meta.get_field(key).default, None)
                if error:
                    self.errors.append(error)
                (shared if key == "side" else own)[key] = stored
            elif key in BOOL_FIELDS:
                flag = m.bool_guess(raw)
                if flag is None:
                    self.errors.append(f"column “{header}”: “{raw}” is neither yes nor no")
                own[key] = bool(flag)
            else:
                own[key] = raw
        email = own.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.errors.append(f"email “{email}” is not a valid address")
        return shared, own

    def tags(self) -> list[str]:
        tags = list_split(";".join(v for _, v in self.values.get("tags", []))) if "tags" in self.present else []
        for tag in tags:
            if len(tag) > TAG_MAX:
                self.errors.append(f"tag “{tag[:20]}…” is longer than {TAG_MAX} characters")
        return tags

    def events(self) -> tuple[list[str], dict[str, tuple[str | None, str]], dict[str, str]]:
        """(events invited to, event → (RSVP status, meal), event → table), by the wedding's event names."""
        ctx, errors = self.ctx, self.errors
        events: list[str] = []
        for name in list_split(self.one("events")) if "events" in self.present else []:
            if len(name) > EVENT_MAX:
                errors.append(f"event “{name[:20]}…” is longer than {EVENT_MAX} characters")
            elif ctx.event_name(name) is None:
                errors.append(ctx.unknown_event(name))
            else:
                events.append(ctx.event_name(name))
        answers: dict[str, tuple[str | None, str]] = {}
        tables: dict[str, str] = {}

        def invite(name: str) -> None:
            if name not in events:
                events.append(name)

        for key, cells in self.values.items():
            what, _, event = key.partition(":")
            if not event or not any(v for _, v in cells):
                continue
            header, raw = cells[0]
            name = ctx.event_name(event)
            if name is None:
                errors.append(f"column “{header}”: " + ctx.unknown_event(event))
                continue
            if what == "invited" and m.bool_guess(raw) is not None:
                if m.bool_guess(raw):
                    invite(name)
            elif what in ("invited", "rsvp"):
                status, error = _choice(ctx, "rsvp", raw, header)
                if error:
                    errors.append(error)
                    continue
                answers[name] = (status, answers.get(name, (None, ""))[1])
                invite(name)
            elif what in ("table", "meal"):
                limit = TABLE_MAX if what == "table" else MEAL_MAX
                if len(raw) > limit:
                    errors.append(f"column “{header}”: the {what} name is longer than {limit} characters")
                elif what == "table":
                    tables[name] = raw
                    invite(name)
                else:
                    answers[name] = (answers.get(name, (None, ""))[0], raw)
        generic = self.one("rsvp")
        if generic:
            status, error = _choice(ctx, "rsvp", generic, self.header("rsvp"))
            if error:
                errors.append(error)
            else:
                targets = events or [e.name for e in ctx.events.values()]
                if not targets:
                    self.warnings.append("the RSVP is not recorded: the wedding has no events yet")
                for name in list(targets):
                    answers.setdefault(name, (status, ""))
                    invite(name)
        for name, (status, meal) in answers.items():
            if meal and status not in (None, Response.Status.ATTENDING):
                errors.append(f"a meal is chosen for {name} but the answer is not “attending”")
        return events, answers, tables

    def household(self) -> dict[str, Any]:
        """The household fields the row sets (address, contact, plus-ones, notes)."""
        present = self.present
        household: dict[str, Any] = {}
        if "address" in present or {"address_line", "city", "state", "zip", "country"} & present:
            household["address"] = _address(self.values)
        for name in ("household_email", "household_phone", "household_notes"):
            if name in present:
                household[name] = self.one(name)
        if household.get("household_email"):
            try:
                validate_email(household["household_email"])
            except ValidationError:
                self.errors.append(f"household email “{household['household_email']}” is not a valid address")
        if "plus_ones_allowed" in present:
            raw = self.one("plus_ones_allowed")
            flag = m.bool_guess(raw)
            if raw.strip().isdigit():
                self.plus_ones_allowed = min(int(raw), 20)
            elif flag is not None:
                self.plus_ones_allowed = int(flag)
            else:
                self.errors.append(f"plus-ones allowed “{raw}” is not a number or yes/no")
        if self.plus_ones_allowed is not None:
            household["plus_ones_allowed"] = self.plus_ones_allowed
        return household


def _row_entries(
    line: int, values: dict[str, list[tuple[str, str]]], present: set[str], ctx: Context,
) -> tuple[list[Entry], list[str]]:
    row = _Row(line, values, present, ctx)
    people = row.people()
    shared, own = row.guest_fields()
    tags = row.tags()
    events, answers, tables = row.events()
    household = row.household()
    household_name = " ".join(row.one("household").split())
    key = row.one("household_key")
    if not household_name and len(people) > 1:
        household_name = _household_name_for(people, row.one("full_name"))
    for field_name, limit in MAX_LENGTHS.items():
        value = {"household": household_name, "household_key": key, **own, **household}.get(field_name, "")
        if isinstance(value, str) and limit and len(value) > limit:
            row.errors.append(f"{field_name.replace('_', ' ')} is longer than {limit} characters")

    entries = []
    for index, person in enumerate(people):
        guest_values = dict(shared)
        if index == 0:
            guest_values.update(own)
        else:
            if "age_group" in own or person.role == "child":
                guest_values["age_group"] = Guest.AgeGroup.CHILD if person.role == "child" else Guest.AgeGroup.ADULT
            if person.role == "plus_one":
                guest_values["is_plus_one"] = True
        entry = Entry(
            line=line, first_name=person.first_name, last_name=person.last_name, role=person.role,
            household_name=household_name, household_key=key, values=guest_values,
            household_values=household, tags=tags, events=list(events), answers=dict(answers), tables=tables,
            warnings=list(row.warnings) if index == 0 else ([person.note] if person.note else []),
        )
        if index and person.role != "main":
            label = {"plus_one": "plus-one", "member": "guest"}.get(person.role, person.role)
            entry.warnings.insert(0, f"{label} on {people[0].first_name}'s row")
        entries.append(entry)
    return entries, row.errors


def _household_name_for(people: list[m.Person], full: str) -> str:
    if full and len(m.people_split(full)) > 1:
        return " ".join(full.split())
    main = people[0]
    adults = [p for p in people if p.role in ("main", "partner", "member")]
    if len(adults) >= 2 and all(p.last_name == main.last_name for p in adults[:2]):
        return f"{adults[0].first_name} and {adults[1].first_name} {main.last_name}".strip()
    if len(adults) >= 2:
        return f"{adults[0].first_name} {adults[0].last_name} and {adults[1].first_name} {adults[1].last_name}"
    if main.last_name and any(p.role == "child" for p in people):
        return f"The {main.last_name} family"
    return f"{main.first_name} {main.last_name}".strip()


def _address(values: dict[str, list[tuple[str, str]]]) -> str:
    whole = _one(values, "address")
    lines = [v for _, v in values.get("address_line", []) if v]
    if whole:
        lines.insert(0, whole)
    city = " ".join(v for v in (_one(values, "city"), _one(values, "state"), _one(values, "zip")) if v)
    if _one(values, "city") and (_one(values, "state") or _one(values, "zip")):
        city = f"{_one(values, 'city')}, " + " ".join(v for v in (_one(values, "state"), _one(values, "zip")) if v)
    return "\n".join(v for v in [*lines, city, _one(values, "country")] if v)


def households_group(entries: list[Entry], *, grouping: str) -> None:
    """Give every entry its household name and group key (in place).

    A household key or name from the file wins; a row naming several people is
    one household; other single-person rows are a household each ("row") or
    grouped by last name and address ("surname_address").
    """
    by_group: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.household_key:
            entry.group = "key:" + entry.household_key.casefold()
        elif entry.household_name:
            entry.group = "name:" + entry.household_name.casefold()
        elif grouping == "surname_address" and entry.last_name:
            address = m.fold(str(entry.household_values.get("address", "")))
            entry.group = f"surname:{entry.last_name.casefold()}|{address}"
        else:
            entry.group = f"line:{entry.line}"
        by_group.setdefault(entry.group, []).append(entry)
    for group, members in by_group.items():
        if members[0].household_name:
            continue
        if group.startswith("surname:") and len(members) > 1:
            name = f"The {members[0].last_name} family"
        else:
            name = members[0].name
        for entry in members:
            entry.household_name = name


class Index:
    """The wedding's existing households, guests, tags, events, meals and answers, read in a few queries."""

    def __init__(self, wedding: Wedding) -> None:
        self.wedding_id = wedding.pk
        households = list(Household.objects.filter(wedding=wedding))
        self.households = {h.name.strip().casefold(): h for h in households}
        self.by_key = {h.key.casefold(): h for h in households if h.key}
        guests = list(Guest.objects.filter(wedding=wedding).order_by("pk"))
        self.namesakes: dict[tuple[int, str, str], list[Guest]] = {}
        self.by_household_email: dict[tuple[int, str], Guest] = {}
        self.by_name: dict[tuple[str, str], list[Guest]] = {}
        self.by_email: dict[str, list[Guest]] = {}
        for guest in guests:
            name = (guest.first_name.strip().casefold(), guest.last_name.strip().casefold())
            self.namesakes.setdefault((guest.household_id, *name), []).append(guest)
            self.by_name.setdefault(name, []).append(guest)
            if guest.email:
                email = guest.email.strip().casefold()
                self.by_household_email.setdefault((guest.household_id, email), guest)
                self.by_email.setdefault(email, []).append(guest)
        self.tags = {t.name.strip().casefold(): t for t in Tag.objects.filter(wedding=wedding)}
        self.events = {e.name.strip().casefold(): e for e in Event.objects.filter(wedding=wedding)}
        self.meals: dict[tuple[int, str], MealOption] = {}
        self.menus: dict[int, list[str]] = {}  # event id → its meals' names (an event without a menu gets the file's)
        for meal in MealOption.objects.filter(wedding=wedding).order_by("order", "name"):
            self.meals[(meal.event_id, meal.name.strip().casefold())] = meal
            self.menus.setdefault(meal.event_id, []).append(meal.name)
        through = Guest.tags.through
        self.guest_tags: set[tuple[int, int]] = set(
            through.objects.filter(guest__wedding=wedding).values_list("guest_id", "tag_id")
        )
        self.invited: set[tuple[int, int]] = set(
            Invitation.objects.filter(wedding=wedding).values_list("guest_id", "event_id")
        )
        self.responses = {(r.guest_id, r.event_id): r for r in Response.objects.filter(wedding=wedding)}
        self.tables = {(t.event_id, t.name.strip().casefold()): t for t in Table.objects.filter(wedding=wedding)}
        self.seats = {(s.guest_id, s.event_id): s for s in Seat.objects.filter(wedding=wedding)}
        self.occupancy: dict[int, int] = {}
        for seat in self.seats.values():
            self.occupancy[seat.table_id] = self.occupancy.get(seat.table_id, 0) + 1
        self.household_names = {h.pk: h.name for h in households}


@dataclass
class Plan:
    """What the import will write, built without writing anything."""

    new_households: dict[str, Household] = field(default_factory=dict)  # group → unsaved
    updated_households: dict[int, tuple[Household, list[str]]] = field(default_factory=dict)
    new_guests: list[Guest] = field(default_factory=list)
    updated: dict[int, tuple[Guest, list[str]]] = field(default_factory=dict)  # pk → (guest, fields)
    new_tags: dict[str, Tag] = field(default_factory=dict)
    new_events: dict[str, Event] = field(default_factory=dict)
    new_meals: dict[tuple[str, str], MealOption] = field(default_factory=dict)  # (event key, meal key)
    tag_links: list[tuple[Guest, str]] = field(default_factory=list)
    invitations: list[tuple[Guest, str]] = field(default_factory=list)  # (guest, event key)
    answers: list[tuple[Guest, str, str, str]] = field(default_factory=list)  # guest, event key, status, meal key
    households_seen: dict[str, Household] = field(default_factory=dict)  # group → household (existing or new)
    new_tables: dict[tuple[str, str], Table] = field(default_factory=dict)  # (event key, table key)
    seats: list[tuple[Guest, str, str]] = field(default_factory=list)  # guest, event key, table key


@dataclass
class RowResult:
    line: int
    outcome: str  # "create" | "update" | "unchanged" | "error" | "skipped"
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


class Planner:
    """Compares entries with the wedding's guest list, one at a time, and fills a `Plan`."""

    def __init__(
        self, *, wedding: Wedding, index: Index, group_values: dict[str, dict[str, Any]], event_order: list[str],
    ) -> None:
        self.wedding, self.index, self.plan = wedding, index, Plan()
        self.event_order = event_order
        self.group_values = group_values
        self.seen: dict[Any, int] = {}
        self.file_names: dict[tuple[str, str], list[tuple[str, int]]] = {}
        self.file_emails: dict[str, list[tuple[str, int]]] = {}
        self.occurrences: dict[tuple[str, str, str], int] = {}

    def household_for(self, entry: Entry, result: RowResult) -> Household:
        plan, index = self.plan, self.index
        household = plan.households_seen.get(entry.group)
        if household is not None:
            return household
        if entry.household_key:
            household = index.by_key.get(entry.household_key.casefold())
        else:
            household = index.households.get(entry.household_name.casefold())
        wanted = {HOUSEHOLD_ATTRS[k]: v for k, v in self.group_values.get(entry.group, {}).items()}
        if household is None:
            household = Household(wedding=self.wedding, name=entry.household_name, key=entry.household_key)
            for attr, value in wanted.items():
                setattr(household, attr, value)
            plan.new_households[entry.group] = household
        else:
            changed = [a for a, v in wanted.items() if getattr(household, a) != v]
            if household.name != entry.household_name and entry.household_key:
                changed.append("name")
                household.name = entry.household_name
            for attr in changed:
                if attr != "name":
                    setattr(household, attr, wanted[attr])
            if changed:
                plan.updated_households[household.pk] = (household, changed)
                result.changes += [f"household {'address' if a == 'address' else a.replace('_', ' ')}" for a in changed]
        plan.households_seen[entry.group] = household
        return household

    def event_key(self, name: str) -> str:
        key = name.strip().casefold()
        if key not in self.index.events and key not in self.plan.new_events:
            self.plan.new_events[key] = Event(
                wedding=self.wedding, name=name,
                order=self.event_order.index(key) if key in self.event_order else len(self.event_order),
                starts_at=_wedding_noon(self.wedding),
            )
        return key

    def plan_entry(self, entry: Entry) -> RowResult:
        plan, index = self.plan, self.index
        result = RowResult(line=entry.line, outcome="error", household=entry.household_name, name=entry.name,
                           warnings=list(entry.warnings))
        household = self.household_for(entry, result)
        first_key, last_key = entry.first_name.casefold(), entry.last_name.casefold()
        email = entry.values.get("email", "")
        guest = None
        occurrence = 0
        if entry.household_key:
            # A backup lists namesakes in one household (twins named after a grandparent) in
            # the order they were added: the nth row of a name is the nth guest of that name.
            name_key = (entry.group, first_key, last_key)
            occurrence = self.occurrences.get(name_key, 0)
            self.occurrences[name_key] = occurrence + 1
        if household.pk is not None:
            namesakes = index.namesakes.get((household.pk, first_key, last_key), [])
            guest = namesakes[occurrence] if occurrence < len(namesakes) else None
            if guest is None and email and not occurrence:
                guest = index.by_household_email.get((household.pk, email.casefold()))
        identity: Any = (
            ("guest", guest.pk) if guest is not None else ("new", entry.group, first_key, last_key, occurrence)
        )
        if identity in self.seen:
            result.errors.append(f"same guest as line {self.seen[identity]}")
            return result
        self.seen[identity] = entry.line
        self._duplicates(entry, guest, household, result)

        if guest is None:
            guest = Guest(wedding=self.wedding, first_name=entry.first_name, last_name=entry.last_name)
            guest._import_household = household  # resolved to an id once households are saved
            for column, value in entry.values.items():
                setattr(guest, column, value)
            plan.new_guests.append(guest)
            result.outcome = "create"
        else:
            changed = [c for c, v in entry.values.items() if getattr(guest, c) != v]
            if guest.first_name != entry.first_name or guest.last_name != entry.last_name:  # matched by email
                changed += [c for c in ("first_name", "last_name") if getattr(guest, c) != getattr(entry, c)]
                guest.first_name, guest.last_name = entry.first_name, entry.last_name
            for column in changed:
                if column in entry.values:
                    setattr(guest, column, entry.values[column])
            if changed:
                plan.updated[guest.pk] = (guest, changed)
            result.changes = [*result.changes, *(c.replace("_", " ") for c in changed)]
        for tag in entry.tags:
            existing = index.tags.get(tag.casefold())
            if existing is None or guest.pk is None or (guest.pk, existing.pk) not in index.guest_tags:
                if existing is None and tag.casefold() not in plan.new_tags:
                    plan.new_tags[tag.casefold()] = Tag(wedding=self.wedding, name=tag)
                plan.tag_links.append((guest, tag.casefold()))
                if guest.pk is not None:
                    result.changes.append(f"tag {tag}")
        for name in entry.events:
            key = self.event_key(name)
            event = index.events.get(key)
            if guest.pk is None or event is None or (guest.pk, event.pk) not in index.invited:
                plan.invitations.append((guest, key))
                if guest.pk is not None:
                    result.changes.append(f"invited to {name}")
        for name, (status, meal) in entry.answers.items():
            key = self.event_key(name)
            event = index.events.get(key)
            existing = index.responses.get((guest.pk, event.pk)) if guest.pk and event else None
            status = status or (existing.status if existing else None)
            if meal:
                status = status or Response.Status.ATTENDING
                meal_key = meal.strip().casefold()
                menu = index.menus.get(event.pk, []) if event else []
                if menu and (event.pk, meal_key) not in index.meals:
                    result.errors.append(f"“{meal}” is not on the menu of {name} (menu: {', '.join(menu)})")
                    continue
                if (event is None or (event.pk, meal_key) not in index.meals) and (key, meal_key) not in plan.new_meals:
                    plan.new_meals[(key, meal_key)] = MealOption(wedding=self.wedding, name=meal.strip())
            else:
                meal_key = ""
                if existing is not None and existing.meal_id and status == Response.Status.ATTENDING:
                    meal_key = next(k for (e, k), v in index.meals.items() if v.pk == existing.meal_id)
            if status is None:
                continue
            if existing is not None:
                same_meal = (existing.meal_id or None) == (index.meals[(event.pk, meal_key)].pk if meal_key and (event.pk, meal_key) in index.meals else None)
                if existing.status == status and same_meal:
                    continue
            plan.answers.append((guest, key, status, meal_key))
            if guest.pk is not None:
                result.changes.append(f"answer for {name}")
        for name, table_name in entry.tables.items():
            self._seat(guest, name, table_name, result)
        if result.errors:
            result.outcome = "error"
        elif result.outcome != "create":
            result.outcome = "update" if result.changes else "unchanged"
        return result

    def _seat(self, guest: Guest, event_name: str, table_name: str, result: RowResult) -> None:
        """Plan a seat at `table_name`, refusing a full table (the database would refuse it too)."""
        plan, index = self.plan, self.index
        key, table_key = self.event_key(event_name), table_name.strip().casefold()
        event = index.events.get(key)
        table = index.tables.get((event.pk, table_key)) if event else None
        seat = index.seats.get((guest.pk, event.pk)) if guest.pk and event else None
        if seat is not None and table is not None and seat.table_id == table.pk:
            return
        if table is None:
            if (key, table_key) not in plan.new_tables:
                plan.new_tables[(key, table_key)] = Table(wedding=self.wedding, name=table_name.strip(), capacity=0)
            plan.new_tables[(key, table_key)].capacity += 1
        else:
            taken = index.occupancy.get(table.pk, 0)
            if taken >= table.capacity:
                result.errors.append(f"{table.name} at {event_name} is full ({table.capacity} seats)")
                return
            index.occupancy[table.pk] = taken + 1
        if seat is not None:
            index.occupancy[seat.table_id] = index.occupancy.get(seat.table_id, 1) - 1
        plan.seats.append((guest, key, table_key))
        if guest.pk is not None:
            result.changes.append(f"table at {event_name}")

    def _duplicates(self, entry: Entry, guest: Guest | None, household: Household, result: RowResult) -> None:
        """Possible duplicates: flagged for the planner, not refused."""
        index = self.index
        first_key, last_key = entry.first_name.casefold(), entry.last_name.casefold()
        email = entry.values.get("email", "")
        for other in index.by_name.get((first_key, last_key), []):
            if other is not guest and other.household_id != household.pk:
                result.warnings.append(
                    f"possible duplicate: {other.full_name} is already a guest in "
                    f"{index.household_names.get(other.household_id, 'another household')}"
                )
                break
        for other_group, other_line in self.file_names.get((first_key, last_key), []):
            if other_group != entry.group:
                result.warnings.append(f"possible duplicate: the same name is on line {other_line} in another household")
                break
        if email:
            for other in index.by_email.get(email.casefold(), []):
                if other is not guest:
                    result.warnings.append(f"possible duplicate: {other.full_name} already has the email {email}")
                    break
            for _other_group, other_line in self.file_emails.get(email.casefold(), []):
                result.warnings.append(f"possible duplicate: the same email is on line {other_line}")
                break
        self.file_names.setdefault((first_key, last_key), []).append((entry.group, entry.line))
        if email:
            self.file_emails.setdefault(email.casefold(), []).append((entry.group, entry.line))


def group_values(entries: list[Entry]) -> dict[str, dict[str, Any]]:
    """Household fields per household: the first non-empty value among its rows (the largest plus-one allowance)."""
    merged: dict[str, dict[str, Any]] = {}
    for entry in entries:
        values = merged.setdefault(entry.group, {})
        for key, value in entry.household_values.items():
            if key == "plus_ones_allowed":
                values[key] = max(values.get(key, 0), value)
            elif not values.get(key):
                values[key] = value
    return merged


def _wedding_noon(wedding: Wedding):
    import datetime

    return datetime.datetime.combine(wedding.date, datetime.time(12), tzinfo=datetime.UTC)
