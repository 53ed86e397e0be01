"""Meal options, invitations (guest × event) and responses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wedding.core.models import WeddingScoped, WeddingScopedQuerySet, translations_field


class MealOption(WeddingScoped):
    TRANSLATED_FIELDS = ("name", "description")

    event = models.ForeignKey("wedding.Event", on_delete=models.CASCADE, related_name="meal_options")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    is_vegetarian = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    translations = translations_field()

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="meal_unique_name_per_event"),
            # Target of the (meal, event) composite reference from Response.
            models.UniqueConstraint(fields=["id", "event"], name="meal_id_event"),
        ]

    def __str__(self) -> str:
        return self.name


class Invitation(WeddingScoped):
    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="invitations")
    event = models.ForeignKey("wedding.Event", on_delete=models.CASCADE, related_name="invitations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["guest", "event"], name="one_invitation_per_guest_and_event")]

    def __str__(self) -> str:
        return f"{self.guest} → {self.event}"


class ResponseQuerySet(WeddingScopedQuerySet):
    def answered(self) -> ResponseQuerySet:
        return self.exclude(status=Response.Status.PENDING)


class Response(WeddingScoped):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ATTENDING = "attending", _("Attending")
        DECLINED = "declined", _("Declined")

    class AnsweredBy(models.TextChoices):
        GUEST = "guest", "The guest"
        PLANNER = "planner", "A planner on the guest's behalf"

    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="responses")
    event = models.ForeignKey("wedding.Event", on_delete=models.CASCADE, related_name="responses")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    meal = models.ForeignKey(MealOption, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses")
    note = models.CharField(max_length=500, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.CharField(max_length=8, choices=AnsweredBy.choices, blank=True)
    answered_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-responded_at"]
        constraints = [
            models.UniqueConstraint(fields=["guest", "event"], name="one_response_per_guest_and_event"),
            models.CheckConstraint(
                condition=models.Q(meal__isnull=True) | models.Q(status="attending"),
                name="meal_only_when_attending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guest}: {self.get_status_display()} ({self.event})"


class Question(WeddingScoped):
    """A question the couple adds to the RSVP form, for the whole wedding or one event.

    An event's question is asked only of guests attending that event; a wedding's
    question of every guest in its audience (required only from guests who attend
    something: nobody who declines everything is held up by it).
    """

    TRANSLATED_FIELDS = ("text", "help_text")  # the options are the answers: one language

    class Kind(models.TextChoices):
        TEXT = "text", "Short text"
        YES_NO = "yes_no", "Yes / no"
        CHOICE = "choice", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        ADULTS = "adults", "Adults only"
        TAG = "tag", "Guests with a tag"

    event = models.ForeignKey(
        "wedding.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="questions",
        help_text="Leave empty to ask it once per guest for the whole wedding.",
    )
    text = models.CharField("question", max_length=200)
    help_text = models.CharField(max_length=300, blank=True)
    translations = translations_field()
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TEXT)
    choices = models.TextField(blank=True, help_text="For single and multiple choice: one option a line.")
    required = models.BooleanField(default=False)
    audience = models.CharField(max_length=8, choices=Audience.choices, default=Audience.EVERYONE)
    # PROTECT: deleting a tag must not silently take the couple's question and its answers with it.
    tag = models.ForeignKey(
        "guests.Tag", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Only for the audience “Guests with a tag”.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(audience="tag", tag__isnull=False) | (~models.Q(audience="tag") & models.Q(tag__isnull=True)),
                name="question_tag_only_for_tag_audience",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def options(self) -> list[str]:
        """The options of a choice question, in the couple's order, blanks and repeats dropped."""
        seen: list[str] = []
        for line in self.choices.splitlines():
            line = " ".join(line.split())
            if line and line not in seen:
                seen.append(line)
        return seen

    def asks(self, guest, tag_ids: set[int] | frozenset[int] = frozenset()) -> bool:
        """Whether the question's audience includes this guest (`tag_ids`: the guest's tags).

        Attendance (an event's question, or required-ness) is the caller's part.
        """
        if self.audience == self.Audience.ADULTS:
            return guest.age_group == "adult"
        if self.audience == self.Audience.TAG:
            return self.tag_id in tag_ids
        return True


class QuestionAnswer(WeddingScoped):
    """One guest's answer to one question. A multiple-choice answer keeps one option a line."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="question_answers")
    value = models.TextField(blank=True)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question__order", "question_id"]
        constraints = [models.UniqueConstraint(fields=["question", "guest"], name="one_answer_per_guest_and_question")]

    def __str__(self) -> str:
        return f"{self.guest}: {self.question} → {self.display}"

    @property
    def values(self) -> list[str]:
        return [v for v in self.value.split("\n") if v]

    @property
    def display(self) -> str:
        """The answer as people read it: “Yes”, “Vegan; Gluten-free”, the text."""
        if self.question.kind == Question.Kind.YES_NO:
            return {"yes": gettext("Yes"), "no": gettext("No")}.get(self.value, self.value)
        return "; ".join(self.values)
