"""The tenant: a wedding, its events and wedding party, and the scoping base of every domain row."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (for example Europe/Madrid).")


def translations_field() -> models.JSONField:
    """The `translations` field of a model with couple-written text in several languages:
    `{language: {field: text}}`; a missing or empty text falls back (`wedding.core.i18n`)."""
    return models.JSONField(
        default=dict, blank=True,
        help_text="Other languages of this row's text: {language: {field: text}}; empty falls back.",
    )


class WeddingQuerySet(models.QuerySet["Wedding"]):
    def for_planner(self, user) -> WeddingQuerySet:
        """Weddings this user plans; superusers plan them all; anyone else none."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(planners=user)

    def check_planner(self, user, wedding_id: int, *, system_allowed: bool = True) -> None:
        """Refuse (PermissionDenied) unless `user` plans the wedding.

        `user=None` is a command or the system acting (realtime.context says
        who): allowed unless `system_allowed=False` (actions only a planner
        may take).
        """
        if user is None and system_allowed:
            return
        if user is None or not self.for_planner(user).filter(pk=wedding_id).exists():
            raise PermissionDenied("Only the wedding's planners can do this.")


class Wedding(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    date = models.DateField()
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    language = models.CharField(
        "default language", max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE,
        help_text="What guests read unless their household chooses another; the pages, events and "
        "meals are written in it (other languages: their translation fields, else this one).",
    )
    venue = models.CharField(max_length=200, blank=True)
    # The couple's names, shown to guests instead of "Partner A / Partner B".
    partner_a_name = models.CharField(max_length=100, blank=True)
    partner_b_name = models.CharField(max_length=100, blank=True)
    rsvp_deadline = models.DateTimeField(null=True, blank=True)
    seating_published = models.BooleanField(
        default=False, help_text="Reveal tables to guests (their pages update live)."
    )
    photo_moderation = models.BooleanField(
        default=True, help_text="Guest photos wait for a planner's approval."
    )
    guestbook_moderation = models.BooleanField(
        default=False, help_text="Guestbook entries wait for a planner's approval."
    )
    # What the RSVP form asks besides the answers and the couple's questions (rsvp.Question).
    rsvp_asks_song = models.BooleanField(
        "ask for a song request on the RSVP form", default=False,
        help_text="Guests may name a song with their RSVP; it joins the song requests.",
    )
    rsvp_asks_message = models.BooleanField(
        "ask for a message to the couple on the RSVP form", default=True,
    )
    planners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="planned_weddings", blank=True)
    # Bumped once per committing transaction that changes this wedding (realtime.capture).
    version = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WeddingQuerySet.as_manager()

    class Meta:
        ordering = ["date", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # `version` is only ever bumped in SQL (realtime.capture); saving a stale
        # instance must never write an old number back.
        if self.pk and not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None:
                fields = [f.name for f in self._meta.concrete_fields if not f.primary_key]
            kwargs["update_fields"] = [f for f in fields if f != "version"]
        super().save(*args, **kwargs)

    @property
    def rsvp_open(self) -> bool:
        return self.rsvp_deadline is None or timezone.now() <= self.rsvp_deadline

    def is_planned_by(self, user) -> bool:
        return Wedding.objects.for_planner(user).filter(pk=self.pk).exists()


class WeddingScopedQuerySet(models.QuerySet):
    def for_wedding(self, wedding) -> WeddingScopedQuerySet:
        return self.filter(wedding=wedding)

    def for_planner(self, user) -> WeddingScopedQuerySet:
        return self.filter(wedding__in=Wedding.objects.for_planner(user))


class WeddingScoped(models.Model):
    """Every domain row belongs to exactly one wedding."""

    wedding = models.ForeignKey(Wedding, on_delete=models.CASCADE, related_name="+")

    objects = WeddingScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Timestamped(WeddingScoped):
    """A wedding's row that remembers when it was created and when it was last saved."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Event(WeddingScoped):
    TRANSLATED_FIELDS = ("name", "venue", "description")

    name = models.CharField(max_length=120)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_private = models.BooleanField(default=False, help_text="Only invited guests see this event.")
    translations = translations_field()

    class Meta:
        ordering = ["order", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["wedding", "name"], name="event_unique_name"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WeddingPartyMember(WeddingScoped):
    """Who's who: the wedding party, shown to guests."""

    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120, help_text="Maid of honour, best man, officiant…")
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="party/", blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "wedding party member"

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class Moderation(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    HIDDEN = "hidden", "Hidden"



class PlannerInvitation(WeddingScoped):
    """A planner asked someone (by email) to plan this wedding with them.

    The emailed link carries the row's id, signed (django.core.signing) with
    its own salt and age limit; the row says whether it was used. Accepting
    is once only (`accepted_at`); a cancelled invitation is deleted, so its
    link leads nowhere.
    """

    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} → {self.wedding_id}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()
