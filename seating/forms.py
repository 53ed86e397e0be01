"""Input checks for the seating chart's table controls (the services check the rules)."""

from __future__ import annotations

from django import forms

from seating.models import Table
from seating.services import CAPACITY_MAX


class TableForm(forms.Form):
    name = forms.CharField(max_length=60)
    capacity = forms.IntegerField(min_value=1, max_value=CAPACITY_MAX)
    shape = forms.ChoiceField(choices=Table.Shape.choices)
    x = forms.FloatField(min_value=0, max_value=100, required=False)
    y = forms.FloatField(min_value=0, max_value=100, required=False)


class TableMoveForm(forms.Form):
    x = forms.FloatField(min_value=0, max_value=100)
    y = forms.FloatField(min_value=0, max_value=100)


def form_errors(form: forms.Form) -> str:
    """All of a form's errors as one sentence for the page's message area."""
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label or field.capitalize() if field in form.fields else ""
        parts.extend(f"{label}: {e}" if label else e for e in errors)
    return " ".join(parts)
