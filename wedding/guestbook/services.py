"""Writes for the guestbook."""

from __future__ import annotations

from django.db import transaction

from wedding.core.cleaning import check_household, clean_text
from wedding.core.models import Moderation, Wedding
from wedding.guestbook.models import GuestbookEntry
from wedding.moderation.services import content_moderate

GUESTBOOK_MAX_LENGTH = 2000


def guestbook_sign(*, wedding: Wedding, household, author_name: str, message: str) -> GuestbookEntry:
    """Sign the guestbook; the entry waits for approval when the wedding moderates it."""
    check_household(wedding=wedding, household=household)
    author_name = clean_text(author_name, label="name", max_length=120)
    message = clean_text(message, label="message", max_length=GUESTBOOK_MAX_LENGTH)
    status = Moderation.PENDING if wedding.guestbook_moderation else Moderation.APPROVED
    with transaction.atomic():
        return GuestbookEntry.objects.create(
            wedding=wedding, household=household, author_name=author_name, message=message, status=status
        )


def guestbook_moderate(*, entry: GuestbookEntry, status: str, user) -> GuestbookEntry:
    return content_moderate(obj=entry, status=status, user=user)

