"""One household's RSVP re-renders its own regions only (issue 19, the invitation rush).

Every household watching the wedding has its `guest_rsvp_answers` and `guest_events`
regions open; an RSVP must not render them for every other household, while the
planner's changes to events and meals (no household's) still reach everyone.
"""

from __future__ import annotations

import pytest

from realtime import hub as hub_module
from rsvp import services
from tests import factories
from tests.realtime.conftest import (
    frames,
    fresh_hub,
    household_cookie,
    html_of,
    open_socket,
    run,
    version_of,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_hub")]
__all__ = ["fresh_hub"]  # the fixture, imported from the realtime tests

REGIONS = [{"name": "guest_rsvp_answers", "params": {}}, {"name": "guest_events", "params": {}}]


@pytest.fixture
def renders(monkeypatch):
    """(region, household id) of every region the hub renders for a push."""
    seen: list[tuple[str, int | None]] = []
    original = hub_module._render_in_thread

    async def counting(name, viewer, params):
        seen.append((name, getattr(viewer.household, "pk", None)))
        return await original(name, viewer, params)

    monkeypatch.setattr(hub_module, "_render_in_thread", counting)
    return seen


async def test_an_rsvp_renders_only_its_own_households_regions(wedding, household, event, renders):
    def setup():
        ana = factories.GuestFactory(household=household, first_name="Ana")
        other = factories.HouseholdFactory(wedding=wedding, name="The Other family")
        bea = factories.GuestFactory(household=other, first_name="Bea")
        for guest in (ana, bea):
            factories.InvitationFactory(guest=guest, event=event)
        meal = factories.MealOptionFactory(event=event, name="Risotto")
        return ana, other, bea, meal

    ana, other, bea, meal = await run(setup)
    version = await version_of(wedding)
    mine, _ = await open_socket(await run(lambda: household_cookie(household)), wedding.pk,
                                regions_=REGIONS, version=version)
    theirs, _ = await open_socket(await run(lambda: household_cookie(other)), wedding.pk,
                                  regions_=REGIONS, version=version)
    await frames(mine)
    await frames(theirs)
    renders.clear()

    await run(lambda: services.rsvp_submit(
        household=household, answers=[services.Answer(ana.pk, event.pk, "attending", meal.pk)],
        note="See you there!",
    ))

    own = await frames(mine, timeout=2, expect=["See you there!", "Risotto"])
    assert "live-guest_rsvp_answers" in [r["id"] for f in own for r in f.get("regions", [])]
    assert "See you there!" in html_of(own) and "Risotto" in html_of(own)
    assert await frames(theirs, timeout=1) == []
    assert renders and {household_id for _, household_id in renders} == {household.pk}

    # A planner's change to the event's meals is no household's: it reaches both.
    renders.clear()

    def rename_meal():
        meal.name = "Saffron risotto"
        meal.save()

    await run(rename_meal)
    assert "Saffron risotto" in html_of(await frames(mine, timeout=2, expect=["Saffron risotto"]))
    assert "live-guest_rsvp_answers" in [r["id"] for f in await frames(theirs, timeout=2, at_least=1) for r in f["regions"]]
    assert {household_id for _, household_id in renders} == {household.pk, other.pk}

    # Inviting the other household to a private event shows it there, and renders nothing here.
    renders.clear()
    private = await run(lambda: factories.EventFactory(wedding=wedding, name="Rehearsal dinner", is_private=True))
    await frames(mine)
    await frames(theirs)
    renders.clear()
    await run(lambda: factories.InvitationFactory(guest=bea, event=private))  # one row: its household is known
    assert "Rehearsal dinner" in html_of(await frames(theirs, timeout=2, expect=["Rehearsal dinner"]))
    assert await frames(mine, timeout=1) == []
    assert {household_id for _, household_id in renders} == {other.pk}

    await mine.disconnect()
    await theirs.disconnect()
