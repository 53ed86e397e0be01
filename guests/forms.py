"""Forms of the guest site: entry (code, name lookup), requests, directory listing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guests.models import GuestRequest


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Invitation code"), max_length=32,
        help_text=_("Printed on your invitation, for example ACDEF-GHJKM."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class NameForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=100,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))


class SecondQuestionForm(NameForm):
    """Always asked, whatever the name: answering it is what proves who you are.

    Only what the couple has on file (email, phone) answers it: nothing in the
    guest directory does.
    """

    first_name = forms.CharField(widget=forms.HiddenInput, max_length=100)
    last_name = forms.CharField(widget=forms.HiddenInput, max_length=100)
    answer = forms.CharField(
        label=_("Your email address or phone number"),
        help_text=_("The one the couple has for you. Don't know which? Ask for a sign-in link instead."),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )


class GuestRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it about?"), choices=GuestRequest.Kind.choices)
    guest = forms.ModelChoiceField(label=_("For whom (optional)"), queryset=None, required=False,
                                   empty_label=_("The whole household"))
    message = forms.CharField(label=_("Your message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, household, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the household's own guests can be chosen; any other id is an invalid choice.
        self.fields["guest"].queryset = household.guests.all()


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the directory"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )


class DirectoryForm(forms.Form):
    listed = forms.ModelMultipleChoiceField(
        label=_("List in the guest directory"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only your name, side and table are shown to other guests."),
    )

    def __init__(self, *args, household, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["listed"].queryset = household.guests.all()
        self.fields["listed"].label_from_instance = lambda g: g.full_name
