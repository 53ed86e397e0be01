"""Meal options, invitations (guest × event) and responses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
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
