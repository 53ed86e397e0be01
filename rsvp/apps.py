from __future__ import annotations

from django.apps import AppConfig


class RsvpConfig(AppConfig):
    name = "rsvp"
    verbose_name = "RSVP"

    def ready(self) -> None:
        from rsvp import regions  # noqa: F401  (registers the RSVP live regions)
