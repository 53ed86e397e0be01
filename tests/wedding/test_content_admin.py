"""Planner moderation in the admin: DJ queue, photos, guestbook, tributes with remembrances."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from realtime.models import Change
from tests import factories
from tests.wedding.content_helpers import XSS, assert_escaped, gps_jpeg, image_bytes, processed
from wedding.core.models import Moderation
from wedding.guestbook.models import GuestbookEntry
from wedding.photos.models import Photo
from wedding.songs import services as songs_services
from wedding.songs.models import SongRequest
from wedding.tributes import services as tributes_services
from wedding.tributes.models import Remembrance, Tribute

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger_client(client, other_wedding):
    client.force_login(other_wedding.planners.get())
    return client


def test_dj_queue_page_lists_songs_by_votes_with_actions(planner_client, wedding, guests):
    low = factories.SongRequestFactory(wedding=wedding, title="Low", status="approved")
    high = factories.SongRequestFactory(wedding=wedding, title="High", status="approved")
    waiting = factories.SongRequestFactory(wedding=wedding, title="Waiting", dedication=XSS)
    songs_services.song_vote(song=high, guest=guests[0])
    page = planner_client.get("/admin/songs/songrequest/queue/").content.decode()
    assert 'id="live-dj_queue"' in page
    assert page.index(">High<") < page.index(">Low<") < page.index(">Waiting<")
    assert f'/admin/songs/songrequest/{waiting.pk}/set-status/' in page
    assert 'data-status="approved"' in page and 'data-status="played"' in page
    assert_escaped(page)
    assert low.pk


def test_dj_queue_needs_a_wedding_choice_when_planning_several(planner_client, planner, wedding):
    second = factories.WeddingFactory(name="Second wedding", planners=[planner])
    page = planner_client.get("/admin/songs/songrequest/queue/").content.decode()
    assert f'href="?wedding={second.pk}"' in page and 'id="live-dj_queue"' not in page
    page = planner_client.get(f"/admin/songs/songrequest/queue/?wedding={second.pk}").content.decode()
    assert 'id="live-dj_queue"' in page


def test_dj_queue_of_another_wedding_is_404(stranger_client, wedding):
    assert stranger_client.get(f"/admin/songs/songrequest/queue/?wedding={wedding.pk}").status_code == 404


def test_set_status_button_answers_json(planner_client, wedding):
    song = factories.SongRequestFactory(wedding=wedding)
    url = f"/admin/songs/songrequest/{song.pk}/set-status/"
    answer = planner_client.post(url, {"status": "approved"}).json()
    assert answer == {"id": song.pk, "status": "approved", "status_label": "Approved"}
    assert planner_client.post(url, {"status": "nonsense"}).status_code == 400
    assert planner_client.get(url).status_code == 405
    assert SongRequest.objects.get(pk=song.pk).status == "approved"


def test_another_planner_cannot_change_our_song(client, wedding, other_wedding):
    song = factories.SongRequestFactory(wedding=wedding)
    client.force_login(other_wedding.planners.get())
    response = client.post(f"/admin/songs/songrequest/{song.pk}/set-status/", {"status": "rejected"})
    assert response.status_code == 404
    assert SongRequest.objects.get(pk=song.pk).status == "requested"


def test_song_bulk_actions_go_through_the_service(planner_client, wedding):
    songs = factories.SongRequestFactory.create_batch(2, wedding=wedding)
    response = planner_client.post(
        "/admin/songs/songrequest/",
        {"action": "mark_played", "_selected_action": [s.pk for s in songs]},
        follow=True,
    )
    assert response.status_code == 200
    assert set(SongRequest.objects.values_list("status", flat=True)) == {"played"}
    assert all(s.played_at for s in SongRequest.objects.all())


def test_photo_list_shows_thumbnails_and_moderation_buttons(planner_client, wedding):
    photo = factories.PhotoFactory(wedding=wedding, caption=XSS[:280])
    page = planner_client.get("/admin/photos/photo/").content.decode()
    assert f'/admin/photos/photo/{photo.pk}/moderate/' in page
    assert "<img src=" in page
    assert_escaped(page)


def test_photo_approve_button_and_bulk_hide_are_captured(planner_client, wedding):
    photos = factories.PhotoFactory.create_batch(2, wedding=wedding)
    answer = planner_client.post(f"/admin/photos/photo/{photos[0].pk}/moderate/", {"status": "approved"}).json()
    assert answer["status"] == "approved"
    before = Change.objects.filter(wedding=wedding, topic="photo").count()
    planner_client.post(
        "/admin/photos/photo/",
        {"action": "hide_selected", "_selected_action": [p.pk for p in photos]},
    )
    assert set(Photo.objects.values_list("status", flat=True)) == {"hidden"}
    # One update() for the batch, recorded as one change for the live pages.
    assert Change.objects.filter(wedding=wedding, topic="photo").count() == before + 1


def test_another_planner_cannot_moderate_our_photo(client, wedding, other_wedding):
    photo = factories.PhotoFactory(wedding=wedding)
    client.force_login(other_wedding.planners.get())
    assert client.post(f"/admin/photos/photo/{photo.pk}/moderate/", {"status": "approved"}).status_code == 404
    assert Photo.objects.get(pk=photo.pk).status == Moderation.PENDING


def test_planner_upload_in_the_admin_is_checked_by_content(planner_client, wedding):
    response = planner_client.post(
        "/admin/photos/photo/add/",
        {"wedding": wedding.pk, "caption": "x", "status": "approved",
         "image": SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")},
    )
    assert response.status_code == 200
    assert not Photo.objects.exists()
    response = planner_client.post(
        "/admin/photos/photo/add/",
        {"wedding": wedding.pk, "caption": "Cake", "status": "approved",
         "image": SimpleUploadedFile("cake.jpg", image_bytes(), content_type="image/jpeg")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [photo] = processed(Photo.objects.get())  # the same worker as a guest's upload
    assert photo.thumbnail and (photo.width, photo.height) == (40, 20)
    assert photo.uploaded_by_user.username == "ana.planner"


def test_guestbook_moderation(planner_client, wedding):
    entry = factories.GuestbookEntryFactory(wedding=wedding, status="pending", message=XSS)
    page = planner_client.get("/admin/guestbook/guestbookentry/").content.decode()
    assert_escaped(page)
    planner_client.post(
        "/admin/guestbook/guestbookentry/", {"action": "approve_selected", "_selected_action": [entry.pk]}
    )
    assert GuestbookEntry.objects.get(pk=entry.pk).status == "approved"


def test_tribute_change_page_moderates_remembrances_inline(planner_client, wedding, household):
    tribute = factories.TributeFactory(wedding=wedding)
    remembrance = tributes_services.remembrance_add(tribute=tribute, household=household, author_name="Lola", message=XSS)
    url = f"/admin/tributes/tribute/{tribute.pk}/change/"
    page = planner_client.get(url).content.decode()
    assert "remembrances-TOTAL_FORMS" in page
    assert_escaped(page)
    data = {
        "name": tribute.name, "relationship": tribute.relationship, "words": tribute.words,
        "published": "on", "order": 0,
        "remembrances-TOTAL_FORMS": 1, "remembrances-INITIAL_FORMS": 1,
        "remembrances-MIN_NUM_FORMS": 0, "remembrances-MAX_NUM_FORMS": 1000,
        "remembrances-0-id": remembrance.pk, "remembrances-0-tribute": tribute.pk,
        "remembrances-0-author_name": "Lola", "remembrances-0-message": XSS,
        "remembrances-0-status": "approved",
    }
    response = planner_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Remembrance.objects.get(pk=remembrance.pk).status == "approved"


def test_live_approval_queue_lists_whats_waiting_and_its_buttons_work(planner_client, wedding, household):
    photo = factories.PhotoFactory(wedding=wedding, caption=XSS[:280])
    entry = factories.GuestbookEntryFactory(wedding=wedding, status="pending", message="Pending words")
    tribute = factories.TributeFactory(wedding=wedding)
    remembrance = tributes_services.remembrance_add(tribute=tribute, household=household, author_name="L", message="Miss you")
    factories.GuestbookEntryFactory(wedding=wedding, status="approved", message="Already public")
    page = planner_client.get("/admin/photos/photo/waiting/").content.decode()
    assert 'id="live-content_moderation"' in page
    assert f"/admin/photos/photo/{photo.pk}/moderate/" in page
    assert f"/admin/guestbook/guestbookentry/{entry.pk}/moderate/" in page
    assert f"/admin/tributes/remembrance/{remembrance.pk}/moderate/" in page
    assert "Pending words" in page and "Miss you" in page and "Already public" not in page
    assert_escaped(page)
    answer = planner_client.post(f"/admin/tributes/remembrance/{remembrance.pk}/moderate/", {"status": "approved"})
    assert answer.json()["status"] == "approved"
    assert "Miss you" not in planner_client.get("/admin/photos/photo/waiting/").content.decode()


def test_tribute_photo_upload_is_checked_by_content(planner_client, wedding):
    response = planner_client.post(
        "/admin/tributes/tribute/add/",
        {"wedding": wedding.pk, "name": "Grandpa", "order": 0, "published": "on",
         "photo": SimpleUploadedFile("g.jpg", b"<html>not a photo</html>", content_type="image/jpeg"),
         "remembrances-TOTAL_FORMS": 0, "remembrances-INITIAL_FORMS": 0},
    )
    assert response.status_code == 200
    assert "valid image" in response.content.decode() or "is not an image" in response.content.decode()
    assert not Tribute.objects.exists()
    response = planner_client.post(
        "/admin/tributes/tribute/add/",
        {"wedding": wedding.pk, "name": "Grandpa", "order": 0, "published": "on",
         "photo": SimpleUploadedFile("g.jpg", gps_jpeg(), content_type="image/jpeg"),
         "remembrances-TOTAL_FORMS": 0, "remembrances-INITIAL_FORMS": 0},
    )
    assert response.status_code == 302
    with Tribute.objects.get().photo.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
    assert stored.size == (20, 40) and dict(stored.getexif()) == {}


def test_adding_a_duplicate_song_in_the_admin_is_a_clear_error(planner_client, wedding):
    factories.SongRequestFactory(wedding=wedding, title="Hey Jude", artist="The Beatles")
    response = planner_client.post(
        "/admin/songs/songrequest/add/",
        {"wedding": wedding.pk, "title": "hey jude", "artist": "the beatles", "status": "requested"},
    )
    assert response.status_code == 200
    assert "is already in this wedding" in response.content.decode()
    assert SongRequest.objects.count() == 1


def test_htmx_buttons_of_the_live_queues_get_the_fresh_queue(planner_client, wedding, household):
    """hx-post from inside a live region: the answer is the region as it is now (htmx swaps it in)."""
    photo = factories.PhotoFactory(wedding=wedding, caption="Cake cutting")
    waiting = factories.PhotoFactory(wedding=wedding, caption="First dance")
    song = factories.SongRequestFactory(wedding=wedding, title="La Bamba")
    htmx = {"HX-Request": "true"}

    queue = planner_client.post(f"/admin/photos/photo/{photo.pk}/moderate/", {"status": "approved"}, headers=htmx)
    assert queue.status_code == 200 and queue["Content-Type"].startswith("text/html")
    html = queue.content.decode()
    assert html.startswith('<div id="live-content_moderation"') and "First dance" in html
    assert "Cake cutting" not in html  # approved: no longer waiting
    assert waiting.pk and Photo.objects.get(pk=photo.pk).status == "approved"

    dj = planner_client.post(f"/admin/songs/songrequest/{song.pk}/set-status/", {"status": "approved"}, headers=htmx)
    html = dj.content.decode()
    assert dj.status_code == 200 and 'id="live-dj_queue"' in html
    assert html.index("La Bamba") < html.index("Waiting for approval")  # now up next

    refused = planner_client.post(f"/admin/songs/songrequest/{song.pk}/set-status/", {"status": "nonsense"}, headers=htmx)
    assert refused.status_code == 400 and refused.json()["error"]
    assert SongRequest.objects.get(pk=song.pk).status == "approved"


def test_live_queue_buttons_post_with_htmx(planner_client, wedding):
    factories.PhotoFactory(wedding=wedding)
    factories.SongRequestFactory(wedding=wedding)
    for url in ("/admin/photos/photo/waiting/", "/admin/songs/songrequest/queue/"):
        page = planner_client.get(url).content.decode()
        assert 'hx-post="/admin/' in page and 'hx-target="closest [data-live-region]"' in page
        assert "data-admin-action" not in page  # no hand-written fetch path inside the live queue
