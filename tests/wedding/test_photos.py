"""Photo uploads (checked by content, EXIF stripped, oriented, thumbnailed), gallery and slideshow."""

from __future__ import annotations

import io

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler
from django.test import Client, RequestFactory, override_settings
from PIL import Image

from tests import factories
from tests.wedding.content_helpers import (
    XSS,
    assert_escaped,
    enter_as,
    gps_jpeg,
    image_bytes,
    png_claiming,
    processed,
    region_html,
    upload,
)
from wedding.core.models import Moderation
from wedding.photos import services
from wedding.photos.images import OversizedUpload, PhotoSizeLimitUploadHandler
from wedding.photos.models import Photo

pytestmark = pytest.mark.django_db


def test_gps_fixture_really_has_gps():
    # Guards the test below: the upload it sends does carry a position and an orientation.
    exif = Image.open(io.BytesIO(gps_jpeg())).getexif()
    assert exif[0x0112] == 6
    assert exif.get_ifd(0x8825)[1] == "N"


def test_photo_with_gps_is_accepted_oriented_and_stripped(wedding, household):
    result = services.photo_upload(wedding=wedding, household=household, files=[upload("IMG_1.jpg", gps_jpeg())])
    assert result.refused == []
    [photo] = processed(*result.saved)
    # Orientation applied: the 40×20 landscape is stored as the 20×40 portrait it was.
    assert (photo.width, photo.height) == (20, 40)
    with photo.image.open("rb") as f:
        data = f.read()
    stored = Image.open(io.BytesIO(data))
    assert stored.size == (20, 40)
    assert dict(stored.getexif()) == {}
    assert b"Exif" not in data and b"PhoneMaker" not in data
    assert "exif" not in stored.info
    # The blue left half is now the top half.
    assert stored.convert("RGB").getpixel((10, 5))[2] > 200
    assert stored.convert("RGB").getpixel((10, 35))[0] > 200
    # A thumbnail was generated, and the guest's file name is not stored.
    assert photo.thumbnail.name
    thumb = Image.open(photo.thumbnail.open("rb"))
    assert thumb.format == "JPEG" and max(thumb.size) <= 480
    assert "IMG_1" not in photo.image.name


def test_png_text_chunks_and_exif_are_stripped_too(wedding, household):
    from PIL.PngImagePlugin import PngInfo

    meta = PngInfo()
    meta.add_text("Location", "Calle Mayor 1, Madrid")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (40.0, 25.0, 12.0)}
    out = io.BytesIO()
    Image.new("RGBA", (30, 30), (0, 128, 0, 255)).save(out, format="PNG", pnginfo=meta, exif=exif)
    assert b"Calle Mayor" in out.getvalue()
    [photo] = processed(*services.photo_upload(
        wedding=wedding, household=household, files=[upload("x.png", out.getvalue(), "image/png")]
    ).saved)
    with photo.image.open("rb") as f:
        data = f.read()
    assert b"Calle Mayor" not in data and b"eXIf" not in data and b"Exif" not in data
    assert Image.open(io.BytesIO(data)).format == "PNG"


@pytest.mark.parametrize(
    ("mode", "fmt", "stored_format", "stored_mode"),
    [("CMYK", "JPEG", "JPEG", "RGB"), ("P", "GIF", "PNG", "RGBA"), ("RGB", "WEBP", "WEBP", "RGB")],
)
def test_other_kinds_of_photo_are_stored_in_a_web_format(wedding, household, mode, fmt, stored_format, stored_mode):
    out = io.BytesIO()
    Image.new(mode, (24, 16)).save(out, format=fmt)
    [photo] = processed(*services.photo_upload(wedding=wedding, household=household, files=[upload(f"x.{fmt}", out.getvalue())]).saved)
    with photo.image.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
    assert (stored.format, stored.mode, stored.size) == (stored_format, stored_mode, (24, 16))


def test_renamed_non_image_is_refused(wedding, household):
    result = services.photo_upload(
        wedding=wedding, household=household, files=[upload("holiday.jpg", b"MZ\x90\x00 this is a program")]
    )
    assert result.saved == []
    assert result.refused == [("holiday.jpg", "“holiday.jpg” is not an image (its content is not a JPEG, PNG, WebP, GIF or HEIC).")]
    assert not Photo.objects.exists()


def test_other_image_formats_by_content_are_refused(wedding, household):
    tiff = image_bytes("TIFF")
    result = services.photo_upload(wedding=wedding, household=household, files=[upload("photo.png", tiff)])
    assert result.saved == [] and "TIFF" in result.refused[0][1]


def test_decompression_bomb_is_refused(wedding, household):
    bomb = png_claiming(50_000, 50_000)
    assert len(bomb) < 200
    result = services.photo_upload(wedding=wedding, household=household, files=[upload("bomb.png", bomb, "image/png")])
    assert result.saved == []
    assert "pixels" in result.refused[0][1]


