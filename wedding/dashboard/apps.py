from __future__ import annotations

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "wedding.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        from wedding.dashboard import regions  # noqa: F401  (registers the dashboard's planner regions)
