"""Issue 18 "Proof" (seating): the floor plan at 1366×900, drops, truthful conflicts, auto-seat live."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from seating import services as seating_services
from seating.models import FloorObject, Seat
from tests import factories

pytestmark = pytest.mark.e2e

LIVE_MS = 2_000
LAPTOP = {"width": 1366, "height": 900}


def attending(wedding, event, **kwargs):
    guest = factories.GuestFactory(household=factories.HouseholdFactory(wedding=wedding), **kwargs)
    factories.InvitationFactory(guest=guest, event=event)
    factories.ResponseFactory(guest=guest, event=event, status="attending")
    return guest


@pytest.fixture
def bea(wedding):
    user = factories.UserFactory(username="bea.planner", first_name="Bea")
    wedding.planners.add(user)
    return user


def open_chart(new_page, login_planner, user, wedding, event):
    page = new_page(viewport=LAPTOP)
    login_planner(page, user)
    page.goto(f"/admin/dashboard/{wedding.pk}/seating/{event.pk}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    return page


def overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
    )


def test_fifteen_tables_fit_the_window_never_overlap_and_have_a_legend(
    daphne_server, new_page, login_planner, planner, wedding, event,
):
    # Positions as the issue found them: tables 5, 10, 15 far right, a 10-seat table among 8s,
    # several stored on top of each other.
    for i in range(15):
        factories.TableFactory(
            event=event, name=f"Table {i + 1}", capacity=10 if i == 6 else 8,
            shape="rect" if i % 4 == 3 else "round", x=100 if (i + 1) % 5 == 0 else (i * 23) % 90, y=(i // 5) * 40,
        )
    factories.TableFactory(event=event, name="Sweetheart", capacity=2, x=50, y=50)
    FloorObject.objects.create(wedding=wedding, event=event, kind="dance", x=50, y=50, width=8, length=6)
    page = open_chart(new_page, login_planner, planner, wedding, event)

    page.get_by_role("button", name="Fit").click()
    viewport = page.locator('[data-testid="floor-viewport"]').bounding_box()
    boxes = [page.locator('[data-testid="table"]').nth(i).bounding_box() for i in range(16)]
    dance = page.locator(".floor-object.kind-dance").bounding_box()
    for box in boxes:  # every table visible, inside the plan's window
        assert box["x"] >= viewport["x"] - 1 and box["y"] >= viewport["y"] - 1
        assert box["x"] + box["width"] <= viewport["x"] + viewport["width"] + 1
        assert box["y"] + box["height"] <= viewport["y"] + viewport["height"] + 1
        assert box["x"] + box["width"] <= LAPTOP["width"] and box["y"] + box["height"] <= LAPTOP["height"]
    for i, a in enumerate(boxes):
        assert not overlap(a, dance), f"table {i + 1} overlaps the dance floor"
        for j, b in enumerate(boxes[i + 1:], start=i + 1):
            assert not overlap(a, b), f"tables {i + 1} and {j + 1} overlap"
    if shot := __import__("os").environ.get("SEATING_SCREENSHOT"):
        page.screenshot(path=shot)
    # The 10-seat table is drawn larger than an 8-seat one of the same shape (to scale).
    assert boxes[6]["width"] > boxes[0]["width"]
    legend = page.locator('[data-testid="legend"]')
    expect(legend).to_be_visible()
    for words in ("household is split", "⚠", "dietary", "declined", "pinned"):
        expect(legend).to_contain_text(words)

    # Zoom with the keyboard, then fit again.
    plan = page.locator('[data-testid="floor-viewport"]')
    plan.focus()
    before = float(plan.get_attribute("data-scale"))
    page.keyboard.press("+")
    assert float(plan.get_attribute("data-scale")) > before
    page.keyboard.press("0")
    assert abs(float(plan.get_attribute("data-scale")) - before) < 1e-3


def test_a_drop_on_a_full_table_returns_the_guest_to_where_they_were(
    daphne_server, new_page, login_planner, planner, wedding, event,
):
    full = factories.TableFactory(event=event, name="Table 9", capacity=1, x=90, y=10)
    on_the_way = factories.TableFactory(event=event, name="Table 2", capacity=8, x=40, y=10)
    sitting = attending(wedding, event, first_name="Sitting", last_name="Down")
    Seat.objects.create(wedding=wedding, event=event, table=full, guest=sitting)
    carmen = attending(wedding, event, first_name="Carmen", last_name="Díaz")
    page = open_chart(new_page, login_planner, planner, wedding, event)

    page.locator(f'.seating-unseated [data-guest="{carmen.pk}"]').drag_to(page.locator(f"#table-{full.pk} .seat-list"))

    expect(page.locator("#dash-flash")).to_contain_text("Table 9 is full (1/1)")
    expect(page.locator(".seating-unseated")).to_contain_text("Carmen Díaz")
    expect(page.locator(f"#table-{on_the_way.pk}")).not_to_contain_text("Carmen")
    page.wait_for_timeout(500)
    assert not Seat.objects.filter(guest=carmen).exists()


def test_the_planner_who_lost_the_race_is_told_the_truth(
    daphne_server, new_page, login_planner, planner, bea, wedding, event,
):
    eight = factories.TableFactory(event=event, name="Table 8", x=10, y=10)
    nine = factories.TableFactory(event=event, name="Table 9", x=60, y=10)
    carmen = attending(wedding, event, first_name="Carmen", last_name="")
    page = open_chart(new_page, login_planner, bea, wedding, event)
    page.locator(f'.seating-unseated [data-guest="{carmen.pk}"]').click()
    page.select_option("[data-mover-target]", str(eight.pk))
    # Ana (the other planner) seats Carmen at Table 9 just before Bea presses Move.
    seating_services.seat_assign(guest=carmen, table=nine, user=planner)
    page.click("[data-mover-go]")

    expect(page.locator("#dash-flash")).to_contain_text(
        "Carmen was moved to Table 9 by Ana a moment ago", timeout=LIVE_MS
    )
    expect(page.locator("#dash-flash")).not_to_contain_text("seated at Table 8")
    expect(page.locator(f"#table-{nine.pk}")).to_contain_text("Carmen", timeout=LIVE_MS)
    assert Seat.objects.get(guest=carmen).table == nine


def test_an_accepted_auto_seat_plan_arrives_live_in_another_planners_chart(
    daphne_server, new_page, login_planner, planner, bea, wedding, event,
):
    tables = [factories.TableFactory(event=event, name=f"Table {i}", capacity=4, x=i * 30, y=20) for i in range(1, 4)]
    guests = [attending(wedding, event, first_name=f"Guest{i}", last_name="Auto") for i in range(10)]
    watcher = open_chart(new_page, login_planner, bea, wedding, event)
    expect(watcher.locator(".seating-unseated")).to_contain_text("Guest9 Auto")

    page = new_page(viewport=LAPTOP)
    login_planner(page, planner)
    page.goto(f"/admin/dashboard/{wedding.pk}/seating/{event.pk}/autoseat/")
    page.get_by_role("button", name="Make a plan").click()
    expect(page.locator('[data-testid="autoseat-preview"]')).to_contain_text("10 guests placed", timeout=15_000)
    assert not Seat.objects.exists()  # a preview writes nothing
    page.get_by_role("button", name="Accept this plan").click()
    expect(page.locator(".messagelist")).to_contain_text("Auto-seat plan accepted: 10 guests moved")

    for guest in guests:
        expect(watcher.locator(".seating-floor")).to_contain_text(guest.full_name, timeout=LIVE_MS)
    expect(watcher.locator(".seating-unseated")).not_to_contain_text("Auto")
    assert Seat.objects.filter(table__in=tables).count() == 10
