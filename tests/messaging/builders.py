"""Helpers the messaging tests share: households with addresses, and running delivery to the end."""

from __future__ import annotations

from guests.models import Household
from tests import factories
from wedding.messaging import delivery
from wedding.messaging.models import Message


def deliver_all(message: Message, *, rounds: int = 20) -> None:
    """Run the worker's delivery until the message is finished (bounded)."""
    for _ in range(rounds):
        if delivery.outbox_deliver(message_id=message.pk) is None:
            message.refresh_from_db()
            return
    raise AssertionError("delivery did not finish")


def make_household(wedding, name: str, *guests: tuple[str, str], email: str = "", event=None) -> Household:
    household = factories.HouseholdFactory(wedding=wedding, name=name, email=email)
    for first, address in guests:
        guest = factories.GuestFactory(household=household, first_name=first, last_name=name.split()[-1], email=address)
        if event is not None:
            factories.InvitationFactory(guest=guest, event=event)
    return household
