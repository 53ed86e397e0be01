"""The /ws/live/ socket: who may connect, what they receive, when they are closed."""

from __future__ import annotations

import pytest

from tests import factories
from tests.realtime.conftest import (
    frames,
    open_socket,
    planner_cookie,
    run,
    version_of,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_hub")]

PLANNER_GUESTS = {"name": "t_planner_guests", "params": {}}
DIRECTORY = {"name": "t_directory", "params": {}}
MINE = {"name": "t_my_household", "params": {}}


async def test_planner_receives_region_html_after_a_committed_change(wedding, planner, household):
    cookie = await run(lambda: planner_cookie(planner))
    socket, welcome = await open_socket(cookie, wedding.pk, regions_=[PLANNER_GUESTS], version=await version_of(wedding))
    assert welcome["t"] == "welcome" and welcome["state"] == "live"
    assert welcome["regions"] == ["live-t_planner_guests"] and welcome["refused"] == []

    await run(lambda: factories.GuestFactory(household=household, first_name="Inés", email="ines@example.org"))

    got = await frames(socket)
    assert len(got) == 1
    assert got[0]["regions"][0]["id"] == "live-t_planner_guests"
    assert "Inés" in got[0]["regions"][0]["html"] and "ines@example.org" in got[0]["regions"][0]["html"]
    assert got[0]["v"] > welcome["v"]
    await socket.disconnect()
