"""What a guest contribution with words is made of (a guestbook entry, a remembrance).

An abstract model: each app keeps its own table; the moderation admin and
services work on any of them through these fields.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

from wedding.core.models import Moderation, WeddingScoped


class GuestWords(WeddingScoped):
    """A household's message, signed with a name, shown once its `status` is approved."""

    household = models.ForeignKey("guests.Household", on_delete=models.SET_NULL, null=True, blank=True)
    author_name = models.CharField(max_length=120)
    message = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


# What moderation decided, as the activity feed says it.
_DECIDED = {Moderation.PENDING: "waits for approval", Moderation.APPROVED: "is approved", Moderation.HIDDEN: "is hidden"}


def contribution_summary(
    *, made: Callable[[models.Model], str], thing: Callable[[models.Model], str],
) -> Callable[[models.Model, str], str]:
    """The feed line of a moderated contribution (for `live.track(describe=…)`): who made it
    ("Ana signed the guestbook"), then where moderation left it ("Ana's guestbook message is approved")."""

    def describe(obj: models.Model, action: str) -> str:
        if action == "create":
            return made(obj)
        if action == "update":
            return f"{thing(obj)} {_DECIDED.get(obj.status, obj.status)}"
        return f"{thing(obj)} was removed"

    return describe
