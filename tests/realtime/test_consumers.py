"""The /ws/live/ socket: who may connect, what each principal receives, when it is closed."""

from __future__ import annotations

import asyncio

import pytest
from django.test import Client

from realtime import hub as hub_module
from tests import factories
from tests.realtime.conftest import (
    ORIGIN,
    closed_code,
    frames,
    household_cookie,
    html_of,
    open_socket,
    planner_cookie,
    run,
    session_cookie,
    version_of,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_settings", "fresh_hub")]

PLANNER_GUESTS = {"name": "t_planner_guests", "params": {}}
DIRECTORY = {"name": "t_directory", "params": {}}
MINE = {"name": "t_my_household", "params": {}}
SONGS = {"name": "t_songs", "params": {}}


async def test_planner_receives_region_html_after_a_committed_change(wedding, planner, household):
    cookie = await run(lambda: planner_cookie(planner))
    socket, welcome = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS], version=await version_of(wedding))
    assert welcome["t"] == "welcome" and welcome["state"] == "live"
    assert welcome["regions"] == ["live-t_planner_guests"] and welcome["refused"] == []

    await run(lambda: factories.GuestFactory(household=household, first_name="Inés", email="ines@example.org"))

    got = await frames(socket, expect=["Inés"])
    assert len(got) == 1
    assert got[0]["regions"][0]["id"] == "live-t_planner_guests"
    assert "Inés" in got[0]["regions"][0]["html"] and "ines@example.org" in got[0]["regions"][0]["html"]
    assert got[0]["v"] > welcome["v"] and got[0]["since"] == welcome["v"]
    await socket.disconnect()


async def test_an_accepted_socket_lets_go_of_the_http_request_it_was_opened_with(wedding, planner, monkeypatch):
    """Each accepted socket hands its server send to `transport.release_http_request` once (under
    daphne that frees twisted.web's channel and request: tests/realtime/test_transport.py)."""
    from realtime import transport

    released = []
    monkeypatch.setattr(transport, "release_http_request", lambda send: released.append(send) or False)
    cookie = await run(lambda: planner_cookie(planner))
    socket, welcome = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS])
    assert welcome["t"] == "welcome"
    assert len(released) == 1 and callable(released[0])
    await socket.disconnect()


async def test_a_change_committed_before_the_socket_connected_is_caught_up(wedding, planner, household):
    page_version = await version_of(wedding)
    await run(lambda: factories.GuestFactory(household=household, first_name="Between"))
    cookie = await run(lambda: planner_cookie(planner))

    socket, welcome = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS, SONGS], version=page_version)

    assert welcome["v"] == page_version + 1
    got = await frames(socket, expect=["Between"])
    assert [r["id"] for f in got for r in f["regions"]] == ["live-t_planner_guests"]  # songs did not change
    assert "Between" in html_of(got)
    await socket.disconnect()


async def test_a_change_to_a_topic_the_page_does_not_show_sends_nothing(wedding, planner):
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS], version=await version_of(wedding))

    await run(lambda: factories.SongRequestFactory(wedding=wedding))

    assert await frames(socket, timeout=0.4) == []
    await socket.disconnect()


async def test_guest_household_gets_only_the_regions_it_may_see(wedding, household):
    other = await run(lambda: factories.HouseholdFactory(wedding=wedding, name="The Other family"))
    cookie = await run(lambda: household_cookie(household))
    socket, welcome = await open_socket(
        cookie, wedding.pk, regions_=[PLANNER_GUESTS, DIRECTORY, MINE], version=await version_of(wedding)
    )
    assert welcome["regions"] == ["live-t_directory", "live-t_my_household"]
    assert [r["name"] for r in welcome["refused"]] == ["t_planner_guests"]

    await run(lambda: factories.GuestFactory(household=household, first_name="Mine", email="mine@example.org"))
    await run(lambda: factories.GuestFactory(
        household=other, first_name="Listed", email="listed@example.org", directory_opt_in=True
    ))

    got = await frames(socket, expect=["mine@example.org", "Listed"])
    ids = {r["id"] for f in got for r in f["regions"]}
    assert ids == {"live-t_directory", "live-t_my_household"}
    html = html_of(got)
    assert "mine@example.org" in html  # its own household's data
    assert "Listed" in html and "listed@example.org" not in html  # another household: name only
    await socket.disconnect()


