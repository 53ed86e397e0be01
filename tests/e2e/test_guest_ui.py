"""Issue 17, "Phone-first, accessible, consistent": every guest page and guest-facing state, on a
phone (390×844) and a desktop (1280×800), has zero axe-core violations, no horizontal scrolling,
nothing fixed over the content, a connection indicator that overlaps no control, and primary
controls at least 44 px tall; the menu and the RSVP work from the keyboard alone.

axe-core is the npm package (package.json devDependencies; `npm ci` installs it), injected with
Playwright's add_script_tag into a context that bypasses the CSP (the pages' own CSP refuses inline
scripts, which is what add_script_tag writes).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from rsvp.models import Response
from tests import factories
from wedding.messaging.rendering import unsubscribe_token
from wedding.site.models import FaqItem, Link, Page, Visibility

pytestmark = pytest.mark.e2e

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
MIN_TARGET_PX = 44

# Elements a visitor acts on: their boxes must stay clear of the connection indicator.
INTERACTIVE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])"

# What the page looks like to the checks, measured in the browser.
MEASURE = """(interactive) => {
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true});
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.name ? `[name=${el.name}]` : "") + " " + (el.textContent || el.value || "").trim().slice(0, 30);
  const box = (el) => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  const overlaps = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  const indicator = document.getElementById("live-status");
  const out = {indicator: null, covered: [], fixed: [], small: [], overflow: document.documentElement.scrollWidth - window.innerWidth};
  const controls = [...document.querySelectorAll(interactive)].filter(shown);
  // The indicator against every control, at the top of the page and scrolled to the bottom.
  for (const y of [0, document.documentElement.scrollHeight]) {
    window.scrollTo(0, y);
    if (indicator && shown(indicator)) {
      const ib = box(indicator);
      if (y === 0) out.indicator = ib;
      for (const el of controls) if (!indicator.contains(el) && overlaps(ib, box(el))) out.covered.push(describe(el));
    }
  }
  window.scrollTo(0, 0);
  // Nothing fixed or sticky over the content (a focused skip link is the one exception).
  for (const el of document.querySelectorAll("body *")) {
    const p = getComputedStyle(el).position;
    if ((p === "fixed" || p === "sticky") && shown(el) && !el.classList.contains("skip-link")) out.fixed.push(describe(el));
  }
  // Primary controls: at least 44 px tall (checkboxes and radios: their label is the target).
  const primary = [...document.querySelectorAll(
    "button, .button, select, textarea, summary, nav a, input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file])"
  )].filter(shown);
  for (const el of primary) if (el.getBoundingClientRect().height < 43.5) out.small.push(describe(el) + " " + Math.round(el.getBoundingClientRect().height) + "px");
  for (const input of [...document.querySelectorAll("input[type=checkbox], input[type=radio]")].filter(shown)) {
    const label = input.closest("label") || (input.id && document.querySelector(`label[for="${input.id}"]`));
    const h = label ? label.getBoundingClientRect().height : input.getBoundingClientRect().height;
    if (h < 43.5) out.small.push(describe(input) + " label " + Math.round(h) + "px");
  }
  return out;
}"""

AXE_RUN = """async () => {
  // The settled page: an entrance animation (the table reveal fades in) is checked once it ends,
  // not at whatever opacity a slow machine caught it.
  await Promise.all(document.getAnimations().map((animation) => animation.finished));
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ` + v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", "));
}"""


@pytest.fixture
def world(wedding, event, household, planner):
    """A wedding with something on every guest page, seating published, the household seated."""
    wedding.partner_a_name, wedding.partner_b_name = "Lucía", "Marco"
    wedding.seating_published = True
    wedding.save()
    household.name = "The Bianchi household"
    household.plus_ones_allowed = 1
    household.save()
    meal = factories.MealOptionFactory(event=event, name="Fish")
    factories.MealOptionFactory(event=event, name="Vegetarian")
    ana = factories.GuestFactory(household=household, first_name="Ana", last_name="Bianchi", directory_opt_in=True)
    ben = factories.GuestFactory(household=household, first_name="Ben", last_name="Bianchi")
    for guest in (ana, ben):
        factories.InvitationFactory(guest=guest, event=event)
    factories.ResponseFactory(guest=ana, event=event, meal=meal)
    olive = factories.TableFactory(event=event, name="Olive")
    factories.SeatFactory(guest=ana, event=event, table=olive)
    listed = factories.GuestFactory(wedding=wedding, first_name="Carla", last_name="Listed", directory_opt_in=True)
    hidden = factories.GuestFactory(wedding=wedding, first_name="Zed", last_name="Unlisted")
    for guest in (listed, hidden):
        factories.InvitationFactory(guest=guest, event=event)
        factories.ResponseFactory(guest=guest, event=event, meal=meal)
        factories.SeatFactory(guest=guest, event=event, table=olive)
    factories.SongRequestFactory(wedding=wedding, status="approved", title="September")
    factories.SongRequestFactory(wedding=wedding, requested_by=household, title="Valerie", status="approved")
    factories.SongRequestFactory(wedding=wedding, requested_by=household, title="Dancing Queen")
    factories.GuestbookEntryFactory(wedding=wedding)
    tribute = factories.TributeFactory(wedding=wedding)
    factories.WeddingPartyMemberFactory(wedding=wedding, name="Marta", role="Maid of honour", bio="Since school.")
    factories.GuestRequestFactory(household=household, kind="plus_one", message="May I bring Leo?")
    faq = Page.objects.create(wedding=wedding, kind="faq", title="FAQ", slug="faq", visibility=Visibility.PUBLIC)
    FaqItem.objects.create(wedding=wedding, page=faq, question="Is there parking?", answer="Yes, **free**.")
    travel = Page.objects.create(wedding=wedding, kind="travel", title="Travel & stay", slug="travel",
                                 visibility=Visibility.GUESTS, body="Fly into **MAD**.")
    Link.objects.create(wedding=wedding, page=travel, kind="hotel", name="Hotel Sol", url="https://example.org/",
                        code="LUCIAMARCO")
    return {"ana": ana, "ben": ben, "meal": meal, "hidden": hidden, "tribute": tribute}


def _close_rsvp(page, world, wedding) -> None:
    wedding.rsvp_deadline = timezone.now() - datetime.timedelta(days=1)
    wedding.save()
    page.goto("/rsvp/")
    expect(page.locator("#rsvp-closed")).to_be_visible()


def _rsvp_with_errors(page, world, wedding) -> None:
    page.goto("/rsvp/")
    page.locator('#rsvp-form input[type=radio][value="attending"]').last.check()
    page.check('input[name="send_copy"]')
    page.click("#rsvp-submit")
    expect(page.locator("#form-errors")).to_be_visible()


def _rsvp_answers_open(page, world, wedding) -> None:
    page.goto("/rsvp/")
    page.click("#answers-so-far summary")
    expect(page.locator("#rsvp-answers")).to_be_visible()


def _directory_search_empty(page, world, wedding) -> None:
    page.goto("/directory/?q=nobody-by-that-name")
    expect(page.locator("#directory-list")).to_contain_text("No guest matches")


def _entry_with_wrong_code(page, world, wedding) -> None:
    page.goto("/")
    page.fill("#code-form input[name=code]", "WRONG-CODE")
    page.click("#code-form button[type=submit]")
    expect(page.locator("#code-form .error")).to_be_visible()


def _request_with_errors(page, world, wedding) -> None:
    page.goto("/requests/")
    page.click("#request-form button[type=submit]")
    expect(page.locator("#request-form .error").first).to_be_visible()


def _tribute_remember(page, world, wedding) -> None:
    page.goto(f"/tributes/{world['tribute'].pk}/remember/")
    expect(page.locator("#remembrance-form")).to_be_visible()


def _unsubscribe(page, world, wedding) -> None:
    page.goto(f"/m/unsubscribe/{unsubscribe_token(world['ana'].household_id)}/")
    expect(page.locator("h1")).to_be_visible()


def _menu_open(page, world, wedding) -> None:
    page.goto("/home/")
    toggle = page.locator(".guest-menu__toggle")
    if toggle.is_visible():
        toggle.click()
    expect(page.locator("#guest-nav a", has_text="Directory")).to_be_visible()


# (name, path or setup(page, world, wedding), as a signed-in guest?)
STATES: list[tuple[str, str | Callable, bool]] = [
    ("entry", "/", False),
    ("entry-wrong-code", _entry_with_wrong_code, False),
    ("find", "/find/", False),
    ("landing", "/w/{slug}/", False),
    ("site-page-public", "/w/{slug}/faq/", False),
    ("site-page-guests", "/w/{slug}/travel/", True),
    ("home-table-revealed", "/home/", True),
    ("menu-open", _menu_open, True),
    ("rsvp", "/rsvp/", True),
    ("rsvp-answers-open", _rsvp_answers_open, True),
    ("rsvp-errors", _rsvp_with_errors, True),
    ("rsvp-closed", _close_rsvp, True),
    ("rsvp-done", "/rsvp/done/", True),
    ("directory", "/directory/", True),
    ("directory-no-match", _directory_search_empty, True),
    ("whos-who", "/whos-who/", True),
    ("songs", "/songs/", True),
    ("photos", "/photos/", True),
    ("guestbook", "/guestbook/", True),
    ("requests", "/requests/", True),
    ("requests-errors", _request_with_errors, True),
    ("address", "/m/address/", True),
    ("tribute-remember", _tribute_remember, True),
    ("unsubscribe", _unsubscribe, False),
    ("tributes", "/tributes/", True),
]


@pytest.mark.parametrize(("name", "target", "as_guest"), STATES, ids=[s[0] for s in STATES])
def test_guest_page_is_accessible_and_nothing_covers_a_control(
    daphne_server, new_page, enter_as_household, household, wedding, world, name, target, as_guest,
):
    """Each state is reached once, on a phone, and checked at every viewport: the page is resized in
    place (as when a phone turns or a window widens; the guest pages' layout is CSS media queries
    only, no script reads the viewport), so one page load and one axe injection serve both sizes."""
    assert AXE.exists(), "axe-core is not installed: run `npm ci`"
    page = new_page(viewport=VIEWPORTS["phone"], bypass_csp=True)
    if as_guest:
        enter_as_household(page, household)
    if callable(target):
        target(page, world, wedding)
    else:
        response = page.goto(target.format(slug=wedding.slug))
        assert response is not None and response.status == 200, response and response.status
    axe_injected = False
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        at = f"{name} at {viewport}"
        if page.locator("#live-page").count():
            expect(page.locator("#live-status")).to_have_attribute("data-state", "live")

        measured = page.evaluate(MEASURE, INTERACTIVE)
        assert measured["covered"] == [], f"{at}: the connection indicator covers {measured['covered']}"
        assert measured["overflow"] <= 0, f"{at}: {measured['overflow']} px of horizontal scrolling"
        assert measured["fixed"] == [], f"{at}: fixed over the content: {measured['fixed']}"
        assert measured["small"] == [], f"{at}: controls under {MIN_TARGET_PX} px: {measured['small']}"
        if page.locator("#live-page").count():
            indicator = measured["indicator"]
            assert indicator and indicator["y"] >= 0 and indicator["y"] + indicator["h"] <= size["height"], (
                f"{at}: the connection indicator is not visible at the top of the page: {indicator}")

        if not axe_injected:
            page.add_script_tag(path=str(AXE))
            axe_injected = True
        assert page.evaluate(AXE_RUN) == [], at


# --- the table reveal: your table, the event, your tablemates, live -------------------------------


def test_table_reveal_names_listed_tablemates_and_counts_the_others_live(
    daphne_server, new_page, enter_as_household, household, wedding, event, world,
):
    page = new_page(viewport=VIEWPORTS["phone"])
    enter_as_household(page, household)
    page.goto("/home/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    reveal = page.locator("#live-guest_table")
    expect(reveal).to_have_attribute("aria-live", "polite")
    expect(reveal).to_contain_text("Olive")
    expect(reveal).to_contain_text(event.name)
    expect(reveal).to_contain_text("With Carla Listed and 1 other guest.")
    expect(reveal).not_to_contain_text("Zed")
    page.locator("#main").focus()

    # Zed lists himself in the directory: the open page names him, and focus stays where it was.
    zed = world["hidden"]
    zed.directory_opt_in = True
    zed.save()
    expect(reveal).to_contain_text("With Carla Listed and Zed Unlisted.")
    assert page.evaluate("document.activeElement.id") == "main"


# --- the directory search: server-side, as you type with htmx, and without JavaScript ------------


def test_directory_search_filters_as_you_type_and_stays_live(
    daphne_server, new_page, enter_as_household, household, wedding, event, world,
):
    page = new_page(viewport=VIEWPORTS["phone"])
    enter_as_household(page, household)
    page.goto("/directory/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    listing = page.locator("#directory-results")
    expect(listing).to_contain_text("Ana Bianchi")

    box = page.get_by_label("Search the directory")
    box.press_sequentially("carl")
    expect(listing).not_to_contain_text("Ana Bianchi")
    expect(listing).to_contain_text("Carla Listed")
    expect(page).to_have_url(re.compile(r"[?&]q=carl$"))
    assert page.evaluate("document.activeElement.name") == "q"  # typing goes on where it was

    # The filtered list is a live region of its own: a new matching guest appears by itself.
    carlos = factories.GuestFactory(wedding=wedding, first_name="Carlos", last_name="Nuevo", directory_opt_in=True)
    factories.InvitationFactory(guest=carlos, event=event)
    factories.ResponseFactory(guest=carlos, event=event, meal=world["meal"])
    expect(listing).to_contain_text("Carlos Nuevo")

    box.press_sequentially("zzz")
    expect(listing).to_contain_text("No guest matches “carlzzz”.")


def test_directory_search_works_without_javascript(daphne_server, new_page, enter_as_household, household, world):
    page = new_page(viewport=VIEWPORTS["phone"], java_script_enabled=False)
    enter_as_household(page, household)
    page.goto("/directory/")
    page.get_by_label("Search the directory").fill("listed")
    page.get_by_label("Search the directory").press("Enter")
    expect(page).to_have_url(re.compile(r"/directory/\?q=listed$"))
    expect(page.locator("#directory-list")).to_contain_text("Carla Listed")
    expect(page.locator("#directory-list")).not_to_contain_text("Ana Bianchi")


# --- the menu: a disclosure on phones, a row on desktops; keyboard and no-JavaScript alike --------


def tab_until(page, predicate: str, limit: int = 120) -> list[str]:
    """Press Tab until `predicate` (JS, about document.activeElement) holds; the focus path walked."""
    path = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        path.append(page.evaluate("(e => e.tagName + '#' + e.id + ' ' + (e.textContent || '').trim().slice(0, 20))(document.activeElement)"))
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return path
    raise AssertionError(f"never reached {predicate!r} with Tab: {path}")


def test_phone_menu_opens_and_is_used_with_the_keyboard_alone(daphne_server, new_page, enter_as_household, household, world):
    page = new_page(viewport=VIEWPORTS["phone"])
    enter_as_household(page, household)
    page.goto("/home/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    directory_link = page.locator("#guest-nav a", has_text="Directory")
    expect(directory_link).to_be_hidden()
    header = page.locator(".site-header").bounding_box()
    # One row of controls (brand, indicator, menu); the old wrapped menu took about 195 px.
    assert header and header["height"] <= 96, f"the closed menu's header is {header} tall"

    tab_until(page, "el.classList.contains('guest-menu__toggle')")
    page.keyboard.press("Enter")
    expect(directory_link).to_be_visible()
    tab_until(page, "el.textContent.trim() === 'Directory'", limit=12)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/directory/$"))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_menu_works_without_javascript(daphne_server, new_page, enter_as_household, household, world, viewport):
    page = new_page(viewport=VIEWPORTS[viewport], java_script_enabled=False)
    enter_as_household(page, household)
    page.goto("/home/")
    directory_link = page.locator("#guest-nav a", has_text="Directory")
    if viewport == "phone":
        expect(directory_link).to_be_hidden()
        page.click(".guest-menu__toggle")
    else:
        expect(page.locator(".guest-menu__toggle")).to_be_hidden()  # desktop: a plain row of links
    expect(directory_link).to_be_visible()
    directory_link.click()
    expect(page).to_have_url(re.compile(r"/directory/$"))


# --- keyboard only: Tab to the RSVP, answer, submit with Enter ------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_rsvp_is_answered_and_sent_with_the_keyboard_alone(
    daphne_server, new_page, enter_as_household, household, event, world, viewport,
):
    ben = world["ben"]
    page = new_page(viewport=VIEWPORTS[viewport])
    enter_as_household(page, household)
    page.goto("/rsvp/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")

    status = f"g{ben.pk}_e{event.pk}_status"
    tab_until(page, f"el.name === '{status}'")
    page.keyboard.press("Space")  # the group's first choice: Attending
    assert page.is_checked(f'input[name="{status}"][value="attending"]')
    tab_until(page, f"el.name === 'g{ben.pk}_e{event.pk}_meal'", limit=5)
    page.keyboard.press("ArrowDown")  # the first meal
    path = tab_until(page, "el.id === 'rsvp-submit'")
    assert all("sign-out" not in step for step in path)  # the submit is reached before leaving the form
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/rsvp/done/$"))
    answer = Response.objects.get(guest=ben, event=event)
    assert (answer.status, answer.meal_id) == ("attending", world["meal"].pk)


# --- the narrowest phones, and the indicator's longest state --------------------------------------

OFFLINE = """() => {
  const status = document.getElementById("live-status");
  status.dataset.state = "offline";
  status.querySelector(".live-status__label").textContent = "Offline — showing saved data";
}"""


def test_at_360px_the_offline_indicator_still_covers_nothing_and_nothing_scrolls_sideways(
    daphne_server, new_page, enter_as_household, household, world,
):
    page = new_page(viewport={"width": 360, "height": 740})
    enter_as_household(page, household)
    for path in ("/home/", "/rsvp/", "/songs/", "/directory/", "/photos/"):
        page.goto(path)
        expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
        page.evaluate(OFFLINE)
        measured = page.evaluate(MEASURE, INTERACTIVE)
        assert measured["covered"] == [], f"{path}: the indicator covers {measured['covered']}"
        assert measured["overflow"] <= 0, f"{path}: {measured['overflow']} px of horizontal scrolling"
        assert measured["small"] == [], f"{path}: controls under {MIN_TARGET_PX} px: {measured['small']}"
        header = page.locator(".site-header").bounding_box()
        assert header and header["height"] <= 112, f"{path}: header {header}"
