"""Planner admin for meal options, invitations and responses, and the RSVP part of the guest list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch

from guests.admin import MAX_EVENT_COLUMNS, REFUSED, GuestListPart, event_label, guest_list_part
from guests.models import Guest
from realtime.live import LiveChangeList
from rsvp.models import Invitation, MealOption, Question, QuestionAnswer, Response
from rsvp.services import invitations_create, response_record, responses_record_many
from wedding.core.admin import EventAdmin
from wedding.core.admin_base import WeddingScopedAdmin, WeddingScopedInline
from wedding.core.admin_translations import TranslatedAdminMixin, translated_form
from wedding.core.models import Event


@admin.register(MealOption)
class MealOptionAdmin(TranslatedAdminMixin, WeddingScopedAdmin):
    form = translated_form(MealOption)
    list_display = ("name", "event", "is_vegetarian", "order", "wedding")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), ("event", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("event", "wedding")
    search_fields = ("name", "event__name")


@admin.register(Invitation)
class InvitationAdmin(WeddingScopedAdmin):
    list_display = ("guest", "event", "created_at", "wedding")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), ("event", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("guest", "event", "wedding")
    search_fields = ("guest__first_name", "guest__last_name", "guest__household__name")
    autocomplete_fields = ("guest",)


def check_meal(form: forms.BaseForm, cleaned: dict[str, Any]) -> dict[str, Any]:
    """An answer's meal is one of its event's meals, and only for a guest who attends.

    The form's early word for what the database rule (`rsvp.db_rules`) and the
    RSVP service refuse anyway; returns `cleaned` after adding any errors.
    """
    event, meal = cleaned.get("event"), cleaned.get("meal")
    if meal is not None and event is not None and meal.event_id != event.pk:
        form.add_error("meal", f"“{meal.name}” is a meal of {meal.event.name}, not of {event.name}.")
    if meal is not None and cleaned.get("status") != Response.Status.ATTENDING:
        form.add_error("meal", "A meal can only be chosen for a guest who attends.")
    return cleaned


def form_checked_by(check: Callable[[forms.BaseForm, dict[str, Any]], dict[str, Any]]) -> type[forms.ModelForm]:
    """The scoped admin form, with `check(form, cleaned)` run after its own clean()."""

    class CheckedForm(WeddingScopedAdmin.form):
        def clean(self) -> dict[str, Any]:
            return check(self, super().clean())

    return CheckedForm


ResponseAdminForm = form_checked_by(check_meal)


@admin.register(Response)
class ResponseAdmin(LiveChangeList, WeddingScopedAdmin):
    """Responses edited here are recorded as answered by a planner on the guest's behalf."""

    live_list_region = "response_admin_list"

    form = ResponseAdminForm
    list_display = ("guest", "event", "status", "meal", "responded_at", "answered_by", "wedding")
    list_filter = (
        ("wedding", admin.RelatedOnlyFieldListFilter),
        ("event", admin.RelatedOnlyFieldListFilter),
        "status",
        "answered_by",
    )
    list_select_related = ("guest", "event", "meal", "wedding")
    search_fields = ("guest__first_name", "guest__last_name", "guest__household__name")
    autocomplete_fields = ("guest",)
    readonly_fields = ("responded_at", "answered_by", "answered_by_user")

    def save_model(self, request, obj: Response, form: forms.ModelForm, change: bool) -> None:
        """A planner's answer on a guest's behalf: recorded by rsvp.services.response_record."""
        saved = response_record(
            guest=obj.guest, event=obj.event, status=obj.status, meal=obj.meal, note=obj.note, user=request.user,
            invite=True,
        )
        obj.pk = saved.pk


class MealOptionInline(TranslatedAdminMixin, WeddingScopedInline, admin.TabularInline):
    model = MealOption
    form = translated_form(MealOption)
    extra = 0
    fields = ("name", "description", "is_vegetarian", "order")


# An event's meals are edited on the event's own page.
EventAdmin.extra_inlines.append(MealOptionInline)


# --- the couple's questions ----------------------------------------------------------------


def check_question(form: forms.BaseForm, cleaned: dict[str, Any]) -> dict[str, Any]:
    """A choice question has options to choose from; a tag goes with the audience “guests with a tag”."""
    kind, audience, tag = cleaned.get("kind"), cleaned.get("audience"), cleaned.get("tag")
    if kind in (Question.Kind.CHOICE, Question.Kind.MULTIPLE):
        options = Question(choices=cleaned.get("choices") or "").options
        if len(options) < 2:
            form.add_error("choices", "Give at least two options, one a line.")
    if audience == Question.Audience.TAG and tag is None:
        form.add_error("tag", "Choose the tag of the guests to ask.")
    if audience != Question.Audience.TAG and tag is not None:
        form.add_error("tag", "A tag only goes with the audience “Guests with a tag”.")
    return cleaned


QuestionAdminForm = form_checked_by(check_question)


@admin.register(Question)
class QuestionAdmin(TranslatedAdminMixin, WeddingScopedAdmin):
    """The couple's RSVP questions; guests see changes on their RSVP form at the next load."""

    form = translated_form(Question, base=QuestionAdminForm)
    list_display = ("text", "event", "kind", "required", "audience", "tag", "order", "answer_count", "wedding")
    list_editable = ("order",)
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), ("event", admin.RelatedOnlyFieldListFilter), "kind")
    list_select_related = ("event", "tag", "wedding")
    search_fields = ("text",)
    fields = ("wedding", "event", "text", "help_text", "kind", "choices", "required", "audience", "tag", "order")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_answers=Count("answers"))

    @admin.display(description="answers", ordering="n_answers")
    def answer_count(self, question: Question) -> int:
        return question.n_answers


