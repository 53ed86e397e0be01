"""The worker's side of an upload: a waiting photo's thumbnail, then its image, made from its original.

Runs on the task queue (`wedding.photos.tasks`), never in a guest's request:
decoding and re-encoding a phone photo costs a tenth of a second or more of CPU,
and a hundred guests upload at once at the reception.

Two steps for a JPEG, so a photo is in the gallery as soon as its thumbnail
exists: the thumbnail, decoded at a small scale (`images.clean_thumbnail`),
goes live first; the full-size image (`images.clean_full_size`: the JPEG's
own data with its metadata dropped, or decoded, turned and re-encoded when it
must be turned) follows in a task of lower priority, so a flood's thumbnails
all come before its full-size images. A HEIC that embeds a thumbnail (phones'
do) takes the same two steps when its photo is shown as soon as it is made: the
first shows the embedded thumbnail as a preview, the second decodes the whole
picture (refusing it if damaged) and replaces the preview with the real
thumbnail. A photo waiting for moderation never gets a preview: planners
approve what they see, and the preview is not checked against the picture.
Other formats are decoded whole once and make both files in the first step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

from wedding.core.files import files_delete
from wedding.core.models import Moderation
from wedding.photos import images
from wedding.photos.models import Photo

logger = logging.getLogger(__name__)


def photo_process(*, photo_id: int, enqueue_image: Callable[..., None]) -> bool:
    """Make the photo's next missing file(s) from its original: its thumbnail, else its image.

    After the thumbnail alone (or a preview, replaced by the second step), the image is queued (`enqueue_image(photo_id=…)`,
    in the same transaction: `tasks.photo_image_enqueue`, passed in by `tasks`, which imports this module); once the image exists, the original is removed.
    Idempotent: a photo already made, deleted, or made meanwhile by another
    worker (or given a new original by a planner) is left alone, checked again
    under the row lock before writing, so a task run twice or after a crash
    does nothing twice. The decoding happens outside the transaction, so no
    lock is held while the CPU works. A file whose pixels turn out damaged
    (only decoding tells, in either step) is deleted with its row and any
    thumbnail: it could never be shown whole. Returns whether this call made a file.
    """
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or photo.image or not photo.original:
        return False
    source_name, first = photo.original.name, not photo.thumbnail
    try:
        with photo.original.open("rb") as source:
            if first:
                clean = images.clean_thumbnail(source, preview=photo.status == Moderation.APPROVED)
            else:
                clean = images.clean_full_size(source)
    except FileNotFoundError:  # another worker finished it and removed the original
        return False
    except images.PhotoRejected as rejected:
        logger.warning("photo %s dropped: its file %s", photo_id, rejected)
        Photo.objects.filter(pk=photo_id, image="", original=source_name).delete()
        return False
    with transaction.atomic():
        photo = Photo.objects.select_for_update().filter(pk=photo_id).first()
        if photo is None or photo.image or photo.original.name != source_name or (first and photo.thumbnail):
            return False
        replaced = []  # files the stored row no longer names, removed once it is committed
        if clean.thumbnail is not None:
            if photo.thumbnail:  # the first step's preview
                replaced.append((photo.thumbnail.storage, photo.thumbnail.name))
            photo.thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
        photo.width, photo.height = clean.width, clean.height
        if clean.image is None:
            enqueue_image(photo_id=photo.pk)
        else:
            photo.image.save(clean.image.name, clean.image, save=False)
            replaced.append((photo.original.storage, source_name))
            photo.original = ""
        if replaced:
            transaction.on_commit(partial(files_delete, replaced), robust=True)
        photo.save()  # a tracked change: open galleries get the photo live (then its full-size link)
    return True
