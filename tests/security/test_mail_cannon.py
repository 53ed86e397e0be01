"""Issue #13 item 2: "email me a copy" is not a way to mail anyone anything."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests import factories

SPAM = "Cheap watches at http://spam.example " * 50


pytestmark = pytest.mark.usefixtures("fresh_throttles")  # counters and tokens live in the cache


@pytest.fixture
def household(wedding, event):
    household = factories.HouseholdFactory(wedding=wedding, email="home@example.org")
    guest = factories.GuestFactory(household=household, first_name="Ana", email="ana@example.org")
    factories.InvitationFactory(guest=guest, event=event)
    household.ana = guest
    return household


@pytest.fixture
def guest_client(client, household):
    client.get(f"/i/{household.invitation_code}/")
    return client


def rsvp(client, household, event, **extra):
    data = {f"g{household.ana.pk}_e{event.pk}_status": "declined", "note": SPAM, "send_copy": "on", **extra}
    return client.post("/rsvp/", data)


def test_a_copy_goes_to_an_address_on_file(guest_client, household, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert rsvp(guest_client, household, event, email="ANA@example.org").status_code == 302
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]


def test_an_outside_address_gets_only_a_confirmation_without_guest_text(
    guest_client, household, event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert rsvp(guest_client, household, event, email="victim@outside.example").status_code == 302
    assert len(mail.outbox) == 1
    confirm = mail.outbox[0]
    assert confirm.to == ["victim@outside.example"]
    assert "spam.example" not in confirm.body and "Cheap watches" not in confirm.body + confirm.subject
    assert "Declined" not in confirm.body  # no answers before the address is confirmed
    # Once the owner of the address confirms, the copy follows — still without the free-text note.
    link = re.search(r"https?://[^/\s]+(/rsvp/copy/[\w-]+/)", confirm.body).group(1)
    assert guest_client.get(link).status_code == 200
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["victim@outside.example"]
    assert "Declined" in mail.outbox[1].body and "Cheap watches" not in mail.outbox[1].body
    assert guest_client.get(link).status_code == 404  # single use
    assert len(mail.outbox) == 2


def test_copies_are_throttled_per_household_and_per_address(
    guest_client, household, event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(10):
            rsvp(guest_client, household, event, email=f"target{n}@outside.example")
        for _ in range(10):
            rsvp(guest_client, household, event, email="ana@example.org")
    assert len(mail.outbox) <= 5
    other = factories.HouseholdFactory(wedding=household.wedding)
    guest = factories.GuestFactory(household=other)
    factories.InvitationFactory(guest=guest, event=event)
    other.ana = guest
    guest_client.get(f"/i/{other.invitation_code}/")
    before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):
            rsvp(guest_client, other, event, email="target0@outside.example")
    assert len(mail.outbox) - before <= 3


def test_the_household_is_told_what_happened(guest_client, household, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = guest_client.get(rsvp(guest_client, household, event, email="new@outside.example")["Location"])
    assert "confirm" in page.content.decode()
