"""Where guests' photos live: outside the public media path, served only through `views.photo_file`.

A file under MEDIA_ROOT is served to anyone with its URL (by the development
server, or by the web server in front of daphne), so a photo the planners
hid would stay reachable. Photos are stored under PHOTO_ROOT instead and
their URLs point at a view that checks the photo's status and the viewer
on every request (with `X-Accel-Redirect` when PHOTO_ACCEL_PREFIX is set, so
nginx can send the bytes).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage

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


_storage = PhotoStorage()


def photo_storage() -> PhotoStorage:
    """The storage of Photo.image and Photo.thumbnail (a callable, so migrations name it, not a path)."""
    return _storage
