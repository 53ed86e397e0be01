from __future__ import annotations

from django.apps import AppConfig


class WeddingConfig(AppConfig):
    name = "wedding"
    verbose_name = "Weddings"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from wedding import db_constraints

        # Cross-table rules (same-event references, table capacity) live in the
        # database itself; installed idempotently after every migrate so that a
        # SQLite table rebuild can never silently drop them.
        post_migrate.connect(db_constraints.install, dispatch_uid="confetti-db-constraints")
        from wedding import regions  # noqa: F401  (registers the live regions of the day's content)
