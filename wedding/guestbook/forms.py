"""The guestbook form."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wedding.guestbook.services import GUESTBOOK_MAX_LENGTH


class GuestbookForm(forms.Form):
    author_name = forms.CharField(max_length=120, label=_("Your name"))
    message = forms.CharField(
        max_length=GUESTBOOK_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}), label=_("Message"),
        help_text=format_lazy(_("Up to {n} characters."), n=GUESTBOOK_MAX_LENGTH),
    )

