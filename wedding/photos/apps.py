from __future__ import annotations

from wedding.core import appconfig


class PhotosConfig(appconfig.FilesAppConfig):
    name = "wedding.photos"
    label = "photos"
    verbose_name = "Photos"
    # A deleted photo's image and thumbnail leave storage once the deletion commits.
    file_models = ("Photo",)
