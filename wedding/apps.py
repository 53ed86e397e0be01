from __future__ import annotations

from django.apps import AppConfig


class WeddingConfig(AppConfig):
    name = "wedding"
    verbose_name = "Weddings"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from wedding import db_constraints, signals

        # Cross-table rules (same-event references, table capacity) live in the
        # database itself; installed idempotently after every migrate so that a
        # SQLite table rebuild can never silently drop them.
        post_migrate.connect(db_constraints.install, dispatch_uid="confetti-db-constraints")
        # A deleted photo's files leave storage once the deletion commits.
        signals.register_signal_handlers()
        from wedding import regions  # noqa: F401  (registers the live regions of the day's content)
