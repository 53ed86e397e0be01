from __future__ import annotations

from django.apps import AppConfig


class WeddingConfig(AppConfig):
    """The tenant core: Wedding, Event, the wedding party. Label "wedding" (tables wedding_*)."""

    name = "wedding.core"
    label = "wedding"
    verbose_name = "Weddings"

    def ready(self) -> None:
        from wedding.core.files import delete_files_with
        from wedding.core.models import WeddingPartyMember

        delete_files_with(WeddingPartyMember)
