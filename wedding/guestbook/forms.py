"""The guestbook form."""

from __future__ import annotations

from django import forms

from wedding.guestbook.services import GUESTBOOK_MAX_LENGTH


class GuestbookForm(forms.Form):
    author_name = forms.CharField(max_length=120, label="Your name")
    message = forms.CharField(
        max_length=GUESTBOOK_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Up to {GUESTBOOK_MAX_LENGTH} characters.",
    )

