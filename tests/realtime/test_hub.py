"""The hub on its own: a socket that falls behind is resynced, never silently dropped."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import tests.realtime.conftest  # noqa: F401  (registers the test regions)
from realtime import hub as hub_module
from realtime import regions
from realtime.regions import Audience, Viewer


async def test_a_socket_that_falls_behind_gets_a_resync_by_version(monkeypatch):
    renders = []

    async def fake_render(name, viewer, params):
        renders.append(name)
        return f'<p id="live-{name}">render {len(renders)}</p>'

    monkeypatch.setattr(hub_module, "_render_in_thread", fake_render)
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    gate = asyncio.Event()
    sent: list[dict] = []

    async def slow_send(text: str) -> None:  # a client that stopped reading
        sent.append(json.loads(text))
        await gate.wait()

    async def close(code: int) -> None:
        raise AssertionError("a slow socket must not be closed")

    viewer = Viewer(wedding=SimpleNamespace(pk=1), audience=Audience.GUESTS)
    watcher = hub_module.Watcher(viewer=viewer, send=slow_send, close=close)
    hub.watch(watcher, [hub_module.Watched(region=regions.get("t_songs"), params=(), dom_id="live-t_songs")])
    await hub.attach(watcher)
    hub.note_version(1, 0)

    hub.on_message({"wedding": 1, "version": 1, "topics": ["song"]})
    await asyncio.sleep(0.05)  # the first frame is stuck in send
    last = 1 + hub_module.MAX_BACKLOG + 10
    for version in range(2, last + 1):
        hub.on_message({"wedding": 1, "version": version, "topics": ["song"]})
    gate.set()
    await asyncio.sleep(hub_module.DEBOUNCE + 0.3)

    assert [f["v"] for f in sent] == [1, last]  # no series of stale frames: one jump
    assert sent[1]["resync"] is True and sent[1]["since"] == 1
    assert hub.stats["resyncs"] == 1 and len(renders) == 2
    await hub.shutdown()


async def test_duplicates_and_reordering_are_ignored_by_version(monkeypatch):
    async def fake_render(name, viewer, params):
        return "<p>x</p>"

    monkeypatch.setattr(hub_module, "_render_in_thread", fake_render)
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    sent: list[dict] = []

    async def send(text: str) -> None:
        sent.append(json.loads(text))

    async def close(code: int) -> None:
        pass

    viewer = Viewer(wedding=SimpleNamespace(pk=7), audience=Audience.GUESTS)
    watcher = hub_module.Watcher(viewer=viewer, send=send, close=close)
    hub.watch(watcher, [hub_module.Watched(region=regions.get("t_songs"), params=(), dom_id="live-t_songs")])
    await hub.attach(watcher)
    hub.note_version(7, 10)

    for version in (11, 11, 10, 13, 12, 12):  # a duplicate, an old one, then 13 before 12
        hub.on_message({"wedding": 7, "version": version, "topics": ["song"]})
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)

    assert hub.stats["duplicates"] == 3
    assert hub.weddings[7].ledger.contiguous == 13 and hub.stats["gaps"] == 0
    assert sent and sent[-1]["v"] == 13
    await hub.shutdown()


def household_renders(monkeypatch, text: str = "{pk}") -> list[int]:
    """Renders replaced by one that records each viewer's household (and shows `text`); the list."""
    renders: list[int] = []

    async def fake_render(name, viewer, params):
        renders.append(viewer.household.pk)
        return f'<p id="live-{name}">{text.format(pk=viewer.household.pk)}</p>'

    monkeypatch.setattr(hub_module, "_render_in_thread", fake_render)
    return renders


async def two_households_watching(hub, region) -> dict[int, list[dict]]:
    """Households 1 and 2 of wedding 1 each watch `region` (at version 0); the frames each gets."""
    sent: dict[int, list[dict]] = {1: [], 2: []}

    async def close(code: int) -> None:
        raise AssertionError("not closed")

    for household_id in (1, 2):
        viewer = Viewer(wedding=SimpleNamespace(pk=1), audience=Audience.HOUSEHOLD,
                        household=SimpleNamespace(pk=household_id))

        async def send(text: str, household_id=household_id) -> None:
            sent[household_id].append(json.loads(text))

        watcher = hub_module.Watcher(viewer=viewer, send=send, close=close, household_id=household_id)
        hub.watch(watcher, [hub_module.Watched(region=region, params=(), dom_id=f"live-{region.name}")])
        await hub.attach(watcher)
    hub.note_version(1, 0)
    return sent


