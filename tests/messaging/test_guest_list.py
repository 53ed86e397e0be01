"""The dashboard's master guest list: each household's last message / opened / responded, and its filters."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rsvp.models import Response
from tests import factories
from tests.messaging.builders import deliver_all, make_household
from tests.realtime.conftest import (
    frames,
    fresh_hub,
    html_of,
    open_socket,
    planner_cookie,
    run,
    version_of,
)
from wedding.messaging import services
from wedding.messaging.models import Recipient

__all__ = ["fresh_hub"]


def guest_list(client, wedding, **params) -> str:
    page = client.get(reverse("admin:dashboard-guests", args=[wedding.pk]), params)
    assert page.status_code == 200
    return page.content.decode()


def cell(html: str, guest_name: str) -> str:
    """The "last message" cell of the row that names `guest_name`."""
    row = re.search(r"<tr id=\"guest-row-\d+\"[^>]*>(?:(?!</tr>).)*?" + re.escape(guest_name) + r".*?</tr>", html, re.S)
    assert row, guest_name
    found = re.search(r'<td class="dash-last-message">(.*?)</td>', row.group(0), re.S)
    assert found, guest_name
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip())


def names(html: str) -> set[str]:
    return {name for name in ("Ana", "Carla", "Dora", "Eli") if f">{name} " in html}


@pytest.mark.django_db
def test_column_and_filters_say_who_got_opened_and_answered(smtp, planner_client, wedding, event, planner):
    ruiz = make_household(wedding, "The Ruiz family", ("Ana", "ana@ruiz.test"), event=event)
    soto = make_household(wedding, "The Soto family", ("Carla", "carla@soto.test"), event=event)
    make_household(wedding, "The Vega family", ("Dora", "dora@vega.test"), event=event)
    make_household(wedding, "The Post family", ("Eli", ""), event=event)  # no address: paper only
    message = factories.MessageFactory(wedding=wedding, subject="You're invited, {{ household }}")
    services.message_send(message=message, user=planner)
    deliver_all(message)
    Client().get(f"/i/{ruiz.invitation_code}/")  # Ana follows her link: opened
    factories.ResponseFactory(guest=soto.guests.get(), event=event, status=Response.Status.ATTENDING)

    html = guest_list(planner_client, wedding)
    assert ">Last message<" in html
    ana, carla, dora, eli = (cell(html, n) for n in ("Ana", "Carla", "Dora", "Eli"))
    assert ana.startswith("Invitation: You're invited, The Ruiz family Sent") and "opened" in ana
    assert "responded" not in ana
    assert "Sent" in carla and "opened" not in carla and carla.endswith("responded")
    assert "Sent" in dora and "opened" not in dora and "responded" not in dora
    assert eli == "—"

    assert names(guest_list(planner_client, wedding, messages="never_opened")) == {"Carla", "Dora"}
    assert names(guest_list(planner_client, wedding, messages="opened_unanswered")) == {"Ana"}
    assert names(guest_list(planner_client, wedding, messages="nonsense")) == {"Ana", "Carla", "Dora", "Eli"}
    # Combined with the other filters, like any of them.
    assert names(guest_list(planner_client, wedding, messages="never_opened", q="Vega")) == {"Dora"}


@pytest.mark.django_db
def test_a_failed_copy_shows_the_servers_words_and_the_latest_message_wins(smtp, planner_client, wedding, planner):
    make_household(wedding, "The Hart family", ("Gus", "gus@hart.test"))
    smtp.handler.refuse = {"gus@hart.test": "550 5.1.1 No such user here"}
    first = factories.MessageFactory(wedding=wedding, kind="save_the_date", subject="Save the date")
    services.message_send(message=first, user=planner)
    deliver_all(first)
    assert "Failed (550 5.1.1 No such user here)" in cell(guest_list(planner_client, wedding), "Gus")

    smtp.handler.refuse = {}
    second = factories.MessageFactory(wedding=wedding, kind="reminder", subject="Please answer")
    services.message_send(message=second, user=planner)
    assert cell(guest_list(planner_client, wedding), "Gus") == "Reminder: Please answer Queued"
    deliver_all(second)
    assert cell(guest_list(planner_client, wedding), "Gus").startswith("Reminder: Please answer Sent")


def count_queries(client, wedding, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        guest_list(client, wedding, **params)
    return len(queries)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_households_or_messages(planner_client, planner, wedding):
    small = factories.WeddingFactory(name="Small", slug="small", planners=[planner])

    def grow(target, households: int, messages: int) -> None:
        for i in range(households):
            make_household(target, f"The G{i} family", (f"G{i}", f"g{i}@{target.slug}.test"))
        for _ in range(messages):
            services.message_send(message=factories.MessageFactory(wedding=target), user=planner)
        # Some copies went out and some were opened, so every part of the cell has something to show.
        Recipient.objects.filter(wedding=target, pk__in=Recipient.objects.filter(wedding=target)
                                 .values("pk")[: households]).update(status="sent")
        Recipient.objects.filter(wedding=target, household__name__endswith="0 family").update(
            opened_at="2026-01-01T00:00:00Z")

    grow(small, households=2, messages=1)
    grow(wedding, households=60, messages=3)
    assert Recipient.objects.filter(wedding=wedding).count() == 180
    for params in ({}, {"messages": "never_opened"}, {"messages": "opened_unanswered", "q": "G"}):
        counts = [count_queries(planner_client, w, **params) for w in (small, wedding)]
        assert counts[0] == counts[1], (params, counts)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_hub")
async def test_the_guest_list_shows_opened_live(smtp, wedding, planner):
    def setup():
        household = make_household(wedding, "The Ruiz family", ("Rosa", "rosa@ruiz.test"))
        message = factories.MessageFactory(wedding=wedding)
        services.message_send(message=message, user=planner)
        deliver_all(message)
        return household

    household = await run(setup)
    socket, welcome = await open_socket(await run(lambda: planner_cookie(planner)), wedding.pk,
                                        regions_=[{"name": "dash_guests", "params": {}}],
                                        version=await version_of(wedding))
    assert welcome["regions"] and not welcome.get("refused")
    await frames(socket)

    await run(lambda: Client().get(f"/i/{household.invitation_code}/"))
    html = html_of(await frames(socket, timeout=3, expect=["Rosa", ">opened "]))
    assert "Rosa" in html and ">opened " in html
    await socket.disconnect()
