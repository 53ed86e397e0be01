"""Issue 8 "Hostile input" at the real socket (daphne + the product's ASGI stack).

A foreign Origin is refused at the handshake; no session, or a guest asking
for another wedding, is closed with 4403; a guest asking for a planner region
is refused it, by name, and gets nothing of it.
"""

from __future__ import annotations

import pytest

from tests import factories
from tests.e2e.servers import PRODUCT_ASGI_APP
from tests.integration.helpers import household_session_key, planner_session_key

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(make_daphne):
    # The product's own application, exactly as deployed (no test wrapper).
    return make_daphne(app=PRODUCT_ASGI_APP)


@pytest.fixture
def guest_session(transactional_db):
    wedding = factories.WeddingFactory()
    household = factories.HouseholdFactory(wedding=wedding)
    factories.GuestFactory(household=household)
    return wedding, household, household_session_key(household)


def test_foreign_origin_is_refused_at_the_handshake(server, guest_session, live_clients):
    wedding, _household, session = guest_session
    client = live_clients(server.ws_url, wedding_id=wedding.pk, cookie=session, origin="http://evil.example")
    client.connect()
    assert client.rejected is not None
    assert client.rejected.response.status_code == 403
    assert not client.welcomes()


def test_same_host_origin_is_accepted(server, guest_session, live_clients):
    wedding, _household, session = guest_session
    client = live_clients(server.ws_url, wedding_id=wedding.pk, cookie=session)
    assert client.connect(version=0) is not None


def test_no_session_is_closed_as_not_allowed(server, guest_session, live_clients):
    wedding, _household, _session = guest_session
    client = live_clients(server.ws_url, wedding_id=wedding.pk)
    assert client.connect() is None
    assert client.closes == [4403]


def test_guest_cannot_watch_another_wedding(server, guest_session, live_clients):
    _wedding, _household, session = guest_session
    other = factories.WeddingFactory()
    client = live_clients(server.ws_url, wedding_id=other.pk, cookie=session)
    assert client.connect() is None
    assert client.closes == [4403]


def test_guest_is_refused_planner_regions(server, guest_session, live_clients):
    wedding, _household, session = guest_session
    from realtime import regions

    planner_regions = [
        {"name": r.name, "params": {}} for r in regions.all_regions().values() if r.audience == regions.Audience.PLANNER
    ]
    client = live_clients(server.ws_url, wedding_id=wedding.pk, cookie=session, regions=planner_regions)
    welcome = client.connect()
    assert welcome is not None
    assert welcome["regions"] == []
    assert {r["name"] for r in welcome["refused"]} == {r["name"] for r in planner_regions}


def test_planner_of_another_wedding_is_not_allowed(server, transactional_db, live_clients):
    wedding = factories.WeddingFactory(planners=[factories.UserFactory()])
    stranger = factories.UserFactory(username="stranger.planner")
    factories.WeddingFactory(planners=[stranger])
    client = live_clients(server.ws_url, wedding_id=wedding.pk, cookie=planner_session_key(stranger))
    assert client.connect() is None
    assert client.closes == [4403]
