"""Storage housekeeping: a deleted row (a photo, a tribute's picture) takes its files with it.

Each app that owns files connects its models in its `ready()` with
`delete_files_with(Model)`. The
handler does not decide anything and writes nothing to the database: it only
schedules the removal of the row's files for *after* the deletion commits, so
a rolled-back delete (an admin error page, a failed cascade) never leaves a row
pointing at files that are gone. Realtime announcements stay in
`realtime/signal_handlers.py`.
"""

from __future__ import annotations

import logging
from functools import partial

from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models.signals import post_delete

logger = logging.getLogger(__name__)


def _file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, models.FileField)]


def files_delete(files: list[tuple[Storage, str]]) -> None:
    """Remove each (storage, name); a file already gone or a storage error never stops the rest."""
    for storage, name in files:
        try:
            storage.delete(name)  # FileSystemStorage (and S3-like storages) ignore a missing file
        except Exception:
            logger.warning("could not delete %s from storage", name, exc_info=True)


def delete_files_on_commit(sender: type[models.Model], instance: models.Model, using: str = "default",
                           **kwargs) -> None:
    """post_delete: remove the row's stored files once the deleting transaction commits.

    Fires for every way a row goes: `delete()`, queryset and admin bulk deletes,
    and cascades (a deleted wedding's photos).
    """
    files = [
        (file.storage, file.name)
        for file in (getattr(instance, field.attname) for field in _file_fields(sender))
        if file and file.name
    ]
    if files:
        transaction.on_commit(partial(files_delete, files), using=using, robust=True)


def delete_files_with(model: type[models.Model]) -> None:
    """Connect a model whose files belong to the row alone (storage gives every upload its own name)."""
    post_delete.connect(delete_files_on_commit, sender=model, dispatch_uid=f"confetti-files-{model._meta.label}")
