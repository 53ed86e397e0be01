"""Guest pages of the day itself (included at the site root by wedding/urls.py)."""

from __future__ import annotations

from django.urls import path

from wedding import views

app_name = "content"

urlpatterns = [
    path("songs/", views.songs, name="songs"),
    path("songs/<int:pk>/vote/", views.song_vote, name="song_vote"),
    path("photos/", views.photos, name="photos"),
    path("slideshow/", views.slideshow, name="slideshow"),
    path("guestbook/", views.guestbook, name="guestbook"),
    path("tributes/", views.tributes, name="tributes"),
    path("tributes/<int:pk>/remember/", views.tribute_remember, name="tribute_remember"),
]
