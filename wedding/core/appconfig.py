"""The AppConfig of an app whose rows own stored files (see `wedding.core.files`)."""

from __future__ import annotations

from django.apps import AppConfig


class FilesAppConfig(AppConfig):
    """Lists the app's models (`file_models`, by name) whose stored files leave with their row.

    Subclass it through the module (`class PhotosConfig(appconfig.FilesAppConfig)`):
    a second AppConfig class imported by name into an `apps.py` would stop
    Django from picking the app's own config automatically.
    """

    file_models: tuple[str, ...] = ()

    def ready(self) -> None:
        from wedding.core.files import delete_files_with

        for name in self.file_models:
            delete_files_with(self.get_model(name))
