"""The planner's seating chart (in the admin): floor plan, unseated guests, table controls.

The chart itself is the live region `seating_chart` (seating.regions); these
views render its page and take its actions, each through seating.services.
Actions answer JSON to the chart's script (optimistic moves are confirmed or
reverted by it) and redirect with a message otherwise.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.staticfiles import finders
from django.db import transaction
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
from seating import floorplan, services
from seating.forms import TableForm, TableMoveForm, form_errors
from seating.models import FloorObject, FloorPlan, KeepApart, KeepTogether, Seat, Table, table_key
from seating.services import SeatingError
from wedding.core.models import Event, Wedding


@dataclass
class ChartTable:
    table: Table
    guests: list[Guest] = field(default_factory=list)
    chips: list[SafeString] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)
    # left/top/width/height in percent of the drawn room (seating.floorplan.layout)
    box: dict[str, str] = field(default_factory=dict)

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


PIN_FLAG = mark_safe(' <span class="pin" aria-label="pinned">◆</span>')


def guest_chip(guest: Guest, *, declined: bool = False, pinned: bool = False, number: int | None = None) -> SafeString:
    """One draggable guest on the chart. Built here rather than in the template: a chart of
    2,000 guests renders in a fraction of the time (the chart re-renders on every move)."""
    flag = SPLIT_FLAG if guest.split_household else ""
    diet = format_html(' <span class="diet" title="{}">•</span>', guest.dietary_notes) if guest.dietary_notes else ""
    classes = "".join([
        " is-split" if guest.split_household else "", " is-declined" if declined else "",
        " is-pinned" if pinned else "",
    ])
    notes = "".join([
        " — household split across tables" if guest.split_household else "",
        " — has declined: free the seat" if declined else "",
        " — pinned: auto-seat keeps them here" if pinned else "",
    ])
    place = format_html('<span class="seat-number" title="seat {}">{}</span> ', number, number) if number else ""
    # A stable id lets a live swap morph the chip in place (it keeps focus when it moves to
    # another table); tabindex/role make it a keyboard toggle (chart.js sets aria-pressed).
    return format_html(
        '<li id="chip-{}" class="seat-guest{}" data-guest="{}" data-pinned="{}" data-number="{}" tabindex="0"'
        ' role="button" aria-pressed="false" title="{}{}">{}{}{}{}{}</li>',
        guest.pk, classes, guest.pk, "1" if pinned else "0", number or "", guest.household.name, notes, place,
        guest.full_name, flag, diet, PIN_FLAG if pinned else "",
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
                .only("table_id", "guest_id", "pinned", "number", *(f"guest__{f}" for f in CHIP_FIELDS))
                .order_by("guest__last_name", "guest__first_name", "guest__pk"),
            )
        )
    )
    tables.sort(key=table_key)  # the couple's order, then "Table 2" before "Table 10"
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
    pinned = {s.guest_id for t in tables for s in t.seats.all() if s.pinned}
    numbers = {s.guest_id: s.number for t in tables for s in t.seats.all() if s.number}
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
    room = floor_geometry(event, rows)
    # Seated guests who have since declined still hold a seat: flag them so it can be freed.
    declined = set(
        Response.objects.filter(event=event, status=Response.Status.DECLINED, guest__seats__event=event)
        .values_list("guest_id", flat=True)
    )
    for row in rows:
        row.chips = [
            guest_chip(g, declined=g.pk in declined, pinned=g.pk in pinned, number=numbers.get(g.pk))
            for g in row.guests
        ]
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
        "room": room,
    }


# Drawn size of one unit of the venue before zooming: tables big enough for their guest lists.
PIXELS_PER_UNIT = {"m": 60, "ft": 18}


def unmeasured_room(event: Event, tables: list[tuple[int, str]], objects: list[FloorObject]) -> FloorPlan:
    """The room drawn until the planners enter its size: just large enough for what is on it."""
    width, length = floorplan.default_room(
        [floorplan.footprint(capacity, shape) for capacity, shape in tables]
        + [(o.width, o.length) for o in objects]
    )
    return FloorPlan(event=event, width=width, length=length)


def _percent(box: floorplan.Box, room_w: float, room_l: float) -> dict[str, str]:
    return {
        "left": f"{100 * box.left / room_w:.3f}", "top": f"{100 * box.top / room_l:.3f}",
        "width": f"{100 * box.width / room_w:.3f}", "height": f"{100 * box.length / room_l:.3f}",
    }


def floor_geometry(event: Event, rows: list[ChartTable]) -> dict:
    """The room to scale: its size, its objects, and every table's box (never overlapping).
    Two queries (the plan, its objects), whatever the number of tables."""
    objects = list(FloorObject.objects.filter(event=event).order_by("pk"))
    plan = FloorPlan.objects.filter(event=event).first() or unmeasured_room(
        event, [(r.table.capacity, r.table.shape) for r in rows], objects
    )
    placed_objects, room_w, room_l = floorplan.layout(
        [(o.pk, o.x, o.y, o.width, o.length) for o in objects], plan.width, plan.length, unit=plan.unit
    )
    tables, room_w, room_l = floorplan.layout(
        [(r.table.pk, r.table.x, r.table.y, *floorplan.footprint(r.table.capacity, r.table.shape, plan.unit))
         for r in rows],
        room_w, room_l, unit=plan.unit, fixed=list(placed_objects.values()),
    )
    for row in rows:
        row.box = _percent(tables[row.table.pk], room_w, room_l)
    px = PIXELS_PER_UNIT.get(plan.unit, 40)
    move_url = url_maker("admin:seating-object-move", event.wedding_id, event.pk)
    delete_url = url_maker("admin:seating-object-delete", event.wedding_id, event.pk)
    return {
        "plan": plan, "width": room_w, "length": room_l, "unit": plan.unit,
        "unit_label": plan.get_unit_display(), "unit_px": px,
        "canvas_w": round(room_w * px), "canvas_l": round(room_l * px),
        "grown": room_l > plan.length or room_w > plan.width,
        "objects": [
            (o, _percent(placed_objects[o.pk], room_w, room_l), move_url(o.pk), delete_url(o.pk)) for o in objects
        ],
    }


@planner_view
def chart_first(request: HttpRequest, wedding: Wedding) -> HttpResponse:
    # The first event that has tables (a ceremony without tables is not where seating happens).
    events = Event.objects.for_wedding(wedding)
    event = events.filter(tables__isnull=False).first() or events.first()
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
        room_plan=FloorPlan.objects.filter(event=event).first() or unmeasured_room(
            event, list(Table.objects.filter(event=event).values_list("capacity", "shape")),
            list(FloorObject.objects.filter(event=event)),
        ),
        units=FloorPlan.Unit.choices, object_kinds=FloorObject.Kind.choices,
    )
    context["chart"] = live.render_region("seating_chart", planner_viewer(wedding), {"event": str(event.pk)})
    return render(request, "seating/chart.html", context)


def _seating_failure(request: HttpRequest, exc: SeatingError) -> HttpResponse:
    conflict = getattr(exc, "code", "") in ("table_full", "conflict", "gone", "stale", "moved")
    return action_result(request, ok=False, message=" ".join(exc.messages), status=409 if conflict else 422)


def _posted_guest(request: HttpRequest, wedding: Wedding) -> Guest | None:
    """The guest named by the POST's `guest`, if they are on this wedding's list."""
    return Guest.objects.for_wedding(wedding).filter(pk=int_param(request.POST.get("guest"))).first()


def _no_such_guest(request: HttpRequest) -> HttpResponse:
    return action_result(request, ok=False, message="That guest is not on this wedding's list.", status=404)


def _answer[T](
    request: HttpRequest, write: Callable[[], T], said: Callable[[T], str], **extra: Any
) -> HttpResponse:
    """Run a seating service: its refusal in the planner's words, else `said(result)` as the message.

    `extra` goes to `action_result` (`next_url`).
    """
    try:
        result = write()
    except SeatingError as exc:
        return _seating_failure(request, exc)
    return action_result(request, ok=True, message=said(result), **extra)


def _guest_action(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view about the POST's `guest` at one event: gets the event and the guest, or answers 404."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, wedding: Wedding, event_id: int) -> HttpResponse:
        event = event_of(wedding, event_id)
        guest = _posted_guest(request, wedding)
        if guest is None:
            return _no_such_guest(request)
        return view(request, wedding, event, guest)

    return wrapped


@require_POST
@planner_view
@_guest_action
def seat_move(request: HttpRequest, wedding: Wedding, event: Event, guest: Guest) -> HttpResponse:
    """Seat a guest at a table of this event, or (empty table) send them back to unseated."""
    table_id = request.POST.get("table", "")
    # Where the planner saw the guest ("from": a table id, or empty for unseated): a guest
    # moved meanwhile by another planner is not moved again; the planner is told the truth.
    expected = services.UNKNOWN
    if "from" in request.POST:
        expected = int_param(request.POST["from"])
    try:
        if table_id in ("", "none"):
            services.seat_unassign(guest=guest, event=event, user=request.user, expected=expected)
            return action_result(request, ok=True, message=f"{guest.full_name} is unseated.")
        table = Table.objects.filter(wedding=wedding, event=event, pk=int_param(table_id)).first()
        if table is None:
            return action_result(
                request, ok=False, message="That table is no longer on this event's plan.", status=409
            )
        services.seat_assign(guest=guest, table=table, user=request.user, expected=expected)
    except SeatingError as exc:
        return _seating_failure(request, exc)
    return action_result(request, ok=True, message=f"{guest.full_name} is seated at {table.name}.")


@require_POST
@planner_view
@_guest_action
def seat_pin(request: HttpRequest, wedding: Wedding, event: Event, guest: Guest) -> HttpResponse:
    """Pin a seated guest (auto-seat keeps them where they are) or unpin them (`pinned=0`)."""
    pinned = request.POST.get("pinned", "1") not in ("0", "false", "off", "")

    def said(seat: Seat) -> str:
        return f"{guest.full_name} is {f'pinned at {seat.table.name}' if seat.pinned else 'no longer pinned'}."

    return _answer(request, lambda: services.seat_pin(guest=guest, event=event, pinned=pinned, user=request.user), said)


@require_POST
@planner_view
@_guest_action
def seat_number(request: HttpRequest, wedding: Wedding, event: Event, guest: Guest) -> HttpResponse:
    """Give a seated guest a numbered place at their table (`number` empty: no number)."""

    def number() -> Seat:
        return services.seat_number_set(guest=guest, event=event, number=request.POST.get("number", ""),
                                        user=request.user)

    def said(seat: Seat) -> str:
        where = f"seat {seat.number} of {seat.table.name}" if seat.number else f"{seat.table.name} (no seat number)"
        return f"{guest.full_name} is at {where}."

    return _answer(request, number, said)


@require_POST
@planner_view
def table_create(request: HttpRequest, wedding: Wedding, event_id: int) -> HttpResponse:
    event = event_of(wedding, event_id)
    form = TableForm(request.POST)
    if not form.is_valid():
        return action_result(request, ok=False, message=form_errors(form))
    data = form.cleaned_data

    def create() -> Table:
        return services.table_create(
            event=event, name=data["name"], capacity=data["capacity"], shape=data["shape"],
            x=data["x"] if data["x"] is not None else 10, y=data["y"] if data["y"] is not None else 10,
            user=request.user,
        )

    return _answer(request, create, lambda table: f"Added {table.name} ({table.capacity} seats).")


def _on_plan(model: type[Table] | type[FloorObject], wedding: Wedding, event_id: int, pk: int) -> Table | FloorObject:
    """A table or floor object of this wedding's event, else 404."""
    event = event_of(wedding, event_id)
    return get_object_or_404(model.objects.filter(wedding=wedding, event=event), pk=pk)


