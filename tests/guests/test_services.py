from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guests import services
from guests.models import Guest, GuestRequest, Household, Tag
from realtime import publish
from realtime.models import Change
from rsvp.models import Invitation, Response
from seating.models import Seat
from tests import factories
from wedding.core.models import Wedding
from wedding.songs.models import SongVote


@pytest.fixture
def ruiz(household):
    household.email = "ruiz@example.org"
    household.phone = "+34 611 22 33 44"
    household.save()
    return {
        "jose": factories.GuestFactory(household=household, first_name="José", last_name="Ruiz García"),
        "liz": factories.GuestFactory(household=household, first_name="Elizabeth", last_name="Ruiz", email="liz@example.org"),
    }


def test_code_lookup_ignores_case_spaces_and_dashes(household):
    code = household.invitation_code
    typed = f" {code[:5].lower()}-{code[5:]} "
    assert services.household_for_code(code=typed) == household
    assert services.household_for_code(code="NOPE-NOPE") is None
    assert services.household_for_code(code="") is None


@pytest.mark.parametrize(
    "first, last, answer",
    [
        ("jose", "ruiz garcia", "ruiz@example.org"),
        ("JOSÉ", "García", "611 22 33 44"),
        ("Pepe", "Ruiz", "+34611223344"),
        ("Liz", "ruíz", "LIZ@example.org"),
        ("beth", "Ruiz", "(+34) 611-22-33-44"),
    ],
)
def test_name_lookup_is_tolerant(ruiz, household, first, last, answer):
    assert services.household_lookup(first_name=first, last_name=last, answer=answer) == household


@pytest.mark.parametrize(
    "first, last, answer",
    [
        ("José", "Ruiz", "wrong@example.org"),  # right name, wrong answer
        ("José", "Ruiz", "The Ruiz family"),  # the household's name is read off the directory
        ("José", "Ruiz", "2233"),  # too few digits to be a phone
        ("Pedro", "Ruiz", "ruiz@example.org"),  # wrong name, right answer
        ("José", "Ruiz", ""),
        ("", "", "ruiz@example.org"),
    ],
)
def test_name_lookup_needs_both_name_and_second_answer(ruiz, first, last, answer):
    assert services.household_lookup(first_name=first, last_name=last, answer=answer) is None


def test_same_name_guests_are_told_apart_by_the_second_answer(ruiz, household, wedding):
    other = factories.HouseholdFactory(wedding=wedding, name="The other Ruiz", email="other@example.org")
    factories.GuestFactory(household=other, first_name="Jose", last_name="Ruiz")
    assert services.household_lookup(first_name="jose", last_name="ruiz", answer="other@example.org") == other
    assert services.household_lookup(first_name="jose", last_name="ruiz", answer="ruiz@example.org") == household


def test_directory_opt_in(ruiz, household, wedding):
    assert services.directory_opt_in_set(household=household, guest_ids=[ruiz["liz"].pk]) == 1
    ruiz["liz"].refresh_from_db()
    assert ruiz["liz"].directory_opt_in
    stranger = factories.GuestFactory(wedding=wedding)
    with pytest.raises(ValidationError):
        services.directory_opt_in_set(household=household, guest_ids=[stranger.pk])
    ruiz["liz"].refresh_from_db()
    assert ruiz["liz"].directory_opt_in


def test_guest_request_create(household, ruiz):
    request = services.guest_request_create(
        household=household, kind="accessibility", message=" Wheelchair access please ", guest=ruiz["jose"]
    )
    assert (request.status, request.message, request.wedding_id) == ("open", "Wheelchair access please", household.wedding_id)
    assert Change.objects.filter(topic="request").exists()


@pytest.mark.parametrize("kind, message", [("bogus", "hi"), ("other", "   "), ("other", "x" * 2001)])
def test_guest_request_create_refuses_bad_input(household, kind, message):
    with pytest.raises(ValidationError):
        services.guest_request_create(household=household, kind=kind, message=message)
    assert not GuestRequest.objects.exists()


def test_guest_request_for_another_households_guest_is_refused(household, wedding):
    stranger = factories.GuestFactory(wedding=wedding)
    with pytest.raises(ValidationError):
        services.guest_request_create(household=household, kind="other", message="hi", guest=stranger)
    assert not GuestRequest.objects.exists()


