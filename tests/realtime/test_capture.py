"""Change capture: version per transaction, log rows, publish after commit only (DESIGN §4.1–4.3)."""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.db import connection, transaction

from guests.models import Guest
from realtime import capture, publish
from realtime.context import acting_as, actor_for
from realtime.models import Change
from tests import factories
from tests.conftest import require_service
from wedding.core.models import Wedding

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite


@pytest.fixture
def published(monkeypatch):
    """Every message published after commit, in order."""
    messages: list[dict] = []
    monkeypatch.setattr(publish, "publish", messages.append)
    return messages


def version_of(wedding: Wedding) -> int:
    return Wedding.objects.values_list("version", flat=True).get(pk=wedding.pk)


def test_one_transaction_is_one_version_and_one_message(wedding, django_capture_on_commit_callbacks, published):
    household = factories.HouseholdFactory(wedding=wedding)
    before = version_of(wedding)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ana = factories.GuestFactory(household=household, first_name="Ana")
        factories.GuestFactory(household=household, first_name="Bo")
        ana.last_name = "Ruiz-Soto"
        ana.save()
    assert version_of(wedding) == before + 1
    rows = Change.objects.filter(wedding=wedding, version=before + 1)
    assert rows.count() == 3
    assert {r.action for r in rows} == {"create", "update"}
    assert published == [
        {"wedding": wedding.pk, "version": before + 1, "topics": ["guest"],
         "ids": {"guest": sorted([str(ana.pk), str(ana.pk + 1)])}, "households": {}}
    ]


def test_rollback_publishes_nothing_and_logs_nothing(wedding, django_capture_on_commit_callbacks, published):
    household = factories.HouseholdFactory(wedding=wedding)
    before, logged = version_of(wedding), Change.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            factories.GuestFactory(household=household)
            raise RuntimeError("planner's save failed half-way")
    assert callbacks == [] and published == []
    assert version_of(wedding) == before
    assert Change.objects.count() == logged


def test_rolled_back_savepoint_then_new_change_gets_a_real_version(
    wedding, django_capture_on_commit_callbacks, published
):
    household = factories.HouseholdFactory(wedding=wedding)
    before = version_of(wedding)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            factories.GuestFactory(household=household, first_name="Gone")
            raise RuntimeError
        kept = factories.GuestFactory(household=household, first_name="Kept")
    assert version_of(wedding) == before + 1
    assert [m["ids"] for m in published] == [{"guest": [str(kept.pk)]}]
    assert list(Change.objects.filter(version=before + 1).values_list("object_id", flat=True)) == [str(kept.pk)]


