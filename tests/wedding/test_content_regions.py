"""The day's live regions: right audience, scoped to the wedding, nothing private, fragment URL."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from realtime import regions
from realtime.regions import Audience, Viewer, render_region
from tests import factories
from tests.wedding.content_helpers import enter_as, region_html
from wedding.core.models import Moderation
from wedding.guestbook import services as guestbook_services
from wedding.songs import services as songs_services
from wedding.tributes import services as tributes_services

pytestmark = pytest.mark.django_db

GUEST_REGIONS = ("song_queue", "photo_gallery", "slideshow", "guestbook_wall", "tributes")


def test_regions_are_declared_for_the_right_audience():
    audience = {name: regions.get(name).audience for name in (*GUEST_REGIONS, "my_songs", "dj_queue", "content_moderation")}
    assert {n for n, a in audience.items() if a is Audience.GUESTS} == set(GUEST_REGIONS)
    assert audience["my_songs"] is Audience.HOUSEHOLD
    assert audience["dj_queue"] is audience["content_moderation"] is Audience.PLANNER


@pytest.fixture
def full_day(wedding, household, guests, planner):
    """Some of everything, contributed by a household whose private details must never show."""
    song = songs_services.song_request(wedding=wedding, household=household, guest=guests[0], title="Song A").song
    songs_services.song_set_status(song=song, status="approved", user=planner)
    photo = factories.PhotoFactory(wedding=wedding, status=Moderation.APPROVED, uploaded_by_household=household)
    guestbook_services.guestbook_sign(wedding=wedding, household=household, author_name="Lola", message="Hello")
    tribute = factories.TributeFactory(wedding=wedding)
    remembrance = tributes_services.remembrance_add(tribute=tribute, household=household, author_name="Lola", message="Miss")
    tributes_services.remembrance_moderate(remembrance=remembrance, status=Moderation.APPROVED, user=planner)
    return {"song": song, "photo": photo}


def test_guest_regions_show_no_private_details(full_day, wedding, household, guests):
    private = [household.email, household.phone, household.address, household.notes, household.invitation_code]
    private += [g.email for g in guests]
    for name in GUEST_REGIONS:
        html = region_html(name, wedding)
        for secret in private:
            assert secret not in html, (name, secret)


def test_guest_regions_show_only_their_own_wedding(full_day, wedding, other_wedding):
    for name in GUEST_REGIONS:
        other = region_html(name, other_wedding)
        assert "Song A" not in other and "Hello" not in other and "Miss" not in other
        assert f'data-photo-id="{full_day["photo"].pk}"' not in other


def test_my_songs_shows_only_this_households_requests(full_day, wedding, household):
    neighbours = factories.HouseholdFactory(wedding=wedding)
    assert "Song A" in region_html("my_songs", wedding, household=household)
    assert "Song A" not in region_html("my_songs", wedding, household=neighbours)


def test_guests_cannot_render_planner_regions(wedding, household):
    viewer = Viewer(wedding=wedding, audience=Audience.HOUSEHOLD, household=household)
    for name in ("dj_queue", "content_moderation"):
        with pytest.raises(PermissionDenied):
            render_region(name, viewer)


def test_fragment_url_serves_guest_regions_to_the_household_only(client, full_day, wedding, household, other_wedding):
    enter_as(client, household)
    response = client.get(f"/live/r/song_queue/?wedding={wedding.pk}")
    assert response.status_code == 200 and "Song A" in response.content.decode()
    assert client.get(f"/live/r/my_songs/?wedding={wedding.pk}").status_code == 200
    assert client.get(f"/live/r/dj_queue/?wedding={wedding.pk}").status_code == 403
    assert client.get(f"/live/r/song_queue/?wedding={other_wedding.pk}").status_code == 403
