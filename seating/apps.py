from __future__ import annotations

from django.apps import AppConfig


class SeatingConfig(AppConfig):
    name = "seating"
    verbose_name = "Seating"

    def ready(self) -> None:
        from seating import regions  # noqa: F401  (registers the seating live regions)
