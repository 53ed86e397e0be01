"""Song requests: merging duplicates, one vote per guest (changeable), counts, queue pages."""

from __future__ import annotations

import json
import threading

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils.html import escape

from realtime.models import Change
from realtime.regions import Audience, Viewer, render_region
from tests import factories
from tests.conftest import require_service
from tests.wedding.content_helpers import XSS, assert_escaped, enter_as, region_html
from wedding.songs import services, views
from wedding.songs.models import SongRequest, SongVote

pytestmark = pytest.mark.django_db


# What songs.js sends with its votes; a browser posting the form itself prefers HTML.
AS_JS = {"Accept": "application/json"}
AS_BROWSER_FORM = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def approved(wedding, **kwargs) -> SongRequest:
    return factories.SongRequestFactory(wedding=wedding, status=SongRequest.Status.APPROVED, **kwargs)


def test_duplicate_requests_merge_into_one_song_and_count_as_votes(wedding, household, guests):
    lola, pepe = guests
    first = services.song_request(
        wedding=wedding, household=household, guest=lola, title="Dancing Queen", artist="ABBA"
    )
    again = services.song_request(
        wedding=wedding, household=household, guest=pepe, title="  dancing   QUEEN ", artist="Abba!"
    )
    assert not first.merged and again.merged
    assert again.song.pk == first.song.pk
    assert SongRequest.objects.filter(wedding=wedding).count() == 1
    first.song.refresh_from_db()
    assert first.song.vote_count == 2
    assert first.song.status == SongRequest.Status.REQUESTED


def test_same_guest_requesting_twice_is_still_one_vote(wedding, household, guests):
    lola = guests[0]
    services.song_request(wedding=wedding, household=household, guest=lola, title="Vivir mi vida")
    result = services.song_request(wedding=wedding, household=household, guest=lola, title="Vivir mi vida")
    assert result.song.vote_count == 1


def test_same_title_in_another_wedding_is_another_song(wedding, household, guests, other_household):
    services.song_request(wedding=wedding, household=household, guest=guests[0], title="Hey Jude")
    services.song_request(
        wedding=other_household.wedding, household=other_household,
        guest=other_household.guests.get(), title="Hey Jude",
    )
    assert SongRequest.objects.filter(key="hey jude|").count() == 2


def test_request_needs_a_title_and_limits_lengths(wedding, household, guests):
    with pytest.raises(ValidationError, match="song title"):
        services.song_request(wedding=wedding, household=household, guest=guests[0], title="  ")
    with pytest.raises(ValidationError, match="too long"):
        services.song_request(wedding=wedding, household=household, guest=guests[0], title="x" * 201)
    assert not SongRequest.objects.exists()


def test_a_rejected_song_cannot_come_back_by_requesting_it_again(wedding, household, guests):
    factories.SongRequestFactory(wedding=wedding, title="Macarena", artist="", status=SongRequest.Status.REJECTED)
    with pytest.raises(ValidationError, match="not to play"):
        services.song_request(wedding=wedding, household=household, guest=guests[0], title="macarena")
    assert not SongVote.objects.exists()


def test_one_vote_per_guest_changeable_and_counted(wedding, guests):
    lola, pepe = guests
    song = approved(wedding)
    services.song_vote(song=song, guest=lola)
    services.song_vote(song=song, guest=lola)  # idempotent: still one vote
    services.song_vote(song=song, guest=pepe)
    song.refresh_from_db()
    assert song.vote_count == 2 == SongVote.objects.filter(song=song).count()
    services.song_unvote(song=song, guest=lola)
    services.song_unvote(song=song, guest=lola)
    song.refresh_from_db()
    assert song.vote_count == 1
    assert list(SongVote.objects.values_list("guest", flat=True)) == [pepe.pk]
    services.song_vote(song=song, guest=lola)  # changed their mind again
    song.refresh_from_db()
    assert song.vote_count == 2


def test_votes_are_captured_for_live_pages(wedding, guests):
    song = approved(wedding)
    before = wedding.__class__.objects.get(pk=wedding.pk).version
    services.song_vote(song=song, guest=guests[0])
    after = wedding.__class__.objects.get(pk=wedding.pk).version
    assert after == before + 1
    assert Change.objects.filter(wedding=wedding, version=after, topic="song").exists()


