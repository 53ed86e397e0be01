"""The guestbook's live surface: entries tracked, the wall (approved entries only) as a region."""

from __future__ import annotations

from realtime.live import Audience, Viewer, region, track
from wedding.core.models import Moderation
from wedding.guestbook.models import GuestbookEntry
from wedding.moderation.contributions import contribution_summary

track(GuestbookEntry, topic="guestbook", describe=contribution_summary(
    made=lambda entry: f"{entry.author_name} signed the guestbook",
    thing=lambda entry: f"{entry.author_name}'s guestbook message",
))

GUESTBOOK_LIMIT = 300


def guestbook_context(viewer: Viewer) -> dict:
    # The household is shown beside the free-text signature, so "Lucía (the bride)" cannot pass for her.
    entries = (
        GuestbookEntry.objects.for_wedding(viewer.wedding).filter(status=Moderation.APPROVED).select_related("household")
    )
    return {"entries": list(entries.order_by("-created_at", "-pk")[:GUESTBOOK_LIMIT])}


region(
    "guestbook_wall", audience=Audience.GUESTS, topics={"guestbook"},
    template="guestbook/guestbook.html#wall", context=guestbook_context,
)

