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


# --- tablemates (issue 17): names only, the directory opt-out respected, live, fixed queries ---------


def seat_at(table, event, planner, **guest_fields):
    guest = factories.GuestFactory(wedding=table.wedding, **guest_fields)
    factories.InvitationFactory(guest=guest, event=event)
    seating.seat_assign(guest=guest, table=table, user=planner)
    return guest


def test_reveal_shows_the_event_and_names_listed_tablemates_only(seated, household, wedding, event, planner):
    other_household = factories.HouseholdFactory(wedding=wedding, name="The Hidden family")
    seat_at(seated["olive"], event, planner, household=other_household, first_name="Carla", last_name="Listed",
            directory_opt_in=True, email="carla@example.org", dietary_notes="NO-NUTS")
    seat_at(seated["olive"], event, planner, first_name="Zed", last_name="Unlisted")
    seat_at(seated["olive"], event, planner, first_name="Yara", last_name="Unlisted")
    seat_at(seated["lemon"], event, planner, first_name="Lemony", directory_opt_in=True)  # another table
    seating.seating_publish(wedding=wedding, published=True, user=planner)

    html = render(household)

    assert "Olive" in html and event.name in html
    assert "With Carla Listed and 2 other guests." in html
    for private in ("Zed", "Yara", "Lemony", "carla@example.org", "NO-NUTS", "The Hidden family"):
        assert private not in html


def test_reveal_with_nobody_else_at_the_table_says_so(seated, household, wedding, planner):
    seating.seating_publish(wedding=wedding, published=True, user=planner)
    assert "Nobody else is seated at this table yet." in render(household)


def test_a_tablemate_listing_themselves_is_a_change_the_open_reveal_shows(seated, household, wedding, event, planner):
    zed = seat_at(seated["olive"], event, planner, first_name="Zed", last_name="Unlisted")
    seating.seating_publish(wedding=wedding, published=True, user=planner)
    assert "With 1 other guest." in render(household)

    from guests import services as guest_services

    guest_services.directory_opt_in_set(household=zed.household, guest_ids=[zed.pk])
    assert regions.get("guest_table").depends_on({Change.objects.latest("pk").topic})
    assert "With Zed Unlisted." in render(household)


def test_reveal_is_announced_politely(seated, household):
    assert 'aria-live="polite"' in render(household)


def test_reveal_reads_a_fixed_number_of_queries_whatever_the_tablemates(seated, household, wedding, event, planner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seating.seating_publish(wedding=wedding, published=True, user=planner)
    dinner = factories.EventFactory(wedding=wedding, name="Dinner")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            render(household)
        return len(ctx.captured_queries)

    seat_at(seated["olive"], event, planner, directory_opt_in=True)
    small = queries()
    for n in range(6):
        seat_at(seated["olive"], event, planner, directory_opt_in=bool(n % 2))
    fig = factories.TableFactory(event=dinner, name="Fig")
    factories.InvitationFactory(guest=seated["guest"], event=dinner)
    seating.seat_assign(guest=seated["guest"], table=fig, user=planner)
    for n in range(4):
        seat_at(fig, dinner, planner, directory_opt_in=bool(n % 2))
    assert queries() == small


def test_table_reveals_groups_seats_by_table_and_counts_the_unlisted():
    from types import SimpleNamespace as NS

    from seating.live import table_reveals

    def seat(table, name, listed=True):
        guest = NS(full_name=name, directory_opt_in=listed)
        return NS(table_id=table.pk, table=table, event=NS(pk=1), guest=guest)

    olive, fig = NS(pk=1, name="Olive"), NS(pk=2, name="Fig")
    reveals = table_reveals(
        [seat(olive, "Ana"), seat(olive, "Ben"), seat(fig, "Ana")],
        [seat(olive, "Carla"), seat(olive, "Zed", listed=False), seat(fig, "Yara", listed=False),
         seat(NS(pk=3), "Elsewhere")],
    )
    assert [(r.table.name, [g.full_name for g in r.household_guests], r.tablemates, r.unnamed) for r in reveals] == [
        ("Olive", ["Ana", "Ben"], ["Carla"], 1),
        ("Fig", ["Ana"], [], 1),
    ]