def test_guest_of_another_wedding_cannot_vote(wedding, other_household):
    song = approved(wedding)
    with pytest.raises(PermissionDenied):
        services.song_vote(song=song, guest=other_household.guests.get())


def test_status_changes_are_for_planners_only(wedding, planner, other_wedding):
    song = factories.SongRequestFactory(wedding=wedding)
    with pytest.raises(PermissionDenied):
        services.song_set_status(song=song, status="approved", user=other_wedding.planners.get())
    with pytest.raises(ValidationError):
        services.song_set_status(song=song, status="banned", user=planner)
    played = services.song_set_status(song=song, status="played", user=planner)
    assert played.status == "played" and played.played_at is not None


# --- pages ------------------------------------------------------------------------------------


def test_request_form_merges_and_says_so(guest_client, wedding, guests):
    data = {"guest": guests[0].pk, "title": "Bailando", "artist": "Enrique Iglesias", "dedication": ""}
    response = guest_client.post("/songs/", data, follow=True)
    assert "waiting for the DJ" in response.content.decode()
    response = guest_client.post("/songs/", {**data, "guest": guests[1].pk, "title": "BAILANDO"}, follow=True)
    assert "was already requested — your vote was added" in response.content.decode()
    assert SongRequest.objects.get(wedding=wedding).vote_count == 2


