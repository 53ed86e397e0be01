"""The dashboard's reads: event stats, the RSVP chart, the guest list, requests and activity.

Shared by the pages' first render, the fragment URL and the pushes (live.py),
and by the reports; each runs a fixed number of queries whatever the
wedding's size.
"""


from __future__ import annotations

import datetime
import math
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.db.models.functions import TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from guests.models import Guest, GuestRequest, Household, Tag
from realtime.live import (
    Change,
    headline,
    int_param,
    topics,
)
from rsvp.models import Invitation, MealOption, Response
from seating.models import Seat, Table, table_key
from wedding.core.models import Event, Wedding
from wedding.core.ordering import natural_key
from wedding.messaging.reads import (
    MESSAGE_FILTERS,
    LastMessage,
    household_message_filter,
    households_answered,
    last_messages,
)

GUESTS_PER_PAGE = 100
LATEST_RESPONSES = 15
ACTIVITY_LIMIT = 100


# --- order (tables: seating.models.table_key) ---------------------------------------------


def guest_key(guest: Guest) -> tuple:
    """Guests alphabetically by last then first name, naturally (accents and case folded)."""
    return natural_key(guest.last_name), natural_key(guest.first_name), guest.pk


# --- stats ----------------------------------------------------------------------------


@dataclass
class EventStats:
    event: Event
    invited: int = 0
    answered: int = 0
    attending: int = 0
    declined: int = 0
    pending: int = 0
    adults: int = 0
    children: int = 0
    infants: int = 0
    meals: list[tuple[str, int]] | None = None
    meals_chosen: int = 0
    dietary_notes: int = 0
    seated: int = 0
    # What applies to the event: a ceremony without a menu shows no meals, one without tables no seats.
    has_meals: bool = False
    has_tables: bool = False

    @property
    def answered_percent(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0


def event_stats(wedding: Wedding) -> list[EventStats]:
    """Per event: invited, answered, attending, declined, pending, ages, meals, dietary notes, seated.

    Eight queries, whatever the number of guests.
    """
    events = list(
        Event.objects.for_wedding(wedding).annotate(
            any_meal=Exists(MealOption.objects.filter(event=OuterRef("pk"))),
            any_table=Exists(Table.objects.filter(event=OuterRef("pk"))),
        )
    )
    stats = {
        e.pk: EventStats(event=e, meals=[], has_meals=e.any_meal, has_tables=e.any_table) for e in events
    }
    for row in Invitation.objects.for_wedding(wedding).values("event").annotate(n=Count("id")):
        stats[row["event"]].invited = row["n"]
    ages = {Guest.AgeGroup.ADULT: "adults", Guest.AgeGroup.CHILD: "children", Guest.AgeGroup.INFANT: "infants"}
    responses = (
        Response.objects.for_wedding(wedding)
        .values("event", "status", "guest__age_group")
        .annotate(n=Count("id"))
    )
    for row in responses:
        s = stats[row["event"]]
        if row["status"] == Response.Status.ATTENDING:
            s.attending += row["n"]
            field = ages.get(row["guest__age_group"])
            if field:
                setattr(s, field, getattr(s, field) + row["n"])
        elif row["status"] == Response.Status.DECLINED:
            s.declined += row["n"]
    meals = (
        Response.objects.for_wedding(wedding)
        .filter(status=Response.Status.ATTENDING, meal__isnull=False)
        .values("event", "meal__name")
        .annotate(n=Count("id"))
        .order_by("event", "meal__order", "meal__name")
    )
    for row in meals:
        stats[row["event"]].meals.append((row["meal__name"], row["n"]))
        stats[row["event"]].meals_chosen += row["n"]
    dietary = (
        Response.objects.for_wedding(wedding)
        .filter(status=Response.Status.ATTENDING)
        .exclude(guest__dietary_notes="")
        .values("event")
        .annotate(n=Count("id"))
    )
    for row in dietary:
        stats[row["event"]].dietary_notes = row["n"]
    for row in Seat.objects.for_wedding(wedding).values("event").annotate(n=Count("id")):
        stats[row["event"]].seated = row["n"]
    # Pending as GuestQuerySet.pending() defines it (invited, no attending/declined answer), counted
    # for every event in one query.
    decided = Response.objects.filter(
        guest=OuterRef("guest"), event=OuterRef("event"),
        status__in=(Response.Status.ATTENDING, Response.Status.DECLINED),
    )
    undecided = Invitation.objects.for_wedding(wedding).filter(~Exists(decided))
    for row in undecided.values("event").annotate(n=Count("id")):
        stats[row["event"]].pending = row["n"]
    for s in stats.values():
        s.answered = s.attending + s.declined
    return [stats[e.pk] for e in events]


def days_to_deadline(wedding: Wedding) -> int | None:
    if wedding.rsvp_deadline is None:
        return None
    return (wedding.rsvp_deadline - timezone.now()).days


def wedding_today(wedding: Wedding) -> datetime.date:
    """Today's date where the wedding takes place."""
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(wedding.time_zone)).date()


