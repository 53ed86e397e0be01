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


# --- a client that does not read is dropped, never buffered without limit (issue 13, "Socket resource limits")

SEND_BUFFER_MAX = 64 * 1024


def _raw_socket(server, wedding_id: int, session: str):
    """A WebSocket opened by hand, with a tiny receive window, that will never read a frame."""
    import socket as socketlib

    raw = socketlib.socket(socketlib.AF_INET, socketlib.SOCK_STREAM)
    raw.setsockopt(socketlib.SOL_SOCKET, socketlib.SO_RCVBUF, 4096)
    raw.settimeout(5)
    raw.connect(("127.0.0.1", server.port))
    raw.sendall(
        (
            f"GET /ws/live/?wedding={wedding_id} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Origin: {server.url}\r\nCookie: sessionid={session}\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += raw.recv(1)  # byte by byte: nothing of the first frame is read
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return raw


def _client_frame(text: str) -> bytes:
    import os
    import struct

    payload = text.encode()
    mask = os.urandom(4)
    header = bytes([0x81, 0x80 | len(payload)]) if len(payload) < 126 else (
        bytes([0x81, 0x80 | 126]) + struct.pack("!H", len(payload))
    )
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


@pytest.mark.parametrize("direct", ["true", "false"], ids=["direct-writes", "asgi-send"])
def test_a_client_that_does_not_read_is_dropped_at_the_send_buffer_limit(make_daphne, transactional_db, direct):
    import time

    from realtime import regions

    server = make_daphne(app=PRODUCT_ASGI_APP, extra_env={
        "REALTIME_SEND_BUFFER_MAX": str(SEND_BUFFER_MAX), "REALTIME_RESYNC_INTERVAL": "0",
        "REALTIME_DIRECT_WRITES": direct,
    })
    planner = factories.UserFactory(username="reader.planner")
    wedding = factories.WeddingFactory(planners=[planner])
    household = factories.HouseholdFactory(wedding=wedding)
    for n in range(60):  # a guest list worth a few tens of KB per frame
        factories.GuestFactory(household=household, first_name=f"Guest{n:03d}", dietary_notes="x" * 200)
    planner_regions = [
        {"name": r.name, "params": {}} for r in regions.all_regions().values() if r.audience == regions.Audience.PLANNER
    ]
    raw = _raw_socket(server, wedding.pk, planner_session_key(planner))
    log_start = server.log_size()
    try:
        raw.sendall(_client_frame(protocol_hello(planner_regions)))
        dropped = False
        deadline = time.monotonic() + 30
        sent = 0
        while time.monotonic() < deadline and not dropped:
            try:
                raw.sendall(_client_frame('{"t":"resync"}') * 20)
                sent += 20
            except OSError:  # reset by the server
                dropped = True
                break
            time.sleep(0.02)
            dropped = "does not read" in server.log_tail(log_start)
        assert dropped, f"still connected after {sent} resyncs"
        log = server.log_tail(log_start)
        unsent = [int(line.split("(")[1].split()[0]) for line in log.splitlines() if "does not read" in line]
        # Dropped once its unread bytes passed the limit, before a much larger pile-up.
        assert unsent and SEND_BUFFER_MAX < unsent[0] < SEND_BUFFER_MAX + 2 * 1024 * 1024
    finally:
        raw.close()


def protocol_hello(regions_: list[dict]) -> str:
    import json

    return json.dumps({"t": "hello", "v": 0, "regions": regions_})
