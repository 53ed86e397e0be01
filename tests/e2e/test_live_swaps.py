"""Issue 12: a live region that holds focus updates while it keeps focus.

Swaps morph the region in place (htmx.swap + idiomorph), so a planner who has
selected a guest on the seating chart, ticked a guest in the master list or
typed into a field inside a region keeps that state (and scroll position) while another planner's
change arrives — and the change shows within 2 s (before, the region waited
until focus left it).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from rsvp.models import Response
from seating import services as seating_services
from seating.models import Seat
from tests import factories
from tests.e2e.test_dashboard import LIVE_MS, open_live

pytestmark = pytest.mark.e2e

@pytest.fixture
def attending(wedding, event):
    """Two attending, unseated guests of two households."""
    ines = factories.GuestFactory(household__wedding=wedding, first_name="Inés", last_name="Ruiz")
    tom = factories.GuestFactory(household__wedding=wedding, first_name="Tom", last_name="Berg")
    for guest in (ines, tom):
        factories.InvitationFactory(guest=guest, event=event)
        factories.ResponseFactory(guest=guest, event=event, status="attending")
    return ines, tom


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_selected_guest_on_the_chart_stays_selected_while_the_chart_updates(
    daphne_server, new_page, login_planner, planner, wedding, event, attending,
):
    ines, tom = attending
    table = factories.TableFactory(event=event, name="Table 4", capacity=8)
    page = open_live(new_page, login_planner, planner, f"/admin/dashboard/{wedding.pk}/seating/{event.pk}/")
    chip = page.locator(f'.seating-unseated [data-guest="{ines.pk}"]')
    chip.click()
    expect(chip).to_have_attribute("aria-pressed", "true")
    assert focused_id(page) == f"chip-{ines.pk}"
    mover = page.locator("[data-mover-target]")
    mover.select_option(str(table.pk))  # the chosen table is the planner's too
    chip.focus()

    # Another planner seats Tom: the chart (the region holding focus) updates at once.
    seating_services.seat_assign(guest=tom, table=table)

    expect(page.locator(f"#table-{table.pk}")).to_contain_text("Tom Berg", timeout=LIVE_MS)
    expect(page.locator(f'#table-{table.pk} [data-testid="fill"]')).to_have_text("1/8")
    expect(chip).to_have_attribute("aria-pressed", "true")
    expect(chip).to_have_class("seat-guest is-selected")
    expect(page.locator("[data-mover-label]")).to_have_text("Selected: Inés Ruiz")
    assert focused_id(page) == f"chip-{ines.pk}"

    expect(mover).to_have_value(str(table.pk))
    expect(mover.locator(f'option[value="{table.pk}"]')).to_have_text("Table 4 (1/8)")

    # The selection still works: Move seats Inés at the table chosen before the update.
    page.click("[data-mover-go]")
    expect(page.locator(f'#table-{table.pk} [data-testid="fill"]')).to_have_text("2/8", timeout=LIVE_MS)
    assert Seat.objects.get(guest=ines).table_id == table.pk


def test_typed_search_inside_the_chart_survives_an_update(
    daphne_server, new_page, login_planner, planner, wedding, event, attending,
):
    ines, tom = attending
    table = factories.TableFactory(event=event, name="Table 4", capacity=8)
    page = open_live(new_page, login_planner, planner, f"/admin/dashboard/{wedding.pk}/seating/{event.pk}/")
    search = page.locator("#unseated-search")
    search.click()
    search.press_sequentially("Iné")
    expect(page.locator(f'.seating-unseated [data-guest="{tom.pk}"]')).to_be_hidden()

    factories.TableFactory(event=event, name="Table 9", capacity=6)  # another planner adds a table

    expect(page.locator(".seating-floor")).to_contain_text("Table 9", timeout=LIVE_MS)
    expect(search).to_have_value("Iné")
    assert focused_id(page) == "unseated-search"
    assert page.evaluate("document.activeElement.selectionStart") == 3  # the caret did not jump
    # The filter still applies to the fresh list.
    expect(page.locator(f'.seating-unseated [data-guest="{ines.pk}"]')).to_be_visible()
    expect(page.locator(f'.seating-unseated [data-guest="{tom.pk}"]')).to_be_hidden()
    search.press_sequentially("s")
    expect(search).to_have_value("Inés")
    assert not table.seats.exists()


def test_ticked_guest_in_the_master_list_stays_ticked_while_the_list_updates(
    daphne_server, new_page, login_planner, planner, wedding, event, attending,
):
    ines, tom = attending
    # Enough guests before Inés (by name) that the page scrolls down to her row.
    factories.GuestFactory.create_batch(40, household__wedding=wedding, last_name="Abel")
    page = open_live(new_page, login_planner, planner, f"/admin/dashboard/{wedding.pk}/guests/")
    box = page.locator(f"#pick-{ines.pk}")
    box.check()
    expect(page.locator("[data-selected-count]")).to_have_text("1")
    assert focused_id(page) == f"pick-{ines.pk}"
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0

    # Tom declines (another planner, or Tom himself): his row changes while Inés is ticked.
    response = Response.objects.get(guest=tom, event=event)
    response.status = "declined"
    response.save()

    expect(page.locator(f"#guest-row-{tom.pk}")).to_contain_text("Declined", timeout=LIVE_MS)
    expect(box).to_be_checked()
    expect(page.locator(f"#pick-{tom.pk}")).not_to_be_checked()
    expect(page.locator("[data-selected-count]")).to_have_text("1")
    assert focused_id(page) == f"pick-{ines.pk}"
    assert page.evaluate("window.scrollY") == scrolled  # the list did not jump under the planner