def test_request_for_a_guest_of_another_household_is_refused(guest_client, wedding, other_household):
    stranger = other_household.guests.get()
    response = guest_client.post("/songs/", {"guest": stranger.pk, "title": "Hello"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not SongRequest.objects.exists()


def test_queue_shows_approved_and_played_ordered_by_votes(guest_client, wedding, guests):
    low = approved(wedding, title="Low song")
    high = approved(wedding, title="High song")
    factories.SongRequestFactory(wedding=wedding, title="Waiting song")
    factories.SongRequestFactory(wedding=wedding, title="Rejected song", status="rejected")
    factories.SongRequestFactory(wedding=wedding, title="Played song", status="played")
    services.song_vote(song=high, guest=guests[0])
    page = guest_client.get("/songs/").content.decode()
    assert page.index("High song") < page.index("Low song")
    assert "Played song" in page
    assert "Rejected song" not in page
    assert "Waiting song" not in page.split('id="live-song_queue"')[1].split('id="live-my_songs"')[0]
    services.song_vote(song=low, guest=guests[0])
    services.song_vote(song=low, guest=guests[1])
    html = region_html("song_queue", wedding)
    assert html.index("Low song") < html.index("High song")


def test_vote_endpoint_votes_unvotes_and_answers_json(guest_client, wedding, guests):
    song = approved(wedding)
    url = f"/songs/{song.pk}/vote/"
    answer = guest_client.post(url, {"guest": guests[0].pk, "vote": "1"}, headers=AS_JS).json()
    assert answer["voted"] is True and answer["vote_count"] == 1
    assert answer["votes"][str(guests[0].pk)] == [song.pk]
    answer = guest_client.post(url, {"guest": guests[1].pk, "vote": "1"}, headers=AS_JS).json()
    assert answer["vote_count"] == 2
    answer = guest_client.post(url, {"guest": guests[0].pk, "vote": "0"}, headers=AS_JS).json()
    assert answer["voted"] is False and answer["vote_count"] == 1
    assert answer["votes"][str(guests[0].pk)] == []


def test_vote_endpoint_refuses_bad_input_with_a_reason(guest_client, wedding, guests, other_household):
    song = approved(wedding)
    url = f"/songs/{song.pk}/vote/"
    response = guest_client.post(url, {"guest": "nobody"}, headers=AS_JS)
    assert response.status_code == 400 and "Choose who" in response.json()["error"]
    # A guest of another household (here: another wedding) cannot be voted for.
    response = guest_client.post(url, {"guest": other_household.guests.get().pk}, headers=AS_JS)
    assert response.status_code == 400
    assert guest_client.get(url).status_code == 405
    assert SongRequest.objects.get(pk=song.pk).vote_count == 0


@pytest.mark.parametrize("headers", [AS_JS, AS_BROWSER_FORM], ids=["js", "form"])
def test_household_cannot_vote_for_another_weddings_song(guest_client, other_wedding, guests, headers):
    foreign = approved(other_wedding)
    response = guest_client.post(f"/songs/{foreign.pk}/vote/", {"guest": guests[0].pk}, headers=headers)
    assert response.status_code == 404
    assert not SongVote.objects.exists()


def test_songs_not_in_the_queue_cannot_be_voted_for(guest_client, wedding, guests):
    waiting = factories.SongRequestFactory(wedding=wedding)
    response = guest_client.post(f"/songs/{waiting.pk}/vote/", {"guest": guests[0].pk}, headers=AS_JS)
    assert response.status_code == 404
    assert response.json()["error"] == "This song is not in the queue any more."
    played = factories.SongRequestFactory(wedding=wedding, status=SongRequest.Status.PLAYED)
    response = guest_client.post(f"/songs/{played.pk}/vote/", {"guest": guests[0].pk}, headers=AS_BROWSER_FORM, follow=True)
    assert "This song is not in the queue any more." in response.content.decode()
    assert not SongVote.objects.exists()


# --- voting without JavaScript ------------------------------------------------------------------


def test_vote_buttons_submit_a_real_form_with_token_and_guest(guest_client, wedding, guests):
    song = approved(wedding)
    page = guest_client.get("/songs/").content.decode()
    form = page.split('<form method="post" id="song-vote-form">', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<select id="voting-as" name="guest" data-voting-as>' in form
    assert f'<option value="{guests[0].pk}">' in form and f'<option value="{guests[1].pk}">' in form
    queue = page.split('id="live-song_queue"', 1)[1].split('id="live-my_songs"', 1)[0]
    assert (
        f'<button type="submit" form="song-vote-form" formaction="/songs/{song.pk}/vote/" name="vote" value="1"'
        in queue
    )
    # The queue is one render for every guest: no token in it, on the page or pushed.
    assert "csrfmiddlewaretoken" not in queue and "csrfmiddlewaretoken" not in region_html("song_queue", wedding)


def test_a_household_of_one_votes_with_a_hidden_guest_field(client, wedding, household):
    only = factories.GuestFactory(household=household, first_name="Sola")
    enter_as(client, household)
    page = client.get("/songs/").content.decode()
    form = page.split('<form method="post" id="song-vote-form">', 1)[1].split("</form>", 1)[0]
    assert f'<input type="hidden" id="voting-as" name="guest" data-voting-as value="{only.pk}">' in form


def test_a_form_post_votes_and_withdraws_with_a_message_and_back_to_the_songs_page(guest_client, wedding, guests):
    lola = guests[0]
    song = approved(wedding, title="Bailando", artist="")
    url = f"/songs/{song.pk}/vote/"
    response = guest_client.post(url, {"guest": lola.pk, "vote": "1"}, headers=AS_BROWSER_FORM)
    assert response.status_code == 302 and response["Location"] == "/songs/"
    page = guest_client.get("/songs/").content.decode()
    assert escape(f"{lola.full_name}'s vote for “Bailando” is counted (1 vote).") in page
    assert SongVote.objects.filter(song=song, guest=lola).exists()
    # The page-load list of the household's votes offers the withdrawal (a form of its own).
    mine = page.split("<noscript>", 1)[1].split("</noscript>", 1)[0]
    assert f'action="{url}"' in mine and f'name="guest" value="{lola.pk}"' in mine
    assert 'name="vote" value="0"' in mine and 'name="csrfmiddlewaretoken"' in mine

    response = guest_client.post(url, {"guest": lola.pk, "vote": "0"}, headers=AS_BROWSER_FORM, follow=True)
    page = response.content.decode()
    assert escape(f"{lola.full_name}'s vote for “Bailando” is withdrawn.") in page
    assert SongRequest.objects.get(pk=song.pk).vote_count == 0
    assert f'action="{url}"' not in page.split("<noscript>", 1)[1].split("</noscript>", 1)[0]


def test_a_form_post_without_accept_header_is_a_form_post(guest_client, wedding, guests):
    song = approved(wedding)
    response = guest_client.post(f"/songs/{song.pk}/vote/", {"guest": guests[0].pk, "vote": "1"})
    assert response.status_code == 302 and response["Location"] == "/songs/"


def test_a_bad_form_post_comes_back_with_the_reason(guest_client, wedding, guests):
    song = approved(wedding)
    response = guest_client.post(f"/songs/{song.pk}/vote/", {"vote": "1"}, headers=AS_BROWSER_FORM, follow=True)
    assert response.redirect_chain == [("/songs/", 302)]
    assert "Choose who in your household is voting." in response.content.decode()
    assert not SongVote.objects.exists()


def test_the_form_post_checks_the_csrf_token(wedding, household, guests):
    song = approved(wedding)
    client = Client(enforce_csrf_checks=True)
    enter_as(client, household)
    token = client.get("/songs/").cookies[settings.CSRF_COOKIE_NAME].value
    data = {"guest": guests[0].pk, "vote": "1"}
    assert client.post(f"/songs/{song.pk}/vote/", data, headers=AS_BROWSER_FORM).status_code == 403
    response = client.post(f"/songs/{song.pk}/vote/", {**data, "csrfmiddlewaretoken": token}, headers=AS_BROWSER_FORM)
    assert response.status_code == 302
    assert SongRequest.objects.get(pk=song.pk).vote_count == 1


def test_votes_by_js_and_by_form_share_one_rate_limit(guest_client, wedding, guests, monkeypatch):
    monkeypatch.setitem(views.RATES, "vote", "2/h")  # an hour: a minute window could turn over between the posts of a slow run
    song = approved(wedding)
    url = f"/songs/{song.pk}/vote/"
    assert guest_client.post(url, {"guest": guests[0].pk}, headers=AS_JS).status_code == 200
    assert guest_client.post(url, {"guest": guests[1].pk}, headers=AS_BROWSER_FORM).status_code == 302
    response = guest_client.post(url, {"guest": guests[0].pk, "vote": "0"}, headers=AS_JS)
    assert response.status_code == 429 and response.json()["error"] == views.TOO_MANY
    response = guest_client.post(url, {"guest": guests[0].pk, "vote": "0"}, headers=AS_BROWSER_FORM, follow=True)
    assert str(views.TOO_MANY) in response.content.decode()
    assert SongRequest.objects.get(pk=song.pk).vote_count == 2


def test_page_embeds_the_households_votes_per_guest_in_its_live_region(guest_client, wedding, guests):
    song = approved(wedding)
    services.song_vote(song=song, guest=guests[1])
    response = guest_client.get("/songs/")
    start = response.content.decode().index('<script id="my-song-votes" type="application/json">')
    blob = response.content.decode()[start:].split(">", 1)[1].split("</script>", 1)[0]
    assert json.loads(blob) == {str(guests[0].pk): [], str(guests[1].pk): [song.pk]}


def test_markup_in_song_fields_is_escaped_on_pages_and_regions(guest_client, wedding, household, guests, planner):
    result = services.song_request(
        wedding=wedding, household=household, guest=guests[0],
        title=XSS, artist=XSS, dedication=XSS,
    )
    song = result.song
    assert song.dedication == XSS
    mine = guest_client.get("/songs/").content.decode()
    assert_escaped(mine)  # "your requests" lists it while it waits
    assert_escaped(region_html("my_songs", wedding, household=household))
    services.song_set_status(song=song, status="approved", user=planner)
    assert_escaped(guest_client.get("/songs/").content.decode())
    assert_escaped(region_html("song_queue", wedding))
    planner_view = render_region("dj_queue", Viewer(wedding=wedding, audience=Audience.PLANNER))
    assert_escaped(str(planner_view))


def test_song_queue_query_count_is_fixed(guest_client, wedding, django_assert_max_num_queries):
    factories.SongRequestFactory.create_batch(2, wedding=wedding, status="approved")
    guest_client.get("/songs/")
    with django_assert_max_num_queries(30) as few:
        guest_client.get("/songs/")
    factories.SongRequestFactory.create_batch(10, wedding=wedding, status="approved")
    with django_assert_max_num_queries(len(few.captured_queries)):
        guest_client.get("/songs/")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_keep_the_count_right(wedding, household):
    require_service("PostgreSQL", connection.vendor == "postgresql", "run with DATABASE_URL=postgres://…")
    song = approved(wedding)
    voters = factories.GuestFactory.create_batch(8, household=household)
    barrier = threading.Barrier(len(voters))
    errors = []

    def vote(guest):
        try:
            barrier.wait()
            services.song_vote(song=song, guest=guest)
            services.song_unvote(song=song, guest=guest) if guest.pk % 2 else None
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(g,)) for g in voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    song.refresh_from_db()
    assert song.vote_count == SongVote.objects.filter(song=song).count() == sum(1 for g in voters if not g.pk % 2)
