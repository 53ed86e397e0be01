"""Moderation shared by guest contributions (photos, guestbook entries, remembrances).

Any model with `wedding`, `status` (`Moderation` choices) can be moderated
here; the topic its bulk change is announced under comes from the model's
own live declaration, so this module names no feature model.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from realtime import live
from realtime.live import tracked
from wedding.core.models import Moderation, Wedding


def content_moderate(*, obj: models.Model, status: str, user) -> Any:
    """Approve, hide or send back to pending one photo, guestbook entry or remembrance."""
    if status not in Moderation.values:
        raise ValidationError(f"“{status}” is not a moderation status.")
    Wedding.objects.check_planner(user, obj.wedding_id, system_allowed=False)
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        if obj.status != status:
            obj.status = status
            obj.save(update_fields=["status"])
    return obj


def content_moderate_bulk(*, queryset: models.QuerySet, status: str, user) -> int:
    """Moderate many rows at once (admin actions): one UPDATE and one change per wedding."""
    if status not in Moderation.values:
        raise ValidationError(f"“{status}” is not a moderation status.")
    model = queryset.model
    topic = tracked(model).topic
    changed = 0
    with transaction.atomic():
        # Lock by primary key: the caller's queryset may carry joins or DISTINCT (admin
        # changelists do), which FOR UPDATE refuses on PostgreSQL.
        pks = list(queryset.values_list("pk", flat=True))
        locked = model.objects.select_for_update().filter(pk__in=pks).exclude(status=status)
        rows = list(locked.values_list("pk", "wedding_id"))
        by_wedding: dict[int, list[int]] = {}
        for pk, wedding_id in rows:
            by_wedding.setdefault(wedding_id, []).append(pk)
        for wedding_id, pks in by_wedding.items():
            Wedding.objects.check_planner(user, wedding_id, system_allowed=False)
            label = Moderation(status).label.lower()
            with live.bulk_change(
                wedding_id=wedding_id, topic=topic, action="update", model=model._meta.label_lower,
                summary=f"{len(pks)} {model._meta.verbose_name_plural} {label}",
            ) as ids:
                changed += model.objects.filter(pk__in=pks).update(status=status)
                ids.extend(pks)
    return changed