def test_pixel_limit_from_settings_is_checked_before_decoding(wedding, household, settings):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    bomb = png_claiming(2_000, 2_000)  # 4 MP: below Pillow's own bomb limit, above ours
    result = services.photo_upload(wedding=wedding, household=household, files=[upload("big.png", bomb, "image/png")])
    assert result.saved == []
    assert "2000 × 2000 pixels" in result.refused[0][1]


@override_settings(PHOTO_MAX_BYTES=2_000)
def test_oversized_file_is_refused(wedding, household):
    big = image_bytes("PNG", size=(200, 200), color="white") + b"\x00" * 3_000
    result = services.photo_upload(wedding=wedding, household=household, files=[upload("big.png", big, "image/png")])
    assert result.saved == []
    assert "larger than" in result.refused[0][1]


# --- oversized files are refused while they arrive -------------------------------------------


def big_png() -> bytes:
    """A real PNG padded past the 2 000-byte limit the tests below set."""
    return image_bytes("PNG", size=(200, 200), color="white") + b"\x00" * 3_000


class ByteCounter(FileUploadHandler):
    """Counts the bytes of each file that reach the handlers after the size limit."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.received: dict[str, int] = {}

    def receive_data_chunk(self, raw_data, start):
        self.received[self.file_name] = self.received.get(self.file_name, 0) + len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


def test_size_limit_handler_keeps_no_more_than_the_limit_and_stands_in_for_the_file(settings, tmp_path):
    settings.PHOTO_MAX_BYTES = 2_000
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    big = big_png()
    request = RequestFactory().post(
        "/photos/", {"photos": [upload("small.jpg", image_bytes()), upload("big.png", big, "image/png")], "caption": "after"}
    )
    counter = ByteCounter(request)
    request.upload_handlers = [PhotoSizeLimitUploadHandler(request), counter, TemporaryFileUploadHandler(request)]

    small, refused = request.FILES.getlist("photos")
    assert isinstance(small, TemporaryUploadedFile) and small.name == "small.jpg"
    assert isinstance(refused, OversizedUpload)
    assert (refused.name, refused.size, refused.content_type, refused.read()) == ("big.png", len(big), "image/png", b"")
    assert counter.received.get("big.png", 0) <= 2_000 < len(big)
    assert request.POST["caption"] == "after"  # fields after the refused file still arrive
    # The partial copy of the big file is gone already; only the small one is on disk.
    assert len(list((tmp_path / "uploads").iterdir())) == 1


def test_oversized_photo_is_named_and_the_rest_of_the_upload_kept(guest_client, wedding, settings):
    settings.PHOTO_MAX_BYTES = 2_000
    response = guest_client.post(
        "/photos/",
        {
            "photos": [
                upload("one.jpg", image_bytes("JPEG")),
                upload("big.png", big_png(), "image/png"),
                upload("two.png", image_bytes("PNG"), "image/png"),
            ],
            "caption": "Dancing",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Not uploaded: “big.png” is larger than 2.0\xa0KB." in page
    assert "2 photos will appear once" in page
    assert list(Photo.objects.filter(wedding=wedding).values_list("caption", flat=True)) == ["Dancing", "Dancing"]


def test_only_oversized_photos_get_the_size_message_not_a_missing_file_error(guest_client, wedding, settings):
    settings.PHOTO_MAX_BYTES = 2_000
    response = guest_client.post("/photos/", {"photos": [upload("big.png", big_png(), "image/png")]}, follow=True)
    page = response.content.decode()
    assert "Not uploaded: “big.png” is larger than 2.0\xa0KB." in page
    assert "This field is required." not in page
    assert not Photo.objects.exists()


def test_size_limit_works_with_csrf_enforced(household, guests, settings):
    """The handler goes in before CSRF reads the body, and the CSRF check still applies."""
    settings.PHOTO_MAX_BYTES = 2_000
    client = Client(enforce_csrf_checks=True)
    enter_as(client, household)
    token = client.get("/photos/").cookies[django_settings.CSRF_COOKIE_NAME].value

    def files():
        return {"photos": [upload("one.jpg", image_bytes()), upload("big.png", big_png(), "image/png")]}

    assert client.post("/photos/", files()).status_code == 403
    response = client.post("/photos/", {**files(), "csrfmiddlewaretoken": token}, follow=True)
    assert "Not uploaded: “big.png” is larger than 2.0\xa0KB." in response.content.decode()
    assert Photo.objects.count() == 1


def test_several_files_good_ones_kept_bad_ones_reported(guest_client, wedding):
    response = guest_client.post(
        "/photos/",
        {
            "photos": [
                upload("one.jpg", image_bytes("JPEG")),
                upload("notes.png", b"just some text", "image/png"),
                upload("two.png", image_bytes("PNG"), "image/png"),
            ],
            "caption": "Dancing",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert Photo.objects.filter(wedding=wedding).count() == 2
    page = response.content.decode()
    assert "Not uploaded: “notes.png” is not an image" in page
    assert "2 photos will appear once" in page  # moderation is on by default


def test_upload_form_takes_several_photos_from_a_phone(guest_client):
    page = guest_client.get("/photos/").content.decode()
    field = page.split('name="photos"')[0].rsplit("<input", 1)[1] + page.split('name="photos"')[1].split(">", 1)[0]
    assert 'type="file"' in field and "multiple" in field and 'accept="image/*"' in field
    assert 'enctype="multipart/form-data"' in page


def test_upload_without_files_shows_an_error(guest_client):
    response = guest_client.post("/photos/", {"caption": "x"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Photo.objects.exists()


def test_moderation_status_follows_the_wedding(wedding, household, planner):
    pending = services.photo_upload(wedding=wedding, household=household, files=[upload("a.jpg", image_bytes())])
    assert pending.saved[0].status == Moderation.PENDING
    # Planners' own uploads need no approval.
    by_planner = services.photo_upload(wedding=wedding, user=planner, files=[upload("b.jpg", image_bytes())])
    assert by_planner.saved[0].status == Moderation.APPROVED
    wedding.photo_moderation = False
    wedding.save()
    free = services.photo_upload(wedding=wedding, household=household, files=[upload("c.jpg", image_bytes())])
    assert free.saved[0].status == Moderation.APPROVED


def test_household_cannot_upload_to_another_wedding(other_wedding, household):
    with pytest.raises(PermissionDenied):
        services.photo_upload(wedding=other_wedding, household=household, files=[upload("a.jpg", image_bytes())])


def test_gallery_and_slideshow_show_approved_photos_only(guest_client, wedding, household, planner):
    [photo] = processed(*services.photo_upload(wedding=wedding, household=household, files=[upload("a.jpg", image_bytes())]).saved)
    assert f'data-photo-id="{photo.pk}"' not in guest_client.get("/photos/").content.decode()
    assert f'data-photo-id="{photo.pk}"' not in region_html("slideshow", wedding)

    services.photo_moderate(photo=photo, status=Moderation.APPROVED, user=planner)
    assert f'data-photo-id="{photo.pk}"' in guest_client.get("/photos/").content.decode()
    assert f'data-photo-id="{photo.pk}"' in guest_client.get("/slideshow/").content.decode()
    assert f'data-photo-id="{photo.pk}"' in region_html("photo_gallery", wedding)

    services.photo_moderate(photo=photo, status=Moderation.HIDDEN, user=planner)
    assert f'data-photo-id="{photo.pk}"' not in region_html("photo_gallery", wedding)
    assert f'data-photo-id="{photo.pk}"' not in region_html("slideshow", wedding)


def test_only_planners_moderate(wedding, household, other_wedding):
    photo = factories.PhotoFactory(wedding=wedding)
    stranger = other_wedding.planners.get()
    with pytest.raises(PermissionDenied):
        services.photo_moderate(photo=photo, status=Moderation.APPROVED, user=stranger)


def test_caption_markup_is_escaped_everywhere(guest_client, wedding, household, planner):
    [photo] = processed(*services.photo_upload(
        wedding=wedding, household=household, files=[upload("a.jpg", image_bytes())], caption=XSS[:280]
    ).saved)
    services.photo_moderate(photo=photo, status=Moderation.APPROVED, user=planner)
    for url in ("/photos/", "/slideshow/"):
        assert_escaped(guest_client.get(url).content.decode())
    for name in ("photo_gallery", "slideshow"):
        assert_escaped(region_html(name, wedding))


def test_another_weddings_photos_never_show(guest_client, other_wedding):
    stranger = factories.PhotoFactory(wedding=other_wedding, status=Moderation.APPROVED)
    assert f'data-photo-id="{stranger.pk}"' not in guest_client.get("/photos/").content.decode()


def test_gallery_query_count_is_fixed(guest_client, wedding, django_assert_max_num_queries):
    factories.PhotoFactory.create_batch(3, wedding=wedding, status=Moderation.APPROVED)
    guest_client.get("/photos/")  # warm up the session
    with django_assert_max_num_queries(12) as few:
        guest_client.get("/photos/")
    factories.PhotoFactory.create_batch(10, wedding=wedding, status=Moderation.APPROVED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        guest_client.get("/photos/")


def test_slideshow_for_planners_needs_a_wedding_they_plan(client, planner, wedding, other_wedding):
    client.force_login(planner)
    assert client.get(f"/slideshow/?wedding={wedding.pk}").status_code == 200
    assert client.get(f"/slideshow/?wedding={other_wedding.pk}").status_code == 404
    assert client.get("/slideshow/?wedding=abc").status_code == 404


def test_guest_pages_need_a_household(client):
    for url in ("/photos/", "/slideshow/", "/songs/", "/guestbook/", "/tributes/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/", url