async def test_a_foreign_origin_is_refused(wedding, planner):
    from channels.testing import WebsocketCommunicator

    from wedding.asgi import application

    cookie = await run(lambda: planner_cookie(planner))
    socket = WebsocketCommunicator(
        application, f"/ws/live/?wedding={wedding.pk}", headers=[(b"origin", b"https://evil.example"), cookie]
    )
    connected, _code = await socket.connect()
    assert not connected


async def test_anonymous_sockets_are_closed_with_4403(wedding):
    socket, _ = await open_socket(None, wedding.pk, hello=False)
    assert await closed_code(socket) == 4403


async def test_a_guest_cannot_join_another_wedding(wedding, other_wedding, household):
    cookie = await run(lambda: household_cookie(household))
    socket, _ = await open_socket(cookie, other_wedding.pk, hello=False)
    assert await closed_code(socket) == 4403


async def test_a_planner_cannot_join_a_wedding_they_do_not_plan(wedding, other_wedding, planner):
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, other_wedding.pk, hello=False)
    assert await closed_code(socket) == 4403


async def test_logging_out_closes_that_sessions_sockets(wedding, planner):
    client = Client()
    await run(lambda: client.force_login(planner))
    cookie = session_cookie(client)
    other_browser = await run(lambda: planner_cookie(planner))
    first, _ = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS])
    second, _ = await open_socket(cookie, wedding.pk, regions_=[SONGS])
    elsewhere, _ = await open_socket(other_browser, wedding.pk, regions_=[PLANNER_GUESTS])

    await run(client.logout)

    assert await closed_code(first) == 4401
    assert await closed_code(second) == 4401
    assert await closed_code(elsewhere, timeout=0.3) is None  # still signed in there
    reconnect, _ = await open_socket(cookie, wedding.pk, hello=False)
    assert await closed_code(reconnect) == 4403
    await elsewhere.disconnect()


async def test_closing_a_user_closes_every_socket_of_theirs(wedding, planner):
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[SONGS])

    await run(lambda: hub_module.close_sockets(user_id=planner.pk))

    assert await closed_code(socket) == 4401


async def test_regenerating_a_households_code_closes_its_sockets(wedding, household):
    from guests.codes import new_code

    other_household = await run(lambda: factories.HouseholdFactory(wedding=wedding))
    cookie = await run(lambda: household_cookie(household))
    bystander_cookie = await run(lambda: household_cookie(other_household))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[MINE])
    bystander, _ = await open_socket(bystander_cookie, wedding.pk, regions_=[MINE])

    def regenerate():
        household.invitation_code = new_code()
        household.save()

    await run(regenerate)

    assert await closed_code(socket) == 4401
    assert await closed_code(bystander, timeout=0.3) is None  # other households keep watching
    again, _ = await open_socket(cookie, wedding.pk, hello=False)
    assert await closed_code(again) == 4403  # the old session no longer enters
    await bystander.disconnect()


async def test_a_dropped_message_is_recovered_when_the_next_one_reveals_the_gap(
    wedding, planner, household, monkeypatch
):
    monkeypatch.setattr(hub_module, "GAP_GRACE", 0.1)
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS, SONGS], version=await version_of(wedding))
    deliver = hub_module.deliver_local
    monkeypatch.setattr(hub_module, "deliver_local", lambda message: None)  # the layer lost it
    await run(lambda: factories.GuestFactory(household=household, first_name="Lost"))
    monkeypatch.setattr(hub_module, "deliver_local", deliver)
    assert await frames(socket, timeout=0.3) == []

    await run(lambda: factories.SongRequestFactory(wedding=wedding))  # a later, unrelated change

    got = await frames(socket, expect=["Lost"])
    assert "Lost" in html_of(got)  # the gap was filled from the change log
    assert not any(f["resync"] for f in got)  # only the regions the two versions touched
    hub = hub_module.current_hub()
    assert hub.stats["gaps"] == 1 and hub.stats["filled"] == 1
    await socket.disconnect()


