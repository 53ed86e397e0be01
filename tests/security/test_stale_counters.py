"""Issue #13, stale counters: whoever deletes a voter, the song's count is the number of its votes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guests import services
from guests.models import Guest, Household
from tests import factories
from wedding.songs.models import SongRequest, SongVote
from wedding.songs.services import song_vote


@pytest.fixture
def voted(wedding):
    """A song with three votes: two from one household, one from another."""
    song = factories.SongRequestFactory(wedding=wedding)
    home = factories.HouseholdFactory(wedding=wedding)
    a, b = factories.GuestFactory(household=home), factories.GuestFactory(household=home)
    c = factories.GuestFactory(household__wedding=wedding)
    for guest in (a, b, c):
        song_vote(song=song, guest=guest)
    assert SongRequest.objects.get(pk=song.pk).vote_count == 3
    return song, home, a


def count_is_true(song) -> bool:
    song.refresh_from_db()
    return song.vote_count == SongVote.objects.filter(song=song).count()


def test_deleting_a_guest_recounts(wedding, planner, voted):
    song, _home, a = voted
    services.guests_delete(wedding=wedding, guests=[a], user=planner)
    assert count_is_true(song) and song.vote_count == 2


def test_deleting_a_household_recounts(wedding, planner, voted):
    song, home, _a = voted
    services.households_delete(wedding=wedding, households=[home], user=planner)
    assert count_is_true(song) and song.vote_count == 1


@pytest.mark.parametrize("model", [Guest, Household])
def test_deleting_in_the_admin_recounts(planner_client, voted, model):
    song, home, a = voted
    obj = a if model is Guest else home
    url = reverse(f"admin:guests_{model._meta.model_name}_delete", args=[obj.pk])
    assert planner_client.post(url, {"post": "yes"}).status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()
    assert count_is_true(song) and song.vote_count == (2 if model is Guest else 1)