async def test_a_household_region_skips_other_households_own_rows(monkeypatch):
    """One guest's vote re-renders that household's `my_songs`, not every household's."""
    renders = household_renders(monkeypatch)
    region = regions.register(
        "t_own_votes", audience=Audience.HOUSEHOLD, topics={"song"}, own_topics={"song"},
        template="unused", context=dict,
    )
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    try:
        sent = await two_households_watching(hub, region)

        hub.on_message({"wedding": 1, "version": 1, "topics": ["song"], "households": {"song": [1]}})
        await asyncio.sleep(hub_module.DEBOUNCE + 0.2)
        assert [len(sent[1]), len(sent[2])] == [1, 0] and renders == [1]

        hub.on_message({"wedding": 1, "version": 2, "topics": ["song"], "households": {}})  # unknown
        await asyncio.sleep(hub_module.DEBOUNCE + 0.2)
        assert [len(sent[1]), len(sent[2])] == [2, 1] and sorted(renders) == [1, 1, 2]
    finally:
        regions.unregister("t_own_votes")
        await hub.shutdown()


async def test_a_version_whose_message_is_late_is_read_from_the_log_and_re_renders_only_what_it_changed(monkeypatch):
    """Household 1 voted on another process and its message is late (a busy box): after
    GAP_GRACE the hub reads that version from the change log and re-renders household 1's
    region alone, not every region of every socket; the message coming after all is a duplicate."""
    monkeypatch.setattr(hub_module, "GAP_GRACE", 0.05)
    renders = household_renders(monkeypatch)
    region = regions.register(
        "t_own_votes", audience=Audience.HOUSEHOLD, topics={"song"}, own_topics={"song"},
        template="unused", context=dict,
    )
    late = {"wedding": 1, "version": 1, "topics": ["song"], "households": {"song": [1]}}
    reads: list[tuple] = []

    async def logged_messages(wedding_id, since, until):
        reads.append((wedding_id, since, until))
        return [late]

    monkeypatch.setattr(hub_module, "_logged_messages", logged_messages)
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    try:
        sent = await two_households_watching(hub, region)

        hub.on_message({"wedding": 1, "version": 2, "topics": ["wedding"]})  # shown by no region here
        await asyncio.sleep(hub_module.DEBOUNCE + 0.2)

        assert reads == [(1, 0, 2)]
        assert hub.stats["gaps"] == 1 and hub.stats["filled"] == 1 and hub.stats["resyncs"] == 0
        assert renders == [1] and len(sent[2]) == 0
        assert len(sent[1]) == 1 and not sent[1][0]["resync"]
        assert hub.weddings[1].ledger.contiguous == 2

        hub.on_message(late)  # it came after all
        await asyncio.sleep(hub_module.DEBOUNCE + 0.2)
        assert hub.stats["duplicates"] == 1 and renders == [1]
    finally:
        regions.unregister("t_own_votes")
        await hub.shutdown()


