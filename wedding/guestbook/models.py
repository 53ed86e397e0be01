"""The guestbook: a household's words to the couple (moderated when the wedding asks for it)."""

from __future__ import annotations

from django.db import models

from wedding.core.models import Moderation, WeddingScoped


class GuestbookEntry(WeddingScoped):
    household = models.ForeignKey("guests.Household", on_delete=models.SET_NULL, null=True, blank=True)
    author_name = models.CharField(max_length=120)
    message = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.APPROVED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "guestbook entries"

    def __str__(self) -> str:
        return f"{self.author_name}: {self.message[:40]}"

