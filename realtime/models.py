"""The change log: one row per captured change; the planners' activity feed."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wedding.core.models import WeddingScoped, WeddingScopedQuerySet


class Change(WeddingScoped):
    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"

    version = models.PositiveBigIntegerField()
    topic = models.CharField(max_length=20)
    action = models.CharField(max_length=6, choices=Action.choices)
    model = models.CharField(max_length=60, help_text="app_label.model of the changed object")
    object_id = models.CharField(max_length=40, blank=True)
    count = models.PositiveIntegerField(default=1, help_text="Objects changed (bulk writes log one row).")
    summary = models.CharField(max_length=300)
    # What a live page needs to rebuild this change's message from the log (a hub filling a
    # gap, a socket catching up after a reconnect): see realtime.capture.logged_messages.
    owner_household = models.PositiveBigIntegerField(
        null=True, blank=True,
        help_text="The household whose own row changed; empty when it is no one household's or not known.",
    )
    side_topics = models.CharField(
        max_length=200, blank=True, help_text="Topics changed as a side effect (cascaded deletes), space-separated."
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_household = models.ForeignKey(
        "guests.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_constraint=False,  # a household's own deletion is logged after the row is gone
    )
    actor_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WeddingScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-version", "-id"]
        indexes = [models.Index(fields=["wedding", "-version"], name="change_wedding_version")]

    def __str__(self) -> str:
        return f"v{self.version} {self.summary}"
