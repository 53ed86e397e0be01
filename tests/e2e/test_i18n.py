"""Issue 17 "Proof": the language switch changes the page and sticks after signing in again.

A real browser against daphne: the switch is a plain form in the guest chrome; the choice is
kept on the household, so a fresh browser (no cookies) that signs in with the code reads
Spanish, and pushes over the socket arrive in Spanish too.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from guests import services
from guests.models import GuestRequest, Household
from tests import factories

pytestmark = pytest.mark.e2e


def test_the_language_switch_changes_the_page_and_sticks_after_signing_in_again(
    daphne_server, new_page, enter_as_household, wedding, event, household,
):
    factories.GuestFactory(household=household, first_name="Inés", last_name="Ruiz")
    page = new_page()
    enter_as_household(page, household)
    page.goto("/home/")
    expect(page.locator("h2#events-heading")).to_have_text("Our events")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator("#language-switch button[value='es']").click()
    expect(page.locator("h2#events-heading")).to_have_text("Nuestros eventos")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert page.url.endswith("/home/")
    assert Household.objects.get(pk=household.pk).language == "es"

    # Live pushes to this page are rendered in the household's language as well, and the
    # page script's words come from Django's JavaScript catalog.
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(page.locator("#live-status .live-status__label")).to_have_text("En directo")
    services.guest_request_create(household=household, kind=GuestRequest.Kind.OTHER, message="¿Hay parking?")
    expect(page.locator("#live-guest_requests")).to_contain_text("Abierta")

    page.locator("#sign-out").click()
    expect(page.locator("#code-form")).to_be_visible()

    # Another browser, no cookies at all: the entry page is English, the code signs in to Spanish.
    other = new_page()
    other.goto("/")
    expect(other.locator("#code-heading")).to_have_text("I have my invitation code")
    other.locator("#id_code").fill(household.invitation_code)
    other.locator("#code-form button[type='submit']").click()
    expect(other.locator("h2#events-heading")).to_have_text("Nuestros eventos")
    expect(other.locator(".messages")).to_contain_text("¡Bienvenidos")
    # And back to English with the same switch, from the Spanish page.
    other.locator("#language-switch button[value='en']").click()
    expect(other.locator("h2#events-heading")).to_have_text("Our events")
    assert Household.objects.get(pk=household.pk).language == "en"