def test_guest_request_resolve(household, planner):
    request = services.guest_request_create(household=household, kind="plus_one", message="May I bring Marta?")
    services.guest_request_resolve(request=request, status="approved", reply="Of course!", user=planner)
    assert (request.status, request.reply, request.resolved_by) == ("approved", "Of course!", planner)
    assert Change.objects.filter(topic="request").latest("pk").actor_user == planner
    with pytest.raises(ValidationError):
        services.guest_request_resolve(request=request, status="maybe", reply="", user=planner)
    outsider = factories.UserFactory(username="outsider")
    with pytest.raises(PermissionDenied):
        services.guest_request_resolve(request=request, status="declined", reply="no", user=outsider)
    request.refresh_from_db()
    assert request.status == "approved"


# --- a planner's bulk edits: tag and delete ------------------------------------------------


@pytest.fixture
def published(monkeypatch):
    """Every message published after commit, in order."""
    messages: list[dict] = []
    monkeypatch.setattr(publish, "publish", messages.append)
    return messages


def version_of(wedding) -> int:
    return Wedding.objects.values_list("version", flat=True).get(pk=wedding.pk)


def bulk_write(func, django_capture_on_commit_callbacks, **kwargs):
    """Call a service as a request would: its own transaction, callbacks run after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return func(**kwargs)


def test_tagging_is_one_version_one_change_and_one_message(
    wedding, household, planner, django_capture_on_commit_callbacks, published
):
    guests = factories.GuestFactory.create_batch(3, household=household)
    factories.TagFactory(wedding=wedding, name="Family").guests.add(guests[0])
    before, changes = version_of(wedding), Change.objects.count()

    tagged = bulk_write(
        services.guests_tag, django_capture_on_commit_callbacks,
        wedding=wedding, guests=guests, name=" family ", user=planner,
    )

    assert tagged == 2  # the first guest had the tag already (names match ignoring case)
    assert Tag.objects.filter(wedding=wedding).count() == 1
    assert Guest.objects.filter(tags__name="Family").count() == 3
    assert version_of(wedding) == before + 1
    assert Change.objects.count() == changes + 1
    change = Change.objects.latest("pk")
    assert (change.topic, change.action, change.count, change.actor_user) == ("guest", "update", 2, planner)
    assert published == [{
        "wedding": wedding.pk, "version": before + 1, "topics": ["guest"],
        "ids": {"guest": sorted(str(g.pk) for g in guests[1:])}, "households": {},
    }]


def test_tagging_guests_who_all_have_the_tag_announces_nothing(
    wedding, household, django_capture_on_commit_callbacks, published
):
    guests = factories.GuestFactory.create_batch(2, household=household)
    factories.TagFactory(wedding=wedding, name="vip").guests.add(*guests)
    before = version_of(wedding)
    assert bulk_write(
        services.guests_tag, django_capture_on_commit_callbacks, wedding=wedding, guests=guests, name="VIP"
    ) == 0
    assert version_of(wedding) == before and published == []


def test_a_tag_created_by_another_planner_meanwhile_is_used_not_an_error(
    wedding, household, monkeypatch, django_capture_on_commit_callbacks, published
):
    """Two planners tagging with the same new name at once: the loser's insert hits the
    unique constraint; it must take the winner's tag instead of failing."""
    guests = factories.GuestFactory.create_batch(2, household=household)
    theirs = factories.TagFactory(wedding=wedding, name="Choir")
    monkeypatch.setattr(services, "_tag_named", lambda wedding, name: None)  # looked before they committed
    before = version_of(wedding)

    assert bulk_write(
        services.guests_tag, django_capture_on_commit_callbacks, wedding=wedding, guests=guests, name="Choir"
    ) == 2

    assert list(Tag.objects.filter(wedding=wedding)) == [theirs]
    assert set(theirs.guests.values_list("pk", flat=True)) == {g.pk for g in guests}
    assert version_of(wedding) == before + 1 and len(published) == 1


