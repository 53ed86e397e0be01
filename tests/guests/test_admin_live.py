"""The admin's own lists are live (issue 18): guests, households, responses and songs.

Each list's result table is a live region rendered for the wedding's planners
with the page's querystring; a change re-renders it (a new row appears, a row
updates); the page shows the live indicator; the query count does not grow
with the number of rows.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from guests.models import Guest, Household
from realtime.live import Viewer, render_region
from realtime.regions import Audience, all_regions
from rsvp.models import Response
from tests import factories
from tests.realtime.conftest import frames, fresh_hub, open_socket, planner_cookie, run, version_of
from wedding.core.models import Event
from wedding.songs.models import SongRequest

__all__ = ["fresh_hub"]  # the fixture, imported from the realtime tests

LISTS = {
    "guest_admin_list": Guest,
    "household_admin_list": Household,
    "response_admin_list": Response,
    "song_admin_list": SongRequest,
}


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def planner_view(wedding) -> Viewer:
    return Viewer(wedding=wedding, audience=Audience.PLANNER)


@pytest.mark.parametrize("region,model", LISTS.items(), ids=list(LISTS))
def test_the_admin_list_page_is_a_live_page(planner_client, wedding, region, model):
    page = planner_client.get(changelist_url(model))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-live-region="{region}"' in html
    assert 'id="live-status"' in html and 'id="live-page"' in html  # the indicator and the socket's page


@pytest.mark.parametrize("region", LISTS)
def test_the_region_is_for_planners_only(region):
    assert all_regions()[region].audience is Audience.PLANNER



def test_a_new_row_appears_and_a_changed_row_updates(wedding, household):
    viewer = planner_view(wedding)
    before = render_region("guest_admin_list", viewer, {"query": ""})
    assert "Inés" not in before

    ines = factories.GuestFactory(household=household, first_name="Inés", last_name="Ortega")
    assert "Inés" in render_region("guest_admin_list", viewer, {"query": ""})

    ines.first_name = "Inma"
    ines.save()
    after = render_region("guest_admin_list", viewer, {"query": ""})
    assert "Inma" in after and "Inés" not in after


def test_the_region_keeps_the_pages_search_ordering_and_page(wedding, household):
    for name in ("Ana", "Bea", "Carmen"):
        factories.GuestFactory(household=household, first_name=name, last_name="Vidal")
    factories.GuestFactory(household=household, first_name="Zoe", last_name="Abril")
    viewer = planner_view(wedding)

    searched = render_region("guest_admin_list", viewer, {"query": "q=Vidal"})
    assert "Ana" in searched and "Carmen" in searched and "Zoe" not in searched

    # Ordered by name (column 1 of list_display after the checkbox) descending: Zoe Abril last.
    ordered = render_region("guest_admin_list", viewer, {"query": "o=-1"})
    assert ordered.index("Ana") < ordered.index("Zoe")
    ascending = render_region("guest_admin_list", viewer, {"query": "o=1"})
    assert ascending.index("Zoe") < ascending.index("Ana")


def test_the_page_and_its_region_render_the_same_querystring(planner_client, wedding, household):
    factories.GuestFactory(household=household, first_name="Ana", last_name="Vidal")
    factories.GuestFactory(household=household, first_name="Zoe", last_name="Abril")
    page = planner_client.get(changelist_url(Guest), {"q": "Vidal"}).content.decode()
    assert "Ana" in page and "Zoe" not in page
    assert "data-live-params=\"query=q%3DVidal\"" in page


def test_another_weddings_rows_never_show_even_when_the_query_asks(wedding, other_wedding, household):
    factories.GuestFactory(household=household, first_name="Mine")
    factories.GuestFactory(household__wedding=other_wedding, first_name="Theirs")
    viewer = planner_view(wedding)
    for query in ("", f"wedding__id__exact={other_wedding.pk}"):
        html = render_region("guest_admin_list", viewer, {"query": query})
        assert "Theirs" not in html
    assert "Mine" in render_region("guest_admin_list", viewer, {"query": ""})


def test_a_bad_query_is_a_404_not_a_500(planner_client, wedding):
    url = reverse("realtime:fragment", args=["guest_admin_list"])
    for query in ("nonsense__field=1", "household__wedding__planners__password__startswith=p"):
        response = planner_client.get(url, {"wedding": wedding.pk, "query": query})
        assert response.status_code == 404, query


def test_the_fragment_url_is_for_the_weddings_planners_only(client, planner_client, wedding, other_wedding, household):
    factories.GuestFactory(household=household, first_name="Private")
    url = reverse("realtime:fragment", args=["guest_admin_list"])
    assert "Private" in planner_client.get(url, {"wedding": wedding.pk}).content.decode()
    outsider = factories.UserFactory(username="outsider", is_staff=True)
    client.force_login(outsider)
    assert client.get(url, {"wedding": wedding.pk}).status_code == 403


def test_a_list_of_several_weddings_says_it_is_not_live(client, wedding, other_wedding):
    both = factories.UserFactory(username="both", is_staff=True)
    wedding.planners.add(both)
    other_wedding.planners.add(both)
    client.force_login(both)
    page = client.get(changelist_url(Guest)).content.decode()
    assert "not live" in page and "data-live-region" not in page
    chosen = client.get(changelist_url(Guest), {"wedding__id__exact": wedding.pk}).content.decode()
    assert 'data-live-region="guest_admin_list"' in chosen and "not live" not in chosen


def _guests(wedding, count: int) -> None:
    event = factories.EventFactory(wedding=wedding, name="Dinner")
    table = factories.TableFactory(event=event, name="Table 1", capacity=count + 1)
    meal = factories.MealOptionFactory(event=event, name="Fish")
    households = Household.objects.bulk_create(
        [Household(wedding=wedding, name=f"House {i}", invitation_code=f"CODE{i:06d}") for i in range(count // 2)]
    )
    guests = Guest.objects.bulk_create(
        [Guest(wedding=wedding, household=households[i // 2], first_name=f"G{i}", last_name="X") for i in range(count)]
    )
    from rsvp.models import Invitation
    from seating.models import Seat

    Invitation.objects.bulk_create([Invitation(wedding=wedding, guest=g, event=event) for g in guests])
    Response.objects.bulk_create(
        [Response(wedding=wedding, guest=g, event=event, status="attending", meal=meal) for g in guests]
    )
    Seat.objects.bulk_create([Seat(wedding=wedding, guest=g, event=event, table=table) for g in guests])
    SongRequest.objects.bulk_create(
        [SongRequest(wedding=wedding, title=f"Song {i}", key=f"song {i}|", requested_by=households[i // 2])
         for i in range(count)]
    )


@pytest.mark.parametrize("model", LISTS.values(), ids=list(LISTS))
def test_the_query_count_does_not_grow_with_the_rows(
    planner_client, wedding, django_assert_num_queries, django_assert_max_num_queries, model,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _guests(wedding, 20)
    url = changelist_url(model)
    planner_client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        assert planner_client.get(url).status_code == 200
    Guest.objects.all().delete()
    Household.objects.all().delete()
    SongRequest.objects.all().delete()
    Event.objects.filter(wedding=wedding).delete()
    _guests(wedding, 2000)
    with django_assert_num_queries(len(small.captured_queries)):
        assert planner_client.get(url).status_code == 200


def region_html(got: list[dict], id_prefix: str) -> str:
    return "".join(
        r["html"] for f in got if f.get("t") == "update" for r in f["regions"] if r["id"].startswith(id_prefix)
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_hub")
async def test_an_open_admin_list_receives_new_and_changed_rows_over_the_socket(wedding, planner, household):
    cookie = await run(lambda: planner_cookie(planner))
    songs = {"name": "song_admin_list", "params": {"query": "q=queen"}}
    guests = {"name": "guest_admin_list", "params": {}}
    socket, welcome = await open_socket(cookie, wedding.pk, regions_=[songs, guests], version=await version_of(wedding))
    assert welcome["state"] == "live" and welcome["refused"] == []

    song = await run(lambda: factories.SongRequestFactory(wedding=wedding, title="Dancing Queen", artist="ABBA"))
    got = await frames(socket, expect=["Dancing Queen"])
    pushed = region_html(got, "live-song_admin_list-")
    assert "Dancing Queen" in pushed and "Requested" in pushed

    def approve():
        song.status = SongRequest.Status.APPROVED
        song.save()

    await run(approve)
    assert "badge-approved" in region_html(await frames(socket, expect=["badge-approved"]), "live-song_admin_list-")

    await run(lambda: factories.GuestFactory(household=household, first_name="Inés"))
    assert "Inés" in region_html(await frames(socket, expect=["Inés"]), "live-guest_admin_list")
    await socket.disconnect()


def test_each_row_has_a_stable_id_so_a_swap_keeps_a_ticked_box_with_its_row(wedding, household):
    ana = factories.GuestFactory(household=household, first_name="Ana")
    html = render_region("guest_admin_list", planner_view(wedding), {"query": ""})
    assert f'<tr id="guest-row-{ana.pk}">' in html
    assert "{#" not in html and "{%" not in html


def test_the_song_list_loads_the_live_client_once_live_or_not(client, planner_client, wedding, other_wedding):
    # moderation.js (the DJ buttons) posts through live.js: one copy, whether the list is live or not.
    live_page = planner_client.get(changelist_url(SongRequest)).content.decode()
    assert live_page.count("realtime/live.js") == 1 and "moderation/moderation.js" in live_page
    both = factories.UserFactory(username="both", is_staff=True)
    wedding.planners.add(both)
    other_wedding.planners.add(both)
    client.force_login(both)
    several = client.get(changelist_url(SongRequest)).content.decode()
    assert "not live" in several and several.count("realtime/live.js") == 1
