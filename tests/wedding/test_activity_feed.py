"""The activity feed: one entry per user action, in the wedding's words (issue 18).

Each test acts as a guest or planner would (through the services, credited to
who acts) and reads the feed as the dashboard does (`reads.activity`).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from realtime.live import acting_as, actor_for, headline
from realtime.models import Change
from rsvp.services import Answer, rsvp_submit
from tests import factories
from wedding.dashboard.reads import activity
from wedding.songs import services as songs


@pytest.fixture
def lopez(wedding):
    return factories.HouseholdFactory(wedding=wedding, name="The López household")


@pytest.fixture
def ana(lopez):
    return factories.GuestFactory(household=lopez, first_name="Ana", last_name="López")


def feed(wedding):
    return activity(wedding, topic=None, actor=None)


def newest_since(wedding, version: int):
    return [entry for entry in feed(wedding) if entry.version > version]


def current_version(wedding) -> int:
    wedding.refresh_from_db(fields=["version"])
    return wedding.version


def test_a_song_request_is_one_entry_in_the_weddings_words(wedding, lopez, ana):
    before = current_version(wedding)
    with acting_as(actor_for(household=lopez)):
        songs.song_request(wedding=wedding, household=lopez, guest=ana, title="Dancing Queen", artist="ABBA")
    entries = newest_since(wedding, before)
    assert len(entries) == 1  # the request, the requester's vote and the count: one action
    assert entries[0].summary == "The López household requested “Dancing Queen — ABBA”"
    assert Change.objects.filter(wedding=wedding, version__gt=before).count() == 3  # all still logged


def test_a_guests_vote_is_a_vote_not_an_approval(wedding, lopez, ana):
    song = factories.SongRequestFactory(wedding=wedding, title="Valerie", artist="", status="approved")
    before = current_version(wedding)
    with acting_as(actor_for(household=lopez)):
        songs.song_vote(song=song, guest=ana)
    [entry] = newest_since(wedding, before)
    assert entry.summary == "The López household voted for “Valerie”"
    everything = " ".join([entry.summary, *entry.details]).lower()
    assert "approved" not in everything
    assert entry.details == ["“Valerie” has 1 vote"]

    before = current_version(wedding)
    with acting_as(actor_for(household=lopez)):
        songs.song_unvote(song=song, guest=ana)
    [entry] = newest_since(wedding, before)
    assert entry.summary == "The López household withdrew a vote for “Valerie”"


def test_the_djs_decision_reads_as_one(wedding, planner):
    song = factories.SongRequestFactory(wedding=wedding, title="Valerie", artist="")
    before = current_version(wedding)
    songs.song_set_status(song=song, status="approved", user=planner)
    [entry] = newest_since(wedding, before)
    assert entry.summary == "Approved “Valerie” for the queue"


def test_an_rsvp_for_five_guests_is_one_entry(wedding, lopez, ana, event):
    guests = [ana, *(factories.GuestFactory(household=lopez, first_name=n) for n in ("Bea", "Carla", "Dani", "Eva"))]
    for guest in guests:
        factories.InvitationFactory(guest=guest, event=event)
    before = current_version(wedding)
    with acting_as(actor_for(household=lopez)):
        rsvp_submit(household=lopez, answers=[Answer(g.pk, event.pk, "attending") for g in guests])
    [entry] = newest_since(wedding, before)
    assert entry.summary == "The López household answered the RSVP for 5 guests"
    assert len(entry.details) == 4 and all("accepted" in line for line in entry.details)


def test_one_answer_reads_as_that_answer(wedding, lopez, ana, event):
    factories.InvitationFactory(guest=ana, event=event)
    before = current_version(wedding)
    with acting_as(actor_for(household=lopez)):
        rsvp_submit(household=lopez, answers=[Answer(ana.pk, event.pk, "declined")])
    [entry] = newest_since(wedding, before)
    assert entry.summary == f"Ana López declined the {event}"
    assert entry.details == []


def test_separate_actions_stay_separate_entries(wedding, lopez, ana):
    song = factories.SongRequestFactory(wedding=wedding, title="Valerie", artist="", status="approved")
    bea = factories.GuestFactory(household=lopez, first_name="Bea")
    before = current_version(wedding)
    with acting_as(actor_for(household=lopez)):
        songs.song_vote(song=song, guest=ana)
        songs.song_vote(song=song, guest=bea)
    assert len(newest_since(wedding, before)) == 2


def test_the_feed_page_shows_one_line_per_action(planner_client, wedding, lopez, ana):
    from django.urls import reverse

    with acting_as(actor_for(household=lopez)):
        songs.song_request(wedding=wedding, household=lopez, guest=ana, title="Dancing Queen")
    page = planner_client.get(reverse("admin:dashboard-activity", args=[wedding.pk])).content.decode()
    assert page.count("The López household requested “Dancing Queen”") == 1
    assert "voted for" in page  # inside the entry's details, not an entry of its own
    assert page.count("<li data-version=") == len(feed(wedding))


def test_headline_uses_the_group_line_only_for_several_rows():
    class Row:
        def __init__(self, model, summary):
            self.model, self.summary, self.actor_label, self.actor_household_id = model, summary, "Ana (guest)", 1

    one = [Row("rsvp.response", "Ana accepted the Reception")]
    assert headline(one) == "Ana accepted the Reception"
    two = [*one, Row("rsvp.response", "Bea accepted the Reception")]
    assert headline(two) == "Ana answered the RSVP for 2 guests"
    song_first = [Row("songs.songrequest", "Ana requested “X”"), Row("songs.songvote", "Ana voted for “X”")]
    assert headline(song_first) == "Ana requested “X”"


def test_the_feed_costs_the_same_queries_for_many_actions(wedding, lopez, ana):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            feed(wedding)
        return len(queries)

    with acting_as(actor_for(household=lopez)):
        songs.song_request(wedding=wedding, household=lopez, guest=ana, title="One")
    few = count()
    for n in range(30):
        with acting_as(actor_for(household=lopez)):
            songs.song_request(wedding=wedding, household=lopez, guest=ana, title=f"Song {n}")
    assert count() == few == 2


def test_a_guestbook_message_and_its_approval_read_in_the_weddings_words(wedding, planner, lopez):
    from wedding.guestbook.services import guestbook_moderate, guestbook_sign

    wedding.guestbook_moderation = True
    wedding.save()
    before = current_version(wedding)
    with acting_as(actor_for(household=lopez)):
        entry = guestbook_sign(wedding=wedding, household=lopez, author_name="Ana", message="¡Felicidades!")
    [signed] = newest_since(wedding, before)
    assert signed.summary == "Ana signed the guestbook"
    before = current_version(wedding)
    guestbook_moderate(entry=entry, status="approved", user=planner)
    [approved] = newest_since(wedding, before)
    assert approved.summary == "Ana's guestbook message is approved"
