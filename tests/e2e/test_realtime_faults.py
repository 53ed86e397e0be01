"""Issue 8 "Faults", in a real browser: the glue reconnects by itself and the page converges.

* daphne closing the socket with 1000, 1001 and 1011 → the browser reconnects
  each time (and a change made afterwards is shown);
* daphne killed and restarted → the page reconnects and shows a change that
  was committed while it was disconnected.

The server closes sockets through the test ASGI app (tests/e2e/asgi_test_app.py);
the browser records the close codes it actually saw.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from wedding.guestbook import services

pytestmark = pytest.mark.e2e

# Records every close code the page's WebSockets see (before any page script runs).
RECORD_CLOSES = """
(() => {
  const Native = window.WebSocket;
  window.__wsCloses = [];
  window.__wsOpened = 0;
  window.WebSocket = function (url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    window.__wsOpened += 1;
    ws.addEventListener("close", (event) => window.__wsCloses.push(event.code));
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();
"""

# Reconnect backoff grows to several seconds while a server is down; a restart
# (a cold Django import) takes a few seconds more. This bounds the wait for both.
RECONNECT_TIMEOUT_MS = 25_000


@pytest.fixture
def guest_page(daphne_server, new_page, enter_as_household):
    def open_guestbook(household):
        page = new_page()
        page.add_init_script(RECORD_CLOSES)
        enter_as_household(page, household)
        page.goto("/guestbook/")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
        return page

    return open_guestbook


@pytest.fixture
def guestbook(db):
    planner = factories.UserFactory()
    wedding = factories.WeddingFactory(guestbook_moderation=False, planners=[planner])
    household = factories.HouseholdFactory(wedding=wedding)
    factories.GuestFactory(household=household)
    return wedding, household


def _sign(wedding, household, message: str) -> None:
    services.guestbook_sign(wedding=wedding, household=household, author_name="Ana", message=message)


@pytest.mark.parametrize("code", [1000, 1001, 1011])
def test_glue_reconnects_after_server_close(daphne_server, guest_page, guestbook, code):
    wedding, household = guestbook
    page = guest_page(household)
    wall = page.locator("#live-guestbook_wall")

    assert daphne_server.close_sockets(code) == 1
    # Arrow functions, not expressions: Playwright evals an expression string, which the CSP refuses.
    page.wait_for_function(f"() => window.__wsCloses.includes({code})", timeout=10_000)
    page.wait_for_function("() => window.__wsOpened >= 2", timeout=10_000)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")

    _sign(wedding, household, f"after close {code}")
    expect(wall).to_contain_text(f"after close {code}")


def test_page_converges_after_server_killed_and_restarted(daphne_server, guest_page, guestbook):
    wedding, household = guestbook
    page = guest_page(household)
    status = page.locator("#live-status")
    wall = page.locator("#live-guestbook_wall")
    _sign(wedding, household, "before the crash")
    expect(wall).to_contain_text("before the crash")

    daphne_server.kill()
    expect(status).not_to_have_attribute("data-state", "live")
    _sign(wedding, household, "while the server was down")  # nobody is listening for this publish
    daphne_server.start()

    expect(status).to_have_attribute("data-state", "live", timeout=RECONNECT_TIMEOUT_MS)
    expect(wall).to_contain_text("while the server was down")
    expect(wall).to_contain_text("before the crash")
