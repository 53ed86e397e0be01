"""The guest's song request form. It only shapes input; services decide."""

from __future__ import annotations

from django import forms


class SongRequestForm(forms.Form):
    guest = forms.ModelChoiceField(queryset=None, label="Requested by", empty_label=None)
    title = forms.CharField(max_length=200, label="Song title")
    artist = forms.CharField(max_length=200, required=False)
    dedication = forms.CharField(
        max_length=280, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: who is it for?",
    )

    def __init__(self, *args, household, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guest"].queryset = household.guests.all()

