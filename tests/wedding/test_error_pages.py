"""What a visitor sees when a page is missing, the server is busy, or something broke
(wedding.core.errors, issue 19's invitation rush).

The busy case is what the rush at 1,000 households showed on a slow machine: every database
connection of a process taken, a request waits DATABASE_POOL_TIMEOUT and Django raises
OperationalError from psycopg_pool's PoolTimeout. The tests raise that same exception where the
rush met it (the session's read, a write inside the RSVP) through the whole middleware chain.
"""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import RequestFactory
from psycopg_pool import PoolTimeout

from realtime.models import Change
from rsvp import services as rsvp_services
from rsvp.models import Response
from tests import factories
from wedding.core.errors import is_busy, server_error

pytestmark = pytest.mark.django_db


def pool_timeout() -> OperationalError:
    """As Django raises it (`ensure_connection` wraps the driver's error in its own)."""
    try:
        try:
            raise PoolTimeout("couldn't get a connection after 10.00 sec")
        except PoolTimeout as exc:
            raise OperationalError(str(exc)) from exc
    except OperationalError as wrapped:
        return wrapped


def raising(make):
    """A SessionStore.load that fails as the database's connection would."""
    def load(self):
        raise make()
    return load


@pytest.fixture
def invited(client, wedding):
    """A signed-in household of one, invited to the dinner (two meals)."""
    dinner = factories.EventFactory(wedding=wedding, name="Dinner")
    fish = factories.MealOptionFactory(event=dinner, name="Fish")
    household = factories.HouseholdFactory(wedding=wedding, name="The Ruiz family")
    guest = factories.GuestFactory(household=household, first_name="Ana")
    factories.InvitationFactory(guest=guest, event=dinner)
    client.get(f"/i/{household.invitation_code}/")
    client.raise_request_exception = False
    return {"guest": guest, "dinner": dinner, "fish": fish}


def test_a_missing_page_says_so_in_the_sites_look(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'href="/"' in html
    assert "css/site.css" in html


def test_a_page_that_finds_no_database_connection_in_time_is_busy_and_reloads_itself(client, invited, monkeypatch):
    monkeypatch.setattr(SessionStore, "load", raising(pool_timeout))
    response = client.get("/home/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert "Lots of guests at once" in html
    assert '<meta http-equiv="refresh" content="5">' in html
    assert '<a class="button primary" href="/home/">Try again now</a>' in html
    assert "Server Error" not in html


def test_a_submit_that_runs_out_of_connections_half_way_saves_nothing_and_says_so(client, invited, monkeypatch):
    """The RSVP's answers are written before the replies; the pool times out at the replies.
    The whole submit rolls back, and the page tells the guest to send again (no reload: a GET
    would lose the form)."""
    def busy(**kwargs):
        raise pool_timeout()

    monkeypatch.setattr(rsvp_services, "_replies_apply", busy)
    guest, dinner = invited["guest"], invited["dinner"]
    answers = {
        f"g{guest.pk}_e{dinner.pk}_status": "attending", f"g{guest.pk}_e{dinner.pk}_meal": invited["fish"].pk,
        f"g{guest.pk}_dietary": "",
    }
    changes_before = Change.objects.count()
    response = client.post("/rsvp/", answers)
    assert response.status_code == 503
    html = response.content.decode()
    assert "what you sent was not saved" in html and "http-equiv" not in html
    assert not Response.objects.filter(guest=guest).exists()
    assert Change.objects.count() == changes_before
    monkeypatch.undo()
    response = client.post("/rsvp/", answers)
    assert response.status_code == 302
    assert Response.objects.get(guest=guest).meal == invited["fish"]


def test_the_busy_page_speaks_the_visitors_language(client, invited, monkeypatch):
    monkeypatch.setattr(SessionStore, "load", raising(pool_timeout))
    response = client.get("/home/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 503
    assert 'lang="es"' in response.content.decode()
    assert "Muchos invitados a la vez" in response.content.decode()


def test_a_bug_is_a_500_in_the_sites_look_not_a_busy_page(client, invited, monkeypatch):
    monkeypatch.setattr(SessionStore, "load", raising(lambda: RuntimeError("a bug")))
    response = client.get("/home/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and "Retry-After" not in response.headers


@pytest.mark.parametrize(("exc", "busy"), [
    (pool_timeout(), True),
    (OperationalError("database is locked"), True),  # SQLite's write lock past its timeout
    (OperationalError("server closed the connection unexpectedly"), False),
    (RuntimeError("couldn't get a connection"), False),
    (None, False),
])
def test_only_a_connection_or_lock_timeout_counts_as_busy(exc, busy):
    assert is_busy(exc) is busy


@pytest.mark.parametrize(("path", "link"), [
    ("/rsvp/done/", "/rsvp/done/"),
    ("//evil.example/home/", "/"),  # what Django makes of http://host//evil.example/home/
    ("/\\evil.example/home/", "/%5Cevil.example/home/"),  # browsers read /\ as //: quoted, it is a path here
])
def test_the_try_again_link_stays_on_the_site(path, link):
    request = RequestFactory().get("/home/")
    request.path = path
    try:
        raise pool_timeout()
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert f'<a class="button primary" href="{link}">' in response.content.decode()
