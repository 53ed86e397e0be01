from __future__ import annotations

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """Invitations, save-the-dates, reminders and updates by email: compose, outbox, worker."""

    name = "wedding.messaging"
    label = "messaging"
    verbose_name = "Messages"

    def ready(self) -> None:
        from guests.signals import invitation_link_followed
        from wedding.messaging.services import household_opened

        # "Opened" is the household's first visit of its personal link after a message.
        invitation_link_followed.connect(
            lambda sender, household, **kwargs: household_opened(household=household),
            dispatch_uid="confetti-messaging-opened", weak=False,
        )
