"""The photo flood, issue 19: an upload stores the file and returns; the task worker makes the image
and thumbnail (HEIC to JPEG), and the photo then appears live in the gallery."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.backends.signals import connection_created
from django_tasks_db.models import DBTaskResult
from PIL import Image, ImageFile

from realtime.regions import Audience, Viewer, render_region
from tests import factories
from tests.realtime.conftest import (
    frames,
    fresh_hub,
    household_cookie,
    html_of,
    open_socket,
    run,
    version_of,
)
from tests.wedding.content_helpers import (
    gps_heic,
    gps_jpeg,
    image_bytes,
    processed,
    region_html,
    upload,
)
from wedding.core.models import Moderation
from wedding.photos import images, services, tasks
from wedding.photos.models import Photo

__all__ = ["fresh_hub"]

GALLERY = [{"name": "photo_gallery", "params": {}}]


def photo_tasks() -> list[list]:
    return [task.args_kwargs["args"] for task in DBTaskResult.objects.filter(task_path__endswith="process_photo")]


def stored_path(file) -> Path:
    return Path(file.path)


@pytest.fixture
def open_wedding(wedding):
    """A wedding that does not moderate photos: a guest's photo goes straight to the gallery."""
    wedding.photo_moderation = False
    wedding.save()
    return wedding


@pytest.mark.django_db
def test_upload_stores_the_original_and_queues_the_work_without_decoding(guest_client, open_wedding, monkeypatch):
    sent = gps_jpeg()
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self) or None)
    response = guest_client.post("/photos/", {"photos": [upload("IMG_7.jpg", sent)]}, follow=True)

    assert response.status_code == 200
    assert "will be in the gallery in a moment" in response.content.decode()
    assert not decoded, "the request decoded pixels"
    photo = Photo.objects.get()
    assert not photo.image and not photo.thumbnail
    assert stored_path(photo.original).read_bytes() == sent  # as sent, under a random name
    assert "IMG_7" not in photo.original.name
    assert photo_tasks() == [[photo.pk]]
    # The gallery shows nothing of it yet, and nothing broken.
    page = guest_client.get("/photos/").content.decode()
    assert f'data-photo-id="{photo.pk}"' not in page and 'src=""' not in page
    assert f'data-photo-id="{photo.pk}"' not in region_html("slideshow", open_wedding)


