"""The wedding site: landing page, the couple's pages, who sees what, Markdown made safe, map links."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from tests import factories
from tests.wedding.content_helpers import enter_as, region_html
from wedding.site.content import markdown_to_html
from wedding.site.maps import directions_links
from wedding.site.models import EventDetails, FaqItem, Link, Page, Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def rehearsal(wedding):
    return factories.EventFactory(
        wedding=wedding, name="Rehearsal dinner", is_private=True, venue="Casa Lucio",
        address="Calle Cava Baja 35\nMadrid",
    )


@pytest.fixture
def invited(wedding, rehearsal):
    """A household invited to the private rehearsal dinner."""
    household = factories.HouseholdFactory(wedding=wedding, name="The Bianchi household")
    factories.InvitationFactory(guest=factories.GuestFactory(household=household), event=rehearsal)
    return household


@pytest.fixture
def uninvited(wedding, event):
    """A household invited to the reception only."""
    household = factories.HouseholdFactory(wedding=wedding, name="The Ruiz family")
    factories.InvitationFactory(guest=factories.GuestFactory(household=household), event=event)
    return household


@pytest.fixture
def pages(wedding, rehearsal):
    return {
        "faq": Page.objects.create(wedding=wedding, kind="faq", title="FAQ", slug="faq", visibility=Visibility.PUBLIC),
        "travel": Page.objects.create(wedding=wedding, kind="travel", title="Travel & stay", slug="travel",
                                      visibility=Visibility.GUESTS, body="Fly into **MAD**."),
        "rehearsal": Page.objects.create(wedding=wedding, kind="custom", title="Rehearsal details",
                                         slug="rehearsal", visibility=Visibility.EVENT, event=rehearsal,
                                         body="Meet at 19:00, secret menu."),
        "schedule": Page.objects.create(wedding=wedding, kind="schedule", title="Schedule", slug="schedule",
                                        visibility=Visibility.GUESTS),
    }


def test_landing_page_shows_the_couple_the_date_and_a_countdown_without_a_code(client, wedding, pages):
    wedding.partner_a_name, wedding.partner_b_name = "Lucía", "Marco"
    wedding.date = timezone.localdate() + datetime.timedelta(days=30)
    wedding.save()
    html = client.get("/w/lucia-marco/").content.decode()
    assert "Lucía &amp; Marco" in html
    assert wedding.date.strftime("%Y-%m-%d") in html
    assert "days to go" in html
    assert "FAQ" in html and "Travel &amp; stay" not in html  # guests-only pages are not listed publicly
    assert "Enter your code" in html


def test_an_anonymous_visitor_reads_public_pages_and_is_asked_for_the_code_for_the_rest(client, wedding, pages):
    FaqItem.objects.create(wedding=wedding, page=pages["faq"], question="Kids?", answer="Yes, *all* welcome.")
    response = client.get("/w/lucia-marco/faq/")
    assert response.status_code == 200
    assert "Kids?" in response.content.decode() and "<em>all</em>" in response.content.decode()
    response = client.get("/w/lucia-marco/travel/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/w/lucia-marco/no-such-page/").status_code == 404
    assert client.get("/w/no-such-wedding/").status_code == 404


def test_guests_read_guest_pages_with_hotels_and_codes(client, wedding, pages, uninvited):
    Link.objects.create(wedding=wedding, page=pages["travel"], kind="hotel", name="Hotel Único",
                        url="https://example.org/book", code="LUCIAMARCO26")
    enter_as(client, uninvited)
    html = client.get("/w/lucia-marco/travel/").content.decode()
    assert "Hotel Único" in html and "LUCIAMARCO26" in html and "<strong>MAD</strong>" in html
    assert 'data-live-region="site_page"' in html


def test_a_household_not_invited_to_the_private_event_sees_nothing_of_it(client, wedding, pages, uninvited, invited,
                                                                          rehearsal):
    enter_as(client, uninvited)
    assert client.get("/w/lucia-marco/rehearsal/").status_code == 404
    schedule = client.get("/w/lucia-marco/schedule/").content.decode()
    assert "Reception" in schedule and "Rehearsal dinner" not in schedule and "Casa Lucio" not in schedule
    landing = client.get("/w/lucia-marco/").content.decode()
    assert "Rehearsal" not in landing
    assert client.get(f"/w/lucia-marco/calendar/{rehearsal.pk}.ics").status_code == 404
    assert b"Rehearsal" not in client.get("/w/lucia-marco/calendar.ics").content
    # The fragment URL and the region's own render (what a push would carry) refuse it too.
    fragment = client.get("/live/r/site_page/", {"wedding": wedding.pk, "page": "rehearsal"})
    assert fragment.status_code == 404 and b"secret menu" not in fragment.content
    with pytest.raises(Http404):
        region_html("site_page", wedding, uninvited, page="rehearsal")
    schedule_region = region_html("site_page", wedding, uninvited, page="schedule")
    assert "Rehearsal dinner" not in schedule_region


def test_the_invited_household_sees_the_private_event_everywhere(client, wedding, pages, invited, rehearsal):
    enter_as(client, invited)
    assert "secret menu" in client.get("/w/lucia-marco/rehearsal/").content.decode()
    assert "Rehearsal dinner" in client.get("/w/lucia-marco/schedule/").content.decode()
    assert client.get(f"/w/lucia-marco/calendar/{rehearsal.pk}.ics").status_code == 200
    assert "secret menu" in region_html("site_page", wedding, invited, page="rehearsal")
    fragment = client.get("/live/r/site_page/", {"wedding": wedding.pk, "page": "rehearsal"})
    assert fragment.status_code == 200 and b"secret menu" in fragment.content


def test_anonymous_visitors_see_only_events_marked_public(client, wedding, event, rehearsal):
    assert "Reception" not in client.get("/w/lucia-marco/").content.decode()
    assert client.get(f"/w/lucia-marco/calendar/{event.pk}.ics").status_code == 404
    EventDetails.objects.create(wedding=wedding, event=event, public=True)
    EventDetails.objects.create(wedding=wedding, event=rehearsal, public=True)  # private wins
    html = client.get("/w/lucia-marco/").content.decode()
    assert "Reception" in html and "Rehearsal" not in html
    assert client.get(f"/w/lucia-marco/calendar/{event.pk}.ics").status_code == 200
    assert client.get(f"/w/lucia-marco/calendar/{rehearsal.pk}.ics").status_code == 404


def test_another_weddings_household_is_an_anonymous_visitor_here(client, wedding, pages, other_household):
    enter_as(client, other_household)
    assert client.get("/w/lucia-marco/travel/").status_code == 302


def test_markdown_keeps_formatting_and_drops_html_and_script_links():
    html = markdown_to_html(
        '**bold** [ok](https://example.org) [bad](javascript:alert(1))\n\n<script>alert(1)</script>'
        '<img src=x onerror=alert(1)><a href="https://x.org" onclick="steal()">x</a>'
    )
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "javascript:" not in html and "<script" not in html and "onerror" not in html
    assert "onclick" not in html and "<img" not in html


def test_pages_render_admin_html_harmlessly(client, wedding):
    Page.objects.create(wedding=wedding, title="Dress code", slug="dress", kind="dress_code",
                        visibility=Visibility.PUBLIC, body='Black tie <script>alert("x")</script>')
    html = client.get("/w/lucia-marco/dress/").content.decode()
    assert "Black tie" in html and '<script>alert("x")' not in html


def test_directions_link_to_three_providers_and_schedule_shows_them(client, wedding, pages, uninvited, event):
    event.address = "Carretera de Ronda 12\nMarbella"
    event.save()
    links = dict(directions_links(venue=event.venue, address=event.address))
    assert set(links) == {"OpenStreetMap", "Google Maps", "Apple Maps"}
    assert links["OpenStreetMap"] == (
        "https://www.openstreetmap.org/search?query=The+garden%2C+Carretera+de+Ronda+12+Marbella"
    )
    assert directions_links(venue="", address="  ") == []
    enter_as(client, uninvited)
    html = client.get("/w/lucia-marco/schedule/").content.decode()
    assert "https://maps.apple.com/?daddr=The+garden" in html
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in html
    assert "<iframe" not in html


def test_a_page_for_one_event_needs_that_event(wedding):
    from django.core.exceptions import ValidationError

    page = Page(wedding=wedding, title="Secret", slug="secret", visibility=Visibility.EVENT)
    with pytest.raises(ValidationError):
        page.full_clean()


def test_directory_shows_the_couples_names_for_sides(client, wedding, household, event):
    wedding.partner_a_name = "Valentina"
    wedding.save()
    for name, side in (("Ana", "a"), ("Bea", "b")):
        guest = factories.GuestFactory(household=household, first_name=name, side=side, directory_opt_in=True)
        factories.ResponseFactory(guest=guest, event=event, status="attending")
    enter_as(client, household)
    html = client.get("/directory/").content.decode()
    assert "<span class=\"muted\">· Valentina</span>" in html
    assert "<span class=\"muted\">· Partner B</span>" in html  # no name given: the plain label stays


def test_a_venue_map_uploaded_in_the_admin_shows_on_the_schedule(planner_client, client, wedding, pages, uninvited,
                                                                 event):
    from tests.wedding.content_helpers import image_bytes, upload

    response = planner_client.post("/admin/site/eventdetails/add/", {
        "wedding": wedding.pk, "event": event.pk, "map_image": upload("map.png", image_bytes("PNG"), "image/png"),
    })
    assert response.status_code == 302
    enter_as(client, uninvited)
    html = client.get("/w/lucia-marco/schedule/").content.decode()
    assert '<img class="site-map" src="/media/site/maps/map' in html and 'alt="Map to The garden"' in html


def test_the_admin_refuses_a_page_for_one_event_without_the_event(planner_client, wedding, other_wedding):
    other_event = factories.EventFactory(wedding=other_wedding)
    base = {"wedding": wedding.pk, "kind": "custom", "title": "Secret", "slug": "secret", "body": "", "order": 0,
            "faq_items-TOTAL_FORMS": 0, "faq_items-INITIAL_FORMS": 0, "links-TOTAL_FORMS": 0,
            "links-INITIAL_FORMS": 0}
    for extra in ({"visibility": "event", "event": ""}, {"visibility": "event", "event": other_event.pk}):
        response = planner_client.post("/admin/site/page/add/", {**base, **extra})
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
    assert not Page.objects.exists()
