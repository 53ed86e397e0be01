"""The photo flood, issue 19: under the async handler an upload's multipart parse runs off the
request's thread (a pool thread), and the upload is credited to the guest."""

from __future__ import annotations

import threading

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import AsyncClient

from realtime.models import Change
from tests.wedding.content_helpers import gps_jpeg, upload
from wedding.photos import views
from wedding.photos.models import Photo


@pytest.fixture
def async_guest(guest_client):
    """An ASGI (async handler) client with the guest's session."""
    client = AsyncClient()
    client.cookies = guest_client.cookies
    return client


@pytest.mark.django_db
def test_an_upload_parses_its_body_off_the_sync_thread_and_is_credited_to_the_guest(
    async_guest, household, monkeypatch
):
    household.wedding.photo_moderation = False
    household.wedding.save()
    threads: dict[str, threading.Thread] = {}
    parse, inner = views._body_parse, views._photos

    def recording_parse(request):
        threads["parse"] = threading.current_thread()
        return parse(request)

    def recording_inner(request):
        threads["view"] = threading.current_thread()
        return inner(request)

    monkeypatch.setattr(views, "_body_parse", recording_parse)
    monkeypatch.setattr(views, "_photos", recording_inner)
    # A sync test: the async handler's sync code (thread-sensitive) runs back in this thread.
    response = async_to_sync(async_guest.post)("/photos/", {"photos": [upload("IMG_1.jpg", gps_jpeg())], "caption": "Hi"})

    assert response.status_code == 302
    assert threads["view"] is threading.current_thread()  # the database work: the request's thread
    assert threads["parse"] is not threading.current_thread()  # the body: a pool thread
    photo = Photo.objects.get()
    assert photo.caption == "Hi" and photo.original
    change = Change.objects.filter(topic="photo").latest("version")
    assert change.actor_household_id == household.pk  # ActorMiddleware, through the async handler


@pytest.mark.django_db
def test_pages_and_static_files_through_the_async_handler(async_guest):
    page = async_to_sync(async_guest.get)("/photos/")
    assert page.status_code == 200 and "photos" in page.content.decode()
    missing = async_to_sync(async_guest.get)(settings.STATIC_URL + "no/such/file.css")
    assert missing.status_code == 404
