"""RSVP pages for guests (mounted at the site root by wedding/urls.py), all under /rsvp/."""

from __future__ import annotations

from django.urls import include, path

from rsvp import views

app_name = "rsvp"

urlpatterns = [
    path("rsvp/", include([
        path("", views.rsvp, name="rsvp"),
        path("done/", views.done, name="done"),
        path("change/", views.change_request, name="change"),
        path("copy/<str:token>/", views.copy_confirm, name="copy_confirm"),
    ])),
]
