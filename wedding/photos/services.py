"""Writes for photos: uploads checked by content (see `images`), one row per accepted file.

An upload stores the file as sent and returns; the task worker makes the image
and thumbnail (`processing.photo_process`), and the photo then appears live.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wedding.core.cleaning import check_household, clean_text
from wedding.core.files import files_delete
from wedding.core.models import Moderation, Wedding
from wedding.core.throttle import throttle_incr
from wedding.moderation.services import content_moderate
from wedding.photos import images, tasks
from wedding.photos.models import Photo

MAX_PHOTOS_PER_UPLOAD = 30


@dataclass
class UploadResult:
    saved: list[Photo] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)


# Pixels one household (or planner) may have decoded in an hour: about 80 photos of 12 Mpx,
# some 40 s of CPU here. Charged from each file's header before it is decoded.
DECODE_BUDGET_PIXELS_PER_HOUR = 1_000_000_000


def photo_upload(
    *, wedding: Wedding, files: Iterable[Any], household=None, user=None, caption: str = ""
) -> UploadResult:
    """Store each acceptable file as a photo; report every refused one with its reason.

    Good files are kept even when others are refused. Photos wait for
    approval when the wedding moderates photos, unless a planner uploads them.
    Files are checked here without being decoded (`images.original_checked`);
    the worker makes each image a moment later.
    """
    check_household(wedding=wedding, household=household)
    if household is None and user is None:
        raise PermissionDenied("Uploads need a guest household or a planner.")
    if user is not None and household is None:
        Wedding.objects.check_planner(user, wedding.pk, system_allowed=False)
    caption = clean_text(caption, label="caption", max_length=280, required=False)
    files = list(files)
    if not files:
        raise ValidationError(_("Please choose at least one photo."))
    if len(files) > MAX_PHOTOS_PER_UPLOAD:
        raise ValidationError(_("Please upload at most %(n)s photos at a time.") % {"n": MAX_PHOTOS_PER_UPLOAD})
    by_planner = user is not None and household is None
    status = Moderation.PENDING if wedding.photo_moderation and not by_planner else Moderation.APPROVED
    result = UploadResult()
    uploader = f"household-{household.pk}" if household is not None else f"user-{user.pk}"

    def charge(pixels: int) -> bool:
        total = throttle_incr(scope="photo-decode", subject=uploader, window=3600, amount=pixels)
        return total <= DECODE_BUDGET_PIXELS_PER_HOUR

    for upload in files:
        name = str(getattr(upload, "name", "") or "file")[:120]
        try:
            original = images.original_checked(upload, charge=charge)
        except images.PhotoRejected as exc:
            result.refused.append((name, f"“{name}” {exc}"))
            continue
        result.saved.append(
            photo_store(
                wedding=wedding, original=original, caption=caption, status=status, household=household,
                user=user if by_planner else None,
            )
        )
    return result


def photo_store(
    *, wedding: Wedding, original: images.CheckedOriginal, caption: str, status: str, household=None, user=None
) -> Photo:
    """Store one checked upload (`images.original_checked`) as a photo waiting for its image.

    Callers have checked who may upload (`photo_upload` for guests, the admin's
    form for planners).
    """
    photo = Photo(
        wedding=wedding, caption=caption, uploaded_by_household=household, uploaded_by_user=user, status=status,
    )
    return _original_attach(photo=photo, original=original)


def photo_image_replace(*, photo: Photo, original: images.CheckedOriginal) -> Photo:
    """A planner's new file for an existing photo: it leaves the pages until the worker has made it."""
    old = [(file.storage, file.name) for file in (photo.image, photo.thumbnail, photo.original) if file]
    photo.image = photo.thumbnail = ""
    photo = _original_attach(photo=photo, original=original)
    transaction.on_commit(partial(files_delete, old), robust=True)
    return photo


def _original_attach(*, photo: Photo, original: images.CheckedOriginal) -> Photo:
    # The task is queued in the row's transaction: with the database queue they commit together.
    with transaction.atomic():
        photo.original.save(original.name, original.file, save=False)
        photo.save()
        tasks.photo_process_enqueue(photo_id=photo.pk)
    return photo


def photo_moderate(*, photo: Photo, status: str, user) -> Photo:
    return content_moderate(obj=photo, status=status, user=user)



def photo_viewable(*, photo: Photo, household, user) -> bool:
    """Whether this viewer may see the photo's files now: an approved photo, by a household of its
    wedding; any photo (the moderation queue), by a planner of its wedding."""
    if household is not None and household.wedding_id == photo.wedding_id and photo.status == Moderation.APPROVED:
        return True
    return bool(
        user is not None and user.is_authenticated
        and Wedding.objects.for_planner(user).filter(pk=photo.wedding_id).exists()
    )
