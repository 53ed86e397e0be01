"""Issue #13, decode cost: a few KB that claim tens of megapixels are refused before decoding, and
each household has a decode budget."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from tests.wedding.content_helpers import image_bytes, upload
from wedding.photos import images, services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


def flat_png(width: int, height: int) -> bytes:
    """A valid PNG that compresses to almost nothing: the report's 4 KB, 39.7 Mpx file."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


def test_a_tiny_file_claiming_many_megapixels_is_refused_without_decoding(wedding, household, monkeypatch):
    bomb = flat_png(6300, 6300)  # 39.7 Mpx, under PHOTO_MAX_PIXELS
    assert len(bomb) < 6000
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self) or None)
    started = time.process_time()
    result = services.photo_upload(wedding=wedding, household=household, files=[upload("x.png", bomb, "image/png")])
    assert time.process_time() - started < 0.5
    assert not result.saved and "too small for" in result.refused[0][1]
    assert not decoded


def test_a_real_photo_still_goes_through(wedding, household):
    result = services.photo_upload(wedding=wedding, household=household, files=[upload("p.jpg", image_bytes())])
    assert len(result.saved) == 1


def test_each_household_has_a_decode_budget(wedding, household, settings, monkeypatch):
    monkeypatch.setattr(services, "DECODE_BUDGET_PIXELS_PER_HOUR", 3 * 640 * 480)
    photo = image_bytes(size=(640, 480))
    with Image.open(io.BytesIO(photo)) as probe:
        assert probe.size == (640, 480)
    result = services.photo_upload(
        wedding=wedding, household=household, files=[upload(f"p{i}.jpg", photo) for i in range(5)]
    )
    assert len(result.saved) == 3
    assert len(result.refused) == 2 and "try again in an hour" in result.refused[0][1]


def test_the_header_check_stays(settings):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    with pytest.raises(images.PhotoRejected, match="pixels"):
        images.clean_image(upload("big.png", flat_png(2000, 2000), "image/png"))