async def test_a_dropped_message_the_log_cannot_tell_resyncs_every_region(wedding, planner, household, monkeypatch):
    from realtime.models import Change

    monkeypatch.setattr(hub_module, "GAP_GRACE", 0.1)
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS, SONGS], version=await version_of(wedding))
    deliver = hub_module.deliver_local
    monkeypatch.setattr(hub_module, "deliver_local", lambda message: None)  # the layer lost it
    await run(lambda: factories.GuestFactory(household=household, first_name="Pruned"))
    lost = await version_of(wedding)
    await run(lambda: Change.objects.filter(wedding=wedding, version=lost).delete())  # and the log forgot it
    monkeypatch.setattr(hub_module, "deliver_local", deliver)

    await run(lambda: factories.SongRequestFactory(wedding=wedding))

    got = await frames(socket, expect=["Pruned"])
    assert "Pruned" in html_of(got)
    assert any(f["resync"] for f in got)  # the gap made the hub resync every region
    assert hub_module.current_hub().stats["filled"] == 0
    await socket.disconnect()


async def test_a_lost_last_message_is_recovered_by_the_version_audit(wedding, planner, household, monkeypatch):
    monkeypatch.setattr(hub_module, "AUDIT_INTERVAL", 0.15)
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS], version=await version_of(wedding))
    monkeypatch.setattr(hub_module, "deliver_local", lambda message: None)

    await run(lambda: factories.GuestFactory(household=household, first_name="Silent"))

    got = await frames(socket, timeout=1.0, expect=["Silent"])
    assert "Silent" in html_of(got)
    await socket.disconnect()


async def test_a_dropped_message_is_recovered_on_reconnect(wedding, planner, household, monkeypatch):
    cookie = await run(lambda: planner_cookie(planner))
    page_version = await version_of(wedding)
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS], version=page_version)
    monkeypatch.setattr(hub_module, "deliver_local", lambda message: None)
    await run(lambda: factories.GuestFactory(household=household, first_name="Offline"))
    await socket.disconnect()

    again, welcome = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS], version=page_version)

    assert welcome["v"] > page_version
    assert "Offline" in html_of(await frames(again, expect=["Offline"]))
    await again.disconnect()


async def test_many_sockets_watching_one_region_cost_one_render_per_version(wedding, planner):
    households = await run(lambda: [factories.HouseholdFactory(wedding=wedding) for _ in range(6)])
    cookies = [await run(lambda h=h: household_cookie(h)) for h in households]
    cookies.append(await run(lambda: planner_cookie(planner)))  # a planner shares the guests' render
    version = await version_of(wedding)
    sockets = []
    for cookie in cookies * 3:  # 21 sockets
        socket, _ = await open_socket(cookie, wedding.pk, regions_=[SONGS], version=version)
        sockets.append(socket)
    hub = hub_module.current_hub()
    before = hub.stats["renders"]

    await run(lambda: factories.SongRequestFactory(wedding=wedding))

    for got in await asyncio.gather(*(frames(socket, timeout=0.3) for socket in sockets)):
        assert len(got) == 1 and "1 songs" in html_of(got)
    assert hub.stats["renders"] - before == 1
    assert hub.counters()["sockets"] == len(sockets)
    for socket in sockets:
        await socket.disconnect()
    assert hub.counters()["sockets"] == 0


