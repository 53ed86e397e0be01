"""The couple's own pages on the guest site: story, schedule, travel, FAQ, dress code, registry, custom.

Who sees a page (or an event's details) is its `Visibility`: anyone with the
wedding's site link, invited guests only, or the households invited to one
event. `wedding.site.visibility` decides it; every read path (page, fragment,
live push, `.ics`) goes through it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wedding.core.models import WeddingScoped, translations_field


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public (anyone with the site link)"
    GUESTS = "guests", "Invited guests only"
    EVENT = "event", "Households invited to one event"


class Page(WeddingScoped):
    TRANSLATED_FIELDS = ("title", "body")

    class Kind(models.TextChoices):
        STORY = "story", "Our story"
        SCHEDULE = "schedule", "Schedule"
        TRAVEL = "travel", "Travel & stay"
        FAQ = "faq", "FAQ"
        DRESS_CODE = "dress_code", "Dress code"
        REGISTRY = "registry", "Registry"
        CUSTOM = "custom", "Custom page"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CUSTOM)
    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, help_text="The page's address: /w/<wedding>/<slug>/")
    body = models.TextField(blank=True, max_length=20000, help_text="Markdown. HTML is removed before guests see it.")
    order = models.PositiveSmallIntegerField(default=0)
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.GUESTS)
    event = models.ForeignKey(
        "wedding.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        help_text="With “Households invited to one event”: which event.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    translations = translations_field()

    class Meta:
        ordering = ["order", "title"]
        constraints = [models.UniqueConstraint(fields=["wedding", "slug"], name="site_page_unique_slug")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.visibility == Visibility.EVENT and self.event_id is None:
            raise ValidationError({"event": "Choose the event whose invited households see this page."})
        if self.visibility != Visibility.EVENT and self.event_id is not None:
            raise ValidationError({"event": "An event is only chosen with “Households invited to one event”."})


class FaqItem(WeddingScoped):
    TRANSLATED_FIELDS = ("question", "answer")

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="faq_items")
    question = models.CharField(max_length=300)
    answer = models.TextField(max_length=5000, help_text="Markdown.")
    order = models.PositiveSmallIntegerField(default=0)
    translations = translations_field()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "FAQ item"

    def __str__(self) -> str:
        return self.question


class Link(WeddingScoped):
    """A hotel, airport, parking, shuttle or registry entry of a page: a name, details, a link."""

    TRANSLATED_FIELDS = ("name", "details")

    class Kind(models.TextChoices):
        HOTEL = "hotel", _("Hotel")
        AIRPORT = "airport", _("Airport")
        PARKING = "parking", _("Parking")
        SHUTTLE = "shuttle", _("Shuttle")
        REGISTRY = "registry", _("Registry or cash fund")
        OTHER = "other", _("Other")

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True, help_text="Booking or registry link (Confetti handles no payments).")
    code = models.CharField(max_length=80, blank=True, help_text="Room-block or group code.")
    details = models.TextField(blank=True, max_length=5000, help_text="Markdown.")
    order = models.PositiveSmallIntegerField(default=0)
    translations = translations_field()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class EventDetails(WeddingScoped):
    """What the site shows of an event beyond the core's fields: who sees it, a static map."""

    event = models.OneToOneField("wedding.Event", on_delete=models.CASCADE, related_name="site_details")
    public = models.BooleanField(
        default=False, help_text="Shown on the public landing page (a private event never is)."
    )
    map_image = models.ImageField(upload_to="site/maps/", blank=True, help_text="Optional static map of the venue.")

    class Meta:
        verbose_name = "event details"
        verbose_name_plural = "event details"

    def __str__(self) -> str:
        return f"Site details of {self.event}"


class SiteProfile(WeddingScoped):
    """The public landing page's extras: one per wedding."""

    TRANSLATED_FIELDS = ("welcome",)

    photo = models.ImageField(upload_to="site/photos/", blank=True)
    welcome = models.TextField(blank=True, max_length=5000, help_text="Markdown, shown on the public landing page.")
    translations = translations_field()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wedding"], name="site_profile_one_per_wedding")]

    def __str__(self) -> str:
        return f"Landing page of {self.wedding}"
