"""The song queue's live surface: requests and votes tracked, the queues as regions.

GUESTS regions show approved songs only and are rendered once per wedding for
every guest watching; per-guest state (which songs *I* voted for) is kept out
of them and applied in the browser (songs/songs.js).
"""

from __future__ import annotations

from django.http import Http404

from realtime.live import Audience, Viewer, admin_list_region, generic_summary, region, track
from wedding.songs.models import SongRequest, SongVote

# --- what the song queue tracks (topic "song") -----------------------------------------


# What the DJ's decision reads as in the feed (a song's other updates are its vote count,
# recorded by the vote that changed it: see services._recount).
_STATUS_WORDS = {
    SongRequest.Status.REQUESTED: "Put “{title}” back among the requests",
    SongRequest.Status.APPROVED: "Approved “{title}” for the queue",
    SongRequest.Status.REJECTED: "Turned down “{title}”",
    SongRequest.Status.PLAYED: "“{title}” was played",
}


def song_summary(obj: SongRequest, action: str) -> str:
    """“Ana requested ‘Dancing Queen’”: the household that asked, in the wedding's words."""
    if action == "create":
        who = obj.requested_by.name if obj.requested_by_id else "A planner"
        return f"{who} requested “{obj}”"
    if action == "update":
        return _STATUS_WORDS[SongRequest.Status(obj.status)].format(title=obj)
    return generic_summary(obj, action)


def vote_summary(obj: SongVote, action: str) -> str:
    """“The López household voted for ‘Valerie’” (a guest votes for their household's phone)."""
    who = obj.guest.household.name
    if action == "delete":
        return f"{who} withdrew a vote for “{obj.song}”"
    return f"{who} voted for “{obj.song}”"


track(SongRequest, topic="song", describe=song_summary, household=lambda song: song.requested_by_id)
track(SongVote, topic="song", describe=vote_summary, household=lambda vote: vote.guest.household_id)


# --- live regions ------------------------------------------------------------------------

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


region(
    "song_queue", audience=Audience.GUESTS, topics={"song"},
    template="songs/songs.html#queue", context=song_queue_context,
)


region(
    "my_songs", audience=Audience.HOUSEHOLD, topics={"song"}, own_topics={"song"},
    template="songs/songs.html#my_songs", context=my_songs_context,
)


region(
    "dj_queue", audience=Audience.PLANNER, topics={"song"},
    template="songs/admin/dj_queue.html#queue", context=dj_queue_context,
)

# The admin's list of song requests (planners), live like the DJ queue.
admin_list_region("song_admin_list", model="songs.SongRequest", topics={"song", "guest"})
