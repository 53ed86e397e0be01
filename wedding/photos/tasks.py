"""Photo work on the task queue (the same django-tasks-db queue and `messaging_worker` as mail).

Tasks take ids and are idempotent (see `processing.photo_process`): one task makes whatever
a photo lacks next, its thumbnail, then (queued again, at a lower priority) its image.
"""

from __future__ import annotations

from django.tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult  # the queue's own table (settings.TASKS)

from wedding.photos import processing
from wedding.photos.models import Photo


@task()
def process_photo(photo_id: int) -> None:
    photo_process(photo_id=photo_id)


def photo_process(*, photo_id: int) -> bool:
    """One step of the photo's processing (`processing.photo_process`), its image queued after its thumbnail."""
    return processing.photo_process(photo_id=photo_id, enqueue_image=photo_image_enqueue)


# Below the default (thumbnails, mail): during a flood every waiting thumbnail goes live before
# any full-size image is made.
IMAGE_PRIORITY = -10


def photo_process_enqueue(*, photo_id: int) -> None:
    """Ask a worker to make the photo's thumbnail (and image). Called inside the transaction that stores
    the photo: with the database queue the task commits with the row, so no stored photo lacks its task."""
    process_photo.enqueue(photo_id)


def photo_image_enqueue(*, photo_id: int) -> None:
    """Ask a worker to make the full-size image of a photo that has its thumbnail, after every waiting
    thumbnail. Called inside the transaction that stores the thumbnail, as above."""
    process_photo.using(priority=IMAGE_PRIORITY).enqueue(photo_id)


def photos_recover() -> list[int]:
    """At worker start: every photo still waiting with no task queued for it gets one again (its
    task may have died with a worker, left "running"). Extra tasks are harmless: a photo is made once."""
    queued = {
        args[0] for args in DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=process_photo.module_path)
        .values_list("args_kwargs__args", flat=True) if args
    }
    waiting = [(pk, thumbnail) for pk, thumbnail in Photo.objects.waiting().values_list("pk", "thumbnail") if pk not in queued]
    for photo_id, thumbnail in waiting:
        # One with its thumbnail (live) waits for its image behind every thumbnail, as it did.
        (photo_image_enqueue if thumbnail else photo_process_enqueue)(photo_id=photo_id)
    return [photo_id for photo_id, _ in waiting]
