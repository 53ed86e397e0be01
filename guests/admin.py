"""Planner admin for households, the guest list, tags and guest requests.

The guest list is the planners' main screen: it shows each guest's answer
and table per event (from prefetched rows: a fixed number of queries whatever
the number of guests), filters by RSVP status per event, and offers bulk
actions that each announce ONE change to live pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from guests import admin_views, exporting
from guests.models import Guest, GuestRequest, Household, Tag
from guests.services import guests_delete, households_delete
from rsvp.models import Invitation, MealOption, Response
from rsvp.services import invitations_create, responses_record_many
from seating.models import Seat, Table
from seating.services import seats_assign_many
from wedding.admin_base import WeddingScopedAdmin, WeddingScopedInline, planned_weddings
from wedding.models import Event

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


def _event_label(event: Event, events: list[Event]) -> str:
    several_weddings = len({e.wedding_id for e in events}) > 1
    return f"{event.wedding.name}: {event.name}" if several_weddings else event.name


def response_text(guest: Guest, event: Event) -> str:
    """A guest's answer for one event, from prefetched responses and invitations."""
    for response in guest.responses.all():
        if response.event_id == event.pk:
            if response.status == Response.Status.ATTENDING and response.meal_id:
                return f"Attending · {response.meal.name}"
            if response.status == Response.Status.PENDING:
                return "No answer yet"
            return response.get_status_display()
    if any(invitation.event_id == event.pk for invitation in guest.invitations.all()):
        return "No answer yet"
    return "—"


def table_text(guest: Guest, events: list[Event]) -> str:
    event_ids = {e.pk for e in events}
    seats = [s for s in guest.seats.all() if s.event_id in event_ids]
    if not seats:
        return "—"
    if len(event_ids) == 1:
        return seats[0].table.name
    return ", ".join(f"{seat.event.name}: {seat.table.name}" for seat in seats)


def _response_column(event: Event, label: str) -> Callable[[Guest], str]:
    def column(guest: Guest) -> str:
        return response_text(guest, event)

    column.short_description = label  # type: ignore[attr-defined]
    column.__name__ = f"rsvp_{event.pk}"
    return column


def _table_column(events: list[Event]) -> Callable[[Guest], str]:
    # Built per request: the admin instance is shared, the events in scope are not.
    def column(guest: Guest) -> str:
        return table_text(guest, events)

    column.short_description = "table"  # type: ignore[attr-defined]
    column.__name__ = "table"
    return column


def rsvp_filter_for(event: Event, label: str) -> type[admin.SimpleListFilter]:
    """A list filter on one event's RSVP status (one per event in scope)."""

    answered = Response.objects.filter(guest=OuterRef("pk"), event=event)
    invited = Invitation.objects.filter(guest=OuterRef("pk"), event=event)

    class RsvpStatusFilter(admin.SimpleListFilter):
        title = f"RSVP — {label}"
        parameter_name = f"rsvp_{event.pk}"

        def lookups(self, request, model_admin):
            return [
                ("attending", "Attending"),
                ("declined", "Declined"),
                ("pending", "Invited, no answer"),
                ("not_invited", "Not invited"),
            ]

        def queryset(self, request, queryset):
            value = self.value()
            if value in (Response.Status.ATTENDING, Response.Status.DECLINED):
                return queryset.filter(Exists(answered.filter(status=value)))
            if value == "pending":
                decided = answered.exclude(status=Response.Status.PENDING)
                return queryset.filter(Exists(invited) | Exists(answered)).exclude(Exists(decided))
            if value == "not_invited":
                return queryset.exclude(Exists(invited)).exclude(Exists(answered))
            return queryset

    return RsvpStatusFilter


class TableFilter(admin.SimpleListFilter):
    title = "table"
    parameter_name = "table"

    def lookups(self, request, model_admin):
        events = events_in_scope(request)
        tables = Table.objects.filter(event__in=events).select_related("event")
        several = len(events) > 1
        choices = [(str(t.pk), f"{t.event.name}: {t.name}" if several else t.name) for t in tables]
        choices += [(f"none-{e.pk}", f"Not seated — {_event_label(e, events)}") for e in events]
        return choices

    def queryset(self, request, queryset):
        value = self.value() or ""
        if value.startswith("none-") and value[5:].isdigit():
            seated = Seat.objects.filter(guest=OuterRef("pk"), event_id=int(value[5:]))
            return queryset.exclude(Exists(seated))
        if value.isdigit():
            return queryset.filter(Exists(Seat.objects.filter(guest=OuterRef("pk"), table_id=int(value))))
        return queryset


