"""Issue #13, Content-Security-Policy: the guest pages and the planner's pages run under the strict
policy (settings.SECURE_CSP) without a single violation, in a real browser."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests import factories

pytestmark = pytest.mark.e2e

# Installed before any page script: every violation the browser reports is kept for the test.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""

GUEST_PAGES = [
    "/home/", "/rsvp/", "/directory/", "/whos-who/", "/requests/", "/songs/", "/photos/", "/slideshow/",
    "/guestbook/", "/tributes/",
]


@pytest.fixture
def content(wedding, event, household):
    guest = factories.GuestFactory(household=household, first_name="Inés", last_name="Ruiz")
    factories.InvitationFactory(guest=guest, event=event)
    factories.TableFactory(event=event, name="Table 1")
    factories.TributeFactory(wedding=wedding)
    factories.SongRequestFactory(wedding=wedding, status="approved")
    return guest


def visit(page, path: str, csp_errors: list[str]) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    assert "Content-Security-Policy" in {k.title() for k in response.headers}, path
    page.wait_for_load_state("load")
    live = page.locator("#live-status")
    if live.count():
        expect(live).to_have_attribute("data-state", "live")  # the socket (connect-src) is allowed
    found = page.evaluate("window.__cspViolations") + [e for e in csp_errors if "Content Security Policy" in e]
    assert found == [], f"{path}: {found}"
    csp_errors.clear()


def csp_page(new_page) -> tuple:
    page = new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return page, errors


def test_entry_and_guest_pages_have_no_csp_violation(daphne_server, new_page, enter_as_household, household, content):
    page, errors = csp_page(new_page)
    for path in ("/", "/find/"):
        visit(page, path, errors)
    enter_as_household(page, household)
    for path in GUEST_PAGES:
        visit(page, path, errors)


def test_planner_pages_have_no_csp_violation(daphne_server, new_page, login_planner, planner, wedding, event, content):
    page, errors = csp_page(new_page)
    login_planner(page, planner)
    paths = [
        "/admin/",
        reverse("admin:dashboard", args=[wedding.pk]),
        reverse("admin:dashboard-guests", args=[wedding.pk]),
        reverse("admin:dashboard-requests", args=[wedding.pk]),
        reverse("admin:dashboard-activity", args=[wedding.pk]),
        reverse("admin:dashboard-reports", args=[wedding.pk]),
        reverse("admin:dashboard-report-print", args=[wedding.pk, "seating"]) + f"?event={event.pk}",
        reverse("admin:seating-chart", args=[wedding.pk, event.pk]),
        reverse("admin:guests_guest_changelist"),
        reverse("admin:songs_songrequest_queue") + f"?wedding={wedding.pk}",
        reverse("admin:guestbook_guestbookentry_waiting") + f"?wedding={wedding.pk}",
        reverse("admin:dashboard-planners", args=[wedding.pk]),
    ]
    for path in paths:
        visit(page, path, errors)


def test_the_invitation_link_page_has_no_csp_violation(daphne_server, new_page, planner, wedding):
    from wedding.core import services

    invitation = services.planner_invite(wedding=wedding, email="marta@example.com", invited_by=planner, link_for=str)
    page, errors = csp_page(new_page)
    visit(page, reverse("admin:planner-join", args=[services.invitation_token(invitation)]), errors)
    visit(page, reverse("admin:login"), errors)
