"""Issue 18 (dashboard): at 1366×900 the dashboard uses the full width, its cards sit in one row, the
chart has axes and a deadline marker, and the DJ queue is one click away with the same breadcrumbs."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def busy_wedding(wedding):
    wedding.rsvp_deadline = timezone.now() + datetime.timedelta(days=30)
    wedding.save()
    events = [factories.EventFactory(wedding=wedding, name=n, order=i)
              for i, n in enumerate(["Welcome drinks", "Ceremony", "Reception"])]
    factories.MealOptionFactory(event=events[2], name="Sea bass")
    factories.TableFactory(event=events[2], name="Table 1")
    for n in range(6):
        guest = factories.GuestFactory(household__wedding=wedding, first_name=f"G{n}")
        for event in events:
            factories.InvitationFactory(guest=guest, event=event)
        factories.ResponseFactory(guest=guest, event=events[n % 3])
    return wedding, events


def test_dashboard_fills_a_laptop_screen(daphne_server, new_page, login_planner, planner, busy_wedding):
    wedding, events = busy_wedding
    page = new_page(viewport=LAPTOP)
    login_planner(page, planner)
    page.goto(f"/admin/dashboard/{wedding.pk}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")

    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    stats = page.locator(".dash-stats").bounding_box()
    assert stats["width"] > 0.6 * LAPTOP["width"], stats  # not squeezed into half the screen
    cards = [page.locator(f'.dash-card[data-event="{e.pk}"]').bounding_box() for e in events]
    assert len({round(c["y"]) for c in cards}) == 1, cards  # one row
    assert all(c["x"] + c["width"] <= LAPTOP["width"] for c in cards)
    ceremony = page.locator(f'.dash-card[data-event="{events[1].pk}"]')
    expect(ceremony.locator('[data-stat="meals"]')).to_have_count(0)
    expect(page.locator(f'.dash-card[data-event="{events[2].pk}"] [data-stat="meals"]')).to_be_visible()

    expect(page.get_by_test_id("countdown")).to_contain_text("days to go")
    chart = page.locator(".dash-chart-svg").bounding_box()
    assert chart["width"] > 600
    expect(page.locator('.dash-chart [data-axis="y"] .tick').first).to_be_visible()
    deadline = page.locator('[data-marker="deadline"] line').bounding_box()
    assert chart["x"] <= deadline["x"] <= chart["x"] + chart["width"]

    page.locator(".dash-nav").get_by_role("link", name="DJ queue").click()
    expect(page).to_have_url(f"{daphne_server.url}/admin/songs/songrequest/queue/?wedding={wedding.pk}")
    crumbs = page.locator("ol.breadcrumbs")
    expect(crumbs).to_contain_text("DJ queue")
    # Styled like every admin trail (a coloured bar), not bare text.
    assert crumbs.evaluate("e => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    crumbs.get_by_role("link", name=wedding.name).click()
    expect(page.locator(".dash-stats")).to_be_visible()
