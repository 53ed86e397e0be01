"""Live region of the guestbook wall (approved entries only)."""

from __future__ import annotations

from realtime.regions import Audience, Viewer, register
from wedding.core.models import Moderation
from wedding.guestbook.models import GuestbookEntry

GUESTBOOK_LIMIT = 300


def guestbook_context(viewer: Viewer) -> dict:
    entries = GuestbookEntry.objects.for_wedding(viewer.wedding).filter(status=Moderation.APPROVED)
    return {"entries": list(entries.order_by("-created_at", "-pk")[:GUESTBOOK_LIMIT])}


register(
    "guestbook_wall", audience=Audience.GUESTS, topics={"guestbook"},
    template="guestbook/guestbook.html#wall", context=guestbook_context,
)

