"""RSVP pages for guests (mounted at the site root by wedding/urls.py)."""

from __future__ import annotations

from django.urls import path

from rsvp import views

app_name = "rsvp"

urlpatterns = [
    path("rsvp/", views.rsvp, name="rsvp"),
    path("rsvp/done/", views.done, name="done"),
    path("rsvp/change/", views.change_request, name="change"),
    path("rsvp/copy/<str:token>/", views.copy_confirm, name="copy_confirm"),
]
