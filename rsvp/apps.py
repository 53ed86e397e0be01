from __future__ import annotations

from django.apps import AppConfig


class RsvpConfig(AppConfig):
    name = "rsvp"
    verbose_name = "RSVP"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from rsvp import db_rules

        # Rules Django cannot express live in the database, reinstalled after every migrate.
        post_migrate.connect(db_rules.install, sender=self, dispatch_uid="confetti-db-rules-rsvp")
