"""The dashboard's URLs under /admin/dashboard/, mounted by ConfettiAdminSite.get_urls()."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

from seating import urls as seating_urls
from wedding.dashboard import planners, reports, stationery, views


def urlpatterns(site: admin.AdminSite) -> list:
    """Every page behind the admin's login and staff check (`site.admin_view`)."""
    wrap = site.admin_view
    return [
        path("<int:wedding_id>/", wrap(views.dashboard_page), name="dashboard"),
        path("<int:wedding_id>/guests/", wrap(views.guests_page), name="dashboard-guests"),
        path("<int:wedding_id>/guests/bulk/", wrap(views.guests_bulk), name="dashboard-guests-bulk"),
        path("<int:wedding_id>/guests/<int:guest_id>/respond/", wrap(views.respond_page), name="dashboard-respond"),
        path("<int:wedding_id>/requests/", wrap(views.requests_page), name="dashboard-requests"),
        path("<int:wedding_id>/requests/<int:request_id>/", wrap(views.request_resolve), name="dashboard-request"),
        path("<int:wedding_id>/activity/", wrap(views.activity_page), name="dashboard-activity"),
        path("<int:wedding_id>/reports/", wrap(reports.reports_page), name="dashboard-reports"),
        path("<int:wedding_id>/reports/<slug:kind>.csv", wrap(reports.report_csv), name="dashboard-report-csv"),
        path(
            "<int:wedding_id>/reports/print/<slug:kind>/", wrap(reports.report_print),
            name="dashboard-report-print",
        ),
        path(
            "<int:wedding_id>/stationery/<slug:kind>.pdf", wrap(stationery.stationery_pdf),
            name="dashboard-stationery",
        ),
        path("<int:wedding_id>/planners/", wrap(planners.planners_page), name="dashboard-planners"),
        path(
            "<int:wedding_id>/planners/<int:user_id>/remove/", wrap(planners.planner_remove_page),
            name="dashboard-planner-remove",
        ),
        path(
            "<int:wedding_id>/planners/invitations/<int:invitation_id>/withdraw/",
            wrap(planners.invitation_cancel_page), name="dashboard-invitation-cancel",
        ),
        *seating_urls.urlpatterns_for(site),
    ]
