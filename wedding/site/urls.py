"""The wedding site under /w/<wedding slug>/ (included by wedding/urls.py)."""

from __future__ import annotations

from django.urls import path

from wedding.site import views

app_name = "site"

urlpatterns = [
    path("w/<slug:slug>/", views.landing, name="landing"),
    path("w/<slug:slug>/calendar.ics", views.all_ics, name="all_ics"),
    path("w/<slug:slug>/calendar/<int:event_id>.ics", views.event_ics, name="event_ics"),
    path("w/<slug:slug>/<slug:page>/", views.page, name="page"),
]
