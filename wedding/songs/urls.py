"""Song requests and votes (guest pages, included at the site root by wedding/urls.py)."""

from __future__ import annotations

from django.urls import path

from wedding.songs import views

app_name = "songs"

urlpatterns = [
    path("songs/", views.songs, name="songs"),
    path("songs/<int:pk>/vote/", views.song_vote, name="song_vote"),
]
