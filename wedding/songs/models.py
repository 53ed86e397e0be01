"""Song requests and the guests' votes for them (the DJ queue)."""

from __future__ import annotations

import unicodedata

from django.db import models
from django.utils.translation import gettext_lazy as _

from wedding.core.models import WeddingScoped


def song_key(title: str, artist: str) -> str:
    """Case-, accent- and spacing-insensitive identity of a song (duplicates merge)."""

    def fold(text: str) -> str:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())

    return f"{fold(title)}|{fold(artist)}"


class SongRequest(WeddingScoped):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PLAYED = "played", _("Played")

    title = models.CharField(max_length=200)
    artist = models.CharField(max_length=200, blank=True)
    key = models.CharField(max_length=420, editable=False)
    dedication = models.CharField(max_length=280, blank=True)
    requested_by = models.ForeignKey(
        "guests.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    vote_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    played_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-vote_count", "created_at"]
        constraints = [models.UniqueConstraint(fields=["wedding", "key"], name="song_unique_per_wedding")]

    def __str__(self) -> str:
        return f"{self.title} — {self.artist}" if self.artist else self.title

    def save(self, *args, **kwargs) -> None:
        self.key = song_key(self.title, self.artist)
        super().save(*args, **kwargs)


class SongVote(WeddingScoped):
    song = models.ForeignKey(SongRequest, on_delete=models.CASCADE, related_name="votes")
    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="song_votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["song", "guest"], name="one_vote_per_guest_and_song")]

    def __str__(self) -> str:
        return f"{self.guest} votes for {self.song}"

