"""Planner reports: headcount, meals, dietary list, seating by table, escort cards.

Each report is one read function (fixed queries) used three ways: the live
reports region, its CSV export (tablib) and, for seating and escort cards, a
printable page with print CSS.
"""

from __future__ import annotations

from dataclasses import dataclass

import tablib
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from guests.models import Guest
from realtime.live import Audience, Viewer, page_context, planner_view
from rsvp.models import Question, QuestionAnswer, Response
from seating.models import Seat, Table, table_key
from wedding.core.models import Event, Wedding
from wedding.core.spreadsheets import spreadsheet_safe
from wedding.dashboard.reads import event_stats, guest_key


@dataclass
class DietaryRow:
    name: str
    household: str
    note: str
    events: list[str]


def pick_event(wedding: Wedding, event_id: int | None, events: list[Event] | None = None) -> Event | None:
    """The event a per-event report is about: the one asked for (404 if not this wedding's) or the first."""
    events = events if events is not None else list(Event.objects.for_wedding(wedding))
    if event_id is None:
        return events[0] if events else None
    for event in events:
        if event.pk == event_id:
            return event
    raise Http404("no such event in this wedding")


def dietary_list(wedding: Wedding) -> list[DietaryRow]:
    """Guests with dietary notes who attend at least one event (name, household, note, events)."""
    guests = (
        Guest.objects.for_wedding(wedding)
        .exclude(dietary_notes="")
        .filter(responses__status=Response.Status.ATTENDING)
        .distinct()
        .select_related("household")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=Response.objects.filter(status=Response.Status.ATTENDING).select_related("event"),
                to_attr="attending",
            )
        )
    )
    return [
        DietaryRow(g.full_name, g.household.name, g.dietary_notes, [r.event.name for r in g.attending])
        for g in sorted(guests, key=guest_key)
    ]


@dataclass
class QuestionReport:
    question: Question
    answers: list[QuestionAnswer]  # alphabetical by guest, each with guest and household
    counts: list[tuple[str, int]]  # per option (yes/no and choice questions), in the couple's order


def question_reports(wedding: Wedding) -> list[QuestionReport]:
    """Each of the couple's questions with its answers and, for choices, how many chose what (2 queries)."""
    questions = list(Question.objects.for_wedding(wedding).select_related("event"))
    by_question: dict[int, list[QuestionAnswer]] = {q.pk: [] for q in questions}
    for answer in QuestionAnswer.objects.for_wedding(wedding).select_related("guest__household"):
        by_question.setdefault(answer.question_id, []).append(answer)
    reports = []
    for question in sorted(questions, key=lambda q: (q.event is not None, q.event.order if q.event else 0, q.order, q.pk)):
        answers = sorted(by_question[question.pk], key=lambda a: guest_key(a.guest))
        for answer in answers:
            answer.question = question  # read by `display`, without a query each
        options = {
            Question.Kind.YES_NO: ["yes", "no"], Question.Kind.CHOICE: question.options,
            Question.Kind.MULTIPLE: question.options,
        }.get(question.kind, [])
        labels = {"yes": "Yes", "no": "No"}
        counts = [(labels.get(o, o), sum(o in a.values for a in answers)) for o in options]
        reports.append(QuestionReport(question, answers, counts))
    return reports


def seating_list(event: Event | None) -> list[Table]:
    """The event's tables in the couple's order (natural by name), each with `.guests` (seated, alphabetical)."""
    if event is None:
        return []
    tables = sorted(
        Table.objects.filter(event=event).prefetch_related(
            Prefetch("seats", queryset=Seat.objects.select_related("guest__household"))
        ),
        key=table_key,
    )
    for table in tables:
        table.guests = sorted((s.guest for s in table.seats.all()), key=guest_key)
    return tables


def escort_list(event: Event | None) -> list[Seat]:
    """Escort cards: every seated guest of the event, alphabetical, with their table."""
    if event is None:
        return []
    seats = Seat.objects.filter(event=event).select_related("guest", "table")
    return sorted(seats, key=lambda seat: guest_key(seat.guest))


