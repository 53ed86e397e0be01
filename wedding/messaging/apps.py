from __future__ import annotations

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """Invitations, save-the-dates, reminders and updates by email: compose, outbox, worker."""

    name = "wedding.messaging"
    label = "messaging"
    verbose_name = "Messages"

    def ready(self) -> None:
        from wedding.messaging import regions  # noqa: F401 - registers the live regions
