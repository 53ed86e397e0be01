"""Who is looking, when one browser is both a planner and a guest household."""

from __future__ import annotations

from realtime.principal import viewer_for
from realtime.regions import Audience
from tests import factories


def enter_as_household(client, household) -> None:
    client.get(f"/i/{household.invitation_code}/")


def test_a_planner_who_also_entered_as_a_guest_gets_household_regions(planner_client, wedding, household):
    factories.GuestFactory(household=household, first_name="Ana")
    enter_as_household(planner_client, household)  # same browser: planner session + household session
    response = planner_client.get("/live/r/guest_profile/", {"wedding": wedding.pk})
    assert response.status_code == 200 and "Ana" in response.content.decode()


def test_prefer_household_needs_the_household_session_and_its_wedding(planner, wedding, household, other_wedding):
    viewer = viewer_for(user=planner, household=household, wedding_id=wedding.pk, prefer_household=True)
    assert viewer.audience is Audience.HOUSEHOLD and viewer.household == household
    # Without the hint a planner of the wedding is a planner.
    assert viewer_for(user=planner, household=household, wedding_id=wedding.pk).audience is Audience.PLANNER
    # The hint never reaches another wedding, nor works without a household session.
    assert viewer_for(user=None, household=household, wedding_id=other_wedding.pk, prefer_household=True) is None
    assert viewer_for(user=planner, household=None, wedding_id=wedding.pk, prefer_household=True).audience is (
        Audience.PLANNER
    )