async def test_a_region_whose_html_did_not_change_is_not_sent_again(monkeypatch):
    """A write no region shows (a photo stored, not yet made) costs a version-only frame per socket,
    not the region's whole HTML; a changed render, a resync and a new hello send it again."""
    html = {"t_songs": '<p id="live-t_songs">a</p>'}
    renders: list[str] = []

    async def fake_render(name, viewer, params):
        renders.append(name)
        return html[name]

    monkeypatch.setattr(hub_module, "_render_in_thread", fake_render)
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    sent: list[dict] = []

    async def send(text: str) -> None:
        sent.append(json.loads(text))

    async def close(code: int) -> None:
        raise AssertionError("not closed")

    viewer = Viewer(wedding=SimpleNamespace(pk=3), audience=Audience.GUESTS)
    watcher = hub_module.Watcher(viewer=viewer, send=send, close=close)
    watched = [hub_module.Watched(region=regions.get("t_songs"), params=(), dom_id="live-t_songs")]
    hub.watch(watcher, watched)
    await hub.attach(watcher)
    hub.note_version(3, 0)

    async def next_frame() -> dict:
        count = len(sent)
        async with asyncio.timeout(hub_module.CEILING + 1):
            while len(sent) == count:
                await asyncio.sleep(0.01)
        return sent[-1]

    async def change(version: int) -> dict:
        hub.on_message({"wedding": 3, "version": version, "topics": ["song"]})
        return await next_frame()

    first = await change(1)
    assert first["v"] == 1 and [r["html"] for r in first["regions"]] == [html["t_songs"]]
    same = await change(2)  # rendered again, identical: the version moves on, no HTML
    assert same["v"] == 2 and same["since"] == 1 and same.get("regions", []) == []
    assert hub.stats["unchanged_skipped"] == 1 and len(renders) == 2
    html["t_songs"] = '<p id="live-t_songs">b</p>'
    changed = await change(3)
    assert changed["since"] == 2 and [r["html"] for r in changed["regions"]] == [html["t_songs"]]

    hub.resync(watcher)  # a resync sends every region, changed or not
    resynced = await next_frame()
    assert resynced["resync"] is True and [r["html"] for r in resynced["regions"]] == [html["t_songs"]]

    hub.watch(watcher, watched)  # a new hello: the page may show anything
    again = await change(4)
    assert [r["html"] for r in again["regions"]] == [html["t_songs"]]
    await hub.shutdown()


# --- subscriptions: sockets showing the same thing are judged once -------------------------------


def _socket(hub, *, wedding_id=1, audience=Audience.GUESTS, household_id=None, region="t_songs"):
    """A watcher (not attached yet) and the frames it is sent."""
    sent: list[dict] = []

    async def send(text: str) -> None:
        sent.append(json.loads(text))

    async def close(code: int) -> None:
        raise AssertionError("not closed")

    household = SimpleNamespace(pk=household_id) if household_id is not None else None
    viewer = Viewer(wedding=SimpleNamespace(pk=wedding_id), audience=audience, household=household, language="en")
    watcher = hub_module.Watcher(viewer=viewer, send=send, close=close, household_id=household_id)
    hub.watch(watcher, [_watched(region)])
    return watcher, sent


def _watched(name: str) -> hub_module.Watched:
    return hub_module.Watched(region=regions.get(name), params=(), dom_id=f"live-{name}")


async def test_sockets_with_the_same_subscription_are_judged_and_rendered_once_per_change(monkeypatch):
    renders: list[str] = []

    async def fake_render(name, viewer, params):
        renders.append(name)
        return f'<p id="live-{name}">{len(renders)}</p>'

    monkeypatch.setattr(hub_module, "_render_in_thread", fake_render)
    judged = []
    real = hub_module.Subscription.changed_regions
    monkeypatch.setattr(
        hub_module.Subscription, "changed_regions",
        lambda self, *args: judged.append(self) or real(self, *args),
    )
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    # 40 guests of different households watching the public songs region, 2 the directory.
    sockets = [_socket(hub, household_id=100 + i, audience=Audience.HOUSEHOLD) for i in range(40)]
    sockets += [_socket(hub, household_id=200 + i, audience=Audience.HOUSEHOLD, region="t_directory") for i in range(2)]
    for watcher, _sent in sockets:
        await hub.attach(watcher)
    hub.note_version(1, 0)

    hub.on_message({"wedding": 1, "version": 1, "topics": ["song", "guest"]})
    await asyncio.sleep(0.1)

    assert len(hub.weddings[1].subscriptions) == 2  # the households' own ids do not split a GUESTS region
    assert len(judged) == 2  # one decision per subscription, not one per socket
    assert sorted(renders) == ["t_directory", "t_songs"]
    assert all(len(sent) == 1 and sent[0]["v"] == 1 for _w, sent in sockets)
    assert len({json.dumps(sent[0]) for _w, sent in sockets[:40]}) == 1  # the same frame
    await hub.shutdown()


