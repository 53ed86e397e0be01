from __future__ import annotations

from django.apps import AppConfig


class GuestsConfig(AppConfig):
    name = "guests"
    verbose_name = "Guests"

    def ready(self) -> None:
        from guests import regions  # noqa: F401  (registers the guest site's live regions)
