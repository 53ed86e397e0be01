"""What every planner-facing admin shares: a planner sees only the weddings they plan.

Superusers see every wedding. Another wedding's objects are absent from
lists, choices and lookups, so a guessed URL answers 404 like a missing row.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.http import Http404, HttpRequest, HttpResponseRedirect, QueryDict
from django.urls import resolve

from wedding.core.admin_locking import OptimisticLockingMixin
from wedding.core.models import Wedding, WeddingScoped

# Set on a request built by `audience_request`: the admin renders for a wedding's planners.
AUDIENCE_WEDDING = "_confetti_audience_wedding"


def planned_weddings(request) -> models.QuerySet[Wedding]:
    audience_wedding = getattr(request, AUDIENCE_WEDDING, None)
    if audience_wedding is not None:
        return Wedding.objects.filter(pk=audience_wedding)
    return Wedding.objects.for_planner(request.user)


def audience_request(*, wedding_id: int, path: str, query: str = "") -> HttpRequest:
    """A GET of an admin page as the planners of one wedding see it, not as one user.

    Live regions render an admin list once for every planner of the wedding
    (realtime renders for an audience, never with a user's rights): through
    this request the scoping above sees exactly that wedding, and the planner
    permissions hold as they do for each of its planners.
    """
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(query)
    request.META = {"SERVER_NAME": "localhost", "SERVER_PORT": "80", "QUERY_STRING": query}
    request.user = AnonymousUser()
    request.resolver_match = resolve(path)
    setattr(request, AUDIENCE_WEDDING, wedding_id)
    request._confetti_is_planner = True
    return request


def is_planner(request) -> bool:
    """Staff who plan at least one wedding (or superusers). Asked once per request: the
    admin checks every registered model's permissions on every page."""
    cached = getattr(request, "_confetti_is_planner", None)
    if cached is None:
        user = request.user
        cached = bool(
            user.is_active and user.is_staff and (user.is_superuser or planned_weddings(request).exists())
        )
        request._confetti_is_planner = cached
    return cached


class WeddingScopedForm(forms.ModelForm):
    """Refuses references that cross weddings (a guest of one wedding in another's household…)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        wedding = cleaned.get("wedding")
        if wedding is None and getattr(self.instance, "wedding_id", None):
            wedding = self.instance.wedding
        if wedding is None:
            return cleaned
        for name, value in list(cleaned.items()):  # add_error() removes from cleaned_data
            values = value if isinstance(value, models.QuerySet | list) else [value]
            for item in values:
                if isinstance(item, WeddingScoped) and item.wedding_id != wedding.pk:
                    self.add_error(name, ValidationError(f"“{item}” belongs to another wedding."))
                    break
        return cleaned


class PlannedChoicesMixin:
    """Choices (foreign keys, many-to-many) offer only rows of the weddings the planner plans."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _limit_to_planned(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        _limit_to_planned(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _limit_to_planned(db_field, request, kwargs: dict[str, Any]) -> None:
    related = db_field.related_model
    if issubclass(related, WeddingScoped):
        kwargs["queryset"] = related._default_manager.filter(wedding__in=planned_weddings(request))


class PlannerAccessMixin:
    """Permissions for planners: staff users who plan at least one wedding."""

    def has_module_permission(self, request) -> bool:
        return is_planner(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_planner(request)

    def has_add_permission(self, request, *args) -> bool:
        return is_planner(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_planner(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_planner(request)


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
        except ValidationError as error:
            # A service refused the save (save_model calls the app's services): its words, nothing saved.
            # (PermissionDenied is left to Django: a 403, like the admin's own permission checks.)
            messages.error(request, f"Nothing was saved: {' '.join(error.messages)}")
            return HttpResponseRedirect(request.get_full_path())
        except IntegrityError as error:
            # The rule's own words ("table is full"), without PostgreSQL's CONTEXT lines.
            reason = str(error).strip().splitlines()[0] if str(error).strip() else "a database rule refused it"
            messages.error(request, f"Nothing was saved: {reason}.")
            return HttpResponseRedirect(request.get_full_path())


class WeddingScopedAdmin(
    OptimisticLockingMixin, PlannerAccessMixin, PlannedChoicesMixin, MissingIsNotFound, DatabaseRuleMessages,
    admin.ModelAdmin,
):
    """ModelAdmin for rows that belong to a wedding.

    A row never moves to another wedding once created: its references
    (household, event, table…) would be left pointing across weddings. A
    change form saved over a newer version of the row (another planner saved
    meanwhile) is refused with a message instead of silently undoing theirs.
    """

    form = WeddingScopedForm

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and "wedding" not in fields:
            fields.append("wedding")
        return fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(wedding__in=planned_weddings(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Wedding:
            kwargs["queryset"] = planned_weddings(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "wedding" not in initial:
            weddings = list(planned_weddings(request)[:2])
            if len(weddings) == 1:
                initial["wedding"] = weddings[0].pk
        return initial


class WeddingScopedInline(PlannerAccessMixin, PlannedChoicesMixin):
    """Mixin for inlines of wedding-scoped rows: the child takes the parent's wedding
    (set before validation, so references to another wedding are refused)."""

    form = WeddingScopedForm
    exclude = ("wedding",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class Formset(formset):
            # The formset's `instance` is the parent, also on the add page (saved by then).
            def _parent_wedding_id(self):
                parent = self.instance
                return parent.pk if isinstance(parent, Wedding) else getattr(parent, "wedding_id", None)

            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                wedding_id = self._parent_wedding_id()
                if wedding_id and not form.instance.wedding_id:
                    form.instance.wedding_id = wedding_id  # before validation: cross-wedding refs refused
                return form

            def save_new(self, form, commit=True):
                form.instance.wedding_id = self._parent_wedding_id()
                return super().save_new(form, commit)

        return Formset
