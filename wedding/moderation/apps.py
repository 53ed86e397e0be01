from __future__ import annotations

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "wedding.moderation"
    label = "moderation"
    verbose_name = "Moderation"

