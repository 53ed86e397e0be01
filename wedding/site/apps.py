from __future__ import annotations

from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "wedding.site"
    label = "site"
    verbose_name = "Wedding website"