def test_deleting_is_one_change_that_announces_what_went_with_the_guests(
    wedding, event, household, planner, django_capture_on_commit_callbacks, published
):
    guests = factories.GuestFactory.create_batch(2, household=household)
    kept = factories.GuestFactory(household=household)
    for guest in guests:
        factories.InvitationFactory(guest=guest, event=event)
        factories.ResponseFactory(guest=guest, event=event)
    factories.SeatFactory(table=factories.TableFactory(event=event), guest=guests[0])
    SongVote.objects.create(wedding=wedding, song=factories.SongRequestFactory(wedding=wedding), guest=guests[1])
    request = factories.GuestRequestFactory(household=household, guest=guests[0])
    before, changes = version_of(wedding), Change.objects.count()

    deleted = bulk_write(
        services.guests_delete, django_capture_on_commit_callbacks, wedding=wedding, guests=guests, user=planner
    )

    assert deleted == 2
    assert list(Guest.objects.all()) == [kept]
    assert not (Invitation.objects.exists() or Response.objects.exists() or Seat.objects.exists()
                or SongVote.objects.exists())
    request.refresh_from_db()
    assert request.guest is None
    assert version_of(wedding) == before + 1
    assert Change.objects.count() == changes + 1
    change = Change.objects.latest("pk")
    assert (change.action, change.count, change.summary) == ("delete", 2, "Removed 2 guests")
    assert published == [{
        "wedding": wedding.pk, "version": before + 1,
        "topics": ["guest", "request", "rsvp", "seating", "song"],
        "ids": {"guest": sorted(str(g.pk) for g in guests), "request": None, "rsvp": None,
                "seating": None, "song": None},
        "households": {},
    }]


def test_deleting_one_guest_names_them_in_the_activity_feed(wedding, household):
    guest = factories.GuestFactory(household=household, first_name="Lucía", last_name="Ruiz")
    assert services.guests_delete(wedding=wedding, guests=[guest]) == 1
    assert Change.objects.latest("pk").summary == "Removed guest “Lucía Ruiz” (The Ruiz family)"


@pytest.mark.parametrize("write", [
    lambda wedding, guests: services.guests_tag(wedding=wedding, guests=guests, name="family"),
    lambda wedding, guests: services.guests_delete(wedding=wedding, guests=guests),
], ids=["tag", "delete"])
def test_a_guest_of_another_wedding_refuses_the_whole_selection(
    wedding, other_wedding, household, write, django_capture_on_commit_callbacks, published
):
    own = factories.GuestFactory(household=household)
    stranger = factories.GuestFactory(household__wedding=other_wedding, first_name="Zoe", last_name="Other")
    versions = version_of(wedding), version_of(other_wedding)
    changes = Change.objects.count()

    with pytest.raises(ValidationError) as refused, django_capture_on_commit_callbacks(execute=True):
        write(wedding, [own, stranger])

    assert refused.value.messages == ["Zoe Other is a guest of another wedding."]
    assert set(Guest.objects.all()) == {own, stranger}
    assert not Tag.objects.exists() and not own.tags.exists()
    assert (version_of(wedding), version_of(other_wedding)) == versions
    assert Change.objects.count() == changes and published == []


@pytest.mark.parametrize("write, message", [
    (lambda wedding: services.guests_tag(wedding=wedding, guests=[], name="family"),
     "Select at least one guest to tag."),
    (lambda wedding: services.guests_delete(wedding=wedding, guests=Guest.objects.none()),
     "Select at least one guest to delete."),
    (lambda wedding: services.households_delete(wedding=wedding, households=[]),
     "Select at least one household to delete."),
    (lambda wedding: services.guests_tag(wedding=wedding, guests=Guest.objects.all(), name="   "),
     "Give a tag name (up to 60 characters)."),
    (lambda wedding: services.guests_tag(wedding=wedding, guests=Guest.objects.all(), name="x" * 61),
     "Give a tag name (up to 60 characters)."),
], ids=["tag-nobody", "delete-nobody", "delete-no-household", "tag-no-name", "tag-long-name"])
def test_empty_selection_or_missing_tag_name_is_refused_with_a_message(wedding, household, write, message):
    factories.GuestFactory(household=household)
    before, changes = version_of(wedding), Change.objects.count()
    with pytest.raises(ValidationError) as refused:
        write(wedding)
    assert refused.value.messages == [message]
    assert Guest.objects.count() == 1 and not Tag.objects.exists()
    assert version_of(wedding) == before and Change.objects.count() == changes


