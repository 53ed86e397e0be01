"""The planner's live dashboard: stats, RSVPs, the master guest list, requests and activity.

Pages are thin views around live regions (wedding.dashboard.regions); the
reads here are shared by the page's first render, the fragment URL and the
pushes, and each runs a fixed number of queries whatever the wedding's size.
Writes go through the services of their apps (rsvp.services,
seating.services, guests.services).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guests.models import Guest, GuestRequest, Household, Tag
from realtime import regions
from realtime.models import Change
from realtime.pages import (
    action_result,
    error_text,
    int_param,
    page_context,
    planner_view,
    planner_viewer,
)
from realtime.tracking import TOPICS
from rsvp.models import Invitation, MealOption, Response
from seating.models import Seat, Table
from wedding.core.models import Event, Wedding

GUESTS_PER_PAGE = 100
LATEST_RESPONSES = 15
ACTIVITY_LIMIT = 100


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

    @property
    def answered_percent(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0


def event_stats(wedding: Wedding) -> list[EventStats]:
    """Per event: invited, answered, attending, declined, pending, ages, meals, dietary notes, seated.

    Seven queries, whatever the number of guests.
    """
    events = list(Event.objects.for_wedding(wedding))
    stats = {e.pk: EventStats(event=e, meals=[]) for e in events}
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
        .order_by("event", "meal__name")
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
    for s in stats.values():
        s.answered = s.attending + s.declined
        s.pending = max(s.invited - s.answered, 0)
    return [stats[e.pk] for e in events]


def days_to_deadline(wedding: Wedding) -> int | None:
    if wedding.rsvp_deadline is None:
        return None
    return (wedding.rsvp_deadline - timezone.now()).days


@dataclass
class Chart:
    """An inline SVG line chart: cumulative answers per day (server-rendered, swaps with its region)."""

    width: int
    height: int
    answered: str  # SVG polyline points
    attending: str
    first_day: datetime.date | None
    last_day: datetime.date | None
    total_answered: int
    total_attending: int
    invited: int

    @property
    def empty(self) -> bool:
        return self.first_day is None


def rsvp_progress(wedding: Wedding, *, invited: int, width: int = 600, height: int = 160) -> Chart:
    """Cumulative answers (and acceptances) per day, scaled against the invitations sent. One query."""
    rows = (
        Response.objects.for_wedding(wedding)
        .exclude(status=Response.Status.PENDING)
        .filter(responded_at__isnull=False)
        .annotate(day=TruncDate("responded_at"))
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
    span = max((last - first).days, 1)
    top = max(invited, sum(sum(c.values()) for c in per_day.values()), 1)

    def point(day: datetime.date, value: int) -> str:
        x = (day - first).days / span * width
        y = height - value / top * height
        return f"{x:.1f},{y:.1f}"

    answered_points, attending_points = [point(first, 0)], [point(first, 0)]
    answered = attending = 0
    for day in days:
        answered += per_day[day][Response.Status.ATTENDING] + per_day[day][Response.Status.DECLINED]
        attending += per_day[day][Response.Status.ATTENDING]
        answered_points.append(point(day, answered))
        attending_points.append(point(day, attending))
    return Chart(
        width, height, " ".join(answered_points), " ".join(attending_points), first, last,
        answered, attending, invited,
    )


def latest_responses(wedding: Wedding, limit: int = LATEST_RESPONSES) -> list[Response]:
    return list(
        Response.objects.for_wedding(wedding)
        .exclude(status=Response.Status.PENDING)
        .select_related("guest__household", "event", "meal", "answered_by_user")
        .order_by("-responded_at", "-pk")[:limit]
    )


# --- the master guest list ---------------------------------------------------------------

GUEST_FILTERS = ("q", "side", "tag", "age", "household", "event", "status", "table", "page")
RESPONSE_FILTERS = {
    "attending": "Attending",
    "declined": "Declined",
    "pending": "Not answered",
    "uninvited": "Not invited",
}



def guest_queryset(wedding: Wedding, filters: dict[str, str]):
    """The wedding's guests narrowed by the list's filters (unknown values are ignored)."""
    guests = Guest.objects.for_wedding(wedding)
    q = (filters.get("q") or "").strip()
    if q:
        for word in q.split()[:5]:
            guests = guests.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word)
                | Q(email__icontains=word) | Q(household__name__icontains=word)
            )
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
        invited = Invitation.objects.filter(event_id=event).values("guest_id")
        answered = Response.objects.filter(event_id=event).exclude(status=Response.Status.PENDING)
        if status == "uninvited":
            guests = guests.exclude(pk__in=invited)
        elif status == "pending":
            guests = guests.filter(pk__in=invited).exclude(pk__in=answered.values("guest_id"))
        else:
            guests = guests.filter(pk__in=answered.filter(status=status).values("guest_id"))
    table = filters.get("table")
    if table == "none" and event is not None:
        guests = guests.exclude(seats__event_id=event)
    elif (table_id := int_param(table)) is not None:
        guests = guests.filter(seats__table_id=table_id)
    return guests.distinct()


@dataclass
class GuestRow:
    guest: Guest
    cells: list[tuple[Response | None, bool, Table | None]]  # per event: response, invited, table
    tags: list[Tag]
    admin_url: str | None = None


def change_url_maker(model_label: str) -> Callable[[object], str | None]:
    """pk -> the model's admin change URL (one reverse for the whole list; None if not registered)."""
    app_label, _, model = model_label.partition(".")
    try:
        template = reverse(f"admin:{app_label}_{model}_change", args=[987654321])
    except NoReverseMatch:
        return lambda pk: None
    return lambda pk: template.replace("987654321", str(pk))


