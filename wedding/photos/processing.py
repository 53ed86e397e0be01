"""The worker's side of an upload: a waiting photo's image and thumbnail made from its original.

Runs on the task queue (`wedding.photos.tasks`), never in a guest's request:
decoding and re-encoding a phone photo costs a tenth of a second or more of CPU,
and a hundred guests upload at once at the reception.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

from wedding.core.files import files_delete
from wedding.photos import images
from wedding.photos.models import Photo

logger = logging.getLogger(__name__)


def photo_process(*, photo_id: int) -> bool:
    """Make the photo's image and thumbnail from its original, then remove the original.

    Idempotent: a photo already made, deleted, or made meanwhile by another
    worker is left alone (checked again under the row lock before writing), so a
    task run twice or after a crash does nothing twice. The decoding happens
    outside the transaction, so no lock is held while the CPU works. A file
    whose pixels turn out damaged (only decoding tells) is deleted with its row:
    it could never be shown. Returns whether this call made the image.
    """
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or photo.image or not photo.original:
        return False
    try:
        with photo.original.open("rb") as source:
            clean = images.clean_image(source)
    except FileNotFoundError:  # another worker finished it and removed the original
        return False
    except images.PhotoRejected as rejected:
        logger.warning("photo %s dropped: its file %s", photo_id, rejected)
        Photo.objects.filter(pk=photo_id, image="").delete()
        return False
    with transaction.atomic():
        photo = Photo.objects.select_for_update().filter(pk=photo_id).first()
        if photo is None or photo.image:
            return False
        original = (photo.original.storage, photo.original.name)
        photo.image.save(clean.image.name, clean.image, save=False)
        photo.thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
        photo.width, photo.height = clean.width, clean.height
        photo.original = ""
        photo.save()  # a tracked change: open galleries get the photo live
        transaction.on_commit(partial(files_delete, [original]), robust=True)
    return True
