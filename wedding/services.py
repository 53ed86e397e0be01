"""Writes for the day's shared content: song requests and votes, photos, guestbook, tributes.

Every function is keyword-only, owns its transaction and locks, and raises
`ValidationError` (clear message, nothing changed) for bad input or
`PermissionDenied` when the actor may not do it. Rows are written with
`save()` so change capture sees them; the one `update()` (bulk moderation)
records itself with `capture.bulk_change`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from realtime import capture
from wedding import photos
from wedding.models import (
    GuestbookEntry,
    Moderation,
    Photo,
    Remembrance,
    SongRequest,
    SongVote,
    Tribute,
    Wedding,
    song_key,
)

MAX_PHOTOS_PER_UPLOAD = 30
GUESTBOOK_MAX_LENGTH = 2000
REMEMBRANCE_MAX_LENGTH = 2000


def _text(value: Any, *, label: str, max_length: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split()) if max_length <= 300 else str(value or "").strip()
    if required and not text:
        raise ValidationError(f"Please write the {label}.")
    if len(text) > max_length:
        raise ValidationError(f"The {label} is too long ({len(text)} characters; at most {max_length}).")
    return text


def _check_household(*, wedding: Wedding, household) -> None:
    if household is not None and household.wedding_id != wedding.pk:
        raise PermissionDenied("This household belongs to another wedding.")


# --- songs ------------------------------------------------------------------------------


def _recount(song: SongRequest) -> SongRequest:
    """Recount under the song's row lock and save (so the change is captured)."""
    song.vote_count = SongVote.objects.filter(song=song).count()
    song.save(update_fields=["vote_count"])
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
            raise ValidationError("This song is not in the queue any more.")
        _, created = SongVote.objects.get_or_create(song=song, guest=guest, defaults={"wedding_id": song.wedding_id})
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
    _check_household(wedding=wedding, household=household)
    if guest is not None and (guest.wedding_id != wedding.pk or (household and guest.household_id != household.pk)):
        raise PermissionDenied("This guest is not in your household.")
    title = _text(title, label="song title", max_length=200)
    artist = _text(artist, label="artist", max_length=200, required=False)
    dedication = _text(dedication, label="dedication", max_length=280, required=False)
    key = song_key(title, artist)
    if not key.split("|")[0]:
        raise ValidationError("Please write the song title with letters or numbers.")
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
            raise ValidationError("The DJ has already decided not to play this song.")
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


# --- photos -----------------------------------------------------------------------------


@dataclass
class UploadResult:
    saved: list[Photo] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)


def photo_upload(
    *, wedding: Wedding, files: Iterable[Any], household=None, user=None, caption: str = ""
) -> UploadResult:
    """Store each acceptable file as a photo; report every refused one with its reason.

    Good files are kept even when others are refused. Photos wait for
    approval when the wedding moderates photos, unless a planner uploads them.
    """
    _check_household(wedding=wedding, household=household)
    if household is None and user is None:
        raise PermissionDenied("Uploads need a guest household or a planner.")
    if user is not None and household is None:
        Wedding.objects.check_planner(user, wedding.pk, system_allowed=False)
    caption = _text(caption, label="caption", max_length=280, required=False)
    files = list(files)
    if not files:
        raise ValidationError("Please choose at least one photo.")
    if len(files) > MAX_PHOTOS_PER_UPLOAD:
        raise ValidationError(f"Please upload at most {MAX_PHOTOS_PER_UPLOAD} photos at a time.")
    by_planner = user is not None and household is None
    status = Moderation.PENDING if wedding.photo_moderation and not by_planner else Moderation.APPROVED
    result = UploadResult()
    for upload in files:
        name = str(getattr(upload, "name", "") or "file")[:120]
        try:
            clean = photos.clean_image(upload)
        except photos.PhotoRejected as exc:
            result.refused.append((name, f"“{name}” {exc}"))
            continue
        with transaction.atomic():
            photo = Photo(
                wedding=wedding, caption=caption, width=clean.width, height=clean.height,
                uploaded_by_household=household, uploaded_by_user=user if by_planner else None,
                status=status,
            )
            photo.image.save(clean.image.name, clean.image, save=False)
            photo.thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
            photo.save()
        result.saved.append(photo)
    return result


# --- guestbook and tributes -------------------------------------------------------------


def guestbook_sign(*, wedding: Wedding, household, author_name: str, message: str) -> GuestbookEntry:
    """Sign the guestbook; the entry waits for approval when the wedding moderates it."""
    _check_household(wedding=wedding, household=household)
    author_name = _text(author_name, label="name", max_length=120)
    message = _text(message, label="message", max_length=GUESTBOOK_MAX_LENGTH)
    status = Moderation.PENDING if wedding.guestbook_moderation else Moderation.APPROVED
    with transaction.atomic():
        return GuestbookEntry.objects.create(
            wedding=wedding, household=household, author_name=author_name, message=message, status=status
        )


def remembrance_add(*, tribute: Tribute, household, author_name: str, message: str) -> Remembrance:
    """A guest's words for a published tribute; always waits for a planner's approval."""
    if household is not None and household.wedding_id != tribute.wedding_id:
        raise PermissionDenied("This tribute belongs to another wedding.")
    if not tribute.published:
        raise ValidationError("This tribute is not published.")
    author_name = _text(author_name, label="name", max_length=120)
    message = _text(message, label="message", max_length=REMEMBRANCE_MAX_LENGTH)
    with transaction.atomic():
        return Remembrance.objects.create(
            wedding_id=tribute.wedding_id, tribute=tribute, household=household,
            author_name=author_name, message=message, status=Moderation.PENDING,
        )


# --- moderation ---------------------------------------------------------------------------

_TOPIC = {Photo: "photo", GuestbookEntry: "guestbook", Remembrance: "tribute"}


def content_moderate(*, obj: Photo | GuestbookEntry | Remembrance, status: str, user) -> Any:
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


def photo_moderate(*, photo: Photo, status: str, user) -> Photo:
    return content_moderate(obj=photo, status=status, user=user)


def guestbook_moderate(*, entry: GuestbookEntry, status: str, user) -> GuestbookEntry:
    return content_moderate(obj=entry, status=status, user=user)


def remembrance_moderate(*, remembrance: Remembrance, status: str, user) -> Remembrance:
    return content_moderate(obj=remembrance, status=status, user=user)


def content_moderate_bulk(*, queryset: models.QuerySet, status: str, user) -> int:
    """Moderate many rows at once (admin actions): one UPDATE and one change per wedding."""
    if status not in Moderation.values:
        raise ValidationError(f"“{status}” is not a moderation status.")
    model = queryset.model
    topic = _TOPIC[model]
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
            with capture.bulk_change(
                wedding_id=wedding_id, topic=topic, action="update", model=model._meta.label_lower,
                summary=f"{len(pks)} {model._meta.verbose_name_plural} {label}",
            ) as ids:
                changed += model.objects.filter(pk__in=pks).update(status=status)
                ids.extend(pks)
    return changed
