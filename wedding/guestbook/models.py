"""The guestbook: a household's words to the couple (moderated when the wedding asks for it)."""

from __future__ import annotations

from django.db import models

from wedding.core.models import Moderation
from wedding.moderation.contributions import GuestWords


class GuestbookEntry(GuestWords):
    # Shown at once unless the wedding moderates its guestbook (the service sets PENDING then).
    status = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.APPROVED)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "guestbook entries"

    def __str__(self) -> str:
        return f"{self.author_name}: {self.message[:40]}"

