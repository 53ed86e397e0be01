"""Planner admin for the wedding itself: weddings, events with their meals, who's who, tributes.

Every admin here is scoped by `wedding.admin_base`: a planner sees and edits
only the weddings they plan; another wedding's rows answer 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.http import Http404, HttpResponseRedirect

from rsvp.models import MealOption
from wedding.admin_base import (
    PlannerAccessMixin,
    WeddingScopedAdmin,
    WeddingScopedForm,
    WeddingScopedInline,
    is_planner,
    planned_weddings,
)
from wedding.models import Event, Tribute, Wedding, WeddingPartyMember, WeddingScoped


class ScopedForm(WeddingScopedForm):
    """`WeddingScopedForm`'s cross-wedding check, iterating over a copy of the cleaned data.

    (`add_error()` removes the field from `cleaned_data`; changing a dict while
    iterating over it raised RuntimeError, a 500 instead of a field error.
    Reported to the foundation's owner; this stays correct after their fix.)
    """

    def clean(self) -> dict[str, Any]:
        cleaned = forms.ModelForm.clean(self)
        wedding = cleaned.get("wedding")
        if wedding is None and getattr(self.instance, "wedding_id", None):
            wedding = self.instance.wedding
        if wedding is None:
            return cleaned
        for name, value in list(cleaned.items()):
            values = value if isinstance(value, models.QuerySet | list) else [value]
            for item in values:
                if isinstance(item, WeddingScoped) and item.wedding_id != wedding.pk:
                    self.add_error(name, ValidationError(f"“{item}” belongs to another wedding."))
                    break
        return cleaned


def planner_for_request(request) -> bool:
    """`is_planner()`, asked once per request.

    The admin asks every registered model's permissions on every page (the app
    list in the sidebar): without this, ~90 identical queries per page.
    """
    cached = getattr(request, "_confetti_is_planner", None)
    if cached is None:
        cached = request._confetti_is_planner = is_planner(request)
    return cached


class PlannerPermissions:
    """PlannerAccessMixin's rules with the answer cached on the request."""

    def has_module_permission(self, request) -> bool:
        return planner_for_request(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return planner_for_request(request)

    def has_add_permission(self, request, *args) -> bool:
        return planner_for_request(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return planner_for_request(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return planner_for_request(request)


class MissingIsNotFound:
    """Answer 404 for a row that is not in the planner's weddings (or does not exist).

    Django's admin redirects to the index with "doesn't exist" instead; a plain
    404 says the same about a guessed id without confirming anything.
    """

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(f"No {opts.verbose_name} with that id.")


class DatabaseRuleMessages:
    """Turn a rule the database enforces (table full, meal of another event…) into a message.

    Forms check these rules first; this catches the race where another planner
    took the last seat between validation and save. The admin saves inside its
    own savepoint, so the request's transaction is still usable afterwards.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            # The rule's own words ("table is full"), without PostgreSQL's CONTEXT lines.
            reason = str(error).strip().splitlines()[0] if str(error).strip() else "a database rule refused it"
            messages.error(request, f"Nothing was saved: {reason}.")
            return HttpResponseRedirect(request.get_full_path())


class ParentWeddingInline(PlannerPermissions, WeddingScopedInline):
    """A wedding-scoped inline whose rows take the parent's wedding, also on the add page.

    (`WeddingScopedInline` gets no parent object on the add page; the formset's
    own `instance` is the parent there too.) Setting it before validation lets
    `WeddingScopedForm` refuse references to another wedding.
    """

    exclude = ("wedding",)
    form = ScopedForm

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class Formset(formset):
            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                wedding_id = getattr(self.instance, "wedding_id", None)
                if wedding_id and not form.instance.wedding_id:
                    form.instance.wedding_id = wedding_id
                return form

            def save_new(self, form, commit=True):
                form.instance.wedding_id = self.instance.wedding_id
                return super().save_new(form, commit)

        return Formset

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        kwargs["queryset"] = related._default_manager.filter(wedding__in=planned_weddings(request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PlannerAdmin(PlannerPermissions, MissingIsNotFound, DatabaseRuleMessages, WeddingScopedAdmin):
    """Base of every planner admin for wedding-scoped rows.

    A row never moves to another wedding once created: its references (household,
    event, table…) would be left pointing across weddings.
    """

    form = ScopedForm

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and "wedding" not in fields:
            fields.append("wedding")
        return fields


@admin.register(Wedding)
class WeddingAdmin(PlannerPermissions, MissingIsNotFound, PlannerAccessMixin, admin.ModelAdmin):
    """Planners edit the weddings they plan; who plans a wedding is a superuser's decision.

    A planner may start a new wedding (a professional planner takes on another
    couple) and becomes its planner; only superusers delete weddings or change
    the planner list, since either can lock a planner out.
    """

    list_display = ("name", "date", "venue", "rsvp_deadline", "seating_published")
    search_fields = ("name", "slug", "venue")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("planners",)
    readonly_fields = ("version",)

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


class MealOptionInline(ParentWeddingInline, admin.TabularInline):
    model = MealOption
    extra = 0
    fields = ("name", "description", "is_vegetarian", "order")


@admin.register(Event)
class EventAdmin(PlannerAdmin):
    list_display = ("name", "wedding", "starts_at", "venue", "is_private", "order")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), "is_private")
    list_select_related = ("wedding",)
    search_fields = ("name", "venue")
    inlines = [MealOptionInline]


@admin.register(WeddingPartyMember)
class WeddingPartyMemberAdmin(PlannerAdmin):
    list_display = ("name", "role", "wedding", "order")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("wedding",)
    search_fields = ("name", "role")


@admin.register(Tribute)
class TributeAdmin(PlannerAdmin):
    list_display = ("name", "relationship", "wedding", "published", "order")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), "published")
    list_select_related = ("wedding",)
    search_fields = ("name", "relationship")


# Moderation of song requests, photos, guestbook entries and remembrances is
# registered in `wedding/admin_content.py` (imported below by its owner).
from wedding import admin_content  # noqa: F401,E402