def _table(wedding: Wedding, event_id: int, pk: int) -> Table:
    return _on_plan(Table, wedding, event_id, pk)


@require_POST
@planner_view
def table_update(request: HttpRequest, wedding: Wedding, event_id: int, pk: int) -> HttpResponse:
    """Rename, resize, reshape and (with x/y) move a table in one go."""
    table = _table(wedding, event_id, pk)
    form = TableForm(request.POST)
    if not form.is_valid():
        return action_result(request, ok=False, message=form_errors(form))
    data = form.cleaned_data

    def update() -> Table:
        saved = services.table_update(
            table=table, name=data["name"], capacity=data["capacity"], shape=data["shape"], user=request.user
        )
        if data["x"] is not None and data["y"] is not None and (data["x"], data["y"]) != (saved.x, saved.y):
            services.table_move(table=saved, x=data["x"], y=data["y"], user=request.user)
        return saved

    return _answer(request, update, lambda saved: f"Saved {saved.name}.")


@require_POST
@planner_view
def plan_item_move(
    request: HttpRequest, wedding: Wedding, event_id: int, pk: int, model: type[Table] | type[FloorObject]
) -> HttpResponse:
    """Move a table or a floor object (`model`, from the URL) to the posted x/y.

    x/y are percent of the room's free space.
    """
    thing = _on_plan(model, wedding, event_id, pk)
    form = TableMoveForm(request.POST)
    if not form.is_valid():
        return action_result(request, ok=False, message=form_errors(form))
    if isinstance(thing, Table):
        move = functools.partial(services.table_move, table=thing)
    else:
        move = functools.partial(services.floor_object_move, obj=thing)
    data = form.cleaned_data
    return _answer(request, lambda: move(x=data["x"], y=data["y"], user=request.user), lambda _: f"Moved {thing}.")