async def test_a_burst_of_changes_coalesces_into_few_frames(wedding, planner, monkeypatch):
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[SONGS], version=await version_of(wedding))

    def burst():
        for _ in range(25):
            factories.SongRequestFactory(wedding=wedding)

    await run(burst)

    got = await frames(socket, timeout=hub_module.DEBOUNCE + 0.4, expect=["25 songs"])
    # At most LEADING_FRAMES go out at once, the rest of the burst is one frame.
    assert len(got) <= hub_module.LEADING_FRAMES + 1
    assert "25 songs" in got[-1]["regions"][0]["html"]
    await socket.disconnect()


async def test_changes_that_keep_coming_are_sent_at_least_every_ceiling(wedding, planner, monkeypatch):
    # A quiet spell of 0.4 s ends a debounce: longer than the writer's 50 ms pauses by far, so a
    # machine busy with other test workers does not turn a stalled writer into extra frames.
    monkeypatch.setattr(hub_module, "DEBOUNCE", 0.4)
    monkeypatch.setattr(hub_module, "CEILING", 1.0)
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[SONGS], version=await version_of(wedding))
    loop = asyncio.get_running_loop()
    arrivals: list[float] = []
    started = loop.time()

    async def collect():
        while True:
            frame = await socket.receive_json_from(timeout=5)
            arrivals.append(loop.time())
            # A version-only frame (regions []) is a render equal to the last one sent:
            # it came from a newer commit than the HTML it confirms.
            if any("30 songs" in region["html"] for region in frame["regions"]):
                return

    def steady():  # a change every ~50 ms: never 400 ms of quiet
        import time

        for _ in range(30):
            factories.SongRequestFactory(wedding=wedding)
            time.sleep(0.05)

    await asyncio.gather(run(steady), collect())

    gaps = [b - a for a, b in zip([started, *arrivals], arrivals, strict=False)]
    assert max(gaps) <= 1.0 + 0.35  # the ceiling, plus a render and scheduling slack
    assert len(arrivals) < 30 / 2  # and the stream was coalesced
    await socket.disconnect()


async def test_guest_frames_never_carry_another_households_private_data(wedding, planner, household, event):
    """Every frame a guest socket gets during a scripted series of planner edits is checked."""
    secrets = {
        "email": "secret.neighbour@example.org",
        "phone": "+34 699 000 111",
        "address": "7 Secret Lane",
        "dietary": "allergic-to-secret-nuts",
        "note": "planner-note-do-not-show",
    }
    cookie = await run(lambda: household_cookie(household))
    planner_side = await run(lambda: planner_cookie(planner))
    version = await version_of(wedding)
    guest_socket, _ = await open_socket(cookie, wedding.pk, regions_=[DIRECTORY, MINE, SONGS], version=version)
    planner_socket, _ = await open_socket(planner_side, wedding.pk, regions_=[PLANNER_GUESTS], version=version)

    def planner_edits():
        neighbours = factories.HouseholdFactory(wedding=wedding, name="Neighbours", address=secrets["address"])
        guest = factories.GuestFactory(
            household=neighbours, first_name="Nadia", email=secrets["email"], phone=secrets["phone"],
            dietary_notes=secrets["dietary"], notes=secrets["note"], directory_opt_in=True,
        )
        guest.last_name = "Navarro"
        guest.save()
        factories.ResponseFactory(guest=guest, event=event)
        tag = factories.TagFactory(wedding=wedding, name="vip")
        guest.tags.add(tag)
        factories.GuestFactory(household=household, first_name="Own", dietary_notes="own-dietary-ok")
        factories.SongRequestFactory(wedding=wedding)

    await run(planner_edits)

    guest_frames = await frames(guest_socket, expect=["Nadia", "own-dietary-ok"])
    guest_html = html_of(guest_frames)
    assert "Nadia" in guest_html and "own-dietary-ok" in guest_html  # the frames did arrive
    for kind, value in secrets.items():
        assert value not in guest_html, f"{kind} of another household reached a guest"
    planner_html = html_of(await frames(planner_socket, expect=list(secrets.values())))
    assert all(value in planner_html for value in secrets.values())  # the check can fail
    await guest_socket.disconnect()
    await planner_socket.disconnect()


