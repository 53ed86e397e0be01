"""Photo work on the task queue (the same django-tasks-db queue and `messaging_worker` as mail).

Tasks take ids and are idempotent (see `processing.photo_process`).
"""

from __future__ import annotations

from django.tasks import task

from wedding.photos import processing
from wedding.photos.models import Photo


@task()
def process_photo(photo_id: int) -> None:
    processing.photo_process(photo_id=photo_id)


def photo_process_enqueue(*, photo_id: int) -> None:
    """Ask a worker to make the photo's image. Called inside the transaction that stores the photo:
    with the database queue the task commits with the row, so no stored photo lacks its task."""
    process_photo.enqueue(photo_id)


def photos_recover() -> list[int]:
    """At worker start: every photo still waiting gets a task again (its task may have died with a
    worker). Extra tasks are harmless: a photo is made once."""
    ids = list(Photo.objects.waiting().values_list("pk", flat=True))
    for photo_id in ids:
        photo_process_enqueue(photo_id=photo_id)
    return ids
