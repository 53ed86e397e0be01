"""Greetings name people, not households: “Hello, Ana and Ben”, wherever a household is greeted."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from guests import services as guest_services
from guests.models import people_list
from rsvp import services as rsvp_services
from tests import factories
from wedding.messaging.rendering import household_context


@pytest.mark.parametrize("names, expected", [
    (["Ana"], "Ana"),
    (["Ana", "Ben"], "Ana and Ben"),
    (["Ana", "Ben", "Carla"], "Ana, Ben and Carla"),
])
def test_people_list_reads_like_a_sentence(names, expected):
    assert people_list(names) == expected


def test_people_list_translates_its_and():
    with translation.override("es"):
        assert people_list(["Ana", "Ben"]) == "Ana y Ben"


def greeting(household) -> str:
    household.refresh_from_db()
    return household.greeting_name


def test_the_greeting_names_the_people_plus_ones_last(household):
    ana = factories.GuestFactory(household=household, first_name="Ana")
    assert greeting(household) == "Ana"
    factories.GuestFactory(household=household, first_name="Marta", is_plus_one=True)
    factories.GuestFactory(household=household, first_name="Ben")
    assert greeting(household) == "Ana, Ben and Marta"
    ana.delete()
    assert greeting(household) == "Ben and Marta"


@pytest.mark.parametrize("placeholder", ["Guest", "plus one", "+1", "TBD", " "])
def test_unnamed_plus_ones_are_left_out(household, placeholder):
    factories.GuestFactory(household=household, first_name="Ana")
    factories.GuestFactory(household=household, first_name=placeholder, last_name="", is_plus_one=True)
    assert greeting(household) == "Ana"


def test_the_same_first_name_twice_is_told_apart_by_full_names(household):
    factories.GuestFactory(household=household, first_name="Ana", last_name="Ruiz")
    factories.GuestFactory(household=household, first_name="Ana", last_name="Soto")
    factories.GuestFactory(household=household, first_name="Ben", last_name="Ruiz")
    assert greeting(household) == "Ana Ruiz, Ana Soto and Ben"


def test_a_household_whose_name_and_people_disagree_still_reads_naturally(wedding):
    bianchi = factories.HouseholdFactory(wedding=wedding, name="The Bianchi household")
    factories.GuestFactory(household=bianchi, first_name="Lucía", last_name="Ruiz")
    factories.GuestFactory(household=bianchi, first_name="Tom", last_name="Walker")
    assert greeting(bianchi) == "Lucía and Tom"


def test_nobody_to_name_falls_back_to_the_households_name(household):
    assert greeting(household) == "The Ruiz family"
    factories.GuestFactory(household=household, first_name="Guest", is_plus_one=True)
    assert greeting(household) == "The Ruiz family"


# --- where greetings are used ----------------------------------------------------------------


@pytest.fixture
def ana_and_ben(household, event):
    household.email = "ruiz@example.org"
    household.save()
    for name in ("Ana", "Ben"):
        guest = factories.GuestFactory(household=household, first_name=name, last_name="Ruiz")
        factories.InvitationFactory(guest=guest, event=event)
    factories.GuestFactory(household=household, first_name="Guest", last_name="", is_plus_one=True)
    return household


def test_the_guest_home_page_greets_the_people(client, ana_and_ben):
    client.get(f"/i/{ana_and_ben.invitation_code}/")
    page = client.get("/home/").content.decode()
    assert "Hello, Ana and Ben" in page and "Hello, The Ruiz family" not in page


def test_the_sign_in_email_greets_the_people(ana_and_ben):
    sent = guest_services.signin_link_send(first_name="Ana", last_name="Ruiz", link_for=lambda token: f"/t/{token}")
    assert sent == 1
    assert mail.outbox[-1].body.startswith("Hello, Ana and Ben,")


def test_the_rsvp_confirmation_greets_the_people(ana_and_ben):
    assert rsvp_services.rsvp_confirmation_send(household=ana_and_ben, to="ruiz@example.org")
    assert mail.outbox[-1].body.startswith("Thank you, Ana and Ben!")


def test_invitations_and_reminders_greet_the_people(wedding, ana_and_ben):
    from guests.models import Household
    from wedding.messaging.segments import households_for_rendering

    household = households_for_rendering(Household.objects.filter(pk=ana_and_ben.pk)).get()
    assert household_context(household, wedding=wedding)["greeting"] == "Dear Ana and Ben"