def report_context(wedding: Wedding, *, event_id: int | None) -> dict:
    events = list(Event.objects.for_wedding(wedding))
    event = pick_event(wedding, event_id, events)
    return {
        "stats": event_stats(wedding),
        "dietary": dietary_list(wedding),
        "event": event,
        "events": events,
        "tables": seating_list(event),
        "escort": escort_list(event),
        "questions": question_reports(wedding),
    }


# --- CSV ---------------------------------------------------------------------------------


def _dataset(kind: str, wedding: Wedding, event: Event | None) -> tablib.Dataset:
    """The report as rows; every cell passes `spreadsheet_safe` (a guest's dietary note
    "=HYPERLINK(…)" must reach the planner's spreadsheet as text, not as a live formula)."""
    data = _report_rows(kind, wedding, event)
    safe = tablib.Dataset(headers=data.headers)
    for row in data:
        safe.append([spreadsheet_safe(cell) for cell in row])
    return safe


def _report_rows(kind: str, wedding: Wedding, event: Event | None) -> tablib.Dataset:
    if kind == "headcount":
        data = tablib.Dataset(headers=[
            "event", "invited", "answered", "attending", "declined", "pending",
            "adults", "children", "infants", "meals chosen", "dietary notes", "seated",
        ])
        for s in event_stats(wedding):
            data.append([
                s.event.name, s.invited, s.answered, s.attending, s.declined, s.pending,
                s.adults, s.children, s.infants, s.meals_chosen, s.dietary_notes, s.seated,
            ])
    elif kind == "meals":
        data = tablib.Dataset(headers=["event", "meal", "count"])
        for s in event_stats(wedding):
            for meal, count in s.meals:
                data.append([s.event.name, meal, count])
    elif kind == "dietary":
        data = tablib.Dataset(headers=["name", "household", "note", "events"])
        for row in dietary_list(wedding):
            data.append([row.name, row.household, row.note, "; ".join(row.events)])
    elif kind == "answers":
        data = tablib.Dataset(headers=["question", "event", "name", "household", "answer"])
        for report in question_reports(wedding):
            q = report.question
            for a in report.answers:
                data.append([q.text, q.event.name if q.event else "", a.guest.full_name, a.guest.household.name, a.display])
    elif kind == "seating":
        data = tablib.Dataset(headers=["table", "capacity", "guest", "household"])
        for table in seating_list(event):
            for guest in table.guests:
                data.append([table.name, table.capacity, guest.full_name, guest.household.name])
    elif kind == "escort":
        data = tablib.Dataset(headers=["name", "table"])
        for seat in escort_list(event):
            data.append([seat.guest.full_name, seat.table.name])
    else:
        raise Http404("no such report")
    return data


REPORTS = ("headcount", "meals", "dietary", "answers", "seating", "escort")


def _event_id(request: HttpRequest) -> int | None:
    try:
        return int(request.GET["event"]) if request.GET.get("event") else None
    except ValueError:
        raise Http404("no such event") from None


@planner_view
def reports_page(request: HttpRequest, wedding: Wedding) -> HttpResponse:
    event = pick_event(wedding, _event_id(request))
    params = {"event": str(event.pk)} if event else {}
    context = page_context(
        request, wedding, title="Reports", section="reports", event=event,
        events=list(Event.objects.for_wedding(wedding)), reports=REPORTS,
    )
    from realtime import live
    context["report"] = live.render_region(
        "dash_reports", Viewer(wedding=wedding, audience=Audience.PLANNER), params
    )
    return render(request, "admin/dashboard/reports.html", context)


@planner_view
def report_csv(request: HttpRequest, wedding: Wedding, kind: str) -> HttpResponse:
    event = pick_event(wedding, _event_id(request)) if kind in ("seating", "escort") else None
    data = _dataset(kind, wedding, event)
    name = "-".join(filter(None, [wedding.slug, kind, slugify(event.name) if event else ""]))
    response = HttpResponse(data.export("csv"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@planner_view
def report_print(request: HttpRequest, wedding: Wedding, kind: str) -> HttpResponse:
    if kind not in ("seating", "escort", "place"):
        raise Http404("no such printable report")
    event = pick_event(wedding, _event_id(request))
    context = {
        "wedding": wedding, "event": event, "kind": kind,
        "tables": seating_list(event) if kind == "seating" else [],
        "escort": escort_list(event) if kind in ("escort", "place") else [],
    }
    return render(request, "admin/dashboard/print.html", context)
