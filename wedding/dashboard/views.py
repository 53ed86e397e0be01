"""The planner's live dashboard: stats, RSVPs, the master guest list, requests and activity.

Pages are thin views around live regions (wedding.dashboard.regions); the
reads here are shared by the page's first render, the fragment URL and the
pushes, and each runs a fixed number of queries whatever the wedding's size.
Writes go through the services of their apps (rsvp.services,
seating.services, guests.services).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guests.models import Guest, GuestRequest
from realtime import live
from realtime.live import (
    action_result,
    error_text,
    int_param,
    page_context,
    planner_view,
    planner_viewer,
    topics,
)
from rsvp.forms import GuestQuestionsForm
from rsvp.models import Invitation, MealOption, Response
from seating.models import Table
from wedding.core.models import Event, Wedding
from wedding.core.redirects import safe_next
from wedding.dashboard.reads import (
    clean_guest_filters,
    guest_filter_choices,
)


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
    context["guest_list"] = live.render_region("dash_guests", viewer, filters)
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
                    next=safe_next(request, request.POST.get("next"), fallback=""),
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
    questions = GuestQuestionsForm(
        request.POST if request.method == "POST" else None, guest=guest, event_ids={i.event_id for i in invitations}
    )
    error = None
    if request.method == "POST":
        event = next((i.event for i in invitations if i.event_id == int_param(request.POST.get("event"))), None)
        meal = next((m for m in meals if m.pk == int_param(request.POST.get("meal"))), None)
        if event is None:
            error = "Choose an event this guest is invited to."
        elif not questions.is_valid():
            error = "Please check the answers to the couple's questions."
        else:
            try:
                with transaction.atomic():
                    rsvp_services.response_record(
                        guest=guest, event=event, status=request.POST.get("status", ""), meal=meal,
                        note=request.POST.get("note", ""), user=request.user,
                    )
                    # After the answer: an event's questions are kept only for those attending it.
                    rsvp_services.question_answers_record(guest=guest, replies=questions.replies(), user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                error = error_text(exc)
            else:
                messages.success(request, f"Recorded {guest.full_name}'s answer for the {event.name}.")
                back = safe_next(request, request.POST.get("next"), fallback=reverse("admin:dashboard", args=[wedding.pk]))
                return HttpResponseRedirect(back)
    context = page_context(
        request, wedding, title=f"Reply for {guest.full_name}", section="home", guest=guest,
        invitations=[(i, responses.get(i.event_id)) for i in invitations], meals=meals, error=error,
        statuses=Response.Status.choices, questions=questions,
        next=safe_next(request, request.GET.get("next"), request.POST.get("next"), fallback=""),
    )
    return render(request, "admin/dashboard/respond.html", context, status=422 if error else 200)


@planner_view
def requests_page(request: HttpRequest, wedding: Wedding) -> HttpResponse:
    status = request.GET.get("status") if request.GET.get("status") in GuestRequest.Status.values else None
    context = page_context(
        request, wedding, title="Guest requests", section="requests", status=status,
        statuses=GuestRequest.Status.choices,
    )
    context["request_list"] = live.render_region(
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
    if request.GET.get("topic") in topics():
        params["topic"] = request.GET["topic"]
    actor = request.GET.get("actor", "")
    if actor in ("guests", "system") or int_param(actor) is not None:
        params["actor"] = actor
    context = page_context(
        request, wedding, title="Activity", section="activity", params=params,
        topics=sorted(topics()), planners=list(wedding.planners.all()),
    )
    context["feed"] = live.render_region("dash_activity", planner_viewer(wedding), params)
    return render(request, "admin/dashboard/activity.html", context)
