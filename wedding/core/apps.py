from __future__ import annotations

from wedding.core import appconfig


class WeddingConfig(appconfig.FilesAppConfig):
    """The tenant core: Wedding, Event, the wedding party. Label "wedding" (tables wedding_*)."""

    name = "wedding.core"
    label = "wedding"
    verbose_name = "Weddings"
    file_models = ("WeddingPartyMember",)
