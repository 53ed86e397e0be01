from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from guests.models import Guest, GuestRequest
from rsvp.models import Response
from tests import factories


@pytest.fixture
def party(wedding, event, household):
    brunch = factories.EventFactory(wedding=wedding, name="Brunch", is_private=True)
    gala = factories.EventFactory(wedding=wedding, name="Gala")  # nobody of the household is invited
    p = {
        "event": event, "brunch": brunch, "gala": gala,
        "fish": factories.MealOptionFactory(event=event, name="Fish"),
        "beef": factories.MealOptionFactory(event=event, name="Beef"),
        "eggs": factories.MealOptionFactory(event=brunch, name="Eggs"),
        "ana": factories.GuestFactory(household=household, first_name="Ana"),
        "luis": factories.GuestFactory(household=household, first_name="Luis"),
    }
    for guest in (p["ana"], p["luis"]):
        factories.InvitationFactory(guest=guest, event=event)
    factories.InvitationFactory(guest=p["ana"], event=brunch)
    return p


@pytest.fixture
def guest_client(client, household):
    client.get(f"/i/{household.invitation_code}/")
    return client


def key(guest, event, what="status"):
    return f"g{guest.pk}_e{event.pk}_{what}"


def valid_post(p, **extra):
    data = {
        key(p["ana"], p["event"]): "attending", key(p["ana"], p["event"], "meal"): p["fish"].pk,
        key(p["luis"], p["event"]): "declined",
        key(p["ana"], p["brunch"]): "attending", key(p["ana"], p["brunch"], "meal"): p["eggs"].pk,
        f"g{p['ana'].pk}_dietary": "No nuts", f"g{p['luis'].pk}_dietary": "",
        "note": "See you there!",
    }
    data.update(extra)
    return data


def answers():
    return sorted(Response.objects.values_list("guest__first_name", "event__name", "status", "meal__name"))


def test_form_offers_each_invited_guest_and_event_with_that_events_meals(guest_client, party):
    html = guest_client.get("/rsvp/").content.decode()
    assert f'name="{key(party["ana"], party["brunch"])}"' in html
    assert f'name="{key(party["luis"], party["brunch"])}"' not in html  # Luis is not invited to the brunch
    assert "Gala" not in html
    assert f'for="id_{key(party["ana"], party["event"], "meal")}"' in html
    brunch_meal = html.split(f'name="{key(party["ana"], party["brunch"], "meal")}"')[1].split("</select>")[0]
    assert "Eggs" in brunch_meal and "Fish" not in brunch_meal


def test_submit_then_confirmation_page(guest_client, party, household):
    response = guest_client.post("/rsvp/", valid_post(party))
    assert response.status_code == 302 and response["Location"] == "/rsvp/done/"
    assert answers() == [
        ("Ana", "Brunch", "attending", "Eggs"),
        ("Ana", "Reception", "attending", "Fish"),
        ("Luis", "Reception", "declined", None),
    ]
    household.refresh_from_db()
    assert household.message_to_couple == "See you there!"
    done = guest_client.get("/rsvp/done/").content.decode()
    assert "Thank you" in done and "Fish" in done and "Not attending" in done and "See you there!" in done
    # The form shows the saved answers when opened again.
    again = guest_client.get("/rsvp/").content.decode()
    assert "No nuts" in again and f'value="{party["fish"].pk}" selected' in again


def test_attending_without_a_meal_asks_for_one(guest_client, party):
    data = valid_post(party)
    del data[key(party["ana"], party["event"], "meal")]
    response = guest_client.post("/rsvp/", data)
    assert response.status_code == 400
    assert "Please choose a meal" in response.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize("tamper", ["other_guest", "other_meal", "uninvited_event"])
def test_tampered_fields_are_refused_and_change_nothing(guest_client, party, wedding, tamper):
    stranger = factories.GuestFactory(wedding=wedding, first_name="Stranger")
    factories.InvitationFactory(guest=stranger, event=party["event"])
    extra = {
        "other_guest": {key(stranger, party["event"]): "declined"},
        "other_meal": {key(party["ana"], party["event"], "meal"): party["eggs"].pk},
        "uninvited_event": {key(party["luis"], party["gala"]): "attending"},
    }[tamper]
    response = guest_client.post("/rsvp/", valid_post(party, **extra))
    assert response.status_code == 400
    html = response.content.decode()
    message = {
        "other_guest": "only answer for the guests of your own invitation",
        "other_meal": "not on the menu of this event",
        "uninvited_event": "not invited to that event",
    }[tamper]
    assert message in html
    assert not Response.objects.exists()
    assert Guest.objects.get(pk=party["ana"].pk).dietary_notes == ""


def test_double_submission_gives_one_response_each(guest_client, party):
    guest_client.post("/rsvp/", valid_post(party))
    second = guest_client.post("/rsvp/", valid_post(party))
    assert second.status_code == 302
    assert Response.objects.count() == 3


def test_plus_one_named_in_the_form(guest_client, party, household):
    household.plus_ones_allowed = 1
    household.save()
    html = guest_client.get("/rsvp/").content.decode()
    assert 'id="plus-one-1"' in html
    data = valid_post(party, p1_first="Marta", p1_last="Gil", **{
        f"p1_e{party['event'].pk}_status": "attending", f"p1_e{party['event'].pk}_meal": party["beef"].pk,
    })
    assert guest_client.post("/rsvp/", data).status_code == 302
    marta = Guest.objects.get(first_name="Marta", is_plus_one=True, household=household)
    assert Response.objects.get(guest=marta).meal == party["beef"]
    # Once named, the plus-one is a guest of the form; no empty slot is left.
    html = guest_client.get("/rsvp/").content.decode()
    assert 'id="plus-one-1"' not in html and f'id="guest-{marta.pk}"' in html


def test_unnamed_plus_one_with_answers_is_refused(guest_client, party, household):
    household.plus_ones_allowed = 1
    household.save()
    data = valid_post(party, **{f"p1_e{party['event'].pk}_status": "declined"})
    response = guest_client.post("/rsvp/", data)
    assert response.status_code == 400 and "plus-one 1&#x27;s name" in response.content.decode()
    assert not Response.objects.exists()


def test_confirmation_email_on_request(guest_client, party, django_capture_on_commit_callbacks):
    party["ana"].email = "ana@example.org"  # copies go to addresses on file (tests/security/test_mail_cannon.py)
    party["ana"].save()
    with django_capture_on_commit_callbacks(execute=True):
        guest_client.post("/rsvp/", valid_post(party, send_copy="on", email="ana@example.org"))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ana@example.org"]
    assert "Fish" in mail.outbox[0].body


def test_after_the_deadline_the_rsvp_is_read_only(guest_client, party, wedding, household):
    factories.ResponseFactory(guest=party["ana"], event=party["event"], status="attending", meal=party["fish"])
    wedding.rsvp_deadline = timezone.now() - datetime.timedelta(hours=1)
    wedding.save()
    page = guest_client.get("/rsvp/").content.decode()
    assert 'id="rsvp-closed"' in page and 'id="rsvp-form"' not in page and "Fish" in page
    refused = guest_client.post("/rsvp/", valid_post(party))
    assert refused.status_code == 403
    assert answers() == [("Ana", "Reception", "attending", "Fish")]
    # ...but a change can be requested.
    response = guest_client.post("/rsvp/change/", {"message": "Luis can come after all"})
    assert response.status_code == 302
    request = GuestRequest.objects.get(household=household)
    assert (request.kind, request.message) == ("change", "Luis can come after all")
