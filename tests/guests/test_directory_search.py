"""The guest directory's search box (issue 17): a GET `q` filtered on the server by the guests
QuerySet's `search`, names only; htmx asks for the results alone, without JavaScript the page reloads."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guests.models import Guest
from realtime import regions
from realtime.regions import Audience, Viewer
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def listed(wedding, event, household):
    """Three guests of other households in the directory (opted in, attending) and one of ours."""
    people = {}
    for first, last, email in [("Carla", "Moreno", "carla@example.org"), ("Carlos", "Vidal", "cv@example.org"),
                               ("Ines", "Prieto", "secret-ines@example.org"), ("Ana", "Bianchi", "")]:
        home = household if first == "Ana" else factories.HouseholdFactory(wedding=wedding, name=f"The {last} home")
        guest = factories.GuestFactory(household=home, first_name=first, last_name=last, email=email,
                                       directory_opt_in=True)
        factories.InvitationFactory(guest=guest, event=event)
        factories.ResponseFactory(guest=guest, event=event)
        people[first] = guest
    return people


@pytest.fixture
def guest_client(client, household):
    client.get(f"/i/{household.invitation_code}/")
    return client


def listing(html: str) -> str:
    return html.split('id="directory-list"')[1].split("</ul>")[0]


def test_search_filters_the_directory_on_the_server_without_javascript(guest_client, listed):
    response = guest_client.get("/directory/", {"q": "carl"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html and 'name="q"' in html and 'value="carl"' in html  # the box keeps the words
    names = listing(html)
    assert "Carla Moreno" in names and "Carlos Vidal" in names
    assert "Ines" not in names and "Ana Bianchi" not in names


def test_every_word_must_match_a_first_or_last_name(guest_client, listed):
    names = listing(guest_client.get("/directory/", {"q": "carl vid"}).content.decode())
    assert "Carlos Vidal" in names and "Carla Moreno" not in names


def test_search_matches_names_only_never_an_email_or_a_household(guest_client, listed):
    for private in ("secret-ines", "example.org", "Prieto home"):
        html = guest_client.get("/directory/", {"q": private}).content.decode()
        assert "Ines Prieto" not in listing(html), private


def test_no_match_says_so(guest_client, listed):
    html = guest_client.get("/directory/", {"q": "zzz"}).content.decode()
    assert "No guest matches “zzz”." in listing(html)
    assert "Nobody is listed yet." not in html


def test_htmx_gets_the_results_alone_as_a_live_region_of_their_own(guest_client, listed):
    response = guest_client.get("/directory/", {"q": "carla"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="directory-results">')
    assert "<html" not in html and 'id="directory-form"' not in html
    assert 'data-live-region="guest_directory"' in html and 'data-live-params="q=carla"' in html
    assert "Carla Moreno" in html and "Carlos Vidal" not in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(guest_client, listed):
    response = guest_client.get(
        "/directory/", {"q": "carla"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_the_search_form_asks_htmx_as_you_type(guest_client, listed):
    html = guest_client.get("/directory/").content.decode()
    form = html.split('id="directory-search"')[1].split("</form>")[0]
    assert 'hx-get="/directory/"' in form and "input changed delay:" in form and 'hx-target="#directory-results"' in form


def test_a_search_too_long_is_refused_clearly_and_lists_everyone(guest_client, listed):
    response = guest_client.get("/directory/", {"q": "x" * 101})
    assert response.status_code == 200
    html = response.content.decode()
    assert "at most 100 characters" in html
    assert "Carla Moreno" in listing(html)


def test_the_filtered_region_renders_the_same_over_the_socket(wedding, listed):
    viewer = Viewer(wedding=wedding, audience=Audience.GUESTS)
    html = str(regions.render_region("guest_directory", viewer, {"q": "moreno"}))
    assert "Carla Moreno" in html and "Carlos Vidal" not in html


def test_search_reads_a_fixed_number_of_queries(guest_client, listed, wedding, event):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert guest_client.get("/directory/", {"q": "a"}).status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    for n in range(5):
        guest = factories.GuestFactory(wedding=wedding, first_name=f"Amaia{n}", directory_opt_in=True)
        factories.InvitationFactory(guest=guest, event=event)
        factories.ResponseFactory(guest=guest, event=event)
    assert queries() == small


def test_queryset_search_names_only_leaves_the_planners_search_unchanged(wedding, listed):
    everyone = Guest.objects.for_wedding(wedding)
    assert everyone.search("secret-ines").get().first_name == "Ines"
    assert not everyone.search("secret-ines", names_only=True).exists()