def test_each_wedding_gets_its_own_version_and_message(
    wedding, other_wedding, django_capture_on_commit_callbacks, published
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        factories.HouseholdFactory(wedding=wedding)
        factories.HouseholdFactory(wedding=other_wedding)
    assert sorted(m["wedding"] for m in published) == sorted([wedding.pk, other_wedding.pk])


def test_bulk_edit_of_500_guests_is_one_change_and_one_message(
    wedding, django_capture_on_commit_callbacks, published
):
    household = factories.HouseholdFactory(wedding=wedding)
    Guest.objects.bulk_create(
        [Guest(wedding=wedding, household=household, first_name=f"G{i}") for i in range(500)]
    )
    before = version_of(wedding)
    with django_capture_on_commit_callbacks(execute=True):
        with capture.bulk_change(
            wedding_id=wedding.pk, topic="guest", action="update", model="guests.guest",
            summary="Marked 500 guests as listed in the directory",
        ) as ids:
            pks = list(Guest.objects.filter(wedding=wedding).values_list("pk", flat=True))
            Guest.objects.filter(pk__in=pks).update(directory_opt_in=True)
            for guest in Guest.objects.filter(pk__in=pks[:10]):  # signal-firing saves inside too
                guest.save()
            ids.extend(pks)
    assert len(published) == 1
    assert published[0]["version"] == before + 1
    assert published[0]["ids"] == {"guest": None}  # too many to list: receivers treat it as "any"
    row = Change.objects.get(wedding=wedding, version=before + 1)
    assert row.count == 500 and "500 guests" in row.summary


def test_the_actor_and_a_readable_summary_are_logged(wedding, event, planner):
    guest = factories.GuestFactory(household__wedding=wedding, first_name="Ana", last_name="Ruiz")
    factories.InvitationFactory(guest=guest, event=event)
    event.name = "Rehearsal dinner"
    event.save()
    with acting_as(actor_for(user=planner)):
        factories.ResponseFactory(guest=guest, event=event, status="declined", answered_by="planner")
    latest = Change.objects.filter(wedding=wedding).first()
    assert latest.summary == "Ana Ruiz declined the Rehearsal dinner (recorded by a planner)"
    assert latest.actor_user == planner and latest.actor_label == "Ana Planner (planner)"
    assert latest.topic == "rsvp" and latest.action == "create"


def test_m2m_changes_are_captured_and_noop_adds_are_not(wedding):
    guest = factories.GuestFactory(household__wedding=wedding)
    tag = factories.TagFactory(wedding=wedding, name="family")
    before = version_of(wedding)
    guest.tags.add(tag)
    assert version_of(wedding) == before + 1
    guest.tags.add(tag)  # already there: no change
    assert version_of(wedding) == before + 1


def test_fixture_loading_is_not_a_change(wedding):
    from django.core import serializers

    household = factories.HouseholdFactory(wedding=wedding)
    data = serializers.serialize("json", [household])
    household.delete()
    before = version_of(wedding)
    for obj in serializers.deserialize("json", data):
        obj.save()  # raw=True
    assert version_of(wedding) == before


def test_publish_with_the_layer_unreachable_is_fast_and_never_raises(settings, caplog):
    """A dead Redis never turns a save into an error page (DESIGN §4.3, §4.11)."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:6390/0"]},  # nothing listens here
        }
    }
    channel_layers.backends.clear()
    publish._mark(True)  # a fresh outage, whatever earlier tests left
    try:
        started = time.monotonic()
        for version in range(1, 4):
            publish.publish({"wedding": 1, "version": version, "topics": ["guest"], "ids": {}})
        assert time.monotonic() - started < 3 * 1.0
        errors = [r for r in caplog.records if r.levelname == "ERROR" and "unreachable" in r.getMessage()]
        assert len(errors) == 1  # logged once per outage, not once per write
        assert publish.layer_ok() is False
    finally:
        channel_layers.backends.clear()
        publish._mark(True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_versions_are_gapless_under_20_concurrent_writers(published):
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")
    wedding = factories.WeddingFactory()
    household = factories.HouseholdFactory(wedding=wedding)
    start = threading.Barrier(20)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait(timeout=10)
            with transaction.atomic():
                factories.GuestFactory(household=household, first_name=f"W{n}")
                factories.GuestFactory(household=household, first_name=f"X{n}")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    base = version_of(wedding)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    versions = sorted(m["version"] for m in published if m["wedding"] == wedding.pk and m["version"] > base)
    assert versions == list(range(base + 1, base + 21))  # gapless, one per transaction
    per_version = Change.objects.filter(wedding=wedding, version__gt=base).values_list("version", flat=True)
    assert sorted(set(per_version)) == versions
    assert all(list(per_version).count(v) == 2 for v in versions)


@pytest.mark.postgres  # kept by the PostgreSQL pass, which leaves out the database-free tests
def test_ci_runs_this_module_on_postgresql_too():
    """Guard: under CI=true the PostgreSQL run must really use PostgreSQL."""
    if os.environ.get("CONFETTI_EXPECT_POSTGRES") == "1":
        assert connection.vendor == "postgresql"


def test_cascading_bulk_delete_announces_the_topics_it_touched(
    wedding, event, django_capture_on_commit_callbacks, published
):
    guest = factories.GuestFactory(household__wedding=wedding)
    factories.ResponseFactory(guest=guest, event=event)
    guest_pk = guest.pk
    with django_capture_on_commit_callbacks(execute=True):
        with capture.bulk_change(
            wedding_id=wedding.pk, topic="guest", action="delete", model="guests.guest",
            summary="Removed 1 guest", also_topics=("rsvp", "seating"),
        ) as ids:
            ids.append(guest.pk)
            guest.delete()
    assert published[-1]["topics"] == ["guest", "rsvp", "seating"]
    assert published[-1]["ids"] == {"guest": [str(guest_pk)], "rsvp": None, "seating": None}


def test_messages_name_the_households_whose_own_rows_changed(
    wedding, django_capture_on_commit_callbacks, published
):
    """A vote names the voter's household, so other households' `my_songs` skip it."""
    from realtime.regions import Audience, Region

    voter = factories.GuestFactory(household__wedding=wedding)
    song = factories.SongRequestFactory(wedding=wedding, requested_by=None)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        from wedding.songs.models import SongVote

        SongVote.objects.create(wedding=wedding, song=song, guest=voter)
    assert published[-1]["households"] == {"song": [voter.household_id]}

    region = Region(name="r", audience=Audience.HOUSEHOLD, topics=frozenset({"song", "wedding"}),
                    template="", context=dict, own_topics=frozenset({"song"}))
    message = published[-1]
    assert region.wants({"song"}, message, voter.household_id)
    assert not region.wants({"song"}, message, voter.household_id + 1)
    assert region.wants({"song", "wedding"}, message, voter.household_id + 1)  # not an own topic
    assert region.wants({"song"}, {**message, "households": {}}, 999)  # unknown: maybe ours

    with django_capture_on_commit_callbacks(execute=True):  # a bulk write: households unknown
        with capture.bulk_change(wedding_id=wedding.pk, topic="song", action="update",
                                 model="songs.songrequest", summary="x") as ids:
            ids.append(song.pk)
    assert published[-1]["households"] == {}


def test_the_version_and_the_log_are_written_as_the_transaction_ends(wedding, django_capture_on_commit_callbacks, published):
    """Inside the transaction the change waits: the wedding's row is neither bumped (nor so locked)
    nor its log row written until the end, where both are, with the message's version."""
    household = factories.HouseholdFactory(wedding=wedding)
    before, logged = version_of(wedding), Change.objects.count()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        factories.GuestFactory(household=household, first_name="Ana")
        assert version_of(wedding) == before and Change.objects.count() == logged
        factories.GuestFactory(household=household, first_name="Bo")
    assert version_of(wedding) == before + 1
    assert Change.objects.filter(wedding=wedding, version=before + 1).count() == 2
    assert [m["version"] for m in published] == [before + 1]


def test_a_rolled_back_savepoint_drops_its_rows_and_keeps_the_rest(wedding, django_capture_on_commit_callbacks, published):
    household = factories.HouseholdFactory(wedding=wedding)
    before = version_of(wedding)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        kept = factories.GuestFactory(household=household, first_name="Kept")
        with pytest.raises(RuntimeError), transaction.atomic():
            factories.GuestFactory(household=household, first_name="Gone")
            raise RuntimeError
        also = factories.GuestFactory(household=household, first_name="Also")
    assert version_of(wedding) == before + 1
    logged = Change.objects.filter(wedding=wedding, version=before + 1).values_list("object_id", flat=True)
    assert sorted(logged) == sorted([str(kept.pk), str(also.pk)])


def test_a_transaction_whose_every_change_was_rolled_back_publishes_nothing(
    wedding, django_capture_on_commit_callbacks, published
):
    household = factories.HouseholdFactory(wedding=wedding)
    before, logged = version_of(wedding), Change.objects.count()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            factories.GuestFactory(household=household)
            raise RuntimeError
        household.refresh_from_db()  # the transaction goes on, and ends, with nothing changed
    assert published == [] and version_of(wedding) == before and Change.objects.count() == logged


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_transactions_changing_two_weddings_in_opposite_orders_both_commit(published):
    """Each wedding's row is locked at the commit, in id order: two planners' transactions that
    touch the same two weddings the other way round never wait on each other in a circle (they
    deadlocked when each change locked its wedding as it was made)."""
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")
    weddings = [factories.WeddingFactory(), factories.WeddingFactory()]
    households = [factories.HouseholdFactory(wedding=w) for w in weddings]
    halfway = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(order: list[int]) -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '5s'")
                factories.GuestFactory(household=households[order[0]])
                halfway.wait(timeout=10)
                factories.GuestFactory(household=households[order[1]])
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(order,)) for order in ([0, 1], [1, 0])]
    del published[:]  # the weddings' and households' own creation
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    for wedding in weddings:
        versions = [m["version"] for m in published if m["wedding"] == wedding.pk]
        assert len(versions) == 2 and len(set(versions)) == 2


