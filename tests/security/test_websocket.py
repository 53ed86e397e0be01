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


def test_an_origin_on_another_port_of_the_same_host_is_refused(server, guest_session, live_clients):
    wedding, _household, session = guest_session
    other_port = server.url.replace(f":{server.port}", f":{server.port + 1}")
    client = live_clients(server.ws_url, wedding_id=wedding.pk, cookie=session, origin=other_port)
    client.connect()
    assert client.rejected is not None and client.rejected.response.status_code == 403
    assert not client.welcomes()


def test_an_https_origin_for_a_plain_socket_is_refused(server, guest_session, live_clients):
    wedding, _household, session = guest_session
    client = live_clients(
        server.ws_url, wedding_id=wedding.pk, cookie=session, origin=server.url.replace("http://", "https://")
    )
    client.connect()
    assert client.rejected is not None and client.rejected.response.status_code == 403


# --- the Origin check itself (realtime.origin), through channels' WebsocketCommunicator -------------

SITE = "wedding.example"


@pytest.fixture
def site_settings(settings):
    settings.ALLOWED_HOSTS = [SITE, f".{SITE}"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://planner-tools.example", "https://*.partner.example"]
    settings.SECURE_PROXY_SSL_HEADER = None
    return settings


def _app(scheme: str):
    from wedding.asgi import application

    async def app(scope, receive, send):  # the scheme daphne would put in the scope
        return await application({**scope, "scheme": scheme}, receive, send)

    return app


async def _handshake(*, origin: str | None, host: str | None = SITE, scheme: str = "wss", extra=()) -> bool:
    from channels.testing import WebsocketCommunicator

    headers = [(b"host", host.encode())] if host else []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    communicator = WebsocketCommunicator(_app(scheme), "/ws/live/?wedding=1", headers=[*headers, *extra])
    connected, _ = await communicator.connect(timeout=5)
    await communicator.disconnect()
    return connected


ORIGIN_CASES = [
    # (origin, host, socket scheme, accepted?)
    (f"https://{SITE}", SITE, "wss", True),
    (f"https://{SITE}:443", SITE, "wss", True),  # the default port, spelled out
    (f"https://{SITE}:8443", f"{SITE}:8443", "wss", True),  # the site on a port of its own
    (f"http://{SITE}", SITE, "wss", False),  # another scheme of the same host
    (f"https://{SITE}:8443", SITE, "wss", False),  # another port of the same host
    (f"http://{SITE}:8080", SITE, "wss", False),
    (f"https://{SITE}", f"{SITE}:8443", "wss", False),
    (f"http://{SITE}", SITE, "ws", True),  # a plain-HTTP deployment
    (f"https://{SITE}", SITE, "ws", False),
    ("https://evil.example", SITE, "wss", False),
    (f"https://{SITE}.evil.example", SITE, "wss", False),
    ("https://evil.example", "evil.example", "wss", False),  # its own Host, but not an allowed one
    ("https://planner-tools.example", SITE, "wss", True),  # CSRF_TRUSTED_ORIGINS
    ("http://planner-tools.example", SITE, "wss", False),
    ("https://app.partner.example", SITE, "wss", True),  # a trusted wildcard
    ("https://partner.example.evil.example", SITE, "wss", False),
    ("null", SITE, "wss", False),
    ("", SITE, "wss", False),
    (None, SITE, "wss", False),
    ("https://[::1", SITE, "wss", False),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("origin", "host", "scheme", "accepted"), ORIGIN_CASES)
async def test_the_origin_must_match_scheme_host_and_port(site_settings, origin, host, scheme, accepted):
    assert await _handshake(origin=origin, host=host, scheme=scheme) is accepted


@pytest.mark.django_db(transaction=True)
async def test_behind_the_tls_proxy_the_forwarded_scheme_counts(site_settings):
    site_settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    forwarded = [(b"x-forwarded-proto", b"https")]
    # daphne sees plain ws from the proxy; the browser's page was https.
    assert await _handshake(origin=f"https://{SITE}", scheme="ws", extra=forwarded)
    assert not await _handshake(origin=f"http://{SITE}", scheme="ws", extra=forwarded)
