from __future__ import annotations

from wedding.core import appconfig


class WeddingConfig(appconfig.FilesAppConfig):
    """The tenant core: Wedding, Event, the wedding party. Label "wedding" (tables wedding_*)."""

    name = "wedding.core"
    label = "wedding"
    verbose_name = "Weddings"
    file_models = ("WeddingPartyMember",)

    def ready(self) -> None:
        super().ready()
        from django.db.models.signals import pre_migrate

        from wedding.core.db_rules import sqlite_triggers_drop

        # The apps' database rules are reinstalled after every migrate (post_migrate); on SQLite
        # their triggers must be out of the way while migrations rebuild tables.
        pre_migrate.connect(sqlite_triggers_drop, dispatch_uid="confetti-db-rules-sqlite-drop")
