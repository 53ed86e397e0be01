"""The tributes' live surface: tributes and remembrances tracked, the tributes page as a region."""

from __future__ import annotations

from django.db.models import Prefetch

from realtime.live import Audience, Viewer, region, track
from wedding.core.models import Moderation
from wedding.moderation.contributions import contribution_summary
from wedding.tributes.models import Remembrance, Tribute

track(Tribute, topic="tribute")
track(Remembrance, topic="tribute", describe=contribution_summary(
    made=lambda words: f"{words.author_name} shared a memory of {words.tribute}",
    thing=lambda words: f"{words.author_name}'s memory of {words.tribute}",
))


def tributes_context(viewer: Viewer) -> dict:
    approved = Remembrance.objects.filter(status=Moderation.APPROVED).select_related("household").order_by("created_at", "pk")
    tributes = (
        Tribute.objects.for_wedding(viewer.wedding)
        .filter(published=True)
        .prefetch_related(Prefetch("remembrances", queryset=approved, to_attr="approved_remembrances"))
    )
    return {"tributes": list(tributes)}


region(
    "tributes", audience=Audience.GUESTS, topics={"tribute"},
    template="tributes/tributes.html#tributes", context=tributes_context,
)

