"""The planners' admin: Django's admin whose index is the wedding's live dashboard.

`ConfettiAdminConfig` replaces "django.contrib.admin" in INSTALLED_APPS, so
`admin.site` (and every `@admin.register`) is a `ConfettiAdminSite`. The
site adds the dashboard pages (stats, guest list, seating chart, reports,
requests, activity) under /admin/dashboard/<wedding>/…; they are plain views
in wedding.dashboard.views, wedding.dashboard.reports and seating.views, guarded by
`realtime.pages.planner_view`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.template.response import TemplateResponse
from django.urls import include, path

from wedding.core.throttle import throttle_hit
from wedding.proxy import client_address


# (scope, subject, limit, seconds) for each planner login attempt.
def _login_limits(request) -> list[tuple[str, str, int, int]]:
    username = (request.POST.get("username") or "").strip().lower()[:150]
    address = client_address(request)
    return [
        ("planner-login-user-address", f"{username}|{address}", 10, 900),
        ("planner-login-address", address, 30, 900),
        ("planner-login-user", username, 100, 3600),
    ]


def _login_allowed(request) -> bool:
    hits = [
        throttle_hit(scope=scope, subject=subject, limit=limit, window=window)
        for scope, subject, limit, window in _login_limits(request)
    ]
    return all(hits)


class ConfettiAdminSite(admin.AdminSite):
    site_header = "Confetti"
    site_title = "Confetti planner"
    index_title = "Your weddings"

    def get_urls(self):
        from wedding.dashboard import planners
        from wedding.dashboard.urls import urlpatterns

        ours = [
            path("dashboard/", include(urlpatterns(self))),
            # Public: the visitor may have no account yet (each view throttles its own POSTs).
            path("join/<str:token>/", planners.join_page, name="planner-join"),
            path("signup/", planners.signup_page, name="planner-signup"),
        ]
        return ours + super().get_urls()

    def each_context(self, request):
        context = super().each_context(request)
        context["signup_open"] = settings.CONFETTI_SIGNUP  # the login page offers sign-up (CONFETTI_SIGNUP)
        return context

    def login(self, request, extra_context=None):
        """Django's admin login, with password guessing throttled (counted atomically, before checking).

        Per username from one address, per address, and per username from
        everywhere (LOGIN_LIMITS): a guesser is slowed, and locking a planner
        out takes more than one address.
        """
        if request.method == "POST" and not _login_allowed(request):
            context = {**self.each_context(request), "title": "Too many attempts"}
            response = TemplateResponse(request, "admin/login_throttled.html", context, status=429)
            response["Retry-After"] = "900"
            return response
        return super().login(request, extra_context)

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
