"""Planner admin for households, the guest list, tags and guest requests.

The guest list is the planners' main screen: it shows each guest's answer
and table per event (from prefetched rows: a fixed number of queries whatever
the number of guests), filters by RSVP status per event, and offers bulk
actions that each announce ONE change to live pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.response import TemplateResponse

from guests.models import Guest, GuestRequest, Household, Tag
from guests.services import (
    guest_request_resolve,
    guests_delete,
    household_code_regenerate,
    households_delete,
)
from realtime.live import LiveChangeList
from wedding.core.admin_base import WeddingScopedAdmin, WeddingScopedInline, planned_weddings
from wedding.core.models import Event

# Above this many events in scope (a superuser looking at every wedding), the
# list shows one combined "Responses" column instead of one column per event.
MAX_EVENT_COLUMNS = 8


def events_in_scope(request: HttpRequest) -> list[Event]:
    """Events of the weddings the list is looking at: the filtered wedding, or all planned ones.

    Cached on the request: list display, filters and actions ask for it in one request.
    """
    cached = getattr(request, "_confetti_events_in_scope", None)
    if cached is not None:
        return cached
    weddings = planned_weddings(request)
    selected = request.GET.get("wedding__id__exact", "")
    if selected.isdigit():
        weddings = weddings.filter(pk=selected)
    events = list(
        Event.objects.filter(wedding__in=weddings).select_related("wedding").order_by("wedding", "order", "starts_at")
    )
    request._confetti_events_in_scope = events
    return events


def event_label(event: Event, events: list[Event]) -> str:
    several_weddings = len({e.wedding_id for e in events}) > 1
    return f"{event.wedding.name}: {event.name}" if several_weddings else event.name






















@dataclass(frozen=True)
class GuestListPart:
    """What another app adds to the guest list admin (rsvp: answers per event; seating: tables;
    import/export: its pages and the CSV action).

    Apps that build on guests declare their part in their admin.py with `guest_list_part()`,
    so guests imports neither of them. `columns` and `filters` get the events in scope.
    """

    columns: Callable[[list[Event]], list] = lambda events: []
    filters: Callable[[list[Event]], list] = lambda events: []
    prefetch: tuple[Prefetch, ...] = ()
    actions: tuple[Callable, ...] = ()  # admin actions: (modeladmin, request, queryset)
    urls: Callable[[admin.ModelAdmin], list] = lambda model_admin: []  # pages under the guest list


GUEST_LIST_PARTS: list[GuestListPart] = []


def guest_list_part(part: GuestListPart) -> GuestListPart:
    GUEST_LIST_PARTS.append(part)
    return part


# Errors a service raises for a refused bulk write; shown as a message, nothing changed.
REFUSED = (ValidationError, IntegrityError, ValueError)


def error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


# --- admins ----------------------------------------------------------------------


class GuestInline(WeddingScopedInline, admin.TabularInline):
    model = Guest
    extra = 0
    fields = (
        "first_name", "last_name", "email", "phone", "age_group", "side",
        "dietary_notes", "is_plus_one", "directory_opt_in",
    )


@admin.register(Household)
class HouseholdAdmin(LiveChangeList, WeddingScopedAdmin):
    live_list_region = "household_admin_list"
    list_display = ("name", "members", "email", "phone", "plus_ones_allowed", "invitation_code", "wedding")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("wedding",)
    search_fields = ("name", "email", "guests__first_name", "guests__last_name", "guests__email")
    readonly_fields = ("invitation_code", "message_to_couple")
    inlines = [GuestInline]
    actions = ("delete_selected", "regenerate_codes")

    @admin.action(description="Give the selected households new invitation codes")
    def regenerate_codes(self, request, queryset) -> None:
        households = list(queryset)
        try:
            for household in households:
                household_code_regenerate(household=household, user=request.user)
        except (PermissionDenied, ValidationError) as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request,
            f"{len(households)} household(s) have new invitation codes; their old links and codes no longer "
            "work and they were signed out.",
        )

    def get_queryset(self, request):
        guests = Prefetch("guests", queryset=Guest.objects.only("id", "household_id", "first_name", "last_name"))
        # A subquery, not Count("guests"): searching by guest name joins the guests
        # again, and a joined count would be multiplied.
        count = (
            Guest.objects.filter(household=OuterRef("pk")).order_by().values("household")
            .annotate(n=Count("pk")).values("n")
        )
        return (
            super().get_queryset(request)
            .annotate(guest_count=Coalesce(Subquery(count), 0))
            .prefetch_related(guests)
        )

    @admin.display(description="guests", ordering="guest_count")
    def members(self, household: Household) -> str:
        names = ", ".join(guest.full_name for guest in household.guests.all())
        return f"{household.guest_count}: {names}" if names else "0"

    def delete_model(self, request, obj: Household) -> None:
        """A household with its guests (and their answers and seats): one change."""
        households_delete(wedding=obj.wedding, households=[obj], user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        """Django's delete_selected, announced as one change per wedding."""
        for households in _by_wedding(queryset):
            households_delete(wedding=households[0].wedding, households=households, user=request.user)


def _by_wedding(queryset, *related: str) -> list[list[Any]]:
    """The selected rows, one list per wedding (each row with its wedding, and `related`, loaded)."""
    grouped: dict[int, list[Any]] = {}
    for obj in queryset.order_by().select_related("wedding", *related).prefetch_related(None):
        grouped.setdefault(obj.wedding_id, []).append(obj)
    return list(grouped.values())


