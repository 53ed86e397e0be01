"""Issue 8 "Hostile input", in a real browser: markup a guest writes arrives in pushed
fragments as text — on the guests' wall and on the planners' activity feed — and
never runs.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from wedding.guestbook import services

pytestmark = pytest.mark.e2e

MARKUP = "<img src=x onerror=\"window.__xss=(window.__xss||0)+1\"><script>window.__xss=(window.__xss||0)+1</script>"


def test_pushed_guest_markup_is_shown_as_text_and_never_runs(
    daphne_server, new_page, enter_as_household, login_planner, planner, wedding
):
    wedding.guestbook_moderation = False
    wedding.save()
    household = factories.HouseholdFactory(wedding=wedding)
    factories.GuestFactory(household=household)

    guest = new_page()
    enter_as_household(guest, household)
    guest.goto("/guestbook/")
    planner_page = new_page()
    login_planner(planner_page, planner)
    planner_page.goto(f"/admin/dashboard/{wedding.pk}/activity/")
    for page in (guest, planner_page):
        expect(page.locator("#live-status")).to_have_attribute("data-state", "live")

    services.guestbook_sign(wedding=wedding, household=household, author_name=f"Ana {MARKUP}", message=f"Hi {MARKUP}")

    wall = guest.locator("#live-guestbook_wall")
    expect(wall).to_contain_text("<img src=x onerror=")  # the markup is there, as text
    expect(planner_page.locator("body")).to_contain_text("<img src=x onerror=")
    for page in (guest, planner_page):
        page.wait_for_timeout(300)  # an image error handler would have fired by now
        assert page.evaluate("window.__xss") is None
        assert page.locator("img[src='x']").count() == 0
