from __future__ import annotations

from wedding.core import appconfig


class TributesConfig(appconfig.FilesAppConfig):
    name = "wedding.tributes"
    label = "tributes"
    verbose_name = "Tributes"
    file_models = ("Tribute",)