async def test_two_households_watching_a_private_region_never_share_a_subscription_or_a_frame(monkeypatch):
    renders = household_renders(monkeypatch, "private to {pk}")
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    sockets = {
        household_id: [
            _socket(hub, household_id=household_id, audience=Audience.HOUSEHOLD, region="t_my_household")
            for _ in range(3)
        ]
        for household_id in (1, 2)
    }
    for watcher, _sent in sockets[1] + sockets[2]:
        await hub.attach(watcher)
    hub.note_version(1, 0)

    for version in (1, 2):
        hub.on_message({"wedding": 1, "version": version, "topics": ["guest"]})
        await asyncio.sleep(hub_module.DEBOUNCE + 0.05)

    assert len(hub.weddings[1].subscriptions) == 2
    assert sorted(renders) == [1, 1, 2, 2]  # one render per household per version, shared by its 3 sockets
    for household_id, other in ((1, 2), (2, 1)):
        for _watcher, sent in sockets[household_id]:
            assert [f["v"] for f in sent] == [1, 2]
            html = "".join(r["html"] for f in sent for r in f["regions"])
            assert f"private to {household_id}" in html and f"private to {other}" not in html
    await hub.shutdown()


async def test_sockets_joining_and_leaving_a_subscription_mid_stream_still_get_every_version(monkeypatch):
    """Each socket's frames chain (every `since` is its previous `v`) up to the last version,
    whether it was there from the start, joined halfway, moved to another subscription by a new
    hello, or stayed while others left."""

    async def fake_render(name, viewer, params):
        await asyncio.sleep(0.005)
        return f'<p id="live-{name}">{hub.weddings[1].ledger.latest}</p>'

    monkeypatch.setattr(hub_module, "_render_in_thread", fake_render)
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    early = [_socket(hub) for _ in range(4)]
    for watcher, _sent in early:
        await hub.attach(watcher)
    hub.note_version(1, 0)
    late, mover, leaver = None, early[1], early[2]
    last = 40
    for version in range(1, last + 1):
        hub.on_message({"wedding": 1, "version": version, "topics": ["song", "guest"]})
        if version == 10:  # a page rendered at version 10 connects (as the consumer's hello does)
            late = _socket(hub)
            late[0].version = 10
            await hub.attach(late[0])
            hub.note_version(1, 10)
            hub.catch_up(late[0], current=10, client_version=10, topics=set())
        if version == 20:  # a new hello on an open socket, with one more region
            hub.watch(mover[0], [_watched("t_songs"), _watched("t_directory")])
        if version == 25:
            hub.detach(leaver[0])
        await asyncio.sleep(0.03 if version % 7 else 0.4)  # bursts (coalesced) and pauses

    await asyncio.sleep(hub_module.CEILING)
    subscriptions = hub.weddings[1].subscriptions
    assert len(subscriptions) == 2 and mover[0].subscription is not early[0][0].subscription
    assert late[0].subscription is early[0][0].subscription and leaver[0].subscription is None
    for (watcher, sent), since in [*((s, 0) for s in early if s is not leaver), (late, 10)]:
        assert sent[-1]["v"] == last, sent[-1]
        for frame in sent:
            assert frame["since"] == since  # no version it cannot account for
            since = frame["v"]
        assert watcher.version == last
    assert leaver[1][-1]["v"] < last
    await hub.shutdown()


async def test_a_socket_that_resyncs_leaves_the_others_of_its_subscription_as_they_were(monkeypatch):
    async def fake_render(name, viewer, params):
        return f'<p id="live-{name}">same</p>'

    monkeypatch.setattr(hub_module, "_render_in_thread", fake_render)
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    sockets = [_socket(hub) for _ in range(3)]
    for watcher, _sent in sockets:
        await hub.attach(watcher)
    hub.note_version(1, 0)
    hub.on_message({"wedding": 1, "version": 1, "topics": ["song"]})
    await asyncio.sleep(0.05)
    hub.resync(sockets[0][0])
    await asyncio.sleep(0.05)
    hub.on_message({"wedding": 1, "version": 2, "topics": ["song"]})
    await asyncio.sleep(0.05)

    resynced, *others = [sent for _w, sent in sockets]
    assert [(f["v"], f["resync"], len(f["regions"])) for f in resynced] == [(1, False, 1), (1, True, 1), (2, False, 0)]
    for sent in others:  # unchanged HTML: version-only frames, no resync
        assert [(f["v"], f["resync"], len(f["regions"])) for f in sent] == [(1, False, 1), (2, False, 0)]
    await hub.shutdown()


