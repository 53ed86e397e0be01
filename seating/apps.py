from __future__ import annotations

from django.apps import AppConfig


class SeatingConfig(AppConfig):
    name = "seating"
    verbose_name = "Seating"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from seating import db_rules

        # Rules Django cannot express live in the database, reinstalled after every migrate.
        post_migrate.connect(db_rules.install, sender=self, dispatch_uid="confetti-db-rules-seating")

        from rsvp.signals import guests_uninvited
        from seating.services import seats_free_uninvited

        guests_uninvited.connect(seats_free_uninvited, dispatch_uid="confetti-seating-uninvited")
