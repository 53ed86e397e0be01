"""Forms of the planner's messaging pages: compose, test send, schedule, mark a copy bounced."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from guests.models import Household
from wedding.core.admin_translations import TranslationsForm, translation_field_names
from wedding.messaging import rendering
from wedding.messaging.models import Message, Recipient

# Starting points per kind; the planner edits them freely.
PRESETS: dict[str, tuple[str, str]] = {
    Message.Kind.SAVE_THE_DATE: (
        "Save the date: {{ wedding }}",
        "{{ greeting }},\n\nSave the date! We would love you to celebrate with us.\n\n{{ events }}\n\n"
        "The formal invitation follows; your page: {{ link }}",
    ),
    Message.Kind.INVITATION: (
        "You're invited: {{ wedding }}",
        "{{ greeting }},\n\nWe are delighted to invite {{ guest_names }} to our wedding.\n\n{{ events }}\n\n"
        "Please answer by {{ rsvp_deadline }} on your personal page: {{ link }}",
    ),
    Message.Kind.REMINDER: (
        "Reminder: please RSVP by {{ rsvp_deadline }}",
        "{{ greeting }},\n\nWe have not had your answer yet. It takes a minute: {{ link }}\n\n"
        "The deadline is {{ rsvp_deadline }}.",
    ),
    Message.Kind.UPDATE: (
        "An update about {{ wedding }}",
        "{{ greeting }},\n\n(Your news here.)\n\nYour table: {{ table }}\nYour page: {{ link }}",
    ),
    Message.Kind.THANK_YOU: (
        "Thank you from {{ wedding }}",
        "{{ greeting }},\n\nThank you for celebrating with us!\n\nPhotos and the guestbook: {{ link }}",
    ),
}

NEEDS = {
    Message.Segment.TAG: ("segment_tag", "Choose the tag."),
    Message.Segment.SIDE: ("segment_side", "Choose the side."),
    Message.Segment.INVITED: ("segment_event", "Choose the event."),
}


class MessageForm(TranslationsForm):
    class Meta:
        model = Message
        fields = ["wedding", "kind", "subject", "body", "essential", "segment", "segment_event",
                  "segment_tag", "segment_side"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12, "cols": 80})}

    def clean_subject(self) -> str:
        return self._checked("subject")

    def clean_body(self) -> str:
        return self._checked("body")

    def _checked(self, name: str) -> str:
        value = self.cleaned_data.get(name, "")
        try:
            rendering.check_template(value)
        except rendering.TemplateError as error:
            raise forms.ValidationError(error.messages) from error
        return value

    def clean(self) -> dict:
        for name in translation_field_names(Message):  # the other languages' texts render too
            if self.cleaned_data.get(name):
                try:
                    rendering.check_template(self.cleaned_data[name])
                except rendering.TemplateError as error:
                    self.add_error(name, error.messages)
        cleaned = super().clean()
        if self.instance.pk and not self.instance.editable:
            raise forms.ValidationError("A message that is sending or sent cannot be changed; make a copy.")
        needed = NEEDS.get(cleaned.get("segment"))
        if needed and not cleaned.get(needed[0]):
            self.add_error(needed[0], needed[1])
        return cleaned


class AddressForm(forms.Form):
    address = forms.CharField(
        label=gettext_lazy("Mailing address"), widget=forms.Textarea(attrs={"rows": 4}), max_length=500,
        help_text=gettext_lazy("As it should appear on the envelope: street, town, postcode, country."),
    )


class TestSendForm(forms.Form):
    household = forms.ModelChoiceField(queryset=Household.objects.none(), label="As household")
    to = forms.EmailField(label="Send to")

    def __init__(self, *args, wedding, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.filter(wedding=wedding)


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label="Send at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="In the wedding's time zone.",
    )

    def clean_when(self) -> datetime.datetime:
        # Validate inside timezone.override(wedding.time_zone): the field reads naive input in it.
        when = self.cleaned_data["when"]
        if when <= timezone.now():
            raise forms.ValidationError("Choose a time in the future, or send now.")
        return when


class BounceForm(forms.Form):
    """Which sent copy of a message came back, and why (the service checks it was sent)."""

    recipient = forms.ModelChoiceField(
        queryset=Recipient.objects.none(), label="Email",
        error_messages={"invalid_choice": "Choose one of this message's emails.", "required": "Choose an email."},
    )
    reason = forms.CharField(max_length=500, label="Why", help_text="The bounce's words, e.g. “550 mailbox full”.")

    def __init__(self, *args, message: Message, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recipient"]
        field.queryset = message.recipients.select_related("household").order_by("household__name", "address")
        field.label_from_instance = lambda r: f"{r.household.name}: {r.address} ({r.get_status_display().lower()})"
