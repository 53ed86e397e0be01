"""A co-planner who joined by invitation: their socket sees their wedding only, and removal closes it."""

from __future__ import annotations

import pytest

from tests import factories
from tests.realtime.conftest import (
    closed_code,
    frames,
    html_of,
    open_socket,
    planner_cookie,
    run,
    version_of,
)
from tests.wedding.planner_helpers import join_by_invitation
from wedding.core import services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_settings", "fresh_hub")]

PLANNER_GUESTS = {"name": "t_planner_guests", "params": {}}


async def test_a_co_planner_watches_their_wedding_and_never_another(wedding, other_wedding, household):
    marta = await run(lambda: join_by_invitation(wedding))
    cookie = await run(lambda: planner_cookie(marta))
    refused, _ = await open_socket(cookie, other_wedding.pk, hello=False)
    assert await closed_code(refused) == 4403

    socket, welcome = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS], version=await version_of(wedding))
    assert welcome["regions"] == ["live-t_planner_guests"]
    stranger = await run(lambda: factories.HouseholdFactory(wedding=other_wedding, name="Strangers"))
    await run(lambda: factories.GuestFactory(household=stranger, first_name="Foreigner"))
    await run(lambda: factories.GuestFactory(household=household, first_name="Ours"))
    html = html_of(await frames(socket, expect=["Ours"]))
    assert "Ours" in html and "Foreigner" not in html
    await socket.disconnect()


async def test_removing_a_co_planner_closes_their_sockets(wedding, planner):
    marta = await run(lambda: join_by_invitation(wedding))
    cookie = await run(lambda: planner_cookie(marta))
    socket, _ = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS])

    await run(lambda: services.planner_remove(wedding=wedding, planner=marta, user=planner))

    assert await closed_code(socket) == 4401
    again, _ = await open_socket(cookie, wedding.pk, hello=False)
    assert await closed_code(again) == 4403
