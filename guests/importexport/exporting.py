"""Guest list and caterer exports, as tablib datasets (CSV or XLSX).

Pure reads, shared by the admin and `manage.py export_guests`. The guest
list is a safe backup: every column but the answers to the couple's questions
(`ANSWER_SUFFIX`, for reading) is one the import reads back
(`guests.importexport.importing`), with a stable household key so two households of the
same name stay two, so an exported file imports into the same wedding with
no change and into an empty wedding with no error.

Every file the product writes goes through `dataset_render()`, which passes
each cell through `spreadsheet_safe()` (OWASP CSV injection): a cell a
spreadsheet would execute gets a leading apostrophe, which the import strips.
"""

from __future__ import annotations

from collections import Counter

import tablib
from django.db.models import Prefetch, QuerySet

from guests.models import Guest
from rsvp.models import Invitation, MealOption, Question, QuestionAnswer, Response
from seating.models import Seat
from wedding.core.models import Event, Wedding
from wedding.core.spreadsheets import spreadsheet_safe  # the one neutraliser, reports use it too

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Import and export share these headers (see guests.importexport.importing.mapping: each is a field's own name).
GUEST_COLUMNS = [
    "household", "first_name", "last_name", "email", "phone", "age_group", "side",
    "tags", "dietary_notes", "events",
    "household_key", "is_plus_one", "directory_opt_in", "notes",
    "household_email", "household_phone", "address", "plus_ones_allowed", "household_notes",
]
LIST_SEPARATOR = "; "
# OWASP "CSV injection": what a spreadsheet may execute when a cell starts with it.
def dataset_safe(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of `dataset` with every cell (and header) through `spreadsheet_safe()`."""
    safe = tablib.Dataset(
        *[[spreadsheet_safe(v) for v in row] for row in dataset],
        headers=[spreadsheet_safe(h) for h in dataset.headers] if dataset.headers else None,
        title=dataset.title,
    )
    return safe


def guests_for_export(*, wedding: Wedding, guests: QuerySet[Guest] | None = None) -> QuerySet[Guest]:
    """The guests to export with everything a row needs prefetched (fixed query count)."""
    queryset = guests if guests is not None else Guest.objects.all()
    return (
        queryset.filter(wedding=wedding)
        .select_related("household")
        .prefetch_related(None)  # the admin's own prefetches differ
        .prefetch_related(
            "tags",
            Prefetch("invitations", queryset=Invitation.objects.only("guest_id", "event_id")),
            Prefetch("responses", queryset=Response.objects.select_related("meal")),
            Prefetch("seats", queryset=Seat.objects.select_related("table")),
            Prefetch("question_answers", queryset=QuestionAnswer.objects.select_related("question")),
        )
        .order_by("household__name", "household__pk", "last_name", "first_name", "pk")
    )


# The answers to the couple's questions are for reading: the import leaves these columns alone
# (questions are the wedding's settings, not the guest list's).
ANSWER_SUFFIX = " — answer"


def question_header(question: Question) -> str:
    """“Reception: Shuttle? — answer”: a column the import recognises as none of its own."""
    where = f"{question.event.name}: " if question.event_id else ""
    return f"{where}{question.text}{ANSWER_SUFFIX}"


def guest_list_dataset(*, wedding: Wedding, guests: QuerySet[Guest] | None = None) -> tablib.Dataset:
    """One row per guest: the import columns, then response, meal and table per event, then
    the answer to each of the couple's questions (options of a multiple choice joined by "; ")."""
    events = list(Event.objects.filter(wedding=wedding).order_by("order", "starts_at", "pk"))
    event_names = {e.pk: e.name for e in events}
    position = {e.pk: i for i, e in enumerate(events)}
    headers = list(GUEST_COLUMNS)
    for event in events:
        headers += [f"{event.name} response", f"{event.name} meal", f"{event.name} table"]
    questions = list(
        Question.objects.filter(wedding=wedding).select_related("event").order_by("event__order", "order", "pk")
    )
    headers += [question_header(q) for q in questions]
    dataset = tablib.Dataset(headers=headers, title="Guests")
    for guest in guests_for_export(wedding=wedding, guests=guests):
        # In the wedding's event order, whatever order the invitations were made in.
        invited_ids = sorted({i.event_id for i in guest.invitations.all()} & position.keys(), key=position.get)
        invited = [event_names[pk] for pk in invited_ids]
        row = [
            guest.household.name,
            guest.first_name,
            guest.last_name,
            guest.email,
            guest.phone,
            guest.get_age_group_display(),
            guest.get_side_display(),
            LIST_SEPARATOR.join(sorted(tag.name for tag in guest.tags.all())),
            guest.dietary_notes,
            LIST_SEPARATOR.join(invited),
            guest.household.key,
            "yes" if guest.is_plus_one else "no",
            "yes" if guest.directory_opt_in else "no",
            guest.notes,
            guest.household.email,
            guest.household.phone,
            guest.household.address,
            guest.household.plus_ones_allowed,
            guest.household.notes,
        ]
        responses = {r.event_id: r for r in guest.responses.all()}
        seats = {s.event_id: s for s in guest.seats.all()}
        for event in events:
            response = responses.get(event.pk)
            seat = seats.get(event.pk)
            row += [
                response.get_status_display() if response else "",
                response.meal.name if response and response.meal_id else "",
                seat.table.name if seat else "",
            ]
        replies = {a.question_id: a for a in guest.question_answers.all()}
        row += [replies[q.pk].display if q.pk in replies else "" for q in questions]
        dataset.append(row)
    return dataset


def meal_counts_dataset(*, wedding: Wedding) -> tablib.Dataset:
    """The caterer's sheet: per event and meal, how many attending adults, children and infants.

    Attending guests who have not chosen a meal are counted on a "(no meal chosen)" line,
    so each event's lines add up to everyone attending.
    """
    dataset = tablib.Dataset(
        headers=["event", "meal", "vegetarian", "adults", "children", "infants", "total"], title="Meals"
    )
    events = list(Event.objects.filter(wedding=wedding).order_by("order", "starts_at", "pk"))
    meals = list(MealOption.objects.filter(wedding=wedding).order_by("order", "name"))
    counts: Counter[tuple[int, int | None, str]] = Counter(
        (event_id, meal_id, age_group)
        for event_id, meal_id, age_group in Response.objects.filter(
            wedding=wedding, status=Response.Status.ATTENDING
        ).values_list("event_id", "meal_id", "guest__age_group")
    )
    ages = [Guest.AgeGroup.ADULT, Guest.AgeGroup.CHILD, Guest.AgeGroup.INFANT]
    for event in events:
        lines = [(m.pk, m.name, "yes" if m.is_vegetarian else "no") for m in meals if m.event_id == event.pk]
        lines.append((None, "(no meal chosen)", ""))
        for meal_id, name, vegetarian in lines:
            by_age = [counts[(event.pk, meal_id, age)] for age in ages]
            if meal_id is None and not any(by_age):
                continue
            dataset.append([event.name, name, vegetarian, *by_age, sum(by_age)])
    return dataset


def dataset_render(dataset: tablib.Dataset, *, fmt: str) -> tuple[bytes, str]:
    """The file's bytes and content type. CSV is UTF-8 with a BOM so Excel reads accents.

    Every cell goes through `spreadsheet_safe()`.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (choose {', '.join(FORMATS)})")
    dataset = dataset_safe(dataset)
    if fmt == "csv":
        return ("\ufeff" + dataset.export("csv")).encode("utf-8"), FORMATS[fmt]
    # XLSX (XML) cannot hold control characters: drop them rather than fail the download.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for index, row in enumerate(dataset):
        if any(isinstance(v, str) and ILLEGAL_CHARACTERS_RE.search(v) for v in row):
            dataset[index] = [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row]
    return dataset.export("xlsx"), FORMATS[fmt]
