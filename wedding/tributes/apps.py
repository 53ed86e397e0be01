from __future__ import annotations

from django.apps import AppConfig


class TributesConfig(AppConfig):
    name = "wedding.tributes"
    label = "tributes"
    verbose_name = "Tributes"

    def ready(self) -> None:
        from wedding.core.files import delete_files_with
        from wedding.tributes.models import Tribute

        delete_files_with(Tribute)
