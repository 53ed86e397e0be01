"""The household RSVP form: one form for every invited guest × event, plus-ones and a note.

Plain HTML form (works without JavaScript). Field names carry ids
(`g<guest>_e<event>_status`); answers for ids the form did not offer are
still passed on, so the service refuses them with a clear message instead of
silently dropping them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guests.models import Guest
from rsvp.models import MealOption, Question, Response
from rsvp.services import MAX_REPLY, Answer, PlusOne, Reply, SongWish, question_is_due
from wedding.core.i18n import translated
from wedding.core.models import Event

STATUS_CHOICES = [
    (Response.Status.ATTENDING, gettext_lazy("Attending")),
    (Response.Status.DECLINED, gettext_lazy("Not attending")),
]
ANSWER_KEY = re.compile(r"^g(\d{1,18})_e(\d{1,18})_status$")


@dataclass
class Asked:
    """One of the couple's questions as asked of one guest."""

    question: Question
    field: forms.BoundField
    who: str = ""


@dataclass
class Cell:
    event: Event
    status: forms.BoundField
    meal: forms.BoundField | None
    who: str = ""  # for screen readers: whose answer this is
    questions: list[Asked] = field(default_factory=list)  # the event's questions, for those attending


@dataclass
class GuestBlock:
    guest: Guest
    cells: list[Cell] = field(default_factory=list)
    dietary: forms.BoundField | None = None
    remove: forms.BoundField | None = None
    questions: list[Asked] = field(default_factory=list)  # the wedding's own questions


@dataclass
class PlusOneSlot:
    number: int
    first: forms.BoundField
    last: forms.BoundField
    dietary: forms.BoundField
    cells: list[Cell] = field(default_factory=list)
    questions: list[Asked] = field(default_factory=list)


def _meal_field(event: Event, meals: list[MealOption], label: str) -> forms.ChoiceField | None:
    if not meals:
        return None
    return forms.TypedChoiceField(
        label=label, required=False, coerce=int, empty_value=None,
        choices=[("", _("Choose a meal…"))] + [(m.pk, _meal_label(m)) for m in meals],
        error_messages={"invalid_choice": _("That meal is not on the menu of this event.")},
    )


def _meal_label(meal: MealOption) -> str:
    name = translated(meal, "name")
    return _("%(meal)s (vegetarian)") % {"meal": name} if meal.is_vegetarian else name


YES_NO_CHOICES = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


def question_field(question: Question, label: str) -> forms.Field:
    """The form field that asks `question` (never required itself: whether an answer is due
    depends on the guest's attendance, which `clean()` knows)."""
    common = {"label": label, "required": False, "help_text": translated(question, "help_text")}
    if question.kind == Question.Kind.YES_NO:
        return forms.ChoiceField(choices=YES_NO_CHOICES, widget=forms.RadioSelect, **common)
    options = [(o, o) for o in question.options]
    if question.kind == Question.Kind.CHOICE:
        return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
    if question.kind == Question.Kind.MULTIPLE:
        return forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
    return forms.CharField(max_length=MAX_REPLY, **common)


def question_initial(question: Question, value: str) -> str | list[str]:
    return value.split("\n") if question.kind == Question.Kind.MULTIPLE else value


def _status_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=STATUS_CHOICES, widget=forms.RadioSelect)


class HouseholdRsvpForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("A note to the couple (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    send_copy = forms.BooleanField(label=gettext_lazy("Email me a copy of our answers"), required=False)
    email = forms.EmailField(label=gettext_lazy("Email address for the copy"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    song_title = forms.CharField(label=gettext_lazy("A song that will get you dancing (optional)"), required=False, max_length=200)
    song_artist = forms.CharField(label=gettext_lazy("Artist"), required=False, max_length=200)

    def __init__(self, *args, household, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.household = household
        wedding = household.wedding
        self.asks_message = wedding.rsvp_asks_message
        self.asks_song = wedding.rsvp_asks_song
        if not self.asks_message:
            del self.fields["note"]
        if not self.asks_song:
            del self.fields["song_title"], self.fields["song_artist"]
        self.questions = list(Question.objects.filter(wedding_id=household.wedding_id).order_by("order", "pk"))
        # Tags decide who is asked a question, and replies answer one: without questions, neither is read.
        asked = [Prefetch("tags", to_attr="tag_list"), Prefetch("question_answers", to_attr="replies")]
        self.guests = list(
            Guest.objects.filter(household=household)
            .prefetch_related(
                Prefetch("invitations", to_attr="invited"), Prefetch("responses", to_attr="answers"),
                *(asked if self.questions else []),
            )
            .order_by("is_plus_one", "pk")
        )
        # (who, question id) → the field name, for clean() and replies(); who is "g<guest id>"
        # for a guest of the household, "p<n>" for plus-one slot n (its fields share the prefix).
        self.asked: dict[tuple[str, int], str] = {}
        self.events = list(
            Event.objects.filter(wedding_id=household.wedding_id, invitations__guest__household=household)
            .distinct()
            .prefetch_related(Prefetch("meal_options", queryset=MealOption.objects.order_by("order", "name"), to_attr="meals"))
            .order_by("order", "starts_at")
        )
        self.blocks: list[GuestBlock] = []
        self.slots: list[PlusOneSlot] = []
        initial_note = household.message_to_couple
        if not self.is_bound:
            self.initial.setdefault("note", initial_note)
            self.initial.setdefault("email", household.email)
        for guest in self.guests:
            invited = {i.event_id for i in guest.invited}
            answers = {r.event_id: r for r in guest.answers}
            block = GuestBlock(guest=guest)
            for event in self.events:
                if event.pk not in invited:
                    continue
                prefix = f"g{guest.pk}_e{event.pk}"
                names = {"guest": guest.full_name, "event": translated(event, "name")}
                self.fields[f"{prefix}_status"] = _status_field(_("%(guest)s at %(event)s") % names)
                meal = _meal_field(event, event.meals, _("Meal for %(guest)s at %(event)s") % names)
                if meal:
                    self.fields[f"{prefix}_meal"] = meal
                response = answers.get(event.pk)
                if response and response.status != Response.Status.PENDING:
                    self.initial.setdefault(f"{prefix}_status", response.status)
                    self.initial.setdefault(f"{prefix}_meal", response.meal_id)
            self._add_questions(
                f"g{guest.pk}", guest, [e.pk for e in self.events if e.pk in invited], guest.full_name,
                tag_ids={t.pk for t in guest.tag_list} if self.questions else set(),
                replies={r.question_id: r.value for r in guest.replies} if self.questions else {},
            )
            self.fields[f"g{guest.pk}_dietary"] = forms.CharField(
                label=_("Dietary needs of %(guest)s") % {"guest": guest.full_name}, required=False, max_length=300,
                help_text=_("Allergies, vegetarian, vegan…"),
            )
            self.initial.setdefault(f"g{guest.pk}_dietary", guest.dietary_notes)
            if guest.is_plus_one:
                self.fields[f"g{guest.pk}_remove"] = forms.BooleanField(
                    label=_("Remove %(guest)s as our plus-one") % {"guest": guest.full_name}, required=False
                )
            self.blocks.append(block)
        open_slots = max(household.plus_ones_allowed - sum(g.is_plus_one for g in self.guests), 0)
        for n in range(1, open_slots + 1):
            self.fields[f"p{n}_first"] = forms.CharField(
                label=_("Plus-one %(n)s: first name") % {"n": n}, required=False, max_length=100)
            self.fields[f"p{n}_last"] = forms.CharField(
                label=_("Plus-one %(n)s: last name") % {"n": n}, required=False, max_length=100)
            self.fields[f"p{n}_dietary"] = forms.CharField(
                label=_("Plus-one %(n)s: dietary needs") % {"n": n}, required=False, max_length=300)
            for event in self.events:
                names = {"n": n, "event": translated(event, "name")}
                self.fields[f"p{n}_e{event.pk}_status"] = _status_field(_("Plus-one %(n)s at %(event)s") % names)
                meal = _meal_field(event, event.meals, _("Meal for plus-one %(n)s at %(event)s") % names)
                if meal:
                    self.fields[f"p{n}_e{event.pk}_meal"] = meal
            # A plus-one is a new adult guest with no tags, invited to the household's events.
            newcomer = Guest(age_group=Guest.AgeGroup.ADULT, is_plus_one=True)
            self._add_questions(f"p{n}", newcomer, [e.pk for e in self.events], _("plus-one %(n)s") % {"n": n})
        self.open_slots = open_slots
        self._bind_layout()

    def _add_questions(
        self, who: str, guest: Guest, event_ids: list[int], name: str, *,
        tag_ids: set[int] | None = None, replies: dict[int, str] | None = None,
    ) -> None:
        """A field per question asked of this guest: the wedding's, and those of events they are invited to."""
        replies = replies or {}
        for question in self.questions:
            if (question.event_id and question.event_id not in event_ids) or not question.asks(guest, tag_ids or set()):
                continue
            field_name = f"{who}_q{question.pk}"
            self.fields[field_name] = question_field(question, f"{translated(question, 'text')} ({name})")
            if question.pk in replies:
                self.initial.setdefault(field_name, question_initial(question, replies[question.pk]))
            self.asked[(who, question.pk)] = field_name

    def _asked(self, who: str, name: str, event_id: int | None) -> list[Asked]:
        return [
            Asked(q, self[self.asked[(who, q.pk)]], name)
            for q in self.questions
            if q.event_id == event_id and (who, q.pk) in self.asked
        ]

    def _bind_layout(self) -> None:
        """Group the bound fields per guest and event for the template."""
        for block in self.blocks:
            g = block.guest
            block.questions = self._asked(f"g{g.pk}", g.full_name, None)
            for event in self.events:
                key = f"g{g.pk}_e{event.pk}"
                if f"{key}_status" in self.fields:
                    meal = self[f"{key}_meal"] if f"{key}_meal" in self.fields else None
                    block.cells.append(Cell(event, self[f"{key}_status"], meal, g.full_name, self._asked(f"g{g.pk}", g.full_name, event.pk)))
            block.dietary = self[f"g{g.pk}_dietary"]
            block.remove = self[f"g{g.pk}_remove"] if f"g{g.pk}_remove" in self.fields else None
        for n in range(1, self.open_slots + 1):
            slot = PlusOneSlot(n, self[f"p{n}_first"], self[f"p{n}_last"], self[f"p{n}_dietary"])
            plus_one = _("plus-one %(n)s") % {"n": n}
            for event in self.events:
                meal = self[f"p{n}_e{event.pk}_meal"] if f"p{n}_e{event.pk}_meal" in self.fields else None
                slot.cells.append(Cell(
                    event, self[f"p{n}_e{event.pk}_status"], meal, plus_one, self._asked(f"p{n}", plus_one, event.pk),
                ))
            slot.questions = self._asked(f"p{n}", plus_one, None)
            self.slots.append(slot)

    def clean(self) -> dict:
        data = super().clean()
        for name in list(self.fields):
            if not name.endswith("_status"):
                continue
            meal_name = name.removesuffix("_status") + "_meal"
            if data.get(name) == Response.Status.ATTENDING and meal_name in self.fields and not data.get(meal_name):
                if name.startswith("p") and not data.get(name.split("_")[0] + "_first", "").strip():
                    continue  # an unnamed plus-one slot is ignored altogether
                self.add_error(meal_name, _("Please choose a meal: %(answer)s.") % {"answer": self.fields[name].label})
        for n in range(1, self.open_slots + 1):
            named = data.get(f"p{n}_first", "").strip()
            answered = any(data.get(f"p{n}_e{e.pk}_status") for e in self.events)
            if answered and not named:
                self.add_error(f"p{n}_first", _("Please give plus-one %(n)s's name (or leave their answers empty).") % {"n": n})
        self._clean_questions(data)
        if data.get("send_copy") and not data.get("email"):
            self.add_error("email", _("Which address should we send the copy to?"))
        return data

    def _attending(self, data: dict, who: str) -> set[int]:
        return {e.pk for e in self.events if data.get(f"{who}_e{e.pk}_status") == Response.Status.ATTENDING}

    def _clean_questions(self, data: dict) -> None:
        """A required question is due from a guest attending its event (or, for the wedding's, anything).

        An unnamed plus-one slot is ignored altogether, its questions too."""
        questions = {q.pk: q for q in self.questions}
        for (who, question_id), name in self.asked.items():
            question = questions[question_id]
            if who.startswith("p") and not (data.get(f"{who}_first") or "").strip():
                continue
            if question.required and not data.get(name) and name not in self._errors and question_is_due(
                question, attending=self._attending(data, who)
            ):
                self.add_error(name, _("Please answer: %(question)s") % {"question": translated(question, "text")})

    # --- what the service gets ---

    def replies(self) -> list[Reply]:
        removed = {f"g{pk}" for pk in self.removed_plus_ones()}
        return [
            Reply(int(who[1:]), question_id, self.cleaned_data.get(name) or "")
            for (who, question_id), name in self.asked.items()
            if who.startswith("g") and who not in removed
        ]

    def song(self) -> SongWish | None:
        title = (self.cleaned_data.get("song_title") or "").strip()
        return SongWish(title, self.cleaned_data.get("song_artist") or "") if self.asks_song and title else None

    def message(self) -> str | None:
        return self.cleaned_data.get("note") if self.asks_message else None

    def answers(self) -> list[Answer]:
        result = []
        for block in self.blocks:
            for cell in block.cells:
                key = f"g{block.guest.pk}_e{cell.event.pk}"
                status = self.cleaned_data.get(f"{key}_status")
                if status:
                    result.append(Answer(block.guest.pk, cell.event.pk, status, self.cleaned_data.get(f"{key}_meal")))
        # Answers for guests or events this form never offered: a tampered form.
        for key, value in self.data.items():
            match = ANSWER_KEY.match(key)
            if match and key not in self.fields and value:
                meal = self.data.get(key.removesuffix("_status") + "_meal") or None
                try:
                    meal = int(meal) if meal else None
                except ValueError:
                    meal = -1  # not a meal of any event: refused by the service
                result.append(Answer(int(match[1]), int(match[2]), str(value), meal))
        return result

    def dietary(self) -> dict[int, str]:
        return {b.guest.pk: self.cleaned_data.get(f"g{b.guest.pk}_dietary", "") for b in self.blocks}

    def removed_plus_ones(self) -> list[int]:
        return [b.guest.pk for b in self.blocks if b.remove is not None and self.cleaned_data.get(f"g{b.guest.pk}_remove")]

    def plus_ones(self) -> list[PlusOne]:
        result = []
        for n in range(1, self.open_slots + 1):
            first = self.cleaned_data.get(f"p{n}_first", "").strip()
            if not first:
                continue
            answers = {
                e.pk: (self.cleaned_data[f"p{n}_e{e.pk}_status"], self.cleaned_data.get(f"p{n}_e{e.pk}_meal"))
                for e in self.events
                if self.cleaned_data.get(f"p{n}_e{e.pk}_status")
            }
            replies = {
                question_id: self.cleaned_data.get(name) or ""
                for (who, question_id), name in self.asked.items()
                if who == f"p{n}"
            }
            result.append(PlusOne(
                first, self.cleaned_data.get(f"p{n}_last", ""), self.cleaned_data.get(f"p{n}_dietary", ""), answers,
                replies,
            ))
        return result


class GuestQuestionsForm(forms.Form):
    """The couple's questions asked of one guest, for a planner answering on their behalf
    (the dashboard's respond page); nothing here is required (see question_answers_record)."""

    prefix = "questions"

    def __init__(self, *args, guest: Guest, event_ids: set[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.guest = guest
        tag_ids = set(guest.tags.values_list("pk", flat=True))
        replies = dict(guest.question_answers.values_list("question_id", "value"))
        self.questions: list[Question] = []
        for question in Question.objects.filter(wedding_id=guest.wedding_id).select_related("event"):
            if (question.event_id and question.event_id not in event_ids) or not question.asks(guest, tag_ids):
                continue
            name = f"q{question.pk}"
            label = f"{question.event.name}: {question.text}" if question.event_id else question.text
            self.fields[name] = question_field(question, label)
            if question.pk in replies:
                self.initial[name] = question_initial(question, replies[question.pk])
            self.questions.append(question)

    def replies(self) -> list[Reply]:
        return [Reply(self.guest.pk, q.pk, self.cleaned_data.get(f"q{q.pk}") or "") for q in self.questions]


class ChangeRequestForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("What would you like to change?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
