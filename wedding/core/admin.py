"""Planner admin for the wedding itself: weddings, events, who's who.

Every admin here is scoped by `wedding.admin_base`: a planner sees and edits
only the weddings they plan; another wedding's rows answer 404.
"""

from __future__ import annotations

from django.contrib import admin

from wedding.core.admin_base import (
    MissingIsNotFound,
    PlannerAccessMixin,
    WeddingScopedAdmin,
    planned_weddings,
)
from wedding.core.admin_translations import TranslatedAdminMixin, translated_form
from wedding.core.models import Event, Wedding, WeddingPartyMember


@admin.register(Wedding)
class WeddingAdmin(PlannerAccessMixin, MissingIsNotFound, admin.ModelAdmin):
    """Planners edit the weddings they plan; who plans a wedding is a superuser's decision.

    A planner may start a new wedding (a professional planner takes on another
    couple) and becomes its planner; only superusers delete weddings or change
    the planner list, since either can lock a planner out.
    """

    list_display = ("name", "date", "venue", "rsvp_deadline", "seating_published")
    search_fields = ("name", "slug", "venue")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("planners",)

    def get_queryset(self, request):
        return planned_weddings(request)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("planners")
        return fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if not change and not request.user.is_superuser:
            form.instance.planners.add(request.user)


@admin.register(Event)
class EventAdmin(TranslatedAdminMixin, WeddingScopedAdmin):
    form = translated_form(Event)
    list_display = ("name", "wedding", "starts_at", "venue", "is_private", "order")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), "is_private")
    list_select_related = ("wedding",)
    search_fields = ("name", "venue")
    # Apps that hang rows off an event add their inline here (rsvp: the event's meals), so the
    # tenant core names no feature model.
    extra_inlines: list = []

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *self.extra_inlines]


@admin.register(WeddingPartyMember)
class WeddingPartyMemberAdmin(WeddingScopedAdmin):
    list_display = ("name", "role", "wedding", "order")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("wedding",)
    search_fields = ("name", "role")