def days_to_wedding(wedding: Wedding) -> int:
    """Whole days from today (in the wedding's zone) to the wedding day: 0 on the day, negative after."""
    return (wedding.date - wedding_today(wedding)).days


@dataclass(frozen=True)
class Tick:
    at: float  # position along its axis, in the plot's pixels
    label: str


@dataclass
class Chart:
    """An inline SVG line chart: cumulative answers per day (server-rendered, swaps with its region).

    Coordinates are in the plot area (`width` × `height`); the template leaves
    a margin for the axes' labels (`margin_left`, `margin_bottom`).
    """

    width: int
    height: int
    answered: str  # SVG polyline points
    attending: str
    first_day: datetime.date | None
    last_day: datetime.date | None
    total_answered: int
    total_attending: int
    invited: int
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    deadline: Tick | None = None  # the RSVP deadline's vertical marker, when it falls in the chart
    margin_left: int = 44
    margin_bottom: int = 26

    @property
    def empty(self) -> bool:
        return self.first_day is None

    @property
    def box_width(self) -> int:
        return self.width + self.margin_left + 12

    @property
    def box_height(self) -> int:
        return self.height + self.margin_bottom + 14

    @property
    def axis_title_at(self) -> int:
        """Where the rotated y-axis title sits: halfway down the plot."""
        return self.height // 2


