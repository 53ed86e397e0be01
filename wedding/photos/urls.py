"""The gallery and the slideshow (guest pages, included at the site root by wedding/urls.py)."""

from __future__ import annotations

from django.urls import path

from wedding.photos import views

app_name = "photos"

urlpatterns = [
    path("photos/", views.photos, name="photos"),
    path("slideshow/", views.slideshow, name="slideshow"),
]
