from __future__ import annotations

from django.apps import AppConfig


class SongsConfig(AppConfig):
    name = "wedding.songs"
    label = "songs"
    verbose_name = "Songs"

    def ready(self) -> None:
        from wedding.core.counters import counter_register
        from wedding.songs.models import SongRequest, SongVote

        # A guest or household deleted takes its votes with it: the count follows.
        counter_register(parent=SongRequest, field="vote_count", rows=SongVote, via="song")
