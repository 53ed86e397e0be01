from __future__ import annotations

from django.apps import AppConfig


class SongsConfig(AppConfig):
    name = "wedding.songs"
    label = "songs"
    verbose_name = "Songs"