async def test_malformed_frames_get_an_error_not_a_crash(wedding, planner):
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, hello=False)
    await socket.send_to(text_data="not json")
    assert (await socket.receive_json_from())["t"] == "error"
    await socket.send_json_to({"t": "hello", "v": "x", "regions": [{"name": "nope"}, {"name": "t_songs", "params": {"evil": 1}}]})
    welcome = await socket.receive_json_from()
    assert welcome["regions"] == [] and len(welcome["refused"]) == 2
    await socket.send_json_to({"t": "ping"})
    assert "pong" in [f["t"] for f in await frames(socket, timeout=0.3, at_least=1)]
    await socket.disconnect()


async def test_a_resync_request_re_renders_every_region(wedding, planner):
    cookie = await run(lambda: planner_cookie(planner))
    socket, welcome = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS, SONGS], version=await version_of(wedding))
    await socket.send_json_to({"t": "resync"})
    got = await frames(socket, at_least=1)
    assert len(got) == 1 and got[0]["resync"]
    assert {r["id"] for r in got[0]["regions"]} == {"live-t_planner_guests", "live-t_songs"}
    await socket.disconnect()


def test_the_in_memory_layer_needs_no_layer_publish():
    from channels.layers import InMemoryChannelLayer

    assert not hub_module.needs_layer_publish(InMemoryChannelLayer())
    assert hub_module.needs_layer_publish(object())


__all__ = ["ORIGIN"]


# --- hostile frames (issue 13, item 3): a bad frame gets an error, a socket always leaves -------

HOSTILE_FRAMES = [
    '{"t": "hello", "v": 1e400, "regions": []}',  # a float that int() cannot take (OverflowError)
    '{"t": "hello", "v": Infinity, "regions": []}',
    '{"t": "hello", "v": -Infinity}',
    '{"t": "hello", "v": NaN}',
    "[" * 16_000 + "]" * 16_000,  # nested 16,000 deep, under the 32 KB frame cap (RecursionError)
    '{"t": "hello", "regions": ' + "[" * 10_000 + "]" * 10_000 + "}",
]


@pytest.mark.parametrize("text", HOSTILE_FRAMES, ids=["1e400", "Infinity", "-Infinity", "NaN", "deep", "deep-regions"])
async def test_a_hostile_frame_gets_a_protocol_error_and_the_socket_still_leaves(wedding, planner, text):
    cookie = await run(lambda: planner_cookie(planner))
    socket, _welcome = await open_socket(cookie, wedding.pk, regions_=[SONGS], version=await version_of(wedding))
    hub = hub_module.current_hub()
    assert hub.counters()["sockets"] == 1

    await socket.send_to(text_data=text)

    reply = await socket.receive_json_from(timeout=5)
    assert reply["t"] == "error" and reply["message"]
    await socket.send_json_to({"t": "ping"})  # the socket still works after it
    assert (await socket.receive_json_from(timeout=5))["t"] == "pong"
    await socket.disconnect()
    assert hub.counters()["sockets"] == 0 and not hub.by_user and not hub.by_session


async def test_a_socket_whose_handling_crashes_is_detached_all_the_same(wedding, planner, monkeypatch):
    """However the consumer dies (here: an unexpected error while handling a frame), its watcher goes."""
    cookie = await run(lambda: planner_cookie(planner))
    socket, _welcome = await open_socket(cookie, wedding.pk, regions_=[SONGS], version=await version_of(wedding))
    hub = hub_module.current_hub()
    assert hub.counters()["sockets"] == 1

    def broken(watcher):
        raise RuntimeError("a bug while handling a resync")

    monkeypatch.setattr(hub, "resync", broken)
    await socket.send_json_to({"t": "resync"})
    with pytest.raises(RuntimeError):
        await socket.receive_output(timeout=5)  # the application ended with the error (daphne: 1011)

    assert hub.counters()["sockets"] == 0 and not hub.by_user and not hub.by_session and not hub.weddings
