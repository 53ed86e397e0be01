"""The planner's seating chart (in the admin): floor plan, unseated guests, table controls.

The chart itself is the live region `seating_chart` (seating.regions); these
views render its page and take its actions, each through seating.services.
Actions answer JSON to the chart's script (optimistic moves are confirmed or
reverted by it) and redirect with a message otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.staticfiles import finders
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from guests.models import Guest
from realtime import live
from realtime.live import action_result, int_param, page_context, planner_view, planner_viewer
from rsvp.models import Response
from seating import services
from seating.forms import TableForm, TableMoveForm, form_errors
from seating.models import Seat, Table
from seating.services import SeatingError
from wedding.core.models import Event, Wedding


@dataclass
class ChartTable:
    table: Table
    guests: list[Guest] = field(default_factory=list)
    chips: list[SafeString] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def filled(self) -> int:
        return len(self.guests)

    @property
    def full(self) -> bool:
        return self.filled >= self.table.capacity

    @property
    def split(self) -> bool:
        return any(g.split_household for g in self.guests)


SPLIT_FLAG = mark_safe(' <span class="flag" aria-label="household split">⚠</span>')


def guest_chip(guest: Guest, *, declined: bool = False) -> SafeString:
    """One draggable guest on the chart. Built here rather than in the template: a chart of
    2,000 guests renders in a fraction of the time (the chart re-renders on every move)."""
    flag = SPLIT_FLAG if guest.split_household else ""
    diet = format_html(' <span class="diet" title="{}">•</span>', guest.dietary_notes) if guest.dietary_notes else ""
    classes = "".join([" is-split" if guest.split_household else "", " is-declined" if declined else ""])
    notes = "".join([
        " — household split across tables" if guest.split_household else "",
        " — has declined: free the seat" if declined else "",
    ])
    # A stable id lets a live swap morph the chip in place (it keeps focus when it moves to
    # another table); tabindex/role make it a keyboard toggle (chart.js sets aria-pressed).
    return format_html(
        '<li id="chip-{}" class="seat-guest{}" data-guest="{}" tabindex="0" role="button" aria-pressed="false"'
        ' title="{}{}">{}{}{}</li>',
        guest.pk, classes, guest.pk, guest.household.name, notes, guest.full_name, flag, diet,
    )


def event_of(wedding: Wedding, event_id: int | str) -> Event:
    try:
        return Event.objects.for_wedding(wedding).get(pk=int(event_id))
    except (Event.DoesNotExist, TypeError, ValueError):
        raise Http404("no such event in this wedding") from None


# Only what a chip shows: the chart loads every seated guest of the event at once.
CHIP_FIELDS = ("first_name", "last_name", "dietary_notes", "household")


def url_maker(name: str, *args: int) -> Callable[[int], str]:
    """table pk -> URL, with one reverse() per chart instead of one per table."""
    template = reverse(name, args=[*args, 987654321])
    return lambda pk: template.replace("987654321", str(pk))


def chart(wedding: Wedding, event: Event) -> dict:
    """Tables with their guests, unseated attending guests, split households, seated guests
    who declined. Five queries, whatever the size of the plan."""
    tables = list(
        Table.objects.filter(event=event, wedding=wedding)
        .prefetch_related(
            Prefetch(
                "seats",
                queryset=Seat.objects.select_related("guest__household")
                .only("table_id", "guest_id", *(f"guest__{f}" for f in CHIP_FIELDS))
                .order_by("guest__last_name", "guest__first_name", "guest__pk"),
            )
        )
        .order_by("name", "pk")
    )
    unseated = list(
        Guest.objects.for_wedding(wedding)
        .attending(event)
        .exclude(seats__event=event)
        .select_related("household")
        .only(*CHIP_FIELDS)
        .order_by("last_name", "first_name", "pk")
    )
    urls = {
        kind: url_maker(f"admin:seating-table-{kind}", wedding.pk, event.pk)
        for kind in ("update", "delete", "move")
    }
    rows = [ChartTable(table=t, guests=[s.guest for s in t.seats.all()]) for t in tables]
    for row in rows:
        row.urls = {kind: make(row.table.pk) for kind, make in urls.items()}
    tables_of: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        for guest in row.guests:
            tables_of[guest.household_id].add(row.table.pk)
    split = {hid for hid, ids in tables_of.items() if len(ids) > 1}
    for row in rows:
        for guest in row.guests:
            guest.split_household = guest.household_id in split
    for guest in unseated:
        guest.split_household = False
    # Seated guests who have since declined still hold a seat: flag them so it can be freed.
    declined = set(
        Response.objects.filter(event=event, status=Response.Status.DECLINED, guest__seats__event=event)
        .values_list("guest_id", flat=True)
    )
    for row in rows:
        row.chips = [guest_chip(g, declined=g.pk in declined) for g in row.guests]
    return {
        "event": event,
        # Read fresh: the viewer's wedding may have been loaded when the socket connected.
        "published": Wedding.objects.filter(pk=wedding.pk).values_list("seating_published", flat=True).first(),
        "tables": rows,
        "unseated": unseated,
        "unseated_chips": [guest_chip(g) for g in unseated],
        "split_households": len(split),
        "seated": sum(r.filled for r in rows),
        "capacity": sum(r.table.capacity for r in rows),
        "shapes": Table.Shape.choices,
    }


@planner_view
def chart_first(request: HttpRequest, wedding: Wedding) -> HttpResponse:
    event = Event.objects.for_wedding(wedding).first()
    if event is None:
        context = page_context(request, wedding, title="Seating", section="seating", events=[])
        return render(request, "seating/chart.html", context)
    return HttpResponseRedirect(reverse("admin:seating-chart", args=[wedding.pk, event.pk]))


# SortableJS comes from npm (package.json; `npm ci`), served from node_modules through
# STATICFILES_DIRS ("vendor", BASE_DIR / "node_modules"). Without it the chart still works
# through the keyboard/small-screen mover; dragging tables needs no library.
SORTABLE_JS = "vendor/sortablejs/Sortable.min.js"


@planner_view
def chart_page(request: HttpRequest, wedding: Wedding, event_id: int) -> HttpResponse:
    event = event_of(wedding, event_id)
    context = page_context(
        request, wedding, title=f"Seating — {event.name}", section="seating", event=event,
        events=list(Event.objects.for_wedding(wedding)), shapes=Table.Shape.choices,
        sortable_js=SORTABLE_JS if finders.find(SORTABLE_JS) else None,
    )
    context["chart"] = live.render_region("seating_chart", planner_viewer(wedding), {"event": str(event.pk)})
    return render(request, "seating/chart.html", context)


def _seating_failure(request: HttpRequest, exc: SeatingError) -> HttpResponse:
    conflict = getattr(exc, "code", "") in ("table_full", "conflict", "gone")
    return action_result(request, ok=False, message=" ".join(exc.messages), status=409 if conflict else 422)


@require_POST
@planner_view
def seat_move(request: HttpRequest, wedding: Wedding, event_id: int) -> HttpResponse:
    """Seat a guest at a table of this event, or (empty table) send them back to unseated."""
    event = event_of(wedding, event_id)
    guest = Guest.objects.for_wedding(wedding).filter(pk=int_param(request.POST.get("guest"))).first()
    if guest is None:
        return action_result(request, ok=False, message="That guest is not on this wedding's list.", status=404)
    table_id = request.POST.get("table", "")
    try:
        if table_id in ("", "none"):
            services.seat_unassign(guest=guest, event=event, user=request.user)
            return action_result(request, ok=True, message=f"{guest.full_name} is unseated.")
        table = Table.objects.filter(wedding=wedding, event=event, pk=int_param(table_id)).first()
        if table is None:
            return action_result(
                request, ok=False, message="That table is no longer on this event's plan.", status=409
            )
        services.seat_assign(guest=guest, table=table, user=request.user)
    except SeatingError as exc:
        return _seating_failure(request, exc)
    return action_result(request, ok=True, message=f"{guest.full_name} is seated at {table.name}.")


@require_POST
@planner_view
def table_create(request: HttpRequest, wedding: Wedding, event_id: int) -> HttpResponse:
    event = event_of(wedding, event_id)
    form = TableForm(request.POST)
    if not form.is_valid():
        return action_result(request, ok=False, message=form_errors(form))
    data = form.cleaned_data
    try:
        table = services.table_create(
            event=event, name=data["name"], capacity=data["capacity"], shape=data["shape"],
            x=data["x"] if data["x"] is not None else 10, y=data["y"] if data["y"] is not None else 10,
            user=request.user,
        )
    except SeatingError as exc:
        return _seating_failure(request, exc)
    return action_result(request, ok=True, message=f"Added {table.name} ({table.capacity} seats).")


def _table(wedding: Wedding, event_id: int, table_id: int) -> Table:
    event = event_of(wedding, event_id)
    return get_object_or_404(Table.objects.filter(wedding=wedding, event=event), pk=table_id)


@require_POST
@planner_view
def table_update(request: HttpRequest, wedding: Wedding, event_id: int, table_id: int) -> HttpResponse:
    """Rename, resize, reshape and (with x/y) move a table in one go."""
    table = _table(wedding, event_id, table_id)
    form = TableForm(request.POST)
    if not form.is_valid():
        return action_result(request, ok=False, message=form_errors(form))
    data = form.cleaned_data
    try:
        table = services.table_update(
            table=table, name=data["name"], capacity=data["capacity"], shape=data["shape"], user=request.user
        )
        if data["x"] is not None and data["y"] is not None and (data["x"], data["y"]) != (table.x, table.y):
            services.table_move(table=table, x=data["x"], y=data["y"], user=request.user)
    except SeatingError as exc:
        return _seating_failure(request, exc)
    return action_result(request, ok=True, message=f"Saved {table.name}.")


@require_POST
@planner_view
def table_move(request: HttpRequest, wedding: Wedding, event_id: int, table_id: int) -> HttpResponse:
    table = _table(wedding, event_id, table_id)
    form = TableMoveForm(request.POST)
    if not form.is_valid():
        return action_result(request, ok=False, message=form_errors(form))
    try:
        services.table_move(table=table, x=form.cleaned_data["x"], y=form.cleaned_data["y"], user=request.user)
    except SeatingError as exc:
        return _seating_failure(request, exc)
    return action_result(request, ok=True, message=f"Moved {table.name}.")


@require_POST
@planner_view
def table_delete(request: HttpRequest, wedding: Wedding, event_id: int, table_id: int) -> HttpResponse:
    """Delete a table after confirmation (`confirm=yes`); its guests go back to unseated."""
    table = _table(wedding, event_id, table_id)
    if request.POST.get("confirm") != "yes":
        seated = Seat.objects.filter(table=table).count()
        if request.headers.get("X-Confetti-Action"):
            return JsonResponse(
                {"ok": False, "message": f"Confirm deleting {table.name}: {seated} guest(s) would be unseated."},
                status=422,
            )
        context = page_context(
            request, wedding, title=f"Delete {table.name}?", section="seating", table=table, seated=seated
        )
        return render(request, "seating/table_delete.html", context)
    try:
        unseated = services.table_delete(table=table, user=request.user)
    except SeatingError as exc:
        return _seating_failure(request, exc)
    return action_result(
        request, ok=True, message=f"Deleted {table.name}; {unseated} guest(s) are unseated.",
        next_url=reverse("admin:seating-chart", args=[wedding.pk, table.event_id]),
    )


@require_POST
@planner_view
def publish(request: HttpRequest, wedding: Wedding) -> HttpResponse:
    published = request.POST.get("published") in ("1", "true", "on", "yes")
    services.seating_publish(wedding=wedding, published=published, user=request.user)
    if request.htmx and request.POST.get("event"):  # the switch inside the chart: answer the chart
        event = event_of(wedding, request.POST["event"])
        return HttpResponse(live.render_region("seating_chart", planner_viewer(wedding), {"event": str(event.pk)}))
    message = "Seating is published: guests see their tables." if published else "Seating is hidden from guests."
    return action_result(request, ok=True, message=message)