async def test_a_fan_out_leaves_no_new_object_per_socket_for_the_garbage_collector(monkeypatch):
    """Objects made per socket per change and kept past a flush reach the old generations, and
    enough of them set off full collections (half a second each at 5,000 sockets): the sockets
    of one subscription share their dirty set, plan and frame, and a flush keeps nothing per socket."""
    import gc

    async def fake_render(name, viewer, params):
        return f'<p id="live-{name}">x</p>'

    monkeypatch.setattr(hub_module, "_render_in_thread", fake_render)
    monkeypatch.setattr(hub_module, "LEADING_FRAMES", 10**9)  # one frame per change per socket
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    written = []
    sockets = []
    for _ in range(2000):
        watcher, _sent = _socket(hub)
        watcher.direct = SimpleNamespace(write=lambda data: written.append(1) or True)
        await hub.attach(watcher)
        sockets.append(watcher)
    hub.note_version(1, 0)

    async def deliver(version: int) -> None:
        hub.on_message({"wedding": 1, "version": version, "topics": ["song"]})
        async with asyncio.timeout(5):
            while sockets[-1].version < version or hub._due or sockets[-1].flushing:
                await asyncio.sleep(0)

    await deliver(1)
    collections: list[int] = []

    def count(phase, info):
        if phase == "stop":
            collections.append(info["generation"])

    threshold = gc.get_threshold()
    gc.collect()
    gc.set_threshold(1000, 1000, 1000)  # a collection per 1,000 objects kept: two per change if one per socket
    gc.callbacks.append(count)
    try:
        for version in range(2, 12):
            await deliver(version)
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*threshold)
    assert len(written) == 2000 * 11
    assert len(collections) <= 3, collections
    await hub.shutdown()


async def test_a_hello_during_a_fan_out_gets_the_regions_html_again(monkeypatch):
    """A new hello resets what the socket is known to show; a fan-out that yields to the loop
    around that socket's frame must not put the old knowledge back (its next frames would then
    leave out HTML the new page may not have)."""

    async def fake_render(name, viewer, params):
        return f'<p id="live-{name}">same</p>'

    monkeypatch.setattr(hub_module, "_render_in_thread", fake_render)
    monkeypatch.setattr(hub_module, "YIELD_EVERY", 1)  # yield around every frame
    monkeypatch.setattr(hub_module, "LEADING_FRAMES", 10**9)  # no burst: a frame per change
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    sockets = [_socket(hub) for _ in range(3)]
    for watcher, _sent in sockets:
        await hub.attach(watcher)
    hub.note_version(1, 0)
    (_w0, _s0), (middle, middle_sent), (last, last_sent) = sockets
    hub.on_message({"wedding": 1, "version": 1, "topics": ["song"]})
    await asyncio.sleep(0.05)

    hello_at = []
    real_send = middle.send

    async def send_then_hello(text: str) -> None:  # the last socket's new hello lands mid fan-out
        await real_send(text)
        if not hello_at:
            asyncio.get_running_loop().call_soon(
                lambda: hello_at.append(len(last_sent)) or hub.watch(last, [_watched("t_songs")])
            )

    middle.send = send_then_hello
    for version in (2, 3):  # the same HTML each time
        hub.on_message({"wedding": 1, "version": version, "topics": ["song"]})
        await asyncio.sleep(0.05)

    assert hello_at and [f["v"] for f in last_sent] == [1, 2, 3]
    after_hello = last_sent[hello_at[0]:]
    assert any(r["html"] for f in after_hello for r in f["regions"]), after_hello
    await hub.shutdown()


