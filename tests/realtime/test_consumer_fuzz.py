"""Hostile input to the /ws/live/ consumer (issue 13, item 3): whatever a socket sends, and
however it ends, the consumer raises nothing and the hub forgets the socket.

Hypothesis drives a real socket (the product's ASGI application, a real session) with
arbitrary sequences of frames — text and bytes, JSON and not, huge and non-finite numbers,
deep nesting, oversized frames, unknown types — mixed with valid hello / resync / ping
frames, then ends it by a clean close or by the server cancelling it. After every
example the hub's socket count is back to zero and no index still names the socket.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from channels.testing import WebsocketCommunicator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtime import hub as hub_module
from realtime.protocol import MAX_FRAME
from tests.realtime.conftest import ORIGIN, application, household_cookie, planner_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_settings")]

REGION_NAMES = ["t_songs", "t_directory", "t_my_household", "t_planner_guests", "nope", ""]

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=10,
)
region_specs = st.fixed_dictionaries(
    {"name": st.sampled_from(REGION_NAMES) | st.text(max_size=8) | json_values},
    optional={"params": st.dictionaries(st.text(max_size=6), json_values, max_size=3) | json_values},
)
frame_dicts = st.fixed_dictionaries(
    {"t": st.sampled_from(["hello", "resync", "ping", "update", "welcome", "HELLO", ""]) | json_values},
    optional={
        "v": json_values | st.integers(min_value=-(2**80), max_value=2**80),
        "regions": st.lists(region_specs | json_values, max_size=4) | json_values,
    },
)
# Literals json.dumps would never write: the attacks of the security review and their kin.
HOSTILE_LITERALS = ["1e400", "-1e400", "Infinity", "-Infinity", "NaN", "1" + "0" * 5000, "1e-400", "9" * 40]
hostile_texts = (
    st.sampled_from(HOSTILE_LITERALS).map(lambda lit: f'{{"t": "hello", "v": {lit}, "regions": []}}')
    | st.integers(min_value=1, max_value=16_000).map(lambda n: "[" * n + "]" * n)
    | st.integers(min_value=1, max_value=10_000).map(lambda n: '{"t": "hello", "regions": ' + "[" * n + "]" * n + "}")
    | st.integers(min_value=MAX_FRAME - 16, max_value=MAX_FRAME + 64).map(lambda n: '{"t": "ping", "x": "' + "x" * n + '"}')
)
valid_texts = st.sampled_from([
    json.dumps({"t": "hello", "v": 0, "regions": [{"name": "t_songs", "params": {}}]}),
    json.dumps({"t": "hello", "v": 10**6, "regions": [{"name": "t_directory"}, {"name": "t_my_household"}]}),
    json.dumps({"t": "resync"}),
    json.dumps({"t": "ping"}),
])
client_frames = st.one_of(
    frame_dicts.map(json.dumps).map(lambda text: ("text", text)),
    st.text(max_size=60).map(lambda text: ("text", text)),
    st.binary(max_size=60).map(lambda data: ("bytes", data)),
    hostile_texts.map(lambda text: ("text", text)),
    valid_texts.map(lambda text: ("text", text)),
)


async def _drain(socket: WebsocketCommunicator) -> bool:
    """Read what the server sent; True if it closed the socket. Raises what the application raised."""
    while not await socket.receive_nothing(timeout=0.03, interval=0.005):
        output = await socket.receive_output()
        if output["type"] == "websocket.close":
            return True
    return False


async def _one_socket(cookie, wedding_id: int, frames: list[tuple[str, object]], ending: str) -> None:
    hub_module.install(None)
    socket = WebsocketCommunicator(application(), f"/ws/live/?wedding={wedding_id}", headers=[ORIGIN, cookie])
    connected, _code = await socket.connect(timeout=5)
    assert connected
    hub = hub_module.current_hub()
    try:
        for kind, payload in frames:
            # send_input, not send_to: an empty frame is a frame a client can send too.
            await socket.send_input({"type": "websocket.receive", kind: payload})
            if await _drain(socket):
                break  # closed by the server (e.g. 4400 after too many bad frames)
        if ending == "disconnect":
            await socket.disconnect(timeout=5)  # re-raises anything the application raised
        else:  # the server gives up on the application (a dead peer, a shutdown)
            socket.future.cancel()
            await asyncio.gather(socket.future, return_exceptions=True)
        await asyncio.sleep(0)
        assert hub.counters()["sockets"] == 0
        assert not hub.weddings and not hub.by_user and not hub.by_household and not hub.by_session
    finally:
        await hub.shutdown()
        hub_module.install(None)


def test_no_frame_sequence_crashes_the_consumer_or_leaves_a_watcher_behind(wedding, planner, household):
    cookies = {"planner": planner_cookie(planner), "household": household_cookie(household)}

    @settings(
        max_examples=30, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        who=st.sampled_from(sorted(cookies)),
        frames=st.lists(client_frames, max_size=8),
        ending=st.sampled_from(["disconnect", "cancelled"]),
    )
    def example(who: str, frames: list[tuple[str, object]], ending: str) -> None:
        asyncio.run(_one_socket(cookies[who], wedding.pk, frames, ending))

    example()


def test_a_flood_of_bad_frames_is_closed_with_4400_and_detached(wedding, planner):
    cookie = planner_cookie(planner)

    async def flood() -> None:
        hub_module.install(None)
        socket = WebsocketCommunicator(application(), f"/ws/live/?wedding={wedding.pk}", headers=[ORIGIN, cookie])
        assert (await socket.connect(timeout=5))[0]
        hub = hub_module.current_hub()
        await socket.send_to(text_data=json.dumps({"t": "hello", "v": 0, "regions": [{"name": "t_songs"}]}))
        codes = []
        for _ in range(25):
            await socket.send_to(text_data='{"t": "hello", "v": 1e400}')
        while not await socket.receive_nothing(timeout=0.3, interval=0.01):
            output = await socket.receive_output()
            if output["type"] == "websocket.close":
                codes.append(output["code"])
        assert codes == [4400]
        assert hub.counters()["sockets"] == 0  # detached when the server closed it, before the client left
        await socket.disconnect(timeout=5)
        await hub.shutdown()
        hub_module.install(None)

    asyncio.run(flood())
