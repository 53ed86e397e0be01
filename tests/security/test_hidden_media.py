"""Issue #13, hidden media: a photo the planner hid (or deleted) is not served to anyone with its URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests import factories
from tests.wedding.content_helpers import image_bytes, processed, upload
from wedding.core.models import Moderation
from wedding.photos import services
from wedding.photos.models import Photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(wedding, household) -> Photo:
    [photo] = processed(*services.photo_upload(
        wedding=wedding, household=household, files=[upload("p.jpg", image_bytes())]
    ).saved)
    Photo.objects.filter(pk=photo.pk).update(status=Moderation.APPROVED)
    photo.refresh_from_db()
    return photo


@pytest.fixture
def guest(client, household):
    client.get(f"/i/{household.invitation_code}/")
    return client


def fetch(client, url: str):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def test_photo_files_are_not_in_the_public_media_path(photo):
    for file in (photo.image, photo.thumbnail):
        assert not file.url.startswith(settings.MEDIA_URL) and not file.url.startswith("/" + settings.MEDIA_URL)
        assert not Path(file.path).is_relative_to(Path(settings.MEDIA_ROOT))


def test_an_approved_photo_is_served_to_the_weddings_guests(guest, photo):
    for file in (photo.image, photo.thumbnail):
        status, body = fetch(guest, file.url)
        assert status == 200 and body == Path(file.path).read_bytes()


@pytest.mark.parametrize("status", [Moderation.HIDDEN, Moderation.PENDING])
def test_a_hidden_photo_is_served_to_nobody_but_its_planners(guest, planner, photo, status):
    planner_client = Client()  # `client` is the guest's browser
    planner_client.force_login(planner)
    Photo.objects.filter(pk=photo.pk).update(status=status)
    for file in (photo.image, photo.thumbnail):
        assert fetch(guest, file.url)[0] == 404
        assert fetch(planner_client, file.url)[0] == 200  # the moderation queue shows it


def test_a_deleted_photo_is_not_served(guest, photo):
    url = photo.image.url
    photo.delete()
    assert fetch(guest, url)[0] == 404


def test_strangers_and_other_weddings_get_nothing(client, photo, other_wedding):
    assert fetch(client, photo.image.url)[0] == 404
    stranger = factories.HouseholdFactory(wedding=other_wedding)
    client.get(f"/i/{stranger.invitation_code}/")
    assert fetch(client, photo.image.url)[0] == 404


def test_the_file_view_cannot_read_outside_photos(guest, photo):
    assert fetch(guest, "/photos/file/../../settings.py")[0] == 404
    assert fetch(guest, "/photos/file/%2e%2e/%2e%2e/etc/passwd")[0] == 404
