"""Guest pages read a fixed number of queries, whatever the size of the household or programme."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite

PAGES = ["/home/", "/rsvp/", "/rsvp/done/", "/directory/", "/whos-who/", "/requests/"]


def grow(wedding, household, events: int, guests: int) -> None:
    evs = [factories.EventFactory(wedding=wedding) for _ in range(events)]
    for ev in evs:
        factories.MealOptionFactory(event=ev)
        factories.MealOptionFactory(event=ev)
        factories.TableFactory(event=ev)
        factories.WeddingPartyMemberFactory(wedding=wedding)
    for _ in range(guests):
        g = factories.GuestFactory(household=household, directory_opt_in=True)
        for ev in evs:
            factories.InvitationFactory(guest=g, event=ev)
            factories.ResponseFactory(guest=g, event=ev, status="declined")
        factories.GuestRequestFactory(household=household)


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", PAGES)
def test_fixed_query_count(client, wedding, household, url):
    wedding.seating_published = True
    wedding.save()
    household.plus_ones_allowed = 1
    household.save()
    grow(wedding, household, events=1, guests=1)
    client.get(f"/i/{household.invitation_code}/")
    small = count(client, url)
    grow(wedding, household, events=2, guests=3)
    assert count(client, url) == small
