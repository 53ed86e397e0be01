"""Scale out (issue 3, issue 8 "Faults"): two daphne processes, one PostgreSQL, one Redis.

A guest signs the guestbook through server A; a guest socket on server B
watching the guestbook wall receives it. Then server B is killed, a change is
made while it is down, and after B restarts its (reconnecting) socket and A's
socket both converge to the committed state; B's own writes reach A again. Every test runs with prepared-frame writes on
and off (`REALTIME_DIRECT_WRITES`), so both send paths are proven across processes.
"""

from __future__ import annotations

import pytest

from tests.integration.helpers import (
    form_post,
    guestbook_wedding,
    household_session_key,
    http_client,
    percentile,
)
from wedding.core.models import Wedding
from wedding.guestbook.models import GuestbookEntry

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.redis]

WALL = [{"name": "guestbook_wall", "params": {}}]
WALL_ID = "live-guestbook_wall"


@pytest.fixture(scope="module", params=["true", "false"], ids=["prepared-frames", "asgi-send"])
def pair(request, private_redis, make_daphne):
    env = {"REALTIME_DIRECT_WRITES": request.param}
    return (
        make_daphne(redis_url=private_redis.url, extra_env=env),
        make_daphne(redis_url=private_redis.url, extra_env=env),
    )


def _sign(client, message: str) -> float:
    response, sent_at = form_post(client, "/guestbook/", {"author_name": "Ana", "message": message})
    assert response.status_code == 302, response.text[:500]
    return sent_at


def test_change_through_one_server_reaches_socket_on_the_other(postgres_db, pair, live_clients):
    server_a, server_b = pair
    wedding, household, _planner = guestbook_wedding()
    session = household_session_key(household)
    watcher = live_clients(server_b.ws_url, wedding_id=wedding.pk, cookie=session, regions=WALL)
    welcome = watcher.connect(version=wedding.version)
    assert welcome and welcome["regions"] == [WALL_ID], welcome

    latencies = []
    with http_client(server_a, session) as client:
        for n in range(20):
            token = f"scale-out-message-{n}-x"
            sent_at = _sign(client, token)
            watcher.wait_for(lambda c, t=token: t in c.html(WALL_ID), timeout=5)
            latencies.append(watcher.first_time_containing(token) - sent_at)

    p95 = percentile(latencies, 95)
    print(f"request-to-frame across processes: p50={percentile(latencies, 50) * 1000:.0f} ms p95={p95 * 1000:.0f} ms")
    assert p95 < 1.0, latencies
    assert watcher.version == Wedding.objects.get(pk=wedding.pk).version


def test_both_servers_converge_after_one_restarts(postgres_db, pair, live_clients):
    server_a, server_b = pair
    wedding, household, _planner = guestbook_wedding()
    session = household_session_key(household)
    on_a = live_clients(server_a.ws_url, wedding_id=wedding.pk, cookie=session, regions=WALL, reconnect=True)
    on_b = live_clients(server_b.ws_url, wedding_id=wedding.pk, cookie=session, regions=WALL, reconnect=True)
    on_a.connect(version=wedding.version)
    on_b.connect(version=wedding.version)

    with http_client(server_a, session) as client:
        _sign(client, "before-the-crash")
    for socket in (on_a, on_b):
        socket.wait_for(lambda c: "before-the-crash" in c.html(WALL_ID), timeout=5)

    server_b.kill()  # a crash, not a graceful stop
    on_b.wait_for(lambda c: c.closes, timeout=5)
    with http_client(server_a, session) as client:
        _sign(client, "while-b-was-down")
    on_a.wait_for(lambda c: "while-b-was-down" in c.html(WALL_ID), timeout=5)

    server_b.start()
    # B's socket reconnects by itself, says hello with its old version and is brought up to date.
    on_b.wait_for(lambda c: c.connects >= 2 and "while-b-was-down" in c.html(WALL_ID), timeout=10)

    # The restarted process is subscribed again: its writes reach A, and its own sockets.
    with http_client(server_b, session) as client:
        _sign(client, "after-b-is-back")
    for socket in (on_a, on_b):
        socket.wait_for(lambda c: "after-b-is-back" in c.html(WALL_ID), timeout=5)

    final = Wedding.objects.get(pk=wedding.pk).version
    on_a.wait_for(lambda c: c.version == final, timeout=5)
    on_b.wait_for(lambda c: c.version == final, timeout=5)
    assert GuestbookEntry.objects.filter(wedding=wedding).count() == 3
