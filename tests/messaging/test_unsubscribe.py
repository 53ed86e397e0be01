"""RFC 8058 one-click unsubscribe: the one CSRF-exempt POST, whose only credential is the signed token."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from realtime.models import Change
from tests import factories
from tests.messaging.builders import deliver_all, make_household
from wedding.messaging import services
from wedding.messaging.models import OptOut

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


def one_click(path: str) -> int:
    """What a mail client does: a cookie-less POST of the RFC 8058 body, no CSRF token."""
    client = Client(enforce_csrf_checks=True)
    return client.post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded").status_code


@pytest.fixture
def mailed(smtp, wedding, planner):
    """The Ruiz family's invitation as it arrived; returns (household, the List-Unsubscribe path)."""
    ruiz = make_household(wedding, "The Ruiz family", ("Ana", "ana@ruiz.test"))
    message = factories.MessageFactory(wedding=wedding)
    services.message_send(message=message, user=planner)
    deliver_all(message)
    mail = smtp.handler.to("ana@ruiz.test")[0].message
    assert mail["List-Unsubscribe-Post"] == ONE_CLICK
    found = re.fullmatch(r"<http://testserver(/m/unsubscribe/[^>]+/)>", mail["List-Unsubscribe"])
    assert found
    return ruiz, found.group(1)


def test_a_mail_clients_one_click_post_opts_the_household_out(mailed, smtp, wedding, planner):
    ruiz, path = mailed
    assert one_click(path) == 200
    assert OptOut.objects.filter(household=ruiz).exists()
    assert Change.objects.filter(wedding=wedding, topic="message", model="messaging.optout").exists()
    assert one_click(path) == 200  # a client that retries changes nothing more
    assert OptOut.objects.count() == 1

    reminder = factories.MessageFactory(wedding=wedding, kind="reminder", subject="Please answer")
    assert services.message_send(message=reminder, user=planner) == 0
    deliver_all(reminder)
    assert [m.subject for m in smtp.handler.to("ana@ruiz.test")] == ["You're invited, The Ruiz family"]


def test_a_post_without_the_signed_token_does_nothing(mailed, wedding):
    ruiz, path = mailed
    token = path.removeprefix("/m/unsubscribe/").rstrip("/")
    household_id, _, signature = token.partition(":")
    other = factories.HouseholdFactory(wedding=wedding)
    for forged in (
        f"/m/unsubscribe/{household_id}/",  # no signature
        f"/m/unsubscribe/{other.pk}:{signature}/",  # another household with Ruiz's signature
        f"/m/unsubscribe/{token[:-1]}/",  # tampered
    ):
        assert one_click(forged) == 404, forged
    # The right token, but not the one-click body: the page's own form, which needs its CSRF token.
    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.post(path, {"anything": "x"}).status_code == 403
    assert csrf_client.post(path, "List-Unsubscribe=Yes", content_type="application/x-www-form-urlencoded").status_code == 403
    # A GET (a link scanner, a person) only asks.
    page = csrf_client.get(path)
    assert page.status_code == 200 and 'id="unsubscribe-form"' in page.content.decode()
    assert not OptOut.objects.exists()
    assert not Change.objects.filter(wedding=wedding, model="messaging.optout").exists()