@pytest.mark.django_db
def test_the_original_is_never_served(guest_client, open_wedding):
    [photo] = services.photo_upload(wedding=open_wedding, household=factories.HouseholdFactory(wedding=open_wedding),
                                    files=[upload("a.jpg", gps_jpeg())]).saved
    assert guest_client.get(f"/photos/file/{photo.original.name}").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_the_image_and_thumbnail_and_removes_the_original(open_wedding, household):
    [waiting] = services.photo_upload(wedding=open_wedding, household=household, files=[upload("a.jpg", gps_jpeg())]).saved
    original = stored_path(waiting.original)

    call_command("messaging_worker", "--batch", "--interval", "0.1", verbosity=0)

    photo = Photo.objects.get(pk=waiting.pk)
    assert (photo.width, photo.height) == (20, 40)  # oriented
    thumb = Image.open(photo.thumbnail.open("rb"))
    assert thumb.format == "JPEG" and thumb.size == (20, 40)
    with photo.image.open("rb") as f:
        assert b"PhoneMaker" not in f.read()
    assert not photo.original and not original.exists()
    assert f'data-photo-id="{photo.pk}"' in region_html("photo_gallery", open_wedding)
    # Two tasks: the thumbnail (the photo live), then the full-size image at a lower priority.
    assert [(task.status, task.priority) for task in DBTaskResult.objects.order_by("enqueued_at")] == [
        ("SUCCESSFUL", 0), ("SUCCESSFUL", tasks.IMAGE_PRIORITY)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_hub")
async def test_the_gallery_gets_the_photo_live_when_the_worker_has_made_it(open_wedding, household):
    socket, welcome = await open_socket(
        await run(lambda: household_cookie(household)), open_wedding.pk, regions_=GALLERY,
        version=await version_of(open_wedding),
    )
    assert welcome["regions"]
    await frames(socket)
    [photo] = await run(lambda: services.photo_upload(
        wedding=open_wedding, household=household, files=[upload("a.jpg", image_bytes())]).saved)
    # The new row is announced, but the gallery has nothing to show yet.
    assert f'data-photo-id="{photo.pk}"' not in html_of(await frames(socket, timeout=1.5))

    assert await run(lambda: tasks.photo_process(photo_id=photo.pk))
    html = html_of(await frames(socket, timeout=3, expect=[f'data-photo-id="{photo.pk}"']))
    assert f'data-photo-id="{photo.pk}"' in html
    assert "/photos/file/photos/thumbs/" in html  # the thumbnail the worker made
    await socket.disconnect()


@pytest.mark.django_db
def test_heic_from_a_phone_is_stored_as_an_oriented_jpeg_without_metadata(open_wedding, household):
    heic = gps_heic()
    assert Image.open(io.BytesIO(heic)).format == "HEIF" and b"PhoneMaker" in heic
    result = services.photo_upload(wedding=open_wedding, household=household, files=[upload("IMG_1.HEIC", heic, "image/heic")])
    assert result.refused == []
    assert result.saved[0].original.name.endswith(".heic")
    [photo] = processed(*result.saved)
    with photo.image.open("rb") as f:
        data = f.read()
    stored = Image.open(io.BytesIO(data))
    assert (stored.format, stored.size) == ("JPEG", (20, 40)) and photo.image.name.endswith(".jpg")
    assert b"PhoneMaker" not in data and b"Exif" not in data
    assert stored.convert("RGB").getpixel((10, 5))[2] > 200  # the blue half on top, as shot
    assert Image.open(photo.thumbnail.open("rb")).format == "JPEG"


@pytest.mark.django_db
def test_heic_gets_the_same_limits_and_decode_budget(open_wedding, household, settings, monkeypatch):
    settings.PHOTO_MAX_PIXELS = 500
    result = services.photo_upload(wedding=open_wedding, household=household, files=[upload("a.heic", gps_heic())])
    assert result.saved == [] and "20 × 40 pixels" in result.refused[0][1]

    settings.PHOTO_MAX_PIXELS = 40_000_000
    monkeypatch.setattr(services, "DECODE_BUDGET_PIXELS_PER_HOUR", 2 * 800)
    files = [upload(f"p{i}.heic", gps_heic()) for i in range(3)]
    result = services.photo_upload(wedding=open_wedding, household=household, files=files)
    assert len(result.saved) == 2 and "try again in an hour" in result.refused[0][1]


@pytest.mark.django_db
def test_a_file_damaged_past_its_header_is_dropped_by_the_worker(open_wedding, household, django_capture_on_commit_callbacks):
    whole = image_bytes(size=(400, 300), color="white")
    truncated = whole[: len(whole) // 2]
    [photo] = services.photo_upload(wedding=open_wedding, household=household, files=[upload("a.jpg", truncated)]).saved
    original = stored_path(photo.original)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.photo_process(photo_id=photo.pk) is False
    assert not Photo.objects.exists() and not original.exists()


@pytest.mark.django_db
def test_a_damaged_file_is_dropped_even_after_the_stationery_loaded_weasyprint(
    open_wedding, household, django_capture_on_commit_callbacks, monkeypatch,
):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", ImageFile.LOAD_TRUNCATED_IMAGES)  # restored after
    import weasyprint  # noqa: F401  (as the stationery's PDF does, in the same process)

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # what importing it did, the first time
    whole = image_bytes(size=(400, 300), color="white")
    [photo] = services.photo_upload(
        wedding=open_wedding, household=household, files=[upload("a.jpg", whole[: len(whole) // 2])],
    ).saved
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.photo_process(photo_id=photo.pk) is False
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_processing_twice_makes_the_photo_once(open_wedding, household):
    [photo] = processed(*services.photo_upload(wedding=open_wedding, household=household, files=[upload("a.jpg", image_bytes())]).saved)
    assert tasks.photo_process(photo_id=photo.pk) is False
    assert Photo.objects.get().image.name == photo.image.name
    assert tasks.photo_process(photo_id=photo.pk + 1000) is False  # gone: nothing to do


@pytest.mark.django_db(transaction=True)
def test_worker_start_resumes_a_photo_whose_task_was_lost(open_wedding, household):
    [photo] = services.photo_upload(wedding=open_wedding, household=household, files=[upload("a.jpg", image_bytes())]).saved
    DBTaskResult.objects.all().delete()  # the task died with its worker

    call_command("messaging_worker", "--batch", "--interval", "0.1", verbosity=0)
    assert Photo.objects.get(pk=photo.pk).image


@pytest.mark.django_db
def test_worker_start_resumes_a_live_photos_image_behind_the_thumbnails(open_wedding, household, django_capture_on_commit_callbacks):
    live, waiting = services.photo_upload(wedding=open_wedding, household=household,
                                          files=[upload("a.jpg", image_bytes()), upload("b.jpg", image_bytes())]).saved
    one_step(live, django_capture_on_commit_callbacks)
    DBTaskResult.objects.all().delete()  # their tasks died with a worker

    assert sorted(tasks.photos_recover()) == sorted([live.pk, waiting.pk])
    assert sorted((task.args_kwargs["args"], task.priority) for task in DBTaskResult.objects.all()) == sorted(
        [([live.pk], tasks.IMAGE_PRIORITY), ([waiting.pk], 0)])


@pytest.mark.django_db
def test_planners_see_a_waiting_photo_as_being_prepared(planner_client, wedding, household):
    [photo] = services.photo_upload(wedding=wedding, household=household, files=[upload("a.jpg", image_bytes())]).saved
    listing = planner_client.get("/admin/photos/photo/")
    assert listing.status_code == 200 and "Being prepared" in listing.content.decode()
    planners = Viewer(wedding=wedding, audience=Audience.PLANNER)
    assert f'data-photo-id="{photo.pk}"' not in str(render_region("content_moderation", planners, {}))
    processed(photo)
    assert f'data-photo-id="{photo.pk}"' in str(render_region("content_moderation", planners, {}))


@pytest.mark.django_db
def test_a_planners_replaced_file_goes_through_the_worker_too(planner_client, wedding, django_capture_on_commit_callbacks):
    photo = factories.PhotoFactory(wedding=wedding, status=Moderation.APPROVED, caption="Cake")
    old = stored_path(photo.image)
    with django_capture_on_commit_callbacks(execute=True):
        response = planner_client.post(
            f"/admin/photos/photo/{photo.pk}/change/",
            {"wedding": wedding.pk, "caption": "Cake", "status": "approved", "image": upload("new.jpg", gps_jpeg())},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    waiting = Photo.objects.get(pk=photo.pk)
    assert not waiting.image and waiting.original and photo_tasks() == [[photo.pk]]
    assert not old.exists()
    [done] = processed(waiting)
    assert (done.width, done.height) == (20, 40) and done.status == Moderation.APPROVED


# --- thumbnail first (issue 19, session 5): live with its thumbnail, the full-size image after ---------


def one_step(photo: Photo, django_capture_on_commit_callbacks) -> Photo:
    """One task's worth of the worker on the photo (its commit hooks run); the photo as stored now."""
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.photo_process(photo_id=photo.pk)
    return Photo.objects.get(pk=photo.pk)


def test_a_jpegs_thumbnail_is_decoded_at_the_scale_it_needs(monkeypatch):
    photo, decoded = upload("a.jpg", gps_jpeg(size=(1920, 1440))), []
    load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size) or load(self))

    clean = images.clean_thumbnail(photo)

    assert clean.image is None
    # Decoded at libjpeg's 1/4 scale (then turned), never at 1920 × 1440.
    assert decoded[0] == (480, 360) and set(decoded) <= {(480, 360), (360, 480)}
    thumb = Image.open(clean.thumbnail)
    assert thumb.size == (360, 480)  # turned as the camera meant
    assert b"PhoneMaker" not in clean.thumbnail.read() and "exif" not in thumb.info
    assert (clean.width, clean.height) == (1440, 1920)  # the full-size image's, oriented


@pytest.mark.django_db
def test_a_photo_is_live_with_its_thumbnail_and_no_full_size_link_until_its_image_exists(
    guest_client, open_wedding, household, django_capture_on_commit_callbacks,
):
    [photo] = services.photo_upload(wedding=open_wedding, household=household, files=[upload("a.jpg", gps_jpeg())]).saved
    photo = one_step(photo, django_capture_on_commit_callbacks)

    assert photo.thumbnail and not photo.image and photo.original  # the original waits for the second step
    assert (photo.width, photo.height) == (20, 40)
    with photo.thumbnail.open("rb") as f:
        assert b"PhoneMaker" not in f.read()
    assert [(args, task.priority) for args, task in zip(photo_tasks(), DBTaskResult.objects.order_by("enqueued_at"), strict=True)] == [
        ([photo.pk], 0), ([photo.pk], tasks.IMAGE_PRIORITY)]
    gallery = region_html("photo_gallery", open_wedding)
    assert f'data-photo-id="{photo.pk}"' in gallery
    assert f'src="/photos/file/{photo.thumbnail.name}"' in gallery
    assert "<a href" not in gallery and photo.original.name not in gallery
    # The projector shows full-size images only; the guest can fetch the thumbnail, never the original.
    assert f'data-photo-id="{photo.pk}"' not in region_html("slideshow", open_wedding)
    assert guest_client.get(f"/photos/file/{photo.thumbnail.name}").status_code == 200
    assert guest_client.get(f"/photos/file/{photo.original.name}").status_code == 404

    original = stored_path(photo.original)
    thumbnail = photo.thumbnail.name
    photo = one_step(photo, django_capture_on_commit_callbacks)

    assert photo.image and photo.thumbnail.name == thumbnail and not photo.original and not original.exists()
    with photo.image.open("rb") as f:
        data = f.read()
    assert Image.open(io.BytesIO(data)).size == (20, 40) and b"PhoneMaker" not in data and b"Exif" not in data
    gallery = region_html("photo_gallery", open_wedding)
    assert f'<a href="/photos/file/{photo.image.name}">' in gallery
    assert f'data-photo-id="{photo.pk}"' in region_html("slideshow", open_wedding)
    assert tasks.photo_process(photo_id=photo.pk) is False  # nothing left to make


@pytest.mark.django_db
def test_other_formats_make_both_files_from_their_one_decode(open_wedding, household, django_capture_on_commit_callbacks):
    [photo] = services.photo_upload(wedding=open_wedding, household=household,
                                    files=[upload("a.heic", gps_heic(), "image/heic")]).saved
    photo = one_step(photo, django_capture_on_commit_callbacks)
    assert photo.image and photo.thumbnail and not photo.original
    assert photo_tasks() == [[photo.pk]]  # no second task


@pytest.mark.django_db
def test_a_file_found_damaged_by_the_second_step_leaves_with_its_row_and_thumbnail(
    open_wedding, household, django_capture_on_commit_callbacks,
):
    whole = image_bytes(size=(400, 300))
    [photo] = services.photo_upload(wedding=open_wedding, household=household, files=[upload("a.jpg", whole)]).saved
    photo = one_step(photo, django_capture_on_commit_callbacks)
    files = [stored_path(photo.thumbnail), stored_path(photo.original)]
    assert f'data-photo-id="{photo.pk}"' in region_html("photo_gallery", open_wedding)

    files[1].write_bytes(whole[: len(whole) // 2])  # the stored original, damaged since its thumbnail was made
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.photo_process(photo_id=photo.pk) is False

    assert not Photo.objects.exists() and not any(path.exists() for path in files)
    assert f'data-photo-id="{photo.pk}"' not in region_html("photo_gallery", open_wedding)


@pytest.mark.django_db
def test_a_thumbnail_made_from_a_replaced_original_is_not_stored(
    open_wedding, household, django_capture_on_commit_callbacks, monkeypatch,
):
    [photo] = services.photo_upload(wedding=open_wedding, household=household, files=[upload("a.jpg", image_bytes())]).saved
    make = images.clean_thumbnail

    def replaced_meanwhile(source, **options):  # a planner replaces the file while the worker decodes
        made = make(source, **options)
        services.photo_image_replace(photo=Photo.objects.get(pk=photo.pk),
                                     original=images.original_checked(upload("b.png", image_bytes("PNG"))))
        return made
    monkeypatch.setattr(images, "clean_thumbnail", replaced_meanwhile)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.photo_process(photo_id=photo.pk) is False
    assert not Photo.objects.get(pk=photo.pk).thumbnail  # the new original's task makes it


@pytest.mark.django_db(transaction=True)
def test_waiting_thumbnails_go_before_full_size_images(open_wedding, household):
    [first] = services.photo_upload(wedding=open_wedding, household=household, files=[upload("a.jpg", image_bytes())]).saved
    DBTaskResult.objects.all().delete()  # its task, run here:
    assert tasks.photo_process(photo_id=first.pk)  # live; its image queued
    [second] = services.photo_upload(wedding=open_wedding, household=household, files=[upload("b.jpg", image_bytes())]).saved

    call_command("messaging_worker", "--batch", "--interval", "0.1", verbosity=0)

    ran = [(task.args_kwargs["args"][0], task.priority) for task in DBTaskResult.objects.order_by("started_at")
           if task.started_at is not None]
    assert ran == [(second.pk, 0), (first.pk, tasks.IMAGE_PRIORITY), (second.pk, tasks.IMAGE_PRIORITY)]
    assert all(photo.image for photo in Photo.objects.all())


def metadata_laden_jpeg(**save) -> bytes:
    """An upright photo carrying everything a phone or an editor adds: EXIF with GPS, XMP, IPTC, a comment,
    an ICC profile, and a second picture after its end (as MPO and some phones' trailers do)."""
    image = Image.new("RGB", (64, 48), "red")
    image.paste((0, 0, 255), (0, 0, 32, 48))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (40.0, 25.0, 12.0), 3: "W", 4: (3.0, 42.0, 7.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"Calle Mayor 1", icc_profile=b"profile-bytes" * 4,
               xmp=b"<x:xmpmeta>GPSLatitude 40.42</x:xmpmeta>", **save)
    data = out.getvalue()
    payload = b"Photoshop 3.0\x00IPTC by-line"
    iptc = b"\xff\xed" + (2 + len(payload)).to_bytes(2) + payload
    return data[:2] + iptc + data[2:] + b"\xff\xd8 hidden second picture \xff\xd9"


@pytest.mark.parametrize("save", [{}, {"progressive": True}, {"optimize": True, "subsampling": 0}])
def test_an_upright_jpegs_full_size_is_its_own_data_without_any_metadata(save, monkeypatch):
    sent = metadata_laden_jpeg(**save)
    assert all(part in sent for part in (b"PhoneMaker", b"GPSLatitude", b"Calle Mayor", b"IPTC", b"hidden"))
    decoded = []
    load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size) or load(self))

    clean = images.clean_full_size(upload("a.jpg", sent))

    assert not decoded  # not decoded, not re-encoded
    data = clean.image.read()
    for private in (b"PhoneMaker", b"Exif", b"GPSLatitude", b"xmpmeta", b"Calle Mayor", b"IPTC", b"hidden"):
        assert private not in data
    stored, original = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(sent))
    assert stored.info.get("icc_profile") == b"profile-bytes" * 4  # kept, as a re-encode keeps it
    assert not stored.getexif() and not {"exif", "xmp", "comment"} & set(stored.info)
    assert stored.tobytes() == original.tobytes()  # the very same pixels: no generation of loss
    assert (clean.width, clean.height, clean.thumbnail) == (64, 48, None)


def test_a_jpeg_to_turn_or_convert_is_re_encoded_for_its_full_size():
    turned = images.clean_full_size(upload("a.jpg", gps_jpeg()))
    stored = Image.open(turned.image)
    assert stored.size == (turned.width, turned.height) == (20, 40) and b"PhoneMaker" not in turned.image.read()
    cmyk = io.BytesIO()
    Image.new("CMYK", (24, 16)).save(cmyk, "JPEG")
    assert Image.open(images.clean_full_size(upload("b.jpg", cmyk.getvalue())).image).mode == "RGB"


@pytest.mark.django_db
def test_planners_moderate_a_photo_from_its_thumbnail_before_its_image_exists(
    wedding, household, django_capture_on_commit_callbacks,
):
    [photo] = services.photo_upload(wedding=wedding, household=household, files=[upload("a.jpg", gps_jpeg())]).saved
    photo = one_step(photo, django_capture_on_commit_callbacks)
    planners = Viewer(wedding=wedding, audience=Audience.PLANNER)
    queue = str(render_region("content_moderation", planners, {}))
    assert f'data-photo-id="{photo.pk}"' in queue and f'src="/photos/file/{photo.thumbnail.name}"' in queue


# --- HEIC previews (issue 19): the thumbnail a phone embeds shows the photo, the full decode follows ---

PHONE_HEIC = {"size": (960, 480), "thumbnails": (320,)}  # landscape, turned by the camera: 480 × 960 shown


def decoded_sizes(monkeypatch) -> list[tuple[int, int]]:
    """The size of every picture decoded from now on (pillow-heif's `load` ends in ImageFile's)."""
    decoded, load = [], ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size) or load(self))
    return decoded


def test_a_heics_embedded_thumbnail_is_its_preview_without_decoding_the_picture(monkeypatch):
    sent = gps_heic(**PHONE_HEIC)
    assert Image.open(io.BytesIO(sent)).info["thumbnails"] == [320]
    decoded = decoded_sizes(monkeypatch)

    clean = images.clean_thumbnail(upload("IMG_1.HEIC", sent, "image/heic"), preview=True)

    assert clean.image is None and (clean.width, clean.height) == (480, 960)  # the picture's, turned
    assert decoded and (480, 960) not in decoded and (960, 480) not in decoded
    data = clean.thumbnail.read()
    thumb = Image.open(io.BytesIO(data))
    assert (thumb.format, thumb.size) == ("JPEG", (160, 320))  # the embedded one, turned as the camera meant
    assert thumb.convert("RGB").getpixel((80, 20))[2] > 200 and thumb.convert("RGB").getpixel((80, 300))[0] > 200
    for private in (b"PhoneMaker", b"Exif", b"GPS"):
        assert private not in data
    assert not thumb.getexif() and "exif" not in thumb.info


@pytest.mark.parametrize("thumbnails", [(), (64,)], ids=["none", "too small"])
def test_a_heic_without_a_usable_embedded_thumbnail_is_decoded_whole_for_both_files(thumbnails, monkeypatch):
    decoded = decoded_sizes(monkeypatch)
    clean = images.clean_thumbnail(upload("a.heic", gps_heic(size=(960, 480), thumbnails=thumbnails)), preview=True)
    assert (480, 960) in decoded
    assert Image.open(clean.image).size == (480, 960) and Image.open(clean.thumbnail).size == (240, 480)


def test_no_preview_unless_asked():
    clean = images.clean_thumbnail(upload("a.heic", gps_heic(**PHONE_HEIC)))
    assert clean.image is not None and Image.open(clean.thumbnail).size == (240, 480)


@pytest.mark.django_db
def test_a_heic_is_live_with_its_preview_then_the_second_step_replaces_it_with_the_real_thumbnail(
    open_wedding, household, django_capture_on_commit_callbacks,
):
    [photo] = services.photo_upload(wedding=open_wedding, household=household,
                                    files=[upload("IMG_1.HEIC", gps_heic(**PHONE_HEIC), "image/heic")]).saved
    photo = one_step(photo, django_capture_on_commit_callbacks)

    assert photo.thumbnail and not photo.image and photo.original
    assert (photo.width, photo.height) == (480, 960)
    preview = stored_path(photo.thumbnail)
    assert Image.open(preview).size == (160, 320)
    assert [task.priority for task in DBTaskResult.objects.order_by("enqueued_at")] == [0, tasks.IMAGE_PRIORITY]
    assert f'src="/photos/file/{photo.thumbnail.name}"' in region_html("photo_gallery", open_wedding)

    original = stored_path(photo.original)
    photo = one_step(photo, django_capture_on_commit_callbacks)

    assert photo.image and not photo.original and not original.exists()
    assert not preview.exists()  # replaced, and its file removed
    thumb = Image.open(photo.thumbnail.open("rb"))
    assert thumb.size == (240, 480) and thumb.convert("RGB").getpixel((120, 20))[2] > 200  # from the full decode
    with photo.image.open("rb") as f:
        data = f.read()
    assert Image.open(io.BytesIO(data)).size == (480, 960) and b"PhoneMaker" not in data and b"Exif" not in data
    gallery = region_html("photo_gallery", open_wedding)
    assert f'src="/photos/file/{photo.thumbnail.name}"' in gallery and f'<a href="/photos/file/{photo.image.name}">' in gallery
    assert tasks.photo_process(photo_id=photo.pk) is False


@pytest.mark.django_db
def test_a_photo_waiting_for_moderation_gets_no_preview(wedding, household, django_capture_on_commit_callbacks):
    # Planners approve what they see: a preview is not checked against the picture, so they see the picture.
    [photo] = services.photo_upload(wedding=wedding, household=household,
                                    files=[upload("IMG_1.HEIC", gps_heic(**PHONE_HEIC), "image/heic")]).saved
    assert photo.status == Moderation.PENDING
    photo = one_step(photo, django_capture_on_commit_callbacks)
    assert photo.image and not photo.original and Image.open(photo.thumbnail.open("rb")).size == (240, 480)
    assert photo_tasks() == [[photo.pk]]  # no second task


@pytest.mark.django_db
def test_a_heic_found_damaged_after_its_preview_leaves_with_its_row_and_preview(
    open_wedding, household, django_capture_on_commit_callbacks,
):
    whole = gps_heic(**PHONE_HEIC)
    [photo] = services.photo_upload(wedding=open_wedding, household=household,
                                    files=[upload("a.heic", whole, "image/heic")]).saved
    photo = one_step(photo, django_capture_on_commit_callbacks)
    files = [stored_path(photo.thumbnail), stored_path(photo.original)]
    assert f'data-photo-id="{photo.pk}"' in region_html("photo_gallery", open_wedding)

    files[1].write_bytes(whole[: len(whole) // 2])  # its picture cut short
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.photo_process(photo_id=photo.pk) is False

    assert not Photo.objects.exists() and not any(path.exists() for path in files)
    assert f'data-photo-id="{photo.pk}"' not in region_html("photo_gallery", open_wedding)


@pytest.mark.django_db(transaction=True)
def test_the_worker_keeps_its_database_connection_from_task_to_task(open_wedding, household):
    waiting = services.photo_upload(wedding=open_wedding, household=household,
                                    files=[upload(f"{n}.jpg", image_bytes()) for n in range(3)]).saved
    opened = []

    def record(sender, connection, **kwargs):
        opened.append(connection.alias)
    connection_created.connect(record)
    try:
        call_command("messaging_worker", "--batch", "--interval", "0.1", verbosity=0)
    finally:
        connection_created.disconnect(record)

    assert all(photo.image for photo in Photo.objects.filter(pk__in=[p.pk for p in waiting]))
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 6
    assert len(opened) <= 1  # six tasks, one connection (was one per task)
