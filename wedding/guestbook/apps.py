from __future__ import annotations

from django.apps import AppConfig


class GuestbookConfig(AppConfig):
    name = "wedding.guestbook"
    label = "guestbook"
    verbose_name = "Guestbook"
