"""The guest's song request form. It only shapes input; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SongRequestForm(forms.Form):
    guest = forms.ModelChoiceField(queryset=None, label=_("Requested by"), empty_label=None)
    title = forms.CharField(max_length=200, label=_("Song title"))
    artist = forms.CharField(max_length=200, required=False, label=_("Artist"))
    dedication = forms.CharField(
        max_length=280, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Dedication"), help_text=_("Optional: who is it for?"),
    )

    def __init__(self, *args, household, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guest"].queryset = household.guests.all()

