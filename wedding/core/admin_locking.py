"""Optimistic locking for admin change forms: a stale save is refused, not silently merged.

Two planners open the same guest; the first saves. Django's admin would let
the second save overwrite the first planner's change without a word (a lost
update). With `OptimisticLockingMixin` the change form carries a fingerprint
of the row as it was when the form was rendered; on save, the row is read
again *under a row lock* and, if its fingerprint differs, the form is refused
with a clear message and nothing is written. The planner reloads the page to
see (and edit) the current version.

No model change is needed: the fingerprint is a hash of the row's concrete
field values (any save — admin, guest form, command — changes it).

Every planner admin of wedding-scoped rows has it through
`wedding.admin_base.WeddingScopedAdmin`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django import forms
from django.db import models

LOCK_FIELD = "confetti_row_state"
STALE_MESSAGE = (
    "Another planner saved this {name} while you were editing it, so your changes were not saved. "
    "Reload the page to see their version, then make your change again."
)


def row_fingerprint(instance: models.Model) -> str:
    """A short, stable hash of a saved row's concrete field values."""
    values = {
        field.attname: field.value_to_string(instance)
        for field in instance._meta.concrete_fields
    }
    raw = json.dumps(values, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:32]


def current_fingerprint(instance: models.Model, *, lock: bool) -> str | None:
    """The fingerprint of the row as it is in the database now (None when it is gone)."""
    manager = type(instance)._base_manager
    queryset = manager.select_for_update() if lock else manager.all()
    fresh = queryset.filter(pk=instance.pk).first()
    return row_fingerprint(fresh) if fresh is not None else None


class OptimisticLockingMixin:
    """For a `ModelAdmin`: refuse a change form saved over a newer version of the row."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        if kwargs.get("fields"):  # the admin passes the fieldsets' names: ours is not a model field
            kwargs["fields"] = [name for name in kwargs["fields"] if name != LOCK_FIELD]
        base = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return base
        fingerprint = row_fingerprint(obj)
        verbose_name = obj._meta.verbose_name

        class LockedForm(base):
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, **kw)
                self.fields[LOCK_FIELD] = forms.CharField(
                    widget=forms.HiddenInput, required=False, initial=fingerprint
                )

            def clean(self):
                cleaned = super().clean()
                seen = self.data.get(self.add_prefix(LOCK_FIELD), "")
                # A POST is one transaction (wedding.core.atomic): the row lock holds until the save commits, so two
                # concurrent stale saves cannot both pass this check.
                # A post without the fingerprint (a script, not a stale browser page) is not
                # judged: the check exists to stop lost updates from open forms.
                if not seen:
                    return cleaned
                now = current_fingerprint(self.instance, lock=True)
                if seen != now:
                    raise forms.ValidationError(STALE_MESSAGE.format(name=verbose_name), code="stale")
                return cleaned

        LockedForm.__name__ = base.__name__
        return LockedForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not fieldsets:
            return fieldsets
        (title, options), *rest = fieldsets
        fields = list(options.get("fields", ()))
        if LOCK_FIELD not in fields:
            fields.append(LOCK_FIELD)
        return [(title, {**options, "fields": fields}), *rest]