@admin.register(Guest)
class GuestAdmin(LiveChangeList, WeddingScopedAdmin):
    live_list_region = "guest_admin_list"
    search_fields = ("first_name", "last_name", "email", "household__name")

    def get_search_results(self, request, queryset, search_term):
        """The same search as the dashboard's guest list (GuestQuerySet.search)."""
        return queryset.search(search_term), False
    autocomplete_fields = ("household",)
    filter_horizontal = ("tags",)
    actions = ("delete_selected",)  # and the parts' actions (get_actions)
    list_per_page = 100
    change_list_template = "admin/guests/guest/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("household", "wedding")
            .prefetch_related(*(prefetch for part in GUEST_LIST_PARTS for prefetch in part.prefetch))
        )

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        parts = {}
        for part in GUEST_LIST_PARTS:
            for action in part.actions:
                found = self.get_action(action, action_location)  # None where it does not belong
                if found is not None:
                    parts[found.name] = found
        return {**parts, **actions}

    def get_list_display(self, request):
        events = events_in_scope(request)
        columns: list[Any] = ["full_name_display", "household", "side", "age_group"]
        for part in GUEST_LIST_PARTS:
            columns += part.columns(events)
        if len({e.wedding_id for e in events}) > 1:
            columns.append("wedding")
        return columns

    def get_list_filter(self, request):
        events = events_in_scope(request)
        filters: list[Any] = [("wedding", admin.RelatedOnlyFieldListFilter), "side", "age_group"]
        for part in GUEST_LIST_PARTS:
            filters += part.filters(events)
        filters.append(("tags", admin.RelatedOnlyFieldListFilter))
        return filters

    @admin.display(description="name", ordering="last_name")
    def full_name_display(self, guest: Guest) -> str:
        return guest.full_name


    # --- bulk actions ---------------------------------------------------------

    def _one_wedding(self, request, queryset) -> int | None:
        wedding_ids = set(queryset.values_list("wedding_id", flat=True).distinct())
        if len(wedding_ids) != 1:
            self.message_user(request, "Choose guests of one wedding at a time.", messages.ERROR)
            return None
        return wedding_ids.pop()

    def _action_page(self, request, queryset, *, form, title: str, action: str, button: str) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "guests": queryset,
            "count": queryset.count(),
            "action": action,
            "button": button,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "selected": queryset.values_list("pk", flat=True),
            "select_across": request.POST.get("select_across", "0"),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/guests/guest/action_form.html", context)

    def _guests(self, queryset) -> list[Guest]:
        return list(queryset.order_by().select_related(None).prefetch_related(None))

    def _form_action(
        self, request, queryset, *, form_class, title: str, action: str, button: str,
        failure: str, perform: Callable[[dict, list[Guest]], tuple[str, int]],
        refused: tuple[type[BaseException], ...] = REFUSED,
    ):
        """The shape every bulk action with a question shares: one wedding at a time, an
        intermediate form until it is valid, then one service call (one change) and a message."""
        wedding_id = self._one_wedding(request, queryset)
        if wedding_id is None:
            return None
        form = form_class(request.POST if "apply" in request.POST else None, wedding_id=wedding_id)
        if not form.is_valid():
            return self._action_page(request, queryset, form=form, title=title, action=action, button=button)
        try:
            text, level = perform(form.cleaned_data, self._guests(queryset))
        except refused as error:
            self.message_user(request, f"{failure}: {error_text(error)}", messages.ERROR)
            return None
        self.message_user(request, text, level)
        return None




    def delete_model(self, request, obj: Guest) -> None:
        """One guest with their answers, invitations and seats: one line in the activity feed."""
        guests_delete(wedding=obj.wedding, guests=[obj], user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        """Django's delete_selected, announced as one change per wedding."""
        for guests in _by_wedding(queryset, "household"):
            guests_delete(wedding=guests[0].wedding, guests=guests, user=request.user)

    def get_urls(self):
        extra = [url for part in GUEST_LIST_PARTS for url in part.urls(self)]
        return extra + super().get_urls()


@admin.register(Tag)
class TagAdmin(WeddingScopedAdmin):
    list_display = ("name", "guest_count", "wedding")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("wedding",)
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(guest_count=Count("guests"))

    @admin.display(description="guests", ordering="guest_count")
    def guest_count(self, tag: Tag) -> int:
        return tag.guest_count


@admin.register(GuestRequest)
class GuestRequestAdmin(WeddingScopedAdmin):
    list_display = ("household", "kind", "status", "created_at", "wedding")
    list_filter = ("status", "kind", ("wedding", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("household", "wedding")
    search_fields = ("household__name", "message")
    autocomplete_fields = ("household", "guest")
    # Who resolved it is recorded, not chosen (the user list is not the planner's to browse).
    readonly_fields = ("resolved_by", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:  # the household's own words; a planner answers with status and reply
            fields += ["wedding", "household", "guest", "kind", "message"]
        return fields

    def save_model(self, request, obj, form, change) -> None:
        """New requests are plain rows; answering one is guests.services.guest_request_resolve."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        guest_request_resolve(request=obj, status=obj.status, reply=obj.reply, user=request.user)

