"""The planners' admin: Django's admin whose index is the wedding's live dashboard.

`ConfettiAdminConfig` replaces "django.contrib.admin" in INSTALLED_APPS, so
`admin.site` (and every `@admin.register`) is a `ConfettiAdminSite`. The
site adds the dashboard pages (stats, guest list, seating chart, reports,
requests, activity) under /admin/dashboard/<wedding>/…; they are plain views
in wedding.dashboard.views, wedding.dashboard.reports and seating.views, guarded by
`realtime.pages.planner_view`.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import include, path


class ConfettiAdminSite(admin.AdminSite):
    site_header = "Confetti"
    site_title = "Confetti planner"
    index_title = "Your weddings"

    def get_urls(self):
        from wedding.dashboard.urls import urlpatterns

        ours = [
            path("dashboard/", include(urlpatterns(self))),
        ]
        return ours + super().get_urls()

    def index(self, request, extra_context=None):
        """A planner's home: the dashboard of their wedding, or a switcher when they plan several."""
        from wedding.dashboard import views as dashboard

        response = dashboard.admin_index(self, request)
        if response is not None:
            return response
        return super().index(request, extra_context)


class ConfettiAdminConfig(AdminConfig):
    default_site = "wedding.dashboard.admin_site.ConfettiAdminSite"

    def ready(self) -> None:
        super().ready()