def nice_step(top: float, ticks: int = 4) -> int:
    """A round step (1, 2, 5 × 10ⁿ) that divides 0…`top` into about `ticks` parts."""
    raw = max(top / ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def chart_axes(
    *, first: datetime.date, last: datetime.date, top_value: int, width: int, height: int, x_ticks: int = 5
) -> tuple[int, list[Tick], list[Tick]]:
    """The y-axis maximum (a multiple of a round step ≥ `top_value`), its ticks, and dated x ticks. Pure."""
    step = nice_step(top_value)
    y_max = max(step * math.ceil(top_value / step), step)
    y = [Tick(height - v / y_max * height, str(v)) for v in range(0, y_max + 1, step)]
    span = max((last - first).days, 1)
    count = min(x_ticks, span + 1)
    days = sorted({first + datetime.timedelta(days=round(i * span / max(count - 1, 1))) for i in range(count)})
    x = [Tick((d - first).days / span * width, d.strftime("%-d %b")) for d in days]
    return y_max, y, x


def rsvp_progress(wedding: Wedding, *, invited: int, width: int = 600, height: int = 160) -> Chart:
    """Cumulative answers (and acceptances) per day against a y-axis of answers, up to the RSVP deadline.

    The x-axis runs from the first answer to the later of the last answer and
    the deadline, which is marked. One query.
    """
    rows = (
        Response.objects.for_wedding(wedding)
        .exclude(status=Response.Status.PENDING)
        .filter(responded_at__isnull=False)
        .annotate(day=TruncDate("responded_at", tzinfo=zoneinfo.ZoneInfo(wedding.time_zone)))  # the venue's days
        .values("day", "status")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    per_day: dict[datetime.date, Counter] = defaultdict(Counter)
    for row in rows:
        per_day[row["day"]][row["status"]] += row["n"]
    if not per_day:
        return Chart(width, height, "", "", None, None, 0, 0, invited)
    days = sorted(per_day)
    first, last = days[0], days[-1]
    deadline_day = (
        timezone.localtime(wedding.rsvp_deadline, zoneinfo.ZoneInfo(wedding.time_zone)).date()
        if wedding.rsvp_deadline else None
    )
    if deadline_day is not None:
        first, last = min(first, deadline_day), max(last, deadline_day)
    span = max((last - first).days, 1)
    top, y_ticks, x_ticks = chart_axes(
        first=first, last=last, top_value=max(invited, sum(sum(c.values()) for c in per_day.values()), 1),
        width=width, height=height,
    )

    def point(day: datetime.date, value: int) -> str:
        x = (day - first).days / span * width
        y = height - value / top * height
        return f"{x:.1f},{y:.1f}"

    answered_points, attending_points = [point(days[0], 0)], [point(days[0], 0)]
    answered = attending = 0
    for day in days:
        answered += per_day[day][Response.Status.ATTENDING] + per_day[day][Response.Status.DECLINED]
        attending += per_day[day][Response.Status.ATTENDING]
        answered_points.append(point(day, answered))
        attending_points.append(point(day, attending))
    deadline = None
    if deadline_day is not None:
        deadline = Tick((deadline_day - first).days / span * width, f"RSVP deadline {deadline_day:%-d %b}")
    return Chart(
        width, height, " ".join(answered_points), " ".join(attending_points), first, last,
        answered, attending, invited, y_ticks=y_ticks, x_ticks=x_ticks, deadline=deadline,
    )


def latest_responses(wedding: Wedding, limit: int = LATEST_RESPONSES) -> list[Response]:
    return list(
        Response.objects.for_wedding(wedding)
        .exclude(status=Response.Status.PENDING)
        .select_related("guest__household", "event", "meal", "answered_by_user")
        .order_by("-responded_at", "-pk")[:limit]
    )


# --- the master guest list ---------------------------------------------------------------

GUEST_FILTERS = ("q", "side", "tag", "age", "household", "event", "status", "table", "messages", "page")
RESPONSE_FILTERS = {
    "attending": "Attending",
    "declined": "Declined",
    "pending": "Not answered",
    "uninvited": "Not invited",
}



def guest_queryset(wedding: Wedding, filters: dict[str, str]):
    """The wedding's guests narrowed by the list's filters (unknown values are ignored)."""
    guests = Guest.objects.for_wedding(wedding).search(filters.get("q") or "")
    if filters.get("side") in Guest.Side.values:
        guests = guests.filter(side=filters["side"])
    if filters.get("age") in Guest.AgeGroup.values:
        guests = guests.filter(age_group=filters["age"])
    if (tag := int_param(filters.get("tag"))) is not None:
        guests = guests.filter(tags__id=tag)
    if (household := int_param(filters.get("household"))) is not None:
        guests = guests.filter(household_id=household)
    event = int_param(filters.get("event"))
    status = filters.get("status")
    if event is not None and status in RESPONSE_FILTERS:
        guests = guests.rsvp_status(event, "not_invited" if status == "uninvited" else status)
    table = filters.get("table")
    if table == "none" and event is not None:
        guests = guests.unseated(event)
    elif (table_id := int_param(table)) is not None:
        guests = guests.seated_at(table_id)
    if (messages := household_message_filter(filters.get("messages"))) is not None:
        guests = guests.filter(messages)
    return guests.distinct()


@dataclass
class GuestRow:
    guest: Guest
    cells: list[tuple[Response | None, bool, Table | None]]  # per event: response, invited, table
    tags: list[Tag]
    admin_url: str | None = None
    last_message: LastMessage | None = None  # the household's
    responded: bool = False  # someone in the household answered


def change_url_maker(model_label: str) -> Callable[[object], str | None]:
    """pk -> the model's admin change URL (one reverse for the whole list; None if not registered)."""
    app_label, _, model = model_label.partition(".")
    try:
        template = reverse(f"admin:{app_label}_{model}_change", args=[987654321])
    except NoReverseMatch:
        return lambda pk: None
    return lambda pk: template.replace("987654321", str(pk))


def guest_list(wedding: Wedding, filters: dict[str, str]) -> dict:
    """One page of the master list with every event's answer and table, and each household's
    last message / opened / responded. Fixed query count."""
    events = list(Event.objects.for_wedding(wedding))
    guests = (
        guest_queryset(wedding, filters)
        .select_related("household")
        .prefetch_related(
            "tags",
            Prefetch("responses", queryset=Response.objects.select_related("meal")),
            Prefetch("seats", queryset=Seat.objects.select_related("table")),
            Prefetch("invitations", queryset=Invitation.objects.only("id", "guest_id", "event_id")),
        )
        .order_by("last_name", "first_name", "pk")
    )
    guest_url = change_url_maker("guests.guest")
    paginator = Paginator(guests, GUESTS_PER_PAGE)
    page = paginator.get_page(filters.get("page") or 1)
    households = {guest.household_id for guest in page.object_list}
    last, answered = last_messages(households), households_answered(households)
    rows = []
    for guest in page.object_list:
        responses = {r.event_id: r for r in guest.responses.all()}
        seats = {s.event_id: s.table for s in guest.seats.all()}
        invited = {i.event_id for i in guest.invitations.all()}
        rows.append(
            GuestRow(
                guest=guest,
                cells=[(responses.get(e.pk), e.pk in invited, seats.get(e.pk)) for e in events],
                tags=list(guest.tags.all()),
                admin_url=guest_url(guest.pk),
                last_message=last.get(guest.household_id),
                responded=guest.household_id in answered,
            )
        )
    return {"events": events, "rows": rows, "page": page, "filters": filters}


def guest_filter_choices(wedding: Wedding, filters: dict[str, str]) -> dict:
    event = int_param(filters.get("event"))
    tables = Table.objects.for_wedding(wedding).filter(event_id=event) if event else Table.objects.none()
    return {
        "events": list(Event.objects.for_wedding(wedding)),
        "tags": list(Tag.objects.for_wedding(wedding)),
        "tables": sorted(tables.only("id", "name", "order"), key=table_key),
        "sides": Guest.Side.choices,
        "ages": Guest.AgeGroup.choices,
        "statuses": list(RESPONSE_FILTERS.items()),
        "message_filters": list(MESSAGE_FILTERS.items()),
        "household": Household.objects.for_wedding(wedding).filter(pk=int_param(filters.get("household"))).first()
        if filters.get("household") else None,
    }


def clean_guest_filters(raw) -> dict[str, str]:
    return {k: str(raw.get(k))[:100] for k in GUEST_FILTERS if raw.get(k) not in (None, "")}


# --- requests and activity ------------------------------------------------------------


def request_list(wedding: Wedding, status: str | None) -> list[GuestRequest]:
    requests = GuestRequest.objects.for_wedding(wedding).select_related("household", "guest", "resolved_by")
    if status in GuestRequest.Status.values:
        requests = requests.filter(status=status)
    return list(requests.order_by("-created_at", "-pk")[:200])


def admin_link(change: Change) -> str | None:
    """The admin change page of the changed object, when it still exists and has one."""
    if change.action == Change.Action.DELETE or not change.object_id:
        return None
    app_label, _, model = change.model.partition(".")
    try:
        return reverse(f"admin:{app_label}_{model}_change", args=[change.object_id])
    except NoReverseMatch:
        return None


@dataclass
class ActivityEntry:
    """One user action in the feed: the changes one transaction logged (one version)."""

    changes: list[Change]  # in write order; the first is the action's lead
    summary: str
    link: str | None

    @property
    def lead(self) -> Change:
        return self.changes[0]

    @property
    def details(self) -> list[str]:
        """The action's other changes, for a planner who wants to know exactly what it touched."""
        return [change.summary for change in self.changes[1:]] if len(self.changes) > 1 else []

    def __getattr__(self, name: str):
        # version, topic, action, object_id, count, actor_label, created_at: the lead's.
        if name == "changes":
            raise AttributeError(name)
        return getattr(self.changes[0], name)


def activity(wedding: Wedding, *, topic: str | None, actor: str | None) -> list[ActivityEntry]:
    """The latest actions, newest first: one entry per version, whatever number of rows it logged.

    Two queries: the versions that match the filters, then every change of those versions.
    """
    changes = Change.objects.for_wedding(wedding)
    matching = changes
    if topic in topics():
        matching = matching.filter(topic=topic)
    if actor == "guests":
        matching = matching.filter(actor_household__isnull=False)
    elif actor == "system":
        matching = matching.filter(actor_household__isnull=True, actor_user__isnull=True)
    elif (user_id := int_param(actor)) is not None:
        matching = matching.filter(actor_user_id=user_id)
    versions = matching.order_by("-version").values_list("version", flat=True).distinct()[:ACTIVITY_LIMIT]
    by_version: dict[int, list[Change]] = defaultdict(list)
    for change in changes.filter(version__in=list(versions)).order_by("-version", "pk"):
        by_version[change.version].append(change)
    return [
        ActivityEntry(changes=group, summary=headline(group), link=admin_link(group[0]))
        for group in by_version.values()
    ]


# --- pages ----------------------------------------------------------------------------------
