"""The table reveal: hidden until planners publish; then every open guest page shows the table live."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from realtime import regions
from realtime.models import Change
from realtime.regions import Audience, Viewer
from seating import services as seating
from tests import factories


@pytest.fixture
def seated(wedding, event, household, planner):
    guest = factories.GuestFactory(household=household, first_name="Ana")
    factories.InvitationFactory(guest=guest, event=event)
    olive = factories.TableFactory(event=event, name="Olive")
    lemon = factories.TableFactory(event=event, name="Lemon")
    seating.seat_assign(guest=guest, table=olive, user=planner)
    return {"guest": guest, "olive": olive, "lemon": lemon}


def render(household) -> str:
    # A viewer built once, like a socket's when the page was opened.
    viewer = Viewer(wedding=household.wedding, audience=Audience.HOUSEHOLD, household=household)
    return str(regions.render_region("guest_table", viewer))


def test_hidden_until_published(seated, household):
    html = render(household)
    assert 'data-seating="hidden"' in html
    assert "Olive" not in html


def test_publishing_flips_an_open_page(seated, household, wedding, planner):
    viewer = Viewer(wedding=household.wedding, audience=Audience.HOUSEHOLD, household=household)
    assert "Olive" not in str(regions.render_region("guest_table", viewer))
    seating.seating_publish(wedding=wedding, published=True, user=planner)
    change = Change.objects.latest("pk")
    # The publish's change is one the region listens to…
    assert regions.get("guest_table").depends_on({change.topic})
    # …and the same (stale) viewer now renders the table.
    html = str(regions.render_region("guest_table", viewer))
    assert 'data-seating="published"' in html and "Olive" in html and "Ana" in html


def test_later_moves_show_up(seated, household, wedding, planner):
    seating.seating_publish(wedding=wedding, published=True, user=planner)
    seating.seat_assign(guest=seated["guest"], table=seated["lemon"], user=planner)
    change = Change.objects.latest("pk")
    assert regions.get("guest_table").depends_on({change.topic})
    html = render(household)
    assert "Lemon" in html and "Olive" not in html


def test_unpublishing_hides_again(seated, household, wedding, planner):
    seating.seating_publish(wedding=wedding, published=True, user=planner)
    seating.seating_publish(wedding=wedding, published=False, user=planner)
    assert "Olive" not in render(household)


def test_only_my_households_seats(seated, household, wedding, event, planner):
    other = factories.GuestFactory(wedding=wedding, first_name="Zebedee")
    factories.InvitationFactory(guest=other, event=event)
    seating.seat_assign(guest=other, table=seated["lemon"], user=planner)
    seating.seating_publish(wedding=wedding, published=True, user=planner)
    html = render(household)
    assert "Zebedee" not in html and "Lemon" not in html


def test_home_page_shows_the_table_once_published(client, seated, household, wedding, planner):
    client.get(f"/i/{household.invitation_code}/")
    assert "Olive" not in client.get("/home/").content.decode()
    seating.seating_publish(wedding=wedding, published=True, user=planner)
    html = client.get("/home/").content.decode()
    assert 'id="live-guest_table"' in html and "Olive" in html


def test_table_region_refuses_other_audiences(seated, wedding):
    with pytest.raises(PermissionDenied):
        regions.render_region("guest_table", Viewer(wedding=wedding, audience=Audience.GUESTS))
