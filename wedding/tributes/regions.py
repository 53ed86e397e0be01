"""Live region of the tributes page (published tributes, approved remembrances)."""

from __future__ import annotations

from django.db.models import Prefetch

from realtime.regions import Audience, Viewer, register
from wedding.core.models import Moderation
from wedding.tributes.models import Remembrance, Tribute


def tributes_context(viewer: Viewer) -> dict:
    approved = Remembrance.objects.filter(status=Moderation.APPROVED).order_by("created_at", "pk")
    tributes = (
        Tribute.objects.for_wedding(viewer.wedding)
        .filter(published=True)
        .prefetch_related(Prefetch("remembrances", queryset=approved, to_attr="approved_remembrances"))
    )
    return {"tributes": list(tributes)}


register(
    "tributes", audience=Audience.GUESTS, topics={"tribute"},
    template="tributes/tributes.html#tributes", context=tributes_context,
)

