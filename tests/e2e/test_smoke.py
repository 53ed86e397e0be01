"""The browser-test fixtures work: a real daphne serves the shared test DB to chromium."""

from __future__ import annotations

import asyncio

import pytest
from playwright.sync_api import expect

from guests.models import Household
from realtime import publish
from tests import factories

pytestmark = pytest.mark.e2e


def test_admin_login_page_renders_from_daphne(page):
    response = page.goto("/admin/login/")
    assert response is not None and response.status == 200
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("input[name=password]")).to_be_visible()


def test_static_files_are_served(page):
    response = page.goto("/static/css/site.css")
    assert response is not None and response.status == 200


def test_planner_logged_in_by_cookie_sees_admin_with_test_data(daphne_server, page, login_planner, planner, wedding):
    login_planner(page, planner)
    page.goto("/admin/")
    # Still on the admin index (not redirected to login): the session came from the shared DB.
    expect(page).to_have_url(f"{daphne_server.url}/admin/")
    expect(page.locator("body")).not_to_contain_text("Log in")


def test_admin_login_form_works_with_a_password(page, planner, wedding):
    page.goto("/admin/login/")
    page.fill("input[name=username]", planner.username)
    page.fill("input[name=password]", "pass-for-tests-1")
    page.locator("input[type=submit], button[type=submit]").first.click()
    expect(page).not_to_have_url("/admin/login/")
    expect(page.locator("body")).not_to_contain_text("Please enter the correct")


def test_orm_usable_between_browser_calls(page, wedding):
    """Playwright's loop must not make Django think it is in async code."""
    page.goto("/admin/login/")
    factories.HouseholdFactory(wedding=wedding, name="The Ortiz family")  # ORM + publish after a page call
    assert Household.objects.filter(wedding=wedding, name="The Ortiz family").exists()
    assert publish.layer_ok(), "the write's publish (async_to_sync) must work in browser tests"
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()  # nothing is marked running in the test's thread


def test_server_stop_and_start(daphne_server, page):
    daphne_server.stop()
    with pytest.raises(Exception):  # noqa: B017 - any network error: the server is down
        page.goto("/admin/login/", timeout=3_000)
    daphne_server.start()
    # A fresh tab: the first one sits on Chromium's network-error page, which reloads
    # itself once the server answers and would interrupt our navigation there.
    fresh = page.context.new_page()
    try:
        response = fresh.goto("/admin/login/")
        assert response is not None and response.status == 200
    finally:
        fresh.close()


async def test_async_tests_still_run_after_browser_tests():
    """The session browser must not break pytest-asyncio in later tests."""
    await asyncio.sleep(0)


def test_guest_household_session_cookie_is_recognised(daphne_server, new_page, enter_as_household, household):
    """The fragment URL answers 403 to strangers; a household's guest gets past that check."""
    stranger = new_page()
    response = stranger.goto(f"/live/r/no-such-region/?wedding={household.wedding_id}")
    assert response is not None and response.status == 403

    guest = new_page()
    enter_as_household(guest, household)
    response = guest.goto(f"/live/r/no-such-region/?wedding={household.wedding_id}")
    assert response is not None and response.status == 404  # recognised; the region is unknown


def test_live_page_connects_its_websocket(daphne_server, page, enter_as_household, household):
    """The guest guestbook page's glue reaches /ws/live/ on daphne and shows "live"."""
    enter_as_household(page, household)
    page.goto("/guestbook/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    assert daphne_server.open_sockets() == 1
