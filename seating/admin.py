"""Planner admin for tables and seat assignments, and the seating part of the guest list.

Capacity is enforced by the database (`seating.db_rules`); the forms
check it first so a planner gets a field error, and the race where another
planner takes the last seat meanwhile becomes a message (`DatabaseRuleMessages`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Prefetch

from guests.admin import GuestListPart, event_label, events_in_scope, guest_list_part
from guests.models import Guest
from seating.models import KeepApart, KeepTogether, Seat, Table
from seating.services import seats_assign_many
from wedding.core.admin_base import WeddingScopedAdmin, WeddingScopedInline
from wedding.core.models import Event


class SeatInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [
            f for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("guest")
        ]
        capacity = self.instance.capacity
        if capacity and len(kept) > capacity:
            raise forms.ValidationError(f"{self.instance} seats {capacity}; {len(kept)} guests were given.")


class SeatInline(WeddingScopedInline, admin.TabularInline):
    model = Seat
    formset = SeatInlineFormSet
    extra = 0
    fields = ("guest",)
    autocomplete_fields = ("guest",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class Formset(formset):
            # A seat's event is its table's event.
            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                if self.instance.event_id:
                    form.instance.event_id = self.instance.event_id
                return form

        return Formset


@admin.register(Table)
class TableAdmin(WeddingScopedAdmin):
    list_display = ("name", "event", "order", "seated", "capacity", "shape", "wedding")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), ("event", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("event", "wedding")
    search_fields = ("name", "event__name")
    inlines = [SeatInline]
    # Who a table is for is set on the auto-seat page, with the wedding's own choices.
    exclude = ("prefers",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(seat_count=Count("seats"))

    @admin.display(description="seated", ordering="seat_count")
    def seated(self, table: Table) -> str:
        return f"{table.seat_count} / {table.capacity}"


class SeatAdminForm(WeddingScopedAdmin.form):
    def clean(self):
        cleaned = super().clean()
        table = cleaned.get("table")
        if table is None:
            return cleaned
        event = cleaned.get("event")
        if event is not None and table.event_id != event.pk:
            self.add_error("table", f"{table} is a table of {table.event}, not of {event}.")
        taken = Seat.objects.filter(table=table).exclude(pk=self.instance.pk).count()
        if taken >= table.capacity:
            self.add_error("table", f"{table} is full ({table.capacity} seats).")
        return cleaned


@admin.register(Seat)
class SeatAdmin(WeddingScopedAdmin):
    form = SeatAdminForm
    list_display = ("guest", "table", "event", "assigned_at", "wedding")
    list_filter = (
        ("wedding", admin.RelatedOnlyFieldListFilter),
        ("event", admin.RelatedOnlyFieldListFilter),
        ("table", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("guest", "table", "event", "wedding")
    search_fields = ("guest__first_name", "guest__last_name", "table__name")
    autocomplete_fields = ("guest",)
    exclude = ("assigned_by",)  # recorded by the services, never typed in


@admin.register(KeepTogether)
class KeepTogetherAdmin(WeddingScopedAdmin):
    """The planner's keep-together groups for auto-seat (households are kept together anyway)."""

    list_display = ("name", "wedding")
    search_fields = ("name",)
    autocomplete_fields = ("guests",)


class KeepApartForm(WeddingScopedAdmin.form):
    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("first"), cleaned.get("second")
        if first is not None and second is not None:
            if first.pk == second.pk:
                raise forms.ValidationError("Choose two different guests.")
            if first.wedding_id != second.wedding_id:
                raise forms.ValidationError("Both guests must be of the same wedding.")
            # Stored once per pair, lower id first (the database checks it).
            cleaned["first"], cleaned["second"] = sorted((first, second), key=lambda g: g.pk)
            self.instance.first, self.instance.second = cleaned["first"], cleaned["second"]
        return cleaned


@admin.register(KeepApart)
class KeepApartAdmin(WeddingScopedAdmin):
    """Pairs auto-seat never puts at one table."""

    form = KeepApartForm
    list_display = ("first", "second", "wedding")
    list_select_related = ("first", "second", "wedding")
    autocomplete_fields = ("first", "second")


# --- the guest list's seating part: a table column, a table filter, the assign action ---

def table_text(guest: Guest, events: list[Event]) -> str:
    event_ids = {e.pk for e in events}
    seats = [s for s in guest.seats.all() if s.event_id in event_ids]
    if not seats:
        return "—"
    if len(event_ids) == 1:
        return seats[0].table.name
    return ", ".join(f"{seat.event.name}: {seat.table.name}" for seat in seats)


def _table_column(events: list[Event]) -> Callable[[Guest], str]:
    # Built per request: the admin instance is shared, the events in scope are not.
    def column(guest: Guest) -> str:
        return table_text(guest, events)

    column.short_description = "table"  # type: ignore[attr-defined]
    column.__name__ = "table"
    return column


class TableFilter(admin.SimpleListFilter):
    title = "table"
    parameter_name = "table"

    def lookups(self, request, model_admin):
        events = events_in_scope(request)
        tables = Table.objects.filter(event__in=events).select_related("event")
        several = len(events) > 1
        choices = [(str(t.pk), f"{t.event.name}: {t.name}" if several else t.name) for t in tables]
        choices += [(f"none-{e.pk}", f"Not seated — {event_label(e, events)}") for e in events]
        return choices

    def queryset(self, request, queryset):
        value = self.value() or ""
        if value.startswith("none-") and value[5:].isdigit():
            return queryset.unseated(int(value[5:]))
        if value.isdigit():
            return queryset.seated_at(int(value))
        return queryset


class TableChoiceForm(forms.Form):
    table = forms.ModelChoiceField(queryset=Table.objects.none())

    def __init__(self, *args: Any, wedding_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["table"]
        field.queryset = Table.objects.filter(wedding_id=wedding_id).select_related("event")
        field.label_from_instance = lambda t: f"{t.event.name}: {t.name} (seats {t.capacity})"


@admin.action(description="Assign the selected guests to a table")
def assign_to_table(modeladmin, request, queryset):
    def perform(data: dict, guests: list[Guest]) -> tuple[str, int]:
        table = data["table"]
        seats_assign_many(guests=guests, table=table, user=request.user)  # one change, one message
        return f"Seated {len(guests)} guest(s) at {table.name} ({table.event.name}).", messages.SUCCESS

    return modeladmin._form_action(
        request, queryset, form_class=TableChoiceForm, title="Assign guests to a table",
        action="assign_to_table", button="Assign", failure="Nobody was seated", perform=perform,
    )


guest_list_part(GuestListPart(
    columns=lambda events: [_table_column(events)],
    filters=lambda events: [TableFilter],
    prefetch=(Prefetch("seats", queryset=Seat.objects.select_related("table", "event")),),
    actions=(assign_to_table,),
))