def test_only_the_weddings_planners_may_tag_or_delete(wedding, household):
    guest = factories.GuestFactory(household=household)
    outsider = factories.UserFactory(username="outsider")
    with pytest.raises(PermissionDenied):
        services.guests_tag(wedding=wedding, guests=[guest], name="family", user=outsider)
    with pytest.raises(PermissionDenied):
        services.guests_delete(wedding=wedding, guests=[guest], user=outsider)
    with pytest.raises(PermissionDenied):
        services.households_delete(wedding=wedding, households=[household], user=outsider)
    assert Guest.objects.filter(pk=guest.pk).exists() and not Tag.objects.exists()


def test_a_guest_deleted_meanwhile_is_left_out(wedding, household):
    """Two planners deleting the same duplicate: the second one is not an error."""
    guests = factories.GuestFactory.create_batch(2, household=household)
    Guest.objects.filter(pk=guests[0].pk).delete()
    assert services.guests_delete(wedding=wedding, guests=guests) == 1
    assert services.guests_delete(wedding=wedding, guests=guests) == 0
    assert not Guest.objects.exists()


# --- a planner deletes households ------------------------------------------------------


def test_deleting_households_is_one_change_that_announces_what_went_with_them(
    wedding, event, household, planner, django_capture_on_commit_callbacks, published
):
    second = factories.HouseholdFactory(wedding=wedding, name="The Bianchi family")
    kept = factories.GuestFactory(household__wedding=wedding)
    gone = [factories.GuestFactory(household=household), factories.GuestFactory(household=second)]
    for guest in gone:
        factories.InvitationFactory(guest=guest, event=event)
        factories.ResponseFactory(guest=guest, event=event)
    factories.SeatFactory(table=factories.TableFactory(event=event), guest=gone[0])
    SongVote.objects.create(wedding=wedding, song=factories.SongRequestFactory(wedding=wedding), guest=gone[1])
    factories.GuestRequestFactory(household=household, guest=gone[0])
    before, changes = version_of(wedding), Change.objects.count()

    deleted = bulk_write(
        services.households_delete, django_capture_on_commit_callbacks,
        wedding=wedding, households=[household, second], user=planner,
    )

    assert deleted == 2
    assert list(Household.objects.all()) == [kept.household] and list(Guest.objects.all()) == [kept]
    assert not (Invitation.objects.exists() or Response.objects.exists() or Seat.objects.exists()
                or SongVote.objects.exists() or GuestRequest.objects.exists())
    assert version_of(wedding) == before + 1
    assert Change.objects.count() == changes + 1
    change = Change.objects.latest("pk")
    assert (change.model, change.action, change.count, change.summary, change.actor_user) == (
        "guests.household", "delete", 2, "Removed 2 households", planner
    )
    assert published == [{
        "wedding": wedding.pk, "version": before + 1,
        "topics": ["guest", "request", "rsvp", "seating", "song"],
        "ids": {"guest": sorted(str(h.pk) for h in (household, second)), "request": None, "rsvp": None,
                "seating": None, "song": None},
        "households": {},
    }]


def test_deleting_one_household_names_it_in_the_activity_feed(wedding, household):
    factories.GuestFactory(household=household)
    assert services.households_delete(wedding=wedding, households=[household]) == 1
    assert Change.objects.latest("pk").summary == "Removed household “The Ruiz family”"


def test_a_household_of_another_wedding_refuses_the_whole_selection(
    wedding, other_wedding, household, django_capture_on_commit_callbacks, published
):
    stranger = factories.HouseholdFactory(wedding=other_wedding, name="The Other family")
    versions = version_of(wedding), version_of(other_wedding)
    changes = Change.objects.count()

    with pytest.raises(ValidationError) as refused, django_capture_on_commit_callbacks(execute=True):
        services.households_delete(wedding=wedding, households=[household, stranger])

    assert refused.value.messages == ["The Other family is a household of another wedding."]
    assert set(Household.objects.all()) == {household, stranger}
    assert (version_of(wedding), version_of(other_wedding)) == versions
    assert Change.objects.count() == changes and published == []


def test_a_household_deleted_meanwhile_is_left_out(wedding, household):
    second = factories.HouseholdFactory(wedding=wedding, name="The Bianchi family")
    Household.objects.filter(pk=household.pk).delete()
    before = Change.objects.count()
    assert services.households_delete(wedding=wedding, households=[household, second]) == 1
    assert services.households_delete(wedding=wedding, households=[household, second]) == 0
    assert not Household.objects.exists() and Change.objects.count() == before + 1
