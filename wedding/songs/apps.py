from __future__ import annotations

from django.apps import AppConfig


class SongsConfig(AppConfig):
    name = "wedding.songs"
    label = "songs"
    verbose_name = "Songs"

    def ready(self) -> None:
        from wedding.songs import regions  # noqa: F401  (registers the song regions)
