"""Planner admin for meal options, invitations and responses."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from rsvp.models import Invitation, MealOption, Response
from rsvp.services import response_record
from wedding.core.admin import EventAdmin
from wedding.core.admin_base import WeddingScopedAdmin, WeddingScopedInline


@admin.register(MealOption)
class MealOptionAdmin(WeddingScopedAdmin):
    list_display = ("name", "event", "is_vegetarian", "order", "wedding")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), ("event", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("event", "wedding")
    search_fields = ("name", "event__name")


@admin.register(Invitation)
class InvitationAdmin(WeddingScopedAdmin):
    list_display = ("guest", "event", "created_at", "wedding")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), ("event", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("guest", "event", "wedding")
    search_fields = ("guest__first_name", "guest__last_name", "guest__household__name")
    autocomplete_fields = ("guest",)


class ResponseAdminForm(WeddingScopedAdmin.form):
    def clean(self):
        cleaned = super().clean()
        event, meal = cleaned.get("event"), cleaned.get("meal")
        if meal is not None and event is not None and meal.event_id != event.pk:
            self.add_error("meal", f"“{meal}” is a meal of {meal.event}, not of {event}.")
        if meal is not None and cleaned.get("status") != Response.Status.ATTENDING:
            self.add_error("meal", "A meal can only be chosen for a guest who attends.")
        return cleaned


@admin.register(Response)
class ResponseAdmin(WeddingScopedAdmin):
    """Responses edited here are recorded as answered by a planner on the guest's behalf."""

    form = ResponseAdminForm
    list_display = ("guest", "event", "status", "meal", "responded_at", "answered_by", "wedding")
    list_filter = (
        ("wedding", admin.RelatedOnlyFieldListFilter),
        ("event", admin.RelatedOnlyFieldListFilter),
        "status",
        "answered_by",
    )
    list_select_related = ("guest", "event", "meal", "wedding")
    search_fields = ("guest__first_name", "guest__last_name", "guest__household__name")
    autocomplete_fields = ("guest",)
    readonly_fields = ("responded_at", "answered_by", "answered_by_user")

    def save_model(self, request, obj: Response, form: forms.ModelForm, change: bool) -> None:
        """A planner's answer on a guest's behalf: recorded by rsvp.services.response_record."""
        saved = response_record(
            guest=obj.guest, event=obj.event, status=obj.status, meal=obj.meal, note=obj.note, user=request.user,
            invite=True,
        )
        obj.pk = saved.pk


class MealOptionInline(WeddingScopedInline, admin.TabularInline):
    model = MealOption
    extra = 0
    fields = ("name", "description", "is_vegetarian", "order")


# An event's meals are edited on the event's own page.
EventAdmin.extra_inlines.append(MealOptionInline)
