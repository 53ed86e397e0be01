"""Issue #13 item 1: the name look-up cannot be answered from the guest directory."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache

from guests.session import SESSION_KEY
from tests import factories

pytestmark = pytest.mark.usefixtures("fresh_throttles")  # counters and tokens live in the cache


@pytest.fixture
def smith(wedding):
    household = factories.HouseholdFactory(
        wedding=wedding, name="The Smith household", email="smiths@example.org", phone="+34 600 11 22 33"
    )
    factories.GuestFactory(household=household, first_name="Anna", last_name="Smith", email="anna@example.org")
    return household


def entered(client, household) -> bool:
    data = client.session.get(SESSION_KEY)
    return bool(data) and data["id"] == household.pk


@pytest.mark.parametrize("answer", ["Smith", "The Smith household", "the smith family", "smith household"])
def test_a_directory_reader_cannot_answer_the_second_question(client, smith, answer):
    client.post("/find/", {"first_name": "Anna", "last_name": "Smith", "answer": answer})
    assert not entered(client, smith)


@pytest.mark.parametrize("answer", ["SMITHS@example.org ", "anna@example.org", "600112233", "+34 600-11-22-33"])
def test_the_email_or_phone_on_file_answers_it(client, smith, answer):
    response = client.post("/find/", {"first_name": "anna", "last_name": "smith", "answer": answer})
    assert response.status_code == 302
    assert entered(client, smith)


def _link_from(message) -> str:
    return re.search(r"https?://[^/\s]+(/signin/[\w-]+/)", message.body).group(1)


def test_a_guest_who_knows_only_their_name_gets_a_link_at_the_address_on_file(client, smith):
    response = client.post("/find/", {"first_name": "Anna", "last_name": "Smith", "send_link": "1"})
    assert response.status_code == 200 and not entered(client, smith)
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["anna@example.org", "smiths@example.org"]
    link = _link_from(mail.outbox[0])
    assert client.get(link).status_code == 302
    assert entered(client, smith)
    # Single use: a second visit (the mail read again, or a stolen copy) does nothing.
    client.post("/signout/")
    again = client.get(link)
    assert again.status_code == 404 and not entered(client, smith)


def test_the_link_expires(client, smith, settings):
    client.post("/find/", {"first_name": "Anna", "last_name": "Smith", "send_link": "1"})
    link = _link_from(mail.outbox[0])
    cache.clear()  # what the token's timeout does after SIGNIN_LINK_TTL
    assert client.get(link).status_code == 404 and not entered(client, smith)


def test_asking_for_a_link_reveals_nothing(client, smith):
    def page(first, last):
        html = client.post("/find/", {"first_name": first, "last_name": last, "send_link": "1"}).content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
        html = re.sub(r'name="csrf-token"\s+content="[^"]+"', "", html)  # the page's one CSRF source
        return html.replace(first, "X").replace(last, "Y")

    assert page("Anna", "Smith") == page("Zacarías", "Nadie")
    assert len(mail.outbox) == 1  # only the real household got mail


def test_links_are_not_a_mail_cannon(client, smith):
    for _ in range(10):
        client.post("/find/", {"first_name": "Anna", "last_name": "Smith", "send_link": "1"},
                    REMOTE_ADDR=f"10.0.0.{_}")
    assert len(mail.outbox) <= 3


# --- login CSRF by link (issue #13, weak items) -------------------------------------------


def test_a_link_does_not_switch_a_signed_in_visitor_without_asking(client, smith, wedding):
    attacker = factories.HouseholdFactory(wedding=wedding, name="The Mallory household")
    client.get(f"/i/{smith.invitation_code}/")
    # A cross-site page makes the browser GET the attacker's invitation link.
    asked = client.get(f"/i/{attacker.invitation_code}/", HTTP_SEC_FETCH_SITE="cross-site")
    assert asked.status_code == 200
    assert "Switch to The Mallory household" in asked.content.decode()
    assert entered(client, smith)
    # The visitor's own (same-site, CSRF-checked) POST switches.
    assert client.post(f"/i/{attacker.invitation_code}/").status_code == 302
    assert entered(client, attacker)


def test_a_signin_link_asks_too_and_is_not_spent_by_asking(client, smith, wedding):
    other = factories.HouseholdFactory(wedding=wedding, name="The Jones household")
    client.get(f"/i/{other.invitation_code}/")
    client.post("/find/", {"first_name": "Anna", "last_name": "Smith", "send_link": "1"})
    link = _link_from(mail.outbox[0])
    assert "Switch to The Smith household" in client.get(link).content.decode()
    assert entered(client, other)
    assert client.post(link).status_code == 302
    assert entered(client, smith)


# --- session fixation (held before issue #13; kept) ----------------------------------------


@pytest.mark.parametrize("enter", ["code", "link", "answer", "signin"])
def test_entering_a_household_always_starts_a_new_session(client, smith, enter):
    session = client.session  # a session an attacker could have planted in the victim's browser
    session["planted"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted = session.session_key
    assert planted and client.session.get("planted")
    if enter == "code":
        client.post("/", {"code": smith.invitation_code})
    elif enter == "link":
        client.get(f"/i/{smith.invitation_code}/")
    elif enter == "answer":
        client.post("/find/", {"first_name": "Anna", "last_name": "Smith", "answer": "anna@example.org"})
    else:
        client.post("/find/", {"first_name": "Anna", "last_name": "Smith", "send_link": "1"})
        client.get(_link_from(mail.outbox[0]))
    assert entered(client, smith)
    assert client.session.session_key != planted
