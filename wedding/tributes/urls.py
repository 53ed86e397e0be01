"""Tributes and remembrances (guest pages, included at the site root by wedding/urls.py)."""

from __future__ import annotations

from django.urls import path

from wedding.tributes import views

app_name = "tributes"

urlpatterns = [
    path("tributes/", views.tributes, name="tributes"),
    path("tributes/<int:pk>/remember/", views.tribute_remember, name="tribute_remember"),
]
