"""Live regions of the photo gallery and the slideshow (approved photos only)."""

from __future__ import annotations

from realtime.regions import Audience, Viewer, register
from wedding.core.models import Moderation
from wedding.photos.models import Photo

GALLERY_LIMIT = 200
SLIDESHOW_LIMIT = 60


def _approved_photos(viewer: Viewer):
    return Photo.objects.for_wedding(viewer.wedding).filter(status=Moderation.APPROVED).order_by("-created_at", "-pk")


def gallery_context(viewer: Viewer) -> dict:
    return {"photos": list(_approved_photos(viewer)[:GALLERY_LIMIT])}


def slideshow_context(viewer: Viewer) -> dict:
    return {"photos": list(_approved_photos(viewer)[:SLIDESHOW_LIMIT])}


register(
    "photo_gallery", audience=Audience.GUESTS, topics={"photo"},
    template="photos/photos.html#gallery", context=gallery_context,
)


register(
    "slideshow", audience=Audience.GUESTS, topics={"photo"},
    template="photos/slideshow.html#slides", context=slideshow_context,
)

