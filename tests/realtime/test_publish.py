"""Publishing a committed change to the channel layer: a server's request never waits for Redis."""

from __future__ import annotations

import asyncio
import time

import pytest

from realtime import hub as hub_module
from realtime import publish
from realtime.protocol import MESSAGE_TYPE, PROCESS_ID, wedding_group


class SlowLayer:
    """A channel layer whose sends take `delay` seconds (a busy Redis), or fail."""

    def __init__(self, delay: float, *, fails: bool = False) -> None:
        self.delay, self.fails = delay, fails
        self.sent: list[tuple[str, dict]] = []

    async def group_send(self, group: str, message: dict) -> None:
        await asyncio.sleep(self.delay)
        if self.fails:
            raise ConnectionError("Redis went away")
        self.sent.append((group, message))


@pytest.fixture
def layer(monkeypatch):
    def use(delay: float, *, fails: bool = False) -> SlowLayer:
        fake = SlowLayer(delay, fails=fails)
        monkeypatch.setattr(publish, "get_channel_layer", lambda: fake)
        return fake

    publish._mark(True)
    yield use
    publish._mark(True)
    hub_module.install(None)


MESSAGE = {"wedding": 7, "version": 3, "topics": ["rsvp"], "ids": {}}


async def _until(check, timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.01)


async def test_a_server_hands_the_send_to_its_loop_and_the_request_goes_on(layer, settings):
    settings.REALTIME_PUBLISH_TIMEOUT = 2.0
    slow = layer(0.5)
    hub_module.install(hub_module.Hub(loop=asyncio.get_running_loop(), layer=None))

    started = time.monotonic()
    await asyncio.to_thread(publish.publish, MESSAGE)  # a request's thread, committing
    assert time.monotonic() - started < 0.25  # not the layer's 0.5 s
    assert slow.sent == []

    await _until(lambda: slow.sent)
    group, sent = slow.sent[0]
    assert group == wedding_group(7)
    assert sent == {"type": MESSAGE_TYPE, "origin": PROCESS_ID, **MESSAGE}
    assert publish.layer_ok()


async def test_the_origin_is_the_publishers_when_it_publishes_not_when_the_loop_sends(layer, monkeypatch):
    """Another process's write, as the tests play it (tests/realtime/test_redis.py): its origin is
    read at the publish, so this process's hub does not take the message for its own echo."""
    slow = layer(0.05)
    hub_module.install(hub_module.Hub(loop=asyncio.get_running_loop(), layer=None))

    def write_elsewhere() -> None:
        monkeypatch.setattr(publish, "PROCESS_ID", "another-process")
        publish.publish(MESSAGE)
        monkeypatch.setattr(publish, "PROCESS_ID", PROCESS_ID)

    await asyncio.to_thread(write_elsewhere)
    await _until(lambda: slow.sent)
    assert slow.sent[0][1]["origin"] == "another-process"


async def test_a_failed_send_on_the_loop_is_logged_and_never_reaches_the_request(layer, caplog):
    layer(0.01, fails=True)
    hub_module.install(hub_module.Hub(loop=asyncio.get_running_loop(), layer=None))

    await asyncio.to_thread(publish.publish, MESSAGE)  # returns: the failure is the loop's
    await _until(lambda: not publish.layer_ok())
    assert any("unreachable" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


def test_without_a_server_loop_the_send_is_done_when_publish_returns(layer):
    """The task worker, a management command: nothing else would send it, so publish waits."""
    slow = layer(0.1)
    hub_module.install(None)
    publish.publish(MESSAGE)
    assert [group for group, _ in slow.sent] == [wedding_group(7)]


def test_a_hub_whose_loop_has_stopped_does_not_swallow_the_send(layer):
    slow = layer(0.01)
    loop = asyncio.new_event_loop()
    try:
        hub_module.install(hub_module.Hub(loop=loop, layer=None))  # created, never run
        publish.publish(MESSAGE)
        assert len(slow.sent) == 1
    finally:
        hub_module.install(None)
        loop.close()