# --- intermediate forms of the bulk actions ------------------------------------


class EventChoiceForm(forms.Form):
    event = forms.ModelChoiceField(queryset=Event.objects.none())

    def __init__(self, *args: Any, wedding_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = Event.objects.filter(wedding_id=wedding_id)


class TableChoiceForm(forms.Form):
    table = forms.ModelChoiceField(queryset=Table.objects.none())

    def __init__(self, *args: Any, wedding_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["table"]
        field.queryset = Table.objects.filter(wedding_id=wedding_id).select_related("event")
        field.label_from_instance = lambda t: f"{t.event.name}: {t.name} (seats {t.capacity})"


class ResponseForm(forms.Form):
    event = forms.ModelChoiceField(queryset=Event.objects.none())
    status = forms.ChoiceField(choices=Response.Status.choices)
    meal = forms.ModelChoiceField(
        queryset=MealOption.objects.none(), required=False, help_text="Only for guests who attend."
    )

    def __init__(self, *args: Any, wedding_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = Event.objects.filter(wedding_id=wedding_id)
        meal = self.fields["meal"]
        meal.queryset = MealOption.objects.filter(wedding_id=wedding_id).select_related("event")
        meal.label_from_instance = lambda m: f"{m.event.name}: {m.name}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        event, meal = cleaned.get("event"), cleaned.get("meal")
        if meal is not None and event is not None and meal.event_id != event.pk:
            self.add_error("meal", f"“{meal.name}” is a meal of {meal.event.name}, not of {event.name}.")
        if meal is not None and cleaned.get("status") != Response.Status.ATTENDING:
            self.add_error("meal", "A meal can only be chosen for guests who attend.")
        return cleaned


# Errors a service raises for a refused bulk write; shown as a message, nothing changed.
REFUSED = (ValidationError, IntegrityError, ValueError)


def _error_text(error: Exception) -> str:
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
class HouseholdAdmin(WeddingScopedAdmin):
    list_display = ("name", "members", "email", "phone", "plus_ones_allowed", "invitation_code", "wedding")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("wedding",)
    search_fields = ("name", "email", "guests__first_name", "guests__last_name", "guests__email")
    readonly_fields = ("invitation_code", "message_to_couple")
    inlines = [GuestInline]

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
class GuestAdmin(WeddingScopedAdmin):
    search_fields = ("first_name", "last_name", "email", "household__name")
    autocomplete_fields = ("household",)
    filter_horizontal = ("tags",)
    actions = ("invite_to_event", "assign_to_table", "record_response", "delete_selected", "export_csv")
    list_per_page = 100
    change_list_template = "admin/guests/guest/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("household", "wedding")
            .prefetch_related(
                Prefetch("responses", queryset=Response.objects.select_related("meal", "event")),
                Prefetch("invitations", queryset=Invitation.objects.only("id", "guest_id", "event_id")),
                Prefetch("seats", queryset=Seat.objects.select_related("table", "event")),
            )
        )

    def get_list_display(self, request):
        events = events_in_scope(request)
        columns: list[Any] = ["full_name_display", "household", "side", "age_group"]
        if len(events) <= MAX_EVENT_COLUMNS:
            columns += [_response_column(e, _event_label(e, events)) for e in events]
        else:
            columns.append("responses_display")
        columns.append(_table_column(events))
        if len({e.wedding_id for e in events}) > 1:
            columns.append("wedding")
        return columns

    def get_list_filter(self, request):
        events = events_in_scope(request)
        filters: list[Any] = [("wedding", admin.RelatedOnlyFieldListFilter), "side", "age_group"]
        filters += [rsvp_filter_for(e, _event_label(e, events)) for e in events]
        filters += [TableFilter, ("tags", admin.RelatedOnlyFieldListFilter)]
        return filters

    @admin.display(description="name", ordering="last_name")
    def full_name_display(self, guest: Guest) -> str:
        return guest.full_name

    @admin.display(description="responses")
    def responses_display(self, guest: Guest) -> str:
        parts = [f"{r.event.name}: {r.get_status_display()}" for r in guest.responses.all()]
        return "; ".join(parts) or "—"

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
            self.message_user(request, f"{failure}: {_error_text(error)}", messages.ERROR)
            return None
        self.message_user(request, text, level)
        return None

    @admin.action(description="Invite the selected guests to an event")
    def invite_to_event(self, request, queryset):
        def perform(data: dict, guests: list[Guest]) -> tuple[str, int]:
            event = data["event"]
            created = invitations_create(guests=guests, event=event)  # one change, one message
            already = len(guests) - created
            note = f" ({already} already were)" if already else ""
            return f"Invited {created} guest(s) to {event.name}{note}.", messages.SUCCESS

        return self._form_action(
            request, queryset, form_class=EventChoiceForm, title="Invite guests to an event",
            action="invite_to_event", button="Invite", failure="Nobody was invited", perform=perform,
        )

    @admin.action(description="Assign the selected guests to a table")
    def assign_to_table(self, request, queryset):
        def perform(data: dict, guests: list[Guest]) -> tuple[str, int]:
            table = data["table"]
            seats_assign_many(guests=guests, table=table, user=request.user)  # one change, one message
            return f"Seated {len(guests)} guest(s) at {table.name} ({table.event.name}).", messages.SUCCESS

        return self._form_action(
            request, queryset, form_class=TableChoiceForm, title="Assign guests to a table",
            action="assign_to_table", button="Assign", failure="Nobody was seated", perform=perform,
        )

    @admin.action(description="Record a response on the selected guests' behalf")
    def record_response(self, request, queryset):
        def perform(data: dict, guests: list[Guest]) -> tuple[str, int]:
            event, status, meal = (data[k] for k in ("event", "status", "meal"))
            recorded = responses_record_many(  # one change, one message
                guests=guests, event=event, status=status, meal=meal, user=request.user
            )
            skipped = len(guests) - recorded
            note = f"; {skipped} not invited to it were skipped" if skipped else ""
            label = Response.Status(status).label.lower()
            return (
                f"Recorded “{label}” for {recorded} guest(s) at {event.name}{note}.",
                messages.SUCCESS if recorded else messages.WARNING,
            )

        return self._form_action(
            request, queryset, form_class=ResponseForm, title="Record a response on the guests' behalf",
            action="record_response", button="Record", failure="No response was recorded",
            perform=perform, refused=REFUSED + (PermissionDenied,),
        )

    @admin.action(description="Export the selected guests as CSV")
    def export_csv(self, request, queryset):
        wedding_id = self._one_wedding(request, queryset)
        if wedding_id is None:
            return None
        wedding = planned_weddings(request).get(pk=wedding_id)
        dataset = exporting.guest_list_dataset(wedding=wedding, guests=queryset)
        return _download(dataset, fmt="csv", filename=f"{wedding.slug}-guests")

    def delete_model(self, request, obj: Guest) -> None:
        """One guest with their answers, invitations and seats: one line in the activity feed."""
        guests_delete(wedding=obj.wedding, guests=[obj], user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        """Django's delete_selected, announced as one change per wedding."""
        for guests in _by_wedding(queryset, "household"):
            guests_delete(wedding=guests[0].wedding, guests=guests, user=request.user)

    # --- import / export pages ---------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(admin_views.import_view(self)), name="guests_guest_import"),
            path(
                "import/<str:token>/preview/",
                wrap(admin_views.import_preview_view(self)),
                name="guests_guest_import_preview",
            ),
            path(
                "import/<str:token>/rows-not-imported.csv",
                wrap(admin_views.import_bad_rows_view(self)),
                name="guests_guest_import_bad_rows",
            ),
            path(
                "import/<str:token>/",
                wrap(admin_views.import_progress_view(self)),
                name="guests_guest_import_progress",
            ),
            path("export/", wrap(admin_views.export_view(self)), name="guests_guest_export"),
        ] + super().get_urls()


def _download(dataset, *, fmt: str, filename: str) -> HttpResponse:
    content, content_type = exporting.dataset_render(dataset, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


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

    def save_model(self, request, obj, form, change) -> None:
        if "status" in form.changed_data and obj.status != GuestRequest.Status.OPEN:
            obj.resolved_by = request.user
        super().save_model(request, obj, form, change)

