"""Issue 13 item 4: a planner or household that loses access stops watching at once.

Removing a planner from a wedding, deactivating them, giving them a new
password, or deleting a household closes those sockets (4401) after commit;
a socket whose close was lost (another process, a dead layer) is refused at
its next resync or hello, which re-check the principal.
"""

from __future__ import annotations

import pytest
from django.test import Client

from realtime import hub as hub_module
from tests import factories
from tests.realtime.conftest import (
    closed_code,
    frames,
    household_cookie,
    open_socket,
    planner_cookie,
    run,
    version_of,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_settings", "fresh_hub")]

SONGS = {"name": "t_songs", "params": {}}
PLANNER_GUESTS = {"name": "t_planner_guests", "params": {}}


async def test_removing_a_planner_closes_their_sockets_on_that_wedding_only(wedding, planner):
    second = await run(lambda: factories.WeddingFactory(name="Second", slug="second", planners=[planner]))
    colleague = await run(lambda: factories.UserFactory(username="colleague"))
    await run(lambda: wedding.planners.add(colleague))
    cookie = await run(lambda: planner_cookie(planner))
    colleague_cookie = await run(lambda: planner_cookie(colleague))
    removed, _ = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS])
    still_theirs, _ = await open_socket(cookie, second.pk, regions_=[PLANNER_GUESTS])
    bystander, _ = await open_socket(colleague_cookie, wedding.pk, regions_=[PLANNER_GUESTS])

    await run(lambda: wedding.planners.remove(planner))

    assert await closed_code(removed) == 4401
    assert await closed_code(still_theirs, timeout=0.3) is None  # they still plan the second wedding
    assert await closed_code(bystander, timeout=0.3) is None
    again, _ = await open_socket(cookie, wedding.pk, hello=False)
    assert await closed_code(again) == 4403
    await still_theirs.disconnect()
    await bystander.disconnect()


@pytest.mark.parametrize("how", ["reverse remove", "clear", "reverse clear", "set"])
async def test_every_way_of_editing_the_planners_closes_the_removed_ones(wedding, planner, how):
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[SONGS])

    def edit():
        if how == "reverse remove":
            planner.planned_weddings.remove(wedding)
        elif how == "clear":
            wedding.planners.clear()
        elif how == "reverse clear":
            planner.planned_weddings.clear()
        else:
            wedding.planners.set([factories.UserFactory(username="replacement")])

    await run(edit)

    assert await closed_code(socket) == 4401


async def test_adding_a_planner_closes_nobody(wedding, planner):
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[SONGS])
    await run(lambda: wedding.planners.add(factories.UserFactory(username="newcomer")))
    assert await closed_code(socket, timeout=0.3) is None
    await socket.disconnect()


async def test_deactivating_a_user_closes_their_sockets(wedding, planner):
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[SONGS])

    def deactivate():
        planner.is_active = False
        planner.save()

    await run(deactivate)

    assert await closed_code(socket) == 4401
    again, _ = await open_socket(cookie, wedding.pk, hello=False)
    assert await closed_code(again) == 4403


async def test_a_new_password_closes_their_sockets_and_other_saves_do_not(wedding, planner):
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[SONGS])

    def rename():
        planner.first_name = "Anita"
        planner.save()

    await run(rename)
    assert await closed_code(socket, timeout=0.3) is None  # an ordinary edit of the user

    def new_password():
        planner.set_password("a-brand-new-secret-9")
        planner.save()

    await run(new_password)

    assert await closed_code(socket) == 4401
    again, _ = await open_socket(cookie, wedding.pk, hello=False)
    assert await closed_code(again) == 4403  # the old session's hash no longer matches


async def test_deleting_a_household_closes_its_sockets(wedding, household):
    other = await run(lambda: factories.HouseholdFactory(wedding=wedding))
    cookie = await run(lambda: household_cookie(household))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[SONGS])
    bystander, _ = await open_socket(await run(lambda: household_cookie(other)), wedding.pk, regions_=[SONGS])

    await run(household.delete)

    assert await closed_code(socket) == 4401
    assert await closed_code(bystander, timeout=0.3) is None
    await bystander.disconnect()


async def test_a_removed_planner_whose_close_was_lost_gets_no_resync(wedding, planner, monkeypatch):
    """The close went missing (say, another process behind a dead layer): the next resync re-checks."""
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS, SONGS])
    monkeypatch.setattr(hub_module, "close_sockets", lambda **kwargs: None)
    await run(lambda: wedding.planners.remove(planner))
    assert await closed_code(socket, timeout=0.3) is None  # the close really was lost

    await socket.send_json_to({"t": "resync"})

    assert await closed_code(socket) == 4401
    assert hub_module.current_hub().counters()["sockets"] == 0


async def test_a_removed_planner_whose_close_was_lost_gets_no_new_hello(wedding, planner, monkeypatch):
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[SONGS], version=await version_of(wedding))
    monkeypatch.setattr(hub_module, "close_sockets", lambda **kwargs: None)
    await run(lambda: wedding.planners.remove(planner))

    await socket.send_json_to({"t": "hello", "v": 0, "regions": [PLANNER_GUESTS]})

    got = []
    code = None
    while not await socket.receive_nothing(timeout=3, interval=0.01):
        output = await socket.receive_output()
        if output["type"] == "websocket.close":
            code = output.get("code")
            break
        got.append(output)
    assert code == 4401
    assert not any('"update"' in (o.get("text") or "") or '"welcome"' in (o.get("text") or "") for o in got)


async def test_a_planner_who_still_plans_the_wedding_keeps_resyncing(wedding, planner):
    cookie = await run(lambda: planner_cookie(planner))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[SONGS], version=await version_of(wedding))
    await socket.send_json_to({"t": "resync"})
    got = await frames(socket, at_least=1)
    assert len(got) == 1 and got[0]["resync"]
    await socket.disconnect()


async def test_the_fragment_url_refuses_a_removed_planner(wedding, planner):
    client = Client()
    await run(lambda: client.force_login(planner))
    url = "/live/r/t_songs/"
    assert (await run(lambda: client.get(url, {"wedding": wedding.pk}))).status_code == 200
    await run(lambda: wedding.planners.remove(planner))
    assert (await run(lambda: client.get(url, {"wedding": wedding.pk}))).status_code in (403, 404)


async def test_a_removal_announced_by_another_process_closes_only_that_weddings_sockets(wedding, planner):
    """The close travels between processes as a control message; it names the wedding too."""
    second = await run(lambda: factories.WeddingFactory(name="Second", slug="second-b", planners=[planner]))
    cookie = await run(lambda: planner_cookie(planner))
    removed, _ = await open_socket(cookie, wedding.pk, regions_=[SONGS])
    kept, _ = await open_socket(cookie, second.pk, regions_=[SONGS])

    hub_module.current_hub()._on_control(
        {"type": "confetti.close", "origin": "another-process", "user": planner.pk, "household": None,
         "session": None, "wedding": wedding.pk}
    )

    assert await closed_code(removed) == 4401
    assert await closed_code(kept, timeout=0.3) is None
    await kept.disconnect()
