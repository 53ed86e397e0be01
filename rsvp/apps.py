from __future__ import annotations

from django.apps import AppConfig


class RsvpConfig(AppConfig):
    name = "rsvp"
    verbose_name = "RSVP"