@require_POST
@planner_view
def table_delete(request: HttpRequest, wedding: Wedding, event_id: int, pk: int) -> HttpResponse:
    """Delete a table after confirmation (`confirm=yes`); its guests go back to unseated."""
    table = _table(wedding, event_id, pk)
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
    return _answer(
        request, lambda: services.table_delete(table=table, user=request.user),
        lambda unseated: f"Deleted {table.name}; {unseated} guest(s) are unseated.",
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


# --- auto-seat: rules, preview, accept -------------------------------------------------------


def _autoseat_context(request: HttpRequest, wedding: Wedding, event: Event, **extra: object) -> dict:
    tables = sorted(Table.objects.filter(wedding=wedding, event=event), key=table_key)
    choices = services.preference_choices(wedding)
    labels = dict(choices)
    return page_context(
        request, wedding, title=f"Auto-seat — {event.name}", section="seating", event=event,
        modes=services.AUTOSEAT_MODES, preference_choices=choices,
        table_rows=[(t, set(t.prefers or ())) for t in tables],
        table_prefers=[(t, [labels.get(p, p) for p in t.prefers or ()]) for t in tables if t.prefers],
        groups=KeepTogether.objects.filter(wedding=wedding).prefetch_related("guests").order_by("name"),
        pairs=KeepApart.objects.filter(wedding=wedding).select_related("first", "second").order_by("pk"),
        pinned=Seat.objects.filter(event=event, pinned=True).count(),
        **extra,
    )


@planner_view
def autoseat_page(request: HttpRequest, wedding: Wedding, event_id: int) -> HttpResponse:
    """The rules auto-seat follows, and (POST) a plan to preview: nothing is written."""
    event = event_of(wedding, event_id)
    preview = None
    error = ""
    mode = request.POST.get("mode", "unseated") if request.method == "POST" else "unseated"
    if request.method == "POST":
        try:
            preview = services.autoseat_preview(event=event, mode=mode)
        except SeatingError as exc:
            error = " ".join(exc.messages)
    context = _autoseat_context(request, wedding, event, preview=preview, error=error, mode=mode)
    return render(request, "seating/autoseat.html", context, status=422 if error else 200)


@require_POST
@planner_view
def autoseat_accept(request: HttpRequest, wedding: Wedding, event_id: int) -> HttpResponse:
    """Apply the previewed plan as one change (refused if the chart changed meanwhile)."""
    event = event_of(wedding, event_id)
    try:
        moved = services.autoseat_accept(
            event=event, mode=request.POST.get("mode", ""), token=request.POST.get("token", ""),
            placement=request.POST.get("placement", ""), user=request.user,
        )
    except SeatingError as exc:
        failure = _seating_failure(request, exc)
        if getattr(exc, "code", "") == "stale" and isinstance(failure, HttpResponseRedirect):
            return HttpResponseRedirect(reverse("admin:seating-autoseat", args=[wedding.pk, event.pk]))
        return failure
    return action_result(
        request, ok=True, message=f"Auto-seat plan accepted: {moved} guest{'s' if moved != 1 else ''} moved.",
        next_url=reverse("admin:seating-chart", args=[wedding.pk, event.pk]),
    )


@require_POST
@planner_view
def autoseat_preferences(request: HttpRequest, wedding: Wedding, event_id: int) -> HttpResponse:
    """Save who each table is meant for (`prefers-<table id>`, several values each)."""
    event = event_of(wedding, event_id)
    tables = list(Table.objects.filter(wedding=wedding, event=event).order_by("pk"))

    @transaction.atomic
    def prefer() -> None:
        for table in tables:
            wanted = services.clean_preferences(wedding, request.POST.getlist(f"prefers-{table.pk}"))
            if wanted != sorted(table.prefers or ()):
                services.table_prefer(table=table, prefers=wanted, user=request.user)

    return _answer(
        request, prefer, lambda _: "Table preferences saved.",
        next_url=reverse("admin:seating-autoseat", args=[wedding.pk, event.pk]),
    )


# --- floor plan: room size and non-table objects ------------------------------------------------


@require_POST
@planner_view
def floor_plan_update(request: HttpRequest, wedding: Wedding, event_id: int) -> HttpResponse:
    event = event_of(wedding, event_id)
    post = request.POST
    return _answer(
        request,
        lambda: services.floor_plan_set(
            event=event, width=post.get("width"), length=post.get("length"), unit=post.get("unit", "m"),
            user=request.user,
        ),
        lambda plan: f"The room is {plan.width:g} × {plan.length:g} {plan.unit}.",
    )


@require_POST
@planner_view
def floor_object_add(request: HttpRequest, wedding: Wedding, event_id: int) -> HttpResponse:
    event = event_of(wedding, event_id)
    post = request.POST
    return _answer(
        request,
        lambda: services.floor_object_add(
            event=event, kind=post.get("kind", ""), label=post.get("label", ""),
            x=post.get("x", 50), y=post.get("y", 0), width=post.get("width", 6), length=post.get("length", 6),
            user=request.user,
        ),
        lambda obj: f"Placed {obj}.",
    )


@require_POST
@planner_view
def floor_object_delete(request: HttpRequest, wedding: Wedding, event_id: int, pk: int) -> HttpResponse:
    obj = _on_plan(FloorObject, wedding, event_id, pk)
    services.floor_object_delete(obj=obj, user=request.user)
    return action_result(request, ok=True, message=f"Removed {obj} from the plan.")