def test_the_change_log_gives_back_the_messages_that_were_published(
    wedding, event, django_capture_on_commit_callbacks, published
):
    """A hub that missed a version reads its message from the log (`Hub._fill`): the same
    topics and households as published, and a bulk write's side topics."""
    from realtime.changelog import changed_topics, logged_messages
    from wedding.songs.models import SongVote

    voter = factories.GuestFactory(household__wedding=wedding)
    song = factories.SongRequestFactory(wedding=wedding, requested_by=None)
    since = version_of(wedding)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        SongVote.objects.create(wedding=wedding, song=song, guest=voter)  # the voter's household's own row
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        factories.ResponseFactory(guest=voter, event=event)
        factories.GuestFactory(household=voter.household, first_name="Plus")
    with django_capture_on_commit_callbacks(execute=True):
        with capture.bulk_change(
            wedding_id=wedding.pk, topic="guest", action="delete", model="guests.guest",
            summary="Removed 1 guest", also_topics=("rsvp", "seating"),
        ) as ids:
            ids.append(voter.pk)
            voter.delete()
    until = version_of(wedding)
    assert until == since + 3

    rebuilt = logged_messages(wedding.pk, since, until)

    assert [m["version"] for m in rebuilt] == [m["version"] for m in published[-3:]]
    for before, after in zip(published[-3:], rebuilt, strict=True):
        assert after["topics"] == before["topics"]
        assert after["households"] == before["households"]
    assert rebuilt[0]["households"] == {"song": [voter.household_id]}
    assert rebuilt[2]["topics"] == ["guest", "rsvp", "seating"]
    # A reconnecting page is told the side topics too (it re-renders the seating chart).
    assert changed_topics(wedding.pk, since + 2, until) == {"guest", "rsvp", "seating"}
    assert logged_messages(wedding.pk, since, until + 1) is None  # not committed: the log cannot tell
    Change.objects.filter(wedding=wedding, version=since + 2).delete()  # pruned
    assert logged_messages(wedding.pk, since, until) is None
    assert changed_topics(wedding.pk, since, until) is None
