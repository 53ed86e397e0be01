"""Photos in shared object storage (MEDIA_STORAGE=s3): the upload service writes to a bucket.

A local S3-compatible server (moto's, on 127.0.0.1, started here) stands in for
AWS, MinIO or any other store; the storage is chosen the way production chooses
it, from environment variables (`wedding.settings.media_storage`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from PIL import Image

from tests.e2e.servers import free_port
from tests.wedding.content_helpers import image_bytes, processed, upload
from wedding.photos import services
from wedding.settings import media_storage

BUCKET = "confetti-media"
KEYS = {"AWS_ACCESS_KEY_ID": "confetti-test", "AWS_SECRET_ACCESS_KEY": "confetti-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_media(settings, s3_endpoint) -> Iterator:
    """STORAGES["default"] as MEDIA_STORAGE=s3 makes it, on a fresh bucket; a boto3 client on it."""
    import boto3

    environ = {
        "MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": "us-east-1", **KEYS,
    }
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="us-east-1",
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"], aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage(environ)}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.mark.django_db
def test_uploaded_photo_is_stored_in_the_bucket_and_read_back(s3_media, settings, wedding, household):
    original = image_bytes(size=(64, 48), color="blue")
    result = services.photo_upload(wedding=wedding, household=household, files=[upload("first-dance.jpg", original)])

    assert result.refused == []
    [photo] = processed(*result.saved)  # the worker reads the original from the bucket, writes the image back
    keys = {item["Key"] for item in s3_media.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {f"media/{photo.image.name}", f"media/{photo.thumbnail.name}"} == keys
    # Nothing went to local disk: another machine of the deployment sees the same photo.
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.jpg"))

    with default_storage.open(photo.image.name) as stored:
        image = Image.open(io.BytesIO(stored.read()))
    assert (image.format, image.size) == ("JPEG", (64, 48))
    assert photo.image.url.startswith(f"{settings.STORAGES['default']['OPTIONS']['endpoint_url']}/{BUCKET}/media/")
    assert "Signature=" in photo.image.url or "X-Amz-Signature=" in photo.image.url  # private by default


@pytest.mark.django_db
def test_two_guests_files_of_the_same_name_both_survive(s3_media, wedding, household):
    first = services.photo_upload(wedding=wedding, household=household, files=[upload("IMG_0001.jpg", image_bytes(color="red"))])
    second = services.photo_upload(wedding=wedding, household=household, files=[upload("IMG_0001.jpg", image_bytes(color="green"))])

    names = {photo.image.name for photo in processed(first.saved[0], second.saved[0])}
    assert len(names) == 2
    colors = set()
    for name in names:
        with default_storage.open(name) as stored:
            colors.add(Image.open(io.BytesIO(stored.read())).convert("RGB").getpixel((5, 5)))
    assert len(colors) == 2


def test_local_disk_stays_the_default():
    assert media_storage({})["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert media_storage({"MEDIA_STORAGE": "local"})["BACKEND"].endswith("FileSystemStorage")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MEDIA_STORAGE": "s3"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"MEDIA_STORAGE": "ftp", "AWS_STORAGE_BUCKET_NAME": BUCKET}, "'local' or 's3'"),
    ],
)
def test_an_incomplete_storage_setting_fails_at_start(environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        media_storage(environ)
