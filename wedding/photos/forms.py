"""The guest's photo upload form: several files in one field; content is checked by the service."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
    photos = MultipleImageField(label=_("Photos"), help_text=_("Choose one or several photos."))
    caption = forms.CharField(max_length=280, required=False, label=_("Caption"))

