"""The guestbook (guest pages, included at the site root by wedding/urls.py)."""

from __future__ import annotations

from django.urls import path

from wedding.guestbook import views

app_name = "guestbook"

urlpatterns = [
    path("guestbook/", views.guestbook, name="guestbook"),
]