# --- the guest list's RSVP part: an answer column per event, filters, invite / record actions ---

def response_text(guest: Guest, event: Event) -> str:
    """A guest's answer for one event, from prefetched responses and invitations."""
    for response in guest.responses.all():
        if response.event_id == event.pk:
            if response.status == Response.Status.ATTENDING and response.meal_id:
                return f"Attending · {response.meal.name}"
            if response.status == Response.Status.PENDING:
                return "No answer yet"
            return response.get_status_display()
    if any(invitation.event_id == event.pk for invitation in guest.invitations.all()):
        return "No answer yet"
    return "—"


def _response_column(event: Event, label: str) -> Callable[[Guest], str]:
    def column(guest: Guest) -> str:
        return response_text(guest, event)

    column.short_description = label  # type: ignore[attr-defined]
    column.__name__ = f"rsvp_{event.pk}"
    return column


def rsvp_filter_for(event: Event, label: str) -> type[admin.SimpleListFilter]:
    """A list filter on one event's RSVP status (one per event in scope)."""

    class RsvpStatusFilter(admin.SimpleListFilter):
        title = f"RSVP — {label}"
        parameter_name = f"rsvp_{event.pk}"

        def lookups(self, request, model_admin):
            return [
                ("attending", "Attending"),
                ("declined", "Declined"),
                ("pending", "Invited, no answer"),
                ("not_invited", "Not invited"),
            ]

        def queryset(self, request, queryset):
            return queryset.rsvp_status(event, self.value() or "")

    return RsvpStatusFilter


class EventChoiceForm(forms.Form):
    event = forms.ModelChoiceField(queryset=Event.objects.none())

    def __init__(self, *args: Any, wedding_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = Event.objects.filter(wedding_id=wedding_id)


class ResponseForm(forms.Form):
    event = forms.ModelChoiceField(queryset=Event.objects.none())
    status = forms.ChoiceField(choices=Response.Status.choices)
    meal = forms.ModelChoiceField(
        queryset=MealOption.objects.none(), required=False, help_text="Only for guests who attend."
    )

    def __init__(self, *args: Any, wedding_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = Event.objects.filter(wedding_id=wedding_id)
        meal = self.fields["meal"]
        meal.queryset = MealOption.objects.filter(wedding_id=wedding_id).select_related("event")
        meal.label_from_instance = lambda m: f"{m.event.name}: {m.name}"

    def clean(self) -> dict[str, Any]:
        return check_meal(self, super().clean())


def _responses_column(guest: Guest) -> str:
    parts = [f"{r.event.name}: {r.get_status_display()}" for r in guest.responses.all()]
    return "; ".join(parts) or "—"


_responses_column.short_description = "responses"  # type: ignore[attr-defined]


def _answer_columns(events: list[Event]) -> list:
    # Above MAX_EVENT_COLUMNS events in scope (a superuser looking at every wedding): one column.
    if len(events) > MAX_EVENT_COLUMNS:
        return [_responses_column]
    return [_response_column(e, event_label(e, events)) for e in events]


@admin.action(description="Invite the selected guests to an event")
def invite_to_event(modeladmin, request, queryset):
    def perform(data: dict, guests: list[Guest]) -> tuple[str, int]:
        event = data["event"]
        created = invitations_create(guests=guests, event=event)  # one change, one message
        already = len(guests) - created
        note = f" ({already} already were)" if already else ""
        return f"Invited {created} guest(s) to {event.name}{note}.", messages.SUCCESS

    return modeladmin._form_action(
        request, queryset, form_class=EventChoiceForm, title="Invite guests to an event",
        action="invite_to_event", button="Invite", failure="Nobody was invited", perform=perform,
    )


@admin.action(description="Record a response on the selected guests' behalf")
def record_response(modeladmin, request, queryset):
    def perform(data: dict, guests: list[Guest]) -> tuple[str, int]:
        event, status, meal = (data[k] for k in ("event", "status", "meal"))
        recorded = responses_record_many(  # one change, one message
            guests=guests, event=event, status=status, meal=meal, user=request.user
        )
        skipped = len(guests) - recorded
        note = f"; {skipped} not invited to it were skipped" if skipped else ""
        label = Response.Status(status).label.lower()
        return (
            f"Recorded “{label}” for {recorded} guest(s) at {event.name}{note}.",
            messages.SUCCESS if recorded else messages.WARNING,
        )

    return modeladmin._form_action(
        request, queryset, form_class=ResponseForm, title="Record a response on the guests' behalf",
        action="record_response", button="Record", failure="No response was recorded",
        perform=perform, refused=REFUSED + (PermissionDenied,),
    )


guest_list_part(GuestListPart(
    columns=_answer_columns,
    filters=lambda events: [rsvp_filter_for(e, event_label(e, events)) for e in events],
    prefetch=(
        Prefetch("responses", queryset=Response.objects.select_related("meal", "event")),
        Prefetch("invitations", queryset=Invitation.objects.only("id", "guest_id", "event_id")),
    ),
    actions=(invite_to_event, record_response),
))


# After the answers per event: the answers to the couple's questions, in one column.
def question_answers_text(guest: Guest) -> str:
    """“Shuttle?: Yes · Allergies: Nuts” from the prefetched answers (the guest list and reports)."""
    return " · ".join(f"{a.question.text}: {a.display}" for a in guest.question_answers.all()) or "—"


def _question_column(events: list[Event]) -> list:
    @admin.display(description="answers to your questions")
    def question_answers(guest: Guest) -> str:
        return question_answers_text(guest)

    return [question_answers]


guest_list_part(GuestListPart(
    columns=_question_column,
    prefetch=(Prefetch("question_answers", queryset=QuestionAnswer.objects.select_related("question")),),
))
