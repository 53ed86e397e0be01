"""The gallery and the slideshow (guest pages, included at the site root by wedding/urls.py)."""

from __future__ import annotations

from django.urls import path

from wedding.photos import views
from wedding.photos.storage import FILE_URL_PREFIX

app_name = "photos"

urlpatterns = [
    path("photos/", views.photos, name="photos"),
    path("slideshow/", views.slideshow, name="slideshow"),
    path(f"{FILE_URL_PREFIX}<path:name>", views.photo_file, name="photo_file"),
]