async def test_a_change_to_a_calm_region_is_not_held_by_another_regions_burst(monkeypatch):
    """The photo flood's page: the gallery changes every 20 ms for a second and a half (a burst,
    held), and a song vote in the middle of it reaches the socket at once, with the gallery's
    held changes in the same frame, instead of waiting for the gallery's quiet or ceiling."""
    renders: list[str] = []

    async def fake_render(name, viewer, params):
        renders.append(name)
        return f'<p id="live-{name}">{len(renders)}</p>'

    monkeypatch.setattr(hub_module, "_render_in_thread", fake_render)
    gallery = regions.register("t_gallery", audience=Audience.GUESTS, topics={"photo"}, template="unused", context=dict)
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    try:
        watcher, sent = _socket(hub)
        hub.watch(watcher, [_watched("t_songs"), _watched("t_gallery")])
        await hub.attach(watcher)
        hub.note_version(1, 0)
        loop = asyncio.get_running_loop()
        version, vote = 0, None
        for step in range(75):
            version += 1
            if step == 40:
                vote = (version, loop.time())
                hub.on_message({"wedding": 1, "version": version, "topics": ["song"]})
            else:
                hub.on_message({"wedding": 1, "version": version, "topics": ["photo"]})
            await asyncio.sleep(0.02)
            if vote is not None and any(f["v"] >= vote[0] for f in sent):
                break
        assert vote is not None and any(f["v"] >= vote[0] for f in sent), "the vote was held"
        vote_frame = next(f for f in sent if f["v"] >= vote[0])
        assert vote_frame["v"] == vote[0]  # sent the moment it arrived
        assert {part["id"] for part in vote_frame["regions"]} == {"live-t_songs", "live-t_gallery"}
        assert loop.time() - vote[1] < 0.2
        frames_before_vote = [f for f in sent if f["v"] < vote[0]]
        assert len(frames_before_vote) < 10  # the gallery's burst was held, not sent change by change
        assert watcher.held_since is None
        gallery_after = version
        hub.on_message({"wedding": 1, "version": version + 1, "topics": ["photo"]})  # the burst goes on
        await asyncio.sleep(0.01)
        assert max(f["v"] for f in sent) == gallery_after  # not sent at once
        assert watcher.timer is not None  # held again
    finally:
        regions.unregister(gallery.name)
        await hub.shutdown()


async def test_a_change_that_came_calm_during_a_frame_is_sent_when_the_frame_is_out(monkeypatch):
    """A steady writer on a busy hub: a change judged "send now" arrives while the socket's
    previous frame is still going out, and two more follow it before that frame is out (the
    loop was late). The change goes out as soon as the frame is out, taking the later ones
    with it, instead of being judged again then, when three changes within DEBOUNCE look like
    a burst and would hold it for DEBOUNCE more (the 5,000-socket fan-out's p99)."""
    async def fake_render(name, viewer, params):
        return f'<p id="live-{name}">{params}</p>'

    monkeypatch.setattr(hub_module, "_render_in_thread", fake_render)
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    loop = asyncio.get_running_loop()
    gate = asyncio.Event()
    sent: list[tuple[int, float]] = []
    try:
        watcher, _frames = _socket(hub)

        async def send(text: str) -> None:
            sent.append((json.loads(text)["v"], loop.time()))
            if len(sent) == 1:
                await gate.wait()  # the first frame takes a while to go out

        watcher.send = send
        await hub.attach(watcher)
        hub.note_version(1, 0)
        hub.on_message({"wedding": 1, "version": 1, "topics": ["song"]})
        await asyncio.sleep(0.01)
        assert [v for v, _t in sent] == [1] and watcher.flushing
        hub.on_message({"wedding": 1, "version": 2, "topics": ["song"]})  # the second change in DEBOUNCE: calm
        hub.on_message({"wedding": 1, "version": 3, "topics": ["song"]})  # the third: the region is bursting
        assert watcher.subscription.debounce.bursting("live-t_songs", loop.time())
        released = loop.time()
        gate.set()
        for _ in range(100):
            if len(sent) > 1:
                break
            await asyncio.sleep(0.005)
        assert [v for v, _t in sent] == [1, 3]  # one frame for both
        assert sent[1][1] - released < hub_module.DEBOUNCE / 2  # not held for the burst's quiet
        assert watcher.timer is None and watcher.held_since is None and not watcher.due_now

        # The region is still in its burst: the next change, with no frame in flight, is held as before.
        hub.on_message({"wedding": 1, "version": 4, "topics": ["song"]})
        await asyncio.sleep(0.01)
        assert watcher.timer is not None and [v for v, _t in sent] == [1, 3]
    finally:
        gate.set()
        await hub.shutdown()
