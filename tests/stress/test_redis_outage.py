"""Issue 8 "Faults": Redis stopped during a session of writes, then restarted.

Two daphne processes (A, B) share PostgreSQL and a private Redis (never the
machine's shared one). Guests watch the guestbook wall on both. Redis is
stopped; guests keep signing through both servers; Redis comes back.

* every write succeeded, each answering within a second;
* while Redis is down each process still delivers its own writes to its own
  sockets and tells them it is degraded;
* after Redis returns, every open socket converges to the committed state
  (all entries, the wedding's final version), and is told "live" again;
* a rolled-back transaction publishes nothing: no socket ever sees it and the
  version does not move.
"""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from tests.integration.fixtures import require_postgres
from tests.integration.helpers import (
    form_post,
    guestbook_wedding,
    household_session_key,
    http_client,
)
from wedding.core.models import Wedding
from wedding.guestbook import services
from wedding.guestbook.models import GuestbookEntry
from wedding.settings import redis_channel_layers

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.redis]

WALL = [{"name": "guestbook_wall", "params": {}}]
WALL_ID = "live-guestbook_wall"
WRITES_PER_SERVER = 5


@pytest.fixture(scope="module")
def pair(private_redis, make_daphne):
    return make_daphne(redis_url=private_redis.url), make_daphne(redis_url=private_redis.url)


@pytest.fixture
def layer_on_private_redis(settings, private_redis):
    """This process's own publishes (the rolled-back write) go to the servers' Redis."""
    settings.CHANNEL_LAYERS = redis_channel_layers(private_redis.url)


class Rollback(Exception):
    pass


def test_redis_outage_loses_no_write_and_every_page_converges(
    transactional_db, pair, private_redis, live_clients, layer_on_private_redis
):
    require_postgres()
    server_a, server_b = pair
    wedding, household, _planner = guestbook_wedding()
    session = household_session_key(household)
    sockets = {
        name: live_clients(server.ws_url, wedding_id=wedding.pk, cookie=session, regions=WALL, reconnect=True)
        for name, server in (("a", server_a), ("b", server_b))
    }
    for socket in sockets.values():
        assert socket.connect(version=wedding.version)["state"] == "live"

    private_redis.stop()
    try:
        written: list[str] = []
        with http_client(server_a, session) as on_a, http_client(server_b, session) as on_b:
            for n in range(WRITES_PER_SERVER):
                for name, client in (("a", on_a), ("b", on_b)):
                    message = f"outage-{name}-{n}-entry"
                    started = time.monotonic()
                    response, _sent = form_post(client, "/guestbook/", {"author_name": "Ana", "message": message})
                    took = time.monotonic() - started
                    assert response.status_code == 302, response.text[:300]
                    assert took < 2.0, f"a write took {took:.2f}s with Redis down (GET + POST)"
                    written.append(message)
                    # Its own process still delivers it to its own socket, in memory.
                    sockets[name].wait_for(lambda c, m=message: m in c.html(WALL_ID), timeout=5)
        for socket in sockets.values():
            socket.wait_for(lambda c: c.state == "degraded", timeout=10)
    finally:
        private_redis.start()

    assert GuestbookEntry.objects.filter(wedding=wedding).count() == len(written)
    final = Wedding.objects.get(pk=wedding.pk).version
    for socket in sockets.values():
        socket.wait_for(lambda c: c.state == "live", timeout=15)
        socket.wait_for(lambda c: all(m in c.html(WALL_ID) for m in written) and c.version == final, timeout=10)

    # Rolled-back work publishes nothing (the layer is up again, so a publish would be seen).
    with pytest.raises(Rollback), transaction.atomic():
        services.guestbook_sign(wedding=wedding, household=household, author_name="Ana", message="rolled-back-entry")
        raise Rollback
    time.sleep(1.5)  # longer than a delivery takes (p95 well under a second)
    assert Wedding.objects.get(pk=wedding.pk).version == final
    for socket in sockets.values():
        assert "rolled-back-entry" not in socket.all_text()
        assert socket.version == final

    # And the next real write is delivered everywhere, through the layer.
    services.guestbook_sign(wedding=wedding, household=household, author_name="Ana", message="after-recovery")
    for socket in sockets.values():
        socket.wait_for(lambda c: "after-recovery" in c.html(WALL_ID), timeout=5)
