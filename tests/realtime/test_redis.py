"""The hub with a real Redis channel layer: across processes, and when Redis goes away."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid

import pytest
from channels_redis.core import RedisChannelLayer

from realtime import hub as hub_module
from realtime import publish, regions
from realtime.principal import viewer_for
from tests import factories
from tests.conftest import require_service
from tests.realtime.conftest import frames, household_cookie, html_of, open_socket, run, version_of
from wedding.settings import redis_channel_layers

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("live_settings", "fresh_hub"),
]

REDIS_PORT = 6379
SONGS = {"name": "t_songs", "params": {}}


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=0.5):
            return True
    except OSError:
        return False


def _layer_settings(port: int, prefix: str) -> dict:
    return redis_channel_layers(f"redis://127.0.0.1:{port}/0", prefix=prefix)


@pytest.fixture
def redis_prefix(settings):
    require_service("redis", _redis_up(), f"nothing listens on 127.0.0.1:{REDIS_PORT}")
    prefix = f"confetti-test-{uuid.uuid4().hex[:8]}"  # other test runs share this Redis
    settings.CHANNEL_LAYERS = _layer_settings(REDIS_PORT, prefix)
    return prefix


class CollectingSocket:
    """A socket of another hub, as that hub sees it."""

    def __init__(self, viewer):
        self.frames: list[str] = []
        self.watcher = hub_module.Watcher(viewer=viewer, send=self._send, close=self._close)

    async def _send(self, text: str) -> None:
        self.frames.append(text)

    async def _close(self, code: int) -> None:
        self.frames.append(f"closed {code}")

    def html(self) -> str:
        return "".join(self.frames)


async def _attach(hub, collecting, wedding_id: int, region: str) -> None:
    region_entry = regions.get(region)
    hub.watch(collecting.watcher, [hub_module.Watched(region=region_entry, params=(), dom_id=regions.dom_id(region, {}))])
    await hub.attach(collecting.watcher)
    hub.note_version(wedding_id, collecting.watcher.version)


async def _until(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_two_hubs_on_one_redis_deliver_each_others_writes(wedding, household, redis_prefix, settings):
    loop = asyncio.get_running_loop()
    layer_config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    here = hub_module.Hub(loop=loop, layer=RedisChannelLayer(**layer_config))  # this process (PROCESS_ID)
    there = hub_module.Hub(loop=loop, layer=RedisChannelLayer(**layer_config), origin="another-process")
    hub_module.install(here)
    here.start()
    there.start()
    try:
        await _until(lambda: here.channel and there.channel)
        cookie = await run(lambda: household_cookie(household))
        version = await version_of(wedding)
        local_socket, welcome = await open_socket(cookie, wedding.pk, regions_=[SONGS], version=version)
        assert welcome["state"] == "live"
        viewer = await run(lambda: viewer_for(user=None, household=household, wedding_id=wedding.pk))
        remote = CollectingSocket(viewer)
        remote.watcher.version = version
        await _attach(there, remote, wedding.pk, "t_songs")

        # A write in this process: its own socket in memory, the other hub through Redis.
        await run(lambda: factories.SongRequestFactory(wedding=wedding))
        assert "1 songs" in html_of(await frames(local_socket, expect=["1 songs"]))
        await _until(lambda: "1 songs" in remote.html())
        assert here.stats["messages_in"] == 1  # its own echo from Redis was skipped

        # A write in "the other process" (no local delivery here): arrives through Redis.
        song = await run(lambda: _write_elsewhere(wedding))
        assert song
        got = await frames(local_socket, timeout=1.0, expect=["2 songs"])
        assert "2 songs" in html_of(got)
    finally:
        await there.shutdown()
        await local_socket.disconnect()


def _write_elsewhere(wedding):
    """Commit a change and publish it as another process would: through the layer only."""
    from unittest import mock

    with mock.patch.object(publish, "PROCESS_ID", "another-process"), mock.patch.object(hub_module, "deliver_local"):
        return factories.SongRequestFactory(wedding=wedding)


async def test_a_quiet_hub_keeps_its_layer_past_the_brpop_timeout(redis_prefix, settings):
    """Nothing to receive for longer than channels-redis's BRPOP waits (5 s): the hub stays live.

    redis-py 8 times out a socket read after 5 s by default, the BRPOP's own wait: the receive
    failed every quiet 5 s and the hub dropped to "channel layer lost" (REDIS_LAYER_SOCKET_TIMEOUT).
    """
    layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=layer)
    hub.start()
    try:
        await _until(lambda: hub.channel is not None)
        await asyncio.sleep(RedisChannelLayer.brpop_timeout + 2.0)  # one whole empty BRPOP, and then some
        assert hub.stats["layer_errors"] == 0, hub.link.last_error
        assert hub.state == "live"
    finally:
        await hub.shutdown()


async def test_redis_unreachable_writes_stay_fast_and_local_sockets_stay_live(wedding, household, settings):
    settings.CHANNEL_LAYERS = _layer_settings(6390, "confetti-test-down")  # nothing listens there
    cookie = await run(lambda: household_cookie(household))
    socket_, welcome = await open_socket(cookie, wedding.pk, regions_=[SONGS], version=await version_of(wedding))
    first = await frames(socket_, timeout=0.5)
    states = [welcome["state"]] + [f["state"] for f in first if f["t"] == "state"]
    assert states[-1] == "degraded"  # the page polls and says so

    started = time.monotonic()
    await run(lambda: factories.SongRequestFactory(wedding=wedding))
    assert time.monotonic() - started < 1.0  # the write never waits for Redis

    assert "1 songs" in html_of(await frames(socket_, expect=["1 songs"]))  # delivered in memory all the same
    assert hub_module.current_hub().counters()["state"] == "degraded"
    await socket_.disconnect()


class Proxy:
    """A TCP proxy to Redis that the test can cut and restore (Redis going away and coming back)."""

    def __init__(self, target: int):
        self.target = target
        self.server = None
        self.port = 0
        self.streams: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.server.close()
        for writer in self.streams:
            writer.close()
        self.streams.clear()
        await self.server.wait_closed()

    async def _handle(self, reader, writer) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        self.streams += [writer, up_writer]

        async def pipe(source, sink) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def test_when_redis_comes_back_sockets_go_live_and_resync(wedding, household, redis_prefix, settings, monkeypatch):
    monkeypatch.setattr(hub_module, "RETRY_MIN", 0.05)
    monkeypatch.setattr(hub_module, "RETRY_MAX", 0.2)
    proxy = Proxy(REDIS_PORT)
    await proxy.start()
    settings.CHANNEL_LAYERS = _layer_settings(proxy.port, redis_prefix)
    cookie = await run(lambda: household_cookie(household))
    socket_, welcome = await open_socket(cookie, wedding.pk, regions_=[SONGS], version=await version_of(wedding))
    await _until(lambda: hub_module.current_hub().channel is not None)
    assert welcome["state"] == "live"

    await proxy.stop()
    assert any(f.get("state") == "degraded" for f in await frames(socket_, timeout=1.0))
    await run(lambda: _write_elsewhere(wedding))  # lost: Redis is away and it was not ours

    await proxy.start()
    got = await frames(socket_, timeout=1.5, expect=["1 songs"])
    assert any(f.get("state") == "live" for f in got)
    assert "1 songs" in html_of(got)  # resynced by version
    assert hub_module.current_hub().state == "live"
    await socket_.disconnect()
    await proxy.stop()
