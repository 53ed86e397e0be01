"""Guests' photos of the day (moderated), shown in the gallery and the slideshow."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wedding.core.models import Moderation, WeddingScoped, WeddingScopedQuerySet
from wedding.photos.storage import photo_storage


class PhotoQuerySet(WeddingScopedQuerySet):
    def shown(self) -> PhotoQuerySet:
        """Photos with a clean file to show (the worker's thumbnail, or image): the only ones a list shows."""
        return self.exclude(thumbnail="", image="")

    def ready(self) -> PhotoQuerySet:
        """Photos whose full-size image the worker has made (the slideshow's, and the gallery's links)."""
        return self.exclude(image="")

    def waiting(self) -> PhotoQuerySet:
        """Photos whose original still waits for the worker (`processing.photo_process`)."""
        return self.filter(image="").exclude(original="")


class Photo(WeddingScoped):
    # Outside MEDIA_ROOT: served only through views.photo_file, which checks status and viewer.
    # `thumbnail`, then `image`, are made by the task worker from `original` (the file as the
    # guest sent it, metadata and all: never served, and removed once the image exists). No
    # page shows the photo before its thumbnail (`Photo.objects.shown()`), nor links to its
    # full size before its image (`ready()`).
    image = models.ImageField(upload_to="photos/%Y/%m/", blank=True, storage=photo_storage)
    thumbnail = models.ImageField(upload_to="photos/thumbs/%Y/%m/", blank=True, storage=photo_storage)
    original = models.FileField(upload_to="photos/originals/%Y/%m/", blank=True, storage=photo_storage)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    caption = models.CharField(max_length=280, blank=True)
    uploaded_by_household = models.ForeignKey(
        "guests.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.caption or f"Photo {self.pk}"

