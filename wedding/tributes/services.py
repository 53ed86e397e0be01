"""Writes for tributes: a guest's remembrance, and its moderation."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wedding.core.cleaning import clean_text
from wedding.core.models import Moderation
from wedding.moderation.services import content_moderate
from wedding.tributes.models import Remembrance, Tribute

REMEMBRANCE_MAX_LENGTH = 2000


def remembrance_add(*, tribute: Tribute, household, author_name: str, message: str) -> Remembrance:
    """A guest's words for a published tribute; always waits for a planner's approval."""
    if household is not None and household.wedding_id != tribute.wedding_id:
        raise PermissionDenied("This tribute belongs to another wedding.")
    if not tribute.published:
        raise ValidationError(_("This tribute is not published."))
    author_name = clean_text(author_name, label="name", max_length=120)
    message = clean_text(message, label="message", max_length=REMEMBRANCE_MAX_LENGTH)
    with transaction.atomic():
        return Remembrance.objects.create(
            wedding_id=tribute.wedding_id, tribute=tribute, household=household,
            author_name=author_name, message=message, status=Moderation.PENDING,
        )


def remembrance_moderate(*, remembrance: Remembrance, status: str, user) -> Remembrance:
    return content_moderate(obj=remembrance, status=status, user=user)

