"""The couple edits the site in the admin; open guest pages show it live, and only to whom may see it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from tests.realtime.conftest import (
    frames,
    fresh_hub,
    household_cookie,
    html_of,
    open_socket,
    run,
    version_of,
)
from wedding.site.models import FaqItem, Page, Visibility

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_hub")]
__all__ = ["fresh_hub"]  # the fixture, imported from the realtime tests


def admin_add_faq(planner, page: Page, question: str, answer: str) -> int:
    """What a planner does: the page's change form in the admin, with one FAQ item added."""
    client = Client()
    client.force_login(planner)
    data = {
        "kind": page.kind, "title": page.title, "slug": page.slug, "body": page.body, "order": page.order,
        "visibility": page.visibility, "event": page.event_id or "",
        "faq_items-TOTAL_FORMS": 1, "faq_items-INITIAL_FORMS": 0,
        "faq_items-0-question": question, "faq_items-0-answer": answer, "faq_items-0-order": 0,
        "links-TOTAL_FORMS": 0, "links-INITIAL_FORMS": 0,
    }
    return client.post(f"/admin/site/page/{page.pk}/change/", data).status_code


def region(slug: str) -> list[dict]:
    return [{"name": "site_page", "params": {"page": slug}}]


async def test_a_faq_answer_added_in_the_admin_appears_on_the_open_guest_page(wedding, planner, household):
    page = await run(lambda: Page.objects.create(wedding=wedding, kind="faq", title="FAQ", slug="faq",
                                                 visibility=Visibility.GUESTS))
    socket, _ = await open_socket(await run(lambda: household_cookie(household)), wedding.pk,
                                  regions_=region("faq"), version=await version_of(wedding))
    await frames(socket)

    assert await run(lambda: admin_add_faq(planner, page, "Is there parking?", "Yes, **free** at the finca.")) == 302
    html = html_of(await frames(socket, expect=["Is there parking?", "<strong>free</strong>"]))
    assert "Is there parking?" in html and "<strong>free</strong>" in html
    await socket.disconnect()


async def test_a_private_events_page_is_pushed_only_to_its_invited_households(wedding, planner):
    def setup():
        rehearsal = factories.EventFactory(wedding=wedding, name="Rehearsal dinner", is_private=True)
        invited = factories.HouseholdFactory(wedding=wedding, name="Invited")
        factories.InvitationFactory(guest=factories.GuestFactory(household=invited), event=rehearsal)
        uninvited = factories.HouseholdFactory(wedding=wedding, name="Not invited")
        factories.GuestFactory(household=uninvited)
        page = Page.objects.create(wedding=wedding, title="Rehearsal", slug="rehearsal",
                                   visibility=Visibility.EVENT, event=rehearsal)
        return invited, uninvited, page

    invited, uninvited, page = await run(setup)
    version = await version_of(wedding)
    watching_in, _ = await open_socket(await run(lambda: household_cookie(invited)), wedding.pk,
                                       regions_=region("rehearsal"), version=version)
    watching_out, _ = await open_socket(await run(lambda: household_cookie(uninvited)), wedding.pk,
                                        regions_=region("rehearsal"), version=version)
    await frames(watching_in)
    await frames(watching_out)

    assert await run(lambda: admin_add_faq(planner, page, "Where exactly?", "The back room at Casa Lucio")) == 302
    assert await run(lambda: FaqItem.objects.filter(page=page).count()) == 1
    assert "Casa Lucio" in html_of(await frames(watching_in, expect=["Casa Lucio"]))
    leaked = await frames(watching_out)
    assert "Casa Lucio" not in str(leaked) and "Where exactly?" not in str(leaked)
    await watching_in.disconnect()
    await watching_out.disconnect()
