"""A reconnect storm costs one catch-up render per (region, params, audience, version), never one per socket."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest

import tests.realtime.conftest  # noqa: F401  (registers the test regions)
from realtime import hub as hub_module
from realtime import regions
from realtime.regions import Audience, Viewer

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite

SOCKETS = 300


async def _storm(monkeypatch, *, claimed_versions: list[int], current: int, waves: int = 1):
    renders: list[tuple] = []

    async def fake_render(name, viewer, params):
        renders.append((name, viewer.audience, tuple(sorted(params.items()))))
        await asyncio.sleep(0.02)  # a render takes a while: later sockets arrive while it runs
        return f'<p id="live-{name}">songs at {current}</p>'

    monkeypatch.setattr(hub_module, "_render_in_thread", fake_render)
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    frames: list[list[dict]] = []

    async def close(code: int) -> None:
        raise AssertionError("no socket is closed by a catch-up")

    async def reconnect(claimed: int) -> None:
        sent: list[dict] = []
        frames.append(sent)

        async def send(text: str) -> None:
            sent.append(json.loads(text))

        viewer = Viewer(wedding=SimpleNamespace(pk=3), audience=Audience.GUESTS)
        watcher = hub_module.Watcher(viewer=viewer, send=send, close=close)
        hub.watch(watcher, [hub_module.Watched(region=regions.get("t_songs"), params=(), dom_id="live-t_songs")])
        watcher.version = claimed
        await hub.attach(watcher)
        hub.note_version(3, current)
        hub.catch_up(watcher, current=current, client_version=claimed, topics={"song"})

    per_wave = len(claimed_versions) // waves
    for wave in range(waves):
        await asyncio.gather(*(reconnect(v) for v in claimed_versions[wave * per_wave:(wave + 1) * per_wave]))
        await asyncio.sleep(0.05)  # the next wave reconnects after this one's render is done
    await asyncio.sleep(0.2)
    await hub.shutdown()
    return renders, frames


async def test_sockets_reconnecting_at_the_same_version_share_one_render(monkeypatch):
    renders, frames = await _storm(monkeypatch, claimed_versions=[4] * SOCKETS, current=5)

    assert len(renders) == 1  # not one per socket
    assert all(len(sent) == 1 for sent in frames)  # every socket got its catch-up frame
    assert {(f[0]["v"], f[0]["resync"], f[0]["regions"][0]["html"]) for f in frames} == {
        (5, True, '<p id="live-t_songs">songs at 5</p>')
    }


async def test_pages_from_different_versions_catch_up_with_the_one_render_of_the_current_version(monkeypatch):
    claimed = [1 + i % 4 for i in range(SOCKETS)]  # pages rendered at versions 1..4, all reconnecting
    renders, frames = await _storm(monkeypatch, claimed_versions=claimed, current=5, waves=3)

    assert len(renders) == 1  # also shared with sockets that arrive after the render finished
    assert len(frames) == SOCKETS and all(len(sent) == 1 for sent in frames)
    assert {(f[0]["v"], f[0]["regions"][0]["html"]) for f in frames} == {(5, '<p id="live-t_songs">songs at 5</p>')}


async def test_a_socket_already_at_the_current_version_costs_no_render(monkeypatch):
    renders, frames = await _storm(monkeypatch, claimed_versions=[5] * 50, current=5)

    assert renders == [] and all(sent == [] for sent in frames)


# --- through the real consumer: the version reads of a storm ----------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("live_settings", "fresh_hub")
async def test_sockets_saying_hello_together_share_one_version_read(wedding):
    from realtime import consumers
    from tests import factories
    from tests.realtime.conftest import household_cookie, open_socket, run, version_of

    def households():
        return [household_cookie(factories.HouseholdFactory(wedding=wedding)) for _ in range(20)]

    cookies = await run(households)
    page_version = await version_of(wedding)
    await run(lambda: factories.SongRequestFactory(wedding=wedding))  # committed while the pages were away
    before = consumers._hello_batch.calls

    opened = await asyncio.gather(*(
        open_socket(cookie, wedding.pk, regions_=[{"name": "t_songs", "params": {}}], version=page_version)
        for cookie in cookies
    ))

    assert consumers._hello_batch.calls - before <= 2  # not one database hop per socket (20)
    assert {welcome["v"] for _socket, welcome in opened} == {page_version + 1}
    for socket, _welcome in opened:
        await socket.disconnect()
