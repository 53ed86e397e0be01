"""Prepared-frame writes on a real daphne process (realtime.transport, issue 3 "fan-out").

Several sockets watch the guestbook wall; guests sign it through HTTP on the
same server. Every socket must get every version in order (each frame's
`since` is the version before it: nothing skipped, nothing doubled, frames
intact), and the server's hub must have written them as prepared frames —
the path production takes — not through the per-socket ASGI send. The same
run with `REALTIME_DIRECT_WRITES=false` proves the ASGI path delivers the
same frames (CI runs both).
"""

from __future__ import annotations

import httpx
import pytest

from tests.integration.helpers import (
    form_post,
    guestbook_wedding,
    household_session_key,
    http_client,
)
from wedding.core.models import Wedding

pytestmark = [pytest.mark.integration]

WALL = [{"name": "guestbook_wall", "params": {}}]
WALL_ID = "live-guestbook_wall"


def hub_counters(server) -> dict:
    return httpx.get(f"{server.url}/__test__/hub", timeout=5).json()


@pytest.mark.parametrize("direct_writes", [True, False], ids=["prepared-frames", "asgi-send"])
def test_every_socket_gets_every_frame_in_order_through_prepared_writes(
    transactional_db, make_daphne, live_clients, direct_writes
):
    server = make_daphne(extra_env={"REALTIME_DIRECT_WRITES": "true" if direct_writes else "false"})
    wedding, household, _planner = guestbook_wedding()
    session = household_session_key(household)
    sockets = [live_clients(server.ws_url, wedding_id=wedding.pk, cookie=session, regions=WALL) for _ in range(4)]
    current = Wedding.objects.get(pk=wedding.pk).version  # the page's version: no catch-up frame
    for client in sockets:
        assert client.connect(version=current)["regions"] == [WALL_ID]

    tokens = [f"prepared-frame-{n}-" + "é" * 300 for n in range(6)]  # non-ASCII, > 125 bytes
    with http_client(server, session) as http:
        for token in tokens:
            response, _sent = form_post(http, "/guestbook/", {"author_name": "Ana", "message": token})
            assert response.status_code == 302, response.text[:300]
            for client in sockets:
                client.wait_for(lambda c, t=token: t in c.html(WALL_ID), timeout=5)

    final = Wedding.objects.get(pk=wedding.pk).version
    for client in sockets:
        updates = client.updates()
        assert [u["since"] for u in updates[1:]] == [u["v"] for u in updates[:-1]]  # a gapless chain
        assert not any(u["resync"] for u in updates) and client.version == final
        assert all(token in client.html(WALL_ID) for token in tokens[-3:])

    counters = hub_counters(server)
    assert counters["frames_out"] >= len(sockets) * len(tokens)
    if direct_writes:
        assert counters["send_path"] == "direct prepared frames"
        assert counters["direct_frames"] == counters["frames_out"]  # every update frame took that path
    else:
        assert counters["send_path"] == "ASGI send"
        assert counters["direct_frames"] == 0  # switched off: every frame through the ASGI send
