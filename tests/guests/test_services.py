from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guests import services
from guests.models import GuestRequest
from realtime.models import Change
from tests import factories


@pytest.fixture
def ruiz(household):
    household.email = "ruiz@example.org"
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
        ("JOSÉ", "García", "The Ruiz family"),
        ("Pepe", "Ruiz", "ruiz"),
        ("Liz", "ruíz", "LIZ@example.org"),
        ("beth", "Ruiz", "ruiz family"),
    ],
)
def test_name_lookup_is_tolerant(ruiz, household, first, last, answer):
    assert services.household_lookup(first_name=first, last_name=last, answer=answer) == household


@pytest.mark.parametrize(
    "first, last, answer",
    [
        ("José", "Ruiz", "wrong@example.org"),  # right name, wrong answer
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
