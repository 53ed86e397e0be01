"""In-memoriam tributes published by the planners, and the guests' remembrances of them."""

from __future__ import annotations

from django.db import models

from wedding.core.models import WeddingScoped
from wedding.moderation.contributions import GuestWords


class Tribute(WeddingScoped):
    """An in-memoriam tribute published by the planners."""

    name = models.CharField(max_length=120)
    relationship = models.CharField(max_length=120, blank=True)
    words = models.TextField(blank=True)
    photo = models.ImageField(upload_to="tributes/", blank=True)
    published = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Remembrance(GuestWords):
    """A guest's words added to a tribute (moderated)."""

    tribute = models.ForeignKey(Tribute, on_delete=models.CASCADE, related_name="remembrances")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.author_name} for {self.tribute}"

