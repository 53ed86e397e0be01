"""Guestbook: signing (length limit, moderation per wedding), the live wall, escaping."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from tests.wedding.content_helpers import XSS, assert_escaped, region_html
from wedding.core.models import Moderation
from wedding.guestbook import services
from wedding.guestbook.models import GuestbookEntry

pytestmark = pytest.mark.django_db


def test_signing_appears_on_the_wall(guest_client, wedding):
    response = guest_client.post("/guestbook/", {"author_name": "Lola", "message": "Be happy!\nLove, L."}, follow=True)
    page = response.content.decode()
    assert "Thank you for signing the guestbook!" in page
    assert "Be happy!<br>Love, L." in page
    assert "Be happy!" in region_html("guestbook_wall", wedding)


def test_moderated_wedding_keeps_entries_off_the_wall_until_approved(guest_client, wedding, planner):
    wedding.guestbook_moderation = True
    wedding.save()
    response = guest_client.post("/guestbook/", {"author_name": "Lola", "message": "Hidden for now"}, follow=True)
    assert "will appear once it is approved" in response.content.decode()
    entry = GuestbookEntry.objects.get()
    assert entry.status == Moderation.PENDING
    assert "Hidden for now" not in guest_client.get("/guestbook/").content.decode()
    services.guestbook_moderate(entry=entry, status=Moderation.APPROVED, user=planner)
    assert "Hidden for now" in region_html("guestbook_wall", wedding)
    services.guestbook_moderate(entry=entry, status=Moderation.HIDDEN, user=planner)
    assert "Hidden for now" not in region_html("guestbook_wall", wedding)


def test_message_length_is_limited_and_nothing_is_saved(guest_client, wedding, household):
    response = guest_client.post("/guestbook/", {"author_name": "Lola", "message": "x" * 2001})
    assert response.status_code == 200
    assert "Ensure this value has at most 2000 characters" in response.content.decode()
    with pytest.raises(ValidationError, match="too long"):
        services.guestbook_sign(wedding=wedding, household=household, author_name="L", message="x" * 2001)
    with pytest.raises(ValidationError, match="message"):
        services.guestbook_sign(wedding=wedding, household=household, author_name="L", message="   ")
    assert not GuestbookEntry.objects.exists()


def test_household_cannot_sign_another_weddings_guestbook(other_wedding, household):
    with pytest.raises(PermissionDenied):
        services.guestbook_sign(wedding=other_wedding, household=household, author_name="L", message="Hi")


def test_markup_in_guestbook_is_shown_as_text_everywhere(guest_client, wedding):
    guest_client.post("/guestbook/", {"author_name": XSS[:120], "message": XSS})
    assert_escaped(guest_client.get("/guestbook/").content.decode())
    assert_escaped(region_html("guestbook_wall", wedding))


def test_wall_shows_only_this_weddings_entries(guest_client, other_wedding):
    factories.GuestbookEntryFactory(wedding=other_wedding, message="Elsewhere")
    assert "Elsewhere" not in guest_client.get("/guestbook/").content.decode()


def test_wall_query_count_is_fixed(guest_client, wedding, django_assert_max_num_queries):
    factories.GuestbookEntryFactory.create_batch(2, wedding=wedding)
    guest_client.get("/guestbook/")
    with django_assert_max_num_queries(20) as few:
        guest_client.get("/guestbook/")
    factories.GuestbookEntryFactory.create_batch(10, wedding=wedding)
    with django_assert_max_num_queries(len(few.captured_queries)):
        guest_client.get("/guestbook/")


def test_a_flood_of_entries_is_throttled_per_household(guest_client, wedding):
    for n in range(10):
        guest_client.post("/guestbook/", {"author_name": "Lola", "message": f"Message {n}"})
    response = guest_client.post("/guestbook/", {"author_name": "Lola", "message": "One too many"})
    assert response.status_code == 200
    assert "please wait a few minutes" in response.content.decode()
    assert GuestbookEntry.objects.filter(wedding=wedding).count() == 10
