from __future__ import annotations

from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "wedding.photos"
    label = "photos"
    verbose_name = "Photos"

    def ready(self) -> None:
        from wedding.core.files import delete_files_with
        from wedding.photos.models import Photo

        # A deleted photo's image and thumbnail leave storage once the deletion commits.
        delete_files_with(Photo)
