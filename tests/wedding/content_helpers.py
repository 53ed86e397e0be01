"""Helpers for the day's content tests (songs, photos, guestbook, tributes)."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image

from guests.session import SESSION_KEY
from realtime.regions import Audience, Viewer, render_region
from wedding.photos.models import Photo
from wedding.photos.tasks import photo_process

XSS = '<script>alert("x")</script><b>bold</b>'
XSS_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"


def processed(*photos: Photo, steps: int = 2) -> list[Photo]:
    """The worker's steps for each uploaded photo (what its queued tasks run: the thumbnail, then the
    image), at most `steps` each, with their commit hooks (the original's removal) run; the photos as
    the database now has them."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        for photo in photos:
            for _ in range(steps):
                if not photo_process(photo_id=photo.pk):
                    break
    return [Photo.objects.get(pk=photo.pk) for photo in photos]


def enter_as(client, household) -> None:
    """Give the test client the household's guest session (as the invitation-code entry does)."""
    session = client.session
    session[SESSION_KEY] = {"id": household.pk, "code": household.invitation_code}
    session.save()


def guests_viewer(wedding) -> Viewer:
    return Viewer(wedding=wedding, audience=Audience.GUESTS)


def region_html(name: str, wedding, household=None, **params) -> str:
    audience = Audience.HOUSEHOLD if household is not None else Audience.GUESTS
    return str(render_region(name, Viewer(wedding=wedding, audience=audience, household=household), params))


def assert_escaped(html: str) -> None:
    assert XSS_ESCAPED in html
    assert XSS not in html
    assert "<b>bold</b>" not in html


def image_bytes(fmt: str = "JPEG", size=(40, 20), color="red", **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt, **save)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_claiming(width: int, height: int) -> bytes:
    """A ~100-byte PNG whose header claims width × height pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def gps_heic(size=(40, 20), thumbnails: tuple[int, ...] = ()) -> bytes:
    """`gps_jpeg` as an iPhone's HEIC: the same pixels, turn and position (pillow-heif's encoder), with
    an embedded thumbnail of each box size in `thumbnails` (phones embed one, a few hundred pixels across)."""
    return gps_jpeg(size, fmt="HEIF", thumbnails=list(thumbnails))


def gps_jpeg(size=(40, 20), fmt: str = "JPEG", **save) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90° clockwise" and carries a GPS position."""
    image = Image.new("RGB", size, "red")
    image.paste((0, 0, 255), (0, 0, size[0] // 2, size[1]))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; display rotated 90° CW
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (40.0, 25.0, 12.0), 3: "W", 4: (3.0, 42.0, 7.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes(), **save)
    return out.getvalue()
