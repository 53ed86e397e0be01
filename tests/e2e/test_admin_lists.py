"""Issue 18: the admin's own guest list is live in a real browser, and a ticked row stays ticked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = pytest.mark.e2e


def test_the_admin_guest_list_updates_and_keeps_ticked_rows_ticked(
    daphne_server, new_page, login_planner, planner, wedding, household,
):
    ana = factories.GuestFactory(household=household, first_name="Ana", last_name="Ruiz")
    page = new_page()
    login_planner(page, planner)
    page.goto("/admin/guests/guest/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    box = page.locator(f'input.action-select[value="{ana.pk}"]')
    box.check()

    factories.GuestFactory(household=household, first_name="Inés", last_name="Ortega")
    ana.first_name = "Anabel"
    ana.save()

    results = page.locator("[data-live-region='guest_admin_list']")
    expect(results).to_contain_text("Inés", timeout=3_000)
    expect(results).to_contain_text("Anabel")
    expect(box).to_be_checked()
    expect(page.locator(f"tr:has(input.action-select[value='{ana.pk}'])")).to_have_class("selected")
