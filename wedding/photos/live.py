"""The photos' live surface: photos tracked, the gallery and slideshow (approved photos) as regions.

A photo joins the gallery when the worker has made its thumbnail, and the slideshow
(full-size images on a projector) when it has made its image (`processing.photo_process`):
each save is a tracked change like any other, so every open page gets it live.
"""

from __future__ import annotations

from realtime.live import Audience, Viewer, region, track
from wedding.core.models import Moderation
from wedding.moderation.contributions import contribution_summary
from wedding.photos.models import Photo


def uploader(photo: Photo) -> str:
    if photo.uploaded_by_household_id:
        return photo.uploaded_by_household.name
    return "A planner" if photo.uploaded_by_user_id else "Someone"


track(Photo, topic="photo", describe=contribution_summary(
    made=lambda photo: f"{uploader(photo)} shared a photo" + (f": “{photo.caption}”" if photo.caption else ""),
    thing=lambda photo: f"The photo “{photo.caption}”" if photo.caption else f"{uploader(photo)}'s photo",
))

GALLERY_LIMIT = 200
SLIDESHOW_LIMIT = 60


def _approved_photos(viewer: Viewer):
    return Photo.objects.for_wedding(viewer.wedding).filter(status=Moderation.APPROVED).order_by("-created_at", "-pk")


def gallery_context(viewer: Viewer) -> dict:
    return {"photos": list(_approved_photos(viewer).shown()[:GALLERY_LIMIT])}


def slideshow_context(viewer: Viewer) -> dict:
    return {"photos": list(_approved_photos(viewer).ready()[:SLIDESHOW_LIMIT])}


region(
    "photo_gallery", audience=Audience.GUESTS, topics={"photo"},
    template="photos/photos.html#gallery", context=gallery_context,
)


region(
    "slideshow", audience=Audience.GUESTS, topics={"photo"},
    template="photos/slideshow.html#slides", context=slideshow_context,
)

