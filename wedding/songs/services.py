"""Writes for song requests and votes.

Keyword-only, each owns its transaction and locks, and raises `ValidationError`
(clear message, nothing changed) or `PermissionDenied`. Rows are written with
`save()` so change capture sees them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from realtime import live
from wedding.core.cleaning import check_household, clean_text
from wedding.core.models import Wedding
from wedding.songs.models import SongRequest, SongVote, song_key


def _recount(song: SongRequest) -> SongRequest:
    """Recount under the song's row lock, and record it as part of the vote that changed it.

    Recorded by hand, not by a save's signal: the feed line is the count, never a
    status the vote did not change, and the requesting household's own-song region
    hears of it (household hint).
    """
    song.vote_count = SongVote.objects.filter(song=song).count()
    SongRequest.objects.filter(pk=song.pk).update(vote_count=song.vote_count)
    live.record_change(
        wedding_id=song.wedding_id, topic="song", action="update", model=SongRequest._meta.label_lower,
        object_id=song.pk, summary=f"“{song}” has {song.vote_count} vote{'' if song.vote_count == 1 else 's'}",
        household_id=song.requested_by_id,
    )
    return song


def _locked_song(song: SongRequest) -> SongRequest:
    # The row lock serialises every vote on this song: count and vote rows stay in step.
    return SongRequest.objects.select_for_update().get(pk=song.pk)


def _check_voter(*, song: SongRequest, guest) -> None:
    if guest.wedding_id != song.wedding_id:
        raise PermissionDenied("This guest belongs to another wedding.")


def song_vote(*, song: SongRequest, guest) -> SongRequest:
    """The guest's vote for the song (idempotent). Returns the song with its new count."""
    _check_voter(song=song, guest=guest)
    with transaction.atomic():
        song = _locked_song(song)
        if song.status == SongRequest.Status.REJECTED:
            raise ValidationError(_("This song is not in the queue any more."))
        _vote, created = SongVote.objects.get_or_create(song=song, guest=guest, defaults={"wedding_id": song.wedding_id})
        if created:
            _recount(song)
    return song


def song_unvote(*, song: SongRequest, guest) -> SongRequest:
    """Withdraw the guest's vote (idempotent). Returns the song with its new count."""
    _check_voter(song=song, guest=guest)
    with transaction.atomic():
        song = _locked_song(song)
        vote = SongVote.objects.filter(song=song, guest=guest).first()
        if vote is not None:
            vote.delete()
            _recount(song)
    return song


@dataclass(frozen=True)
class SongRequestResult:
    song: SongRequest
    merged: bool  # True when the song was already requested: the request became a vote


def song_request(
    *, wedding: Wedding, household, guest, title: str, artist: str = "", dedication: str = ""
) -> SongRequestResult:
    """Request a song; a request for a song already asked for (same key) merges into it.

    Either way the requesting guest ends up voting for the song. New requests
    wait for the DJ's approval.
    """
    check_household(wedding=wedding, household=household)
    if guest is not None and (guest.wedding_id != wedding.pk or (household and guest.household_id != household.pk)):
        raise PermissionDenied("This guest is not in your household.")
    title = clean_text(title, label="song title", max_length=200)
    artist = clean_text(artist, label="artist", max_length=200, required=False)
    dedication = clean_text(dedication, label="dedication", max_length=280, required=False)
    key = song_key(title, artist)
    if not key.split("|")[0]:
        raise ValidationError(_("Please write the song title with letters or numbers."))
    with transaction.atomic():
        song = SongRequest.objects.select_for_update().filter(wedding=wedding, key=key).first()
        merged = song is not None
        if song is None:
            try:
                with transaction.atomic():  # savepoint: a concurrent twin may win the unique key
                    song = SongRequest.objects.create(
                        wedding=wedding, title=title, artist=artist, dedication=dedication,
                        requested_by=household,
                    )
            except IntegrityError:
                song = SongRequest.objects.select_for_update().get(wedding=wedding, key=key)
                merged = True
        if merged and song.status == SongRequest.Status.REJECTED:
            raise ValidationError(_("The DJ has already decided not to play this song."))
        if guest is not None:
            song = song_vote(song=song, guest=guest)
    return SongRequestResult(song=song, merged=merged)


def song_set_status(*, song: SongRequest, status: str, user) -> SongRequest:
    """Approve, reject, mark played (or back to requested). Planners only."""
    if status not in SongRequest.Status.values:
        raise ValidationError(f"“{status}” is not a song status.")
    Wedding.objects.check_planner(user, song.wedding_id, system_allowed=False)
    with transaction.atomic():
        song = SongRequest.objects.select_for_update().get(pk=song.pk)
        if song.status == status:
            return song
        song.status = status
        song.played_at = timezone.now() if status == SongRequest.Status.PLAYED else None
        song.save(update_fields=["status", "played_at"])
    return song

