"""Guest forms for the day's content. They only shape input; services decide."""

from __future__ import annotations

from django import forms

from wedding.services import GUESTBOOK_MAX_LENGTH, REMEMBRANCE_MAX_LENGTH


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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files in one field (Django's documented pattern); content is checked by the service."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            if not data:
                return [single(None, initial)]  # "This field is required."
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class PhotoUploadForm(forms.Form):
    photos = MultipleImageField(label="Photos", help_text="Choose one or several photos.")
    caption = forms.CharField(max_length=280, required=False)


class GuestbookForm(forms.Form):
    author_name = forms.CharField(max_length=120, label="Your name")
    message = forms.CharField(
        max_length=GUESTBOOK_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Up to {GUESTBOOK_MAX_LENGTH} characters.",
    )


class RemembranceForm(forms.Form):
    author_name = forms.CharField(max_length=120, label="Your name")
    message = forms.CharField(
        max_length=REMEMBRANCE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
        label="Your words",
    )
