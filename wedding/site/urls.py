"""The wedding site under /w/<wedding slug>/ (included by wedding/urls.py)."""

from __future__ import annotations

from django.urls import include, path

from wedding.site import views

app_name = "site"

urlpatterns = [
    path("w/<slug:slug>/", include([
        path("", views.landing, name="landing"),
        path("calendar.ics", views.all_ics, name="all_ics"),
        path("calendar/<int:event_id>.ics", views.event_ics, name="event_ics"),
        path("<slug:page>/", views.page, name="page"),
    ])),
]