def guest_list(wedding: Wedding, filters: dict[str, str]) -> dict:
    """One page of the master list with every event's answer and table. Fixed query count."""
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
            )
        )
    return {"events": events, "rows": rows, "page": page, "filters": filters}


def guest_filter_choices(wedding: Wedding, filters: dict[str, str]) -> dict:
    event = int_param(filters.get("event"))
    tables = Table.objects.for_wedding(wedding).filter(event_id=event) if event else Table.objects.none()
    return {
        "events": list(Event.objects.for_wedding(wedding)),
        "tags": list(Tag.objects.for_wedding(wedding)),
        "tables": list(tables.only("id", "name")),
        "sides": Guest.Side.choices,
        "ages": Guest.AgeGroup.choices,
        "statuses": list(RESPONSE_FILTERS.items()),
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


def activity(wedding: Wedding, *, topic: str | None, actor: str | None) -> list[Change]:
    changes = Change.objects.for_wedding(wedding).select_related("actor_user")
    if topic in TOPICS:
        changes = changes.filter(topic=topic)
    if actor == "guests":
        changes = changes.filter(actor_household__isnull=False)
    elif actor == "system":
        changes = changes.filter(actor_household__isnull=True, actor_user__isnull=True)
    elif (user_id := int_param(actor)) is not None:
        changes = changes.filter(actor_user_id=user_id)
    rows = list(changes.order_by("-version", "-pk")[:ACTIVITY_LIMIT])
    for change in rows:
        change.link = admin_link(change)
    return rows


# --- pages ----------------------------------------------------------------------------------


def admin_index(site: admin.AdminSite, request: HttpRequest) -> HttpResponse | None:
    """The admin index: the planner's only wedding's dashboard, or the switcher. None: Django's index."""
    weddings = list(Wedding.objects.for_planner(request.user)[:50])
    if not weddings:
        return None
    if len(weddings) == 1 and "switch" not in request.GET:
        return dashboard_page.__wrapped__(request, weddings[0])
    context = {
        **site.each_context(request),
        "title": "Your weddings",
        "weddings": weddings,
        "app_list": site.get_app_list(request),
    }
    return render(request, "admin/dashboard/switcher.html", context)


@planner_view
def dashboard_page(request: HttpRequest, wedding: Wedding) -> HttpResponse:
    context = page_context(request, wedding, title=f"{wedding.name} — dashboard", section="home")
    context["events"] = list(Event.objects.for_wedding(wedding))
    return render(request, "admin/dashboard/home.html", context)


@planner_view
def guests_page(request: HttpRequest, wedding: Wedding) -> HttpResponse:
    filters = clean_guest_filters(request.GET)
    viewer = planner_viewer(wedding)
    context = page_context(
        request, wedding, title="Guest list", section="guests",
        filters=filters, choices=guest_filter_choices(wedding, filters),
        meal_options=list(MealOption.objects.for_wedding(wedding).select_related("event")),
        all_tables=list(Table.objects.for_wedding(wedding).select_related("event")),
    )
    context["guest_list"] = regions.render_region("dash_guests", viewer, filters)
    return render(request, "admin/dashboard/guests.html", context)


BULK_ACTIONS = ("invite", "seat", "respond", "tag", "delete")


@require_POST
@planner_view
def guests_bulk(request: HttpRequest, wedding: Wedding) -> HttpResponse:
    """One bulk action on the selected guests, announced as ONE change. Delete asks first."""
    from guests import services as guest_services
    from rsvp import services as rsvp_services
    from seating import services as seating_services

    action = request.POST.get("action")
    ids = [i for i in (int_param(v) for v in request.POST.getlist("guest")) if i is not None]
    guests = list(Guest.objects.for_wedding(wedding).filter(pk__in=ids).select_related("household"))
    if action not in BULK_ACTIONS:
        return action_result(request, ok=False, message="Choose what to do with the selected guests.")
    if not guests:
        return action_result(request, ok=False, message="Select at least one guest first.")
    n = len(guests)
    try:
        if action == "invite":
            event = _chosen(Event.objects.for_wedding(wedding), request.POST.get("event"), "an event")
            new = rsvp_services.invitations_create(guests=guests, event=event)
            message = f"Invited {new} guest(s) to the {event.name} ({n - new} already were)."
        elif action == "seat":
            table = _chosen(
                Table.objects.for_wedding(wedding).select_related("event"), request.POST.get("table"), "a table"
            )
            seating_services.seats_assign_many(guests=guests, table=table, user=request.user)
            message = f"Seated {n} guest(s) at {table.name} ({table.event.name})."
        elif action == "respond":
            event = _chosen(Event.objects.for_wedding(wedding), request.POST.get("event"), "an event")
            status = request.POST.get("status", "")
            if status not in Response.Status.values:
                raise ValidationError("Choose attending, declined or pending.")
            meal = None
            if request.POST.get("meal"):
                meal = _chosen(MealOption.objects.for_wedding(wedding), request.POST.get("meal"), "a meal")
            done = rsvp_services.responses_record_many(
                guests=guests, event=event, status=status, meal=meal, user=request.user
            )
            message = f"Recorded “{Response.Status(status).label}” for {done} guest(s) at the {event.name}."
            if done < n:
                message += f" {n - done} are not invited to it and were skipped."
        elif action == "tag":
            name = (request.POST.get("tag") or "").strip()
            guest_services.guests_tag(wedding=wedding, guests=guests, name=name, user=request.user)
            message = f"Tagged {n} guest(s) “{name}”."
        else:
            if request.POST.get("confirm") != "yes":
                context = page_context(
                    request, wedding, title=f"Delete {n} guest(s)?", section="guests", guests=guests,
                    next=request.POST.get("next", ""),
                )
                return render(request, "admin/dashboard/guests_delete.html", context)
            guest_services.guests_delete(wedding=wedding, guests=guests, user=request.user)
            message = f"Deleted {n} guest(s)."
    except (ValidationError, PermissionDenied) as exc:
        return action_result(request, ok=False, message=error_text(exc))
    return action_result(request, ok=True, message=message)


def _chosen(queryset, value: str | None, what: str):
    """The object picked in a bulk form (of this wedding), or a ValidationError naming what is missing."""
    obj = queryset.filter(pk=int_param(value)).first() if int_param(value) is not None else None
    if obj is None:
        raise ValidationError(f"Choose {what} for this action.")
    return obj


@planner_view
def respond_page(request: HttpRequest, wedding: Wedding, guest_id: int) -> HttpResponse:
    """Record a reply on a guest's behalf (phone or mail)."""
    from rsvp import services as rsvp_services

    guest = get_object_or_404(Guest.objects.for_wedding(wedding).select_related("household"), pk=guest_id)
    invitations = list(
        Invitation.objects.filter(guest=guest).select_related("event").order_by("event__order", "event__starts_at")
    )
    responses = {r.event_id: r for r in Response.objects.filter(guest=guest)}
    meals = list(MealOption.objects.filter(event__in=[i.event_id for i in invitations]))
    error = None
    if request.method == "POST":
        event = next((i.event for i in invitations if i.event_id == int_param(request.POST.get("event"))), None)
        meal = next((m for m in meals if m.pk == int_param(request.POST.get("meal"))), None)
        if event is None:
            error = "Choose an event this guest is invited to."
        else:
            try:
                with transaction.atomic():
                    rsvp_services.response_record(
                        guest=guest, event=event, status=request.POST.get("status", ""), meal=meal,
                        note=request.POST.get("note", ""), user=request.user,
                    )
            except (ValidationError, PermissionDenied) as exc:
                error = error_text(exc)
            else:
                messages.success(request, f"Recorded {guest.full_name}'s answer for the {event.name}.")
                back = request.POST.get("next", "")
                return HttpResponseRedirect(back if back.startswith("/") else reverse("admin:dashboard", args=[wedding.pk]))
    context = page_context(
        request, wedding, title=f"Reply for {guest.full_name}", section="home", guest=guest,
        invitations=[(i, responses.get(i.event_id)) for i in invitations], meals=meals, error=error,
        statuses=Response.Status.choices, next=request.GET.get("next") or request.POST.get("next", ""),
    )
    return render(request, "admin/dashboard/respond.html", context, status=422 if error else 200)


@planner_view
def requests_page(request: HttpRequest, wedding: Wedding) -> HttpResponse:
    status = request.GET.get("status") if request.GET.get("status") in GuestRequest.Status.values else None
    context = page_context(
        request, wedding, title="Guest requests", section="requests", status=status,
        statuses=GuestRequest.Status.choices,
    )
    context["request_list"] = regions.render_region(
        "dash_requests", planner_viewer(wedding), {"status": status} if status else {}
    )
    return render(request, "admin/dashboard/requests.html", context)


@planner_view
def request_resolve(request: HttpRequest, wedding: Wedding, request_id: int) -> HttpResponse:
    from guests import services as guest_services

    guest_request = get_object_or_404(
        GuestRequest.objects.for_wedding(wedding).select_related("household", "guest"), pk=request_id
    )
    error = None
    if request.method == "POST":
        try:
            with transaction.atomic():
                guest_services.guest_request_resolve(
                    request=guest_request, status=request.POST.get("status", ""),
                    reply=request.POST.get("reply", ""), user=request.user,
                )
        except (ValidationError, PermissionDenied) as exc:
            error = error_text(exc)
        else:
            messages.success(request, f"Request from {guest_request.household} is {guest_request.get_status_display().lower()}.")
            return HttpResponseRedirect(reverse("admin:dashboard-requests", args=[wedding.pk]))
    context = page_context(
        request, wedding, title=f"Request from {guest_request.household}", section="requests",
        guest_request=guest_request, statuses=GuestRequest.Status.choices, error=error,
    )
    return render(request, "admin/dashboard/request_resolve.html", context, status=422 if error else 200)


@planner_view
def activity_page(request: HttpRequest, wedding: Wedding) -> HttpResponse:
    params = {}
    if request.GET.get("topic") in TOPICS:
        params["topic"] = request.GET["topic"]
    actor = request.GET.get("actor", "")
    if actor in ("guests", "system") or int_param(actor) is not None:
        params["actor"] = actor
    context = page_context(
        request, wedding, title="Activity", section="activity", params=params,
        topics=sorted(TOPICS), planners=list(wedding.planners.all()),
    )
    context["feed"] = regions.render_region("dash_activity", planner_viewer(wedding), params)
    return render(request, "admin/dashboard/activity.html", context)


def urlpatterns(site: admin.AdminSite) -> list:
    """The dashboard's URLs, each behind the admin's login and staff check."""
    from seating import urls as seating_urls
    from wedding.dashboard import reports

    wrap = site.admin_view
    return [
        path("<int:wedding_id>/", wrap(dashboard_page), name="dashboard"),
        path("<int:wedding_id>/guests/", wrap(guests_page), name="dashboard-guests"),
        path("<int:wedding_id>/guests/bulk/", wrap(guests_bulk), name="dashboard-guests-bulk"),
        path("<int:wedding_id>/guests/<int:guest_id>/respond/", wrap(respond_page), name="dashboard-respond"),
        path("<int:wedding_id>/requests/", wrap(requests_page), name="dashboard-requests"),
        path("<int:wedding_id>/requests/<int:request_id>/", wrap(request_resolve), name="dashboard-request"),
        path("<int:wedding_id>/activity/", wrap(activity_page), name="dashboard-activity"),
        *reports.urlpatterns(site),
        *seating_urls.urlpatterns_for(site),
    ]
