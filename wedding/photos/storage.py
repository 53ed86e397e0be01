"""Where guests' photos live: outside the public media path, served only through `views.photo_file`.

A file under MEDIA_ROOT is served to anyone with its URL (by the development
server, or by the web server in front of daphne), so a photo the planners
hid would stay reachable. Photos are stored under PHOTO_ROOT instead and
their URLs point at a view that checks the photo's status and the viewer
on every request (with `X-Accel-Redirect` when PHOTO_ACCEL_PREFIX is set, so
nginx can send the bytes).

With shared object storage (MEDIA_STORAGE=s3, settings.STORAGES["default"])
photos live in the deployment's bucket instead, so every machine serves the
same ones; their links are signed and expire (AWS_QUERYSTRING_AUTH, on by
default), so a hidden photo's old link stops working and pages never link it.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

# The URL prefix of `views.photo_file` (wedding/photos/urls.py mounts it).
FILE_URL_PREFIX = "photos/file/"


class PhotoStorage(FileSystemStorage):
    """FileSystemStorage rooted at settings.PHOTO_ROOT (read on each use, so tests may point it elsewhere)."""

    @property
    def base_location(self) -> str:
        return str(settings.PHOTO_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> str:
        return f"/{FILE_URL_PREFIX}"


LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"


class ConfiguredPhotoStorage(LazyObject):
    """The private folder, or the shared bucket when the default storage is not local disk.

    Chosen on first use and again whenever STORAGES or PHOTO_ROOT change (tests override them).
    """

    def _setup(self) -> None:
        if settings.STORAGES["default"]["BACKEND"] == LOCAL_BACKEND:
            self._wrapped = PhotoStorage()
        else:
            self._wrapped = storages.create_storage(settings.STORAGES["default"])


_storage = ConfiguredPhotoStorage()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs) -> None:
    if setting in ("STORAGES", "PHOTO_ROOT"):
        _storage._wrapped = empty


def photo_storage() -> ConfiguredPhotoStorage:
    """The storage of Photo.image and Photo.thumbnail (a callable, so migrations name it, not a path)."""
    return _storage
