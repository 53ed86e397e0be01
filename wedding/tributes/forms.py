"""The remembrance form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wedding.tributes.services import REMEMBRANCE_MAX_LENGTH


class RemembranceForm(forms.Form):
    author_name = forms.CharField(max_length=120, label=_("Your name"))
    message = forms.CharField(
        max_length=REMEMBRANCE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Your words"),
    )

