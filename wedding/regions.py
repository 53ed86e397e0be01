"""Live regions of the day's shared content (imported by WeddingConfig.ready()).

GUESTS regions show approved content only and are rendered once per wedding
for every guest watching; per-guest state (which songs *I* voted for) is kept
out of them and applied in the browser (static/wedding/songs.js).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404

from realtime.regions import Audience, Viewer, register
from wedding.models import (
    GuestbookEntry,
    Moderation,
    Photo,
    Remembrance,
    SongRequest,
    SongVote,
    Tribute,
)

GALLERY_LIMIT = 200
SLIDESHOW_LIMIT = 60
GUESTBOOK_LIMIT = 300
PLAYED_LIMIT = 50


def song_queue_context(viewer: Viewer) -> dict:
    songs = SongRequest.objects.for_wedding(viewer.wedding)
    return {
        "queue": list(songs.filter(status=SongRequest.Status.APPROVED).order_by("-vote_count", "created_at")),
        "played": list(songs.filter(status=SongRequest.Status.PLAYED).order_by("-played_at")[:PLAYED_LIMIT]),
    }


def household_votes(household) -> dict[str, list[int]]:
    """{guest id: [song ids]} for every guest of the household (songs.js marks the buttons)."""
    votes: dict[str, list[int]] = {str(pk): [] for pk in household.guests.values_list("pk", flat=True)}
    pairs = SongVote.objects.filter(wedding_id=household.wedding_id, guest__household=household)
    for guest_id, song_id in pairs.order_by("song_id").values_list("guest_id", "song_id"):
        votes.setdefault(str(guest_id), []).append(song_id)
    return votes


def my_songs_context(viewer: Viewer) -> dict:
    """The household's own requests and its guests' votes (live across the household's phones)."""
    if viewer.household is None:
        raise Http404("no household")
    return {
        "my_songs": list(
            SongRequest.objects.for_wedding(viewer.wedding)
            .filter(requested_by=viewer.household)
            .order_by("-created_at")
        ),
        "my_votes": household_votes(viewer.household),
    }


# What the DJ can do next with a song in each state: (new status, button, label once done).
_DJ_ACTIONS = {
    SongRequest.Status.REQUESTED: ((SongRequest.Status.APPROVED, "Approve"), (SongRequest.Status.REJECTED, "Reject")),
    SongRequest.Status.APPROVED: ((SongRequest.Status.PLAYED, "Mark played"), (SongRequest.Status.REJECTED, "Reject")),
    SongRequest.Status.PLAYED: ((SongRequest.Status.APPROVED, "Back to the queue"),),
    SongRequest.Status.REJECTED: ((SongRequest.Status.APPROVED, "Approve"),),
}


def dj_actions(song: SongRequest) -> list[tuple[str, str, str]]:
    return [(value, button, SongRequest.Status(value).label) for value, button in _DJ_ACTIONS[song.status]]


def dj_queue_context(viewer: Viewer) -> dict:
    songs = SongRequest.objects.for_wedding(viewer.wedding).select_related("requested_by")
    status = SongRequest.Status
    groups = {
        "waiting": list(songs.filter(status=status.REQUESTED).order_by("-vote_count", "created_at")),
        "queue": list(songs.filter(status=status.APPROVED).order_by("-vote_count", "created_at")),
        "played": list(songs.filter(status=status.PLAYED).order_by("-played_at")[:PLAYED_LIMIT]),
        "rejected": list(songs.filter(status=status.REJECTED).order_by("-created_at")[:PLAYED_LIMIT]),
    }
    for song in (song for group in groups.values() for song in group):
        song.dj_actions = dj_actions(song)
    return groups


def _approved_photos(viewer: Viewer):
    return Photo.objects.for_wedding(viewer.wedding).filter(status=Moderation.APPROVED).order_by("-created_at", "-pk")


def gallery_context(viewer: Viewer) -> dict:
    return {"photos": list(_approved_photos(viewer)[:GALLERY_LIMIT])}


def slideshow_context(viewer: Viewer) -> dict:
    return {"photos": list(_approved_photos(viewer)[:SLIDESHOW_LIMIT])}


def guestbook_context(viewer: Viewer) -> dict:
    entries = GuestbookEntry.objects.for_wedding(viewer.wedding).filter(status=Moderation.APPROVED)
    return {"entries": list(entries.order_by("-created_at", "-pk")[:GUESTBOOK_LIMIT])}


def moderation_context(viewer: Viewer) -> dict:
    """What waits for a planner: pending photos, guestbook entries and remembrances."""
    pending = {"wedding": viewer.wedding, "status": Moderation.PENDING}
    return {
        "photos": list(
            Photo.objects.filter(**pending).select_related("uploaded_by_household").order_by("created_at", "pk")
        ),
        "entries": list(
            GuestbookEntry.objects.filter(**pending).select_related("household").order_by("created_at", "pk")
        ),
        "remembrances": list(
            Remembrance.objects.filter(**pending).select_related("tribute", "household").order_by("created_at", "pk")
        ),
    }


def tributes_context(viewer: Viewer) -> dict:
    approved = Remembrance.objects.filter(status=Moderation.APPROVED).order_by("created_at", "pk")
    tributes = (
        Tribute.objects.for_wedding(viewer.wedding)
        .filter(published=True)
        .prefetch_related(Prefetch("remembrances", queryset=approved, to_attr="approved_remembrances"))
    )
    return {"tributes": list(tributes)}


register(
    "song_queue", audience=Audience.GUESTS, topics={"song"},
    template="wedding/songs.html#queue", context=song_queue_context,
)
register(
    "my_songs", audience=Audience.HOUSEHOLD, topics={"song"}, own_topics={"song"},
    template="wedding/songs.html#my_songs", context=my_songs_context,
)
register(
    "dj_queue", audience=Audience.PLANNER, topics={"song"},
    template="wedding/admin/dj_queue.html#queue", context=dj_queue_context,
)
register(
    "content_moderation", audience=Audience.PLANNER, topics={"photo", "guestbook", "tribute"},
    template="wedding/admin/moderation.html#pending", context=moderation_context,
)
register(
    "photo_gallery", audience=Audience.GUESTS, topics={"photo"},
    template="wedding/photos.html#gallery", context=gallery_context,
)
register(
    "slideshow", audience=Audience.GUESTS, topics={"photo"},
    template="wedding/slideshow.html#slides", context=slideshow_context,
)
register(
    "guestbook_wall", audience=Audience.GUESTS, topics={"guestbook"},
    template="wedding/guestbook.html#wall", context=guestbook_context,
)
register(
    "tributes", audience=Audience.GUESTS, topics={"tribute"},
    template="wedding/tributes.html#tributes", context=tributes_context,
)
