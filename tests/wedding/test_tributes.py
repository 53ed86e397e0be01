"""Tributes: published ones shown live; guests' remembrances wait for a planner."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from tests.wedding.content_helpers import XSS, assert_escaped, region_html
from wedding.core.models import Moderation
from wedding.tributes import services
from wedding.tributes.models import Remembrance

pytestmark = pytest.mark.django_db


@pytest.fixture
def tribute(wedding):
    return factories.TributeFactory(wedding=wedding, name="Grandma Rosa")


def test_published_tributes_are_shown_unpublished_are_not(guest_client, wedding, tribute):
    factories.TributeFactory(wedding=wedding, name="Draft tribute", published=False)
    page = guest_client.get("/tributes/").content.decode()
    assert "Grandma Rosa" in page and "Always with us." in page
    assert "Draft tribute" not in page


def test_remembrance_waits_for_approval(guest_client, wedding, tribute, planner):
    response = guest_client.post(
        f"/tributes/{tribute.pk}/remember/", {"author_name": "Lola", "message": "She taught me to dance."},
        follow=True,
    )
    assert "once the planners approve them" in response.content.decode()
    remembrance = Remembrance.objects.get()
    assert remembrance.status == Moderation.PENDING and remembrance.wedding_id == wedding.pk
    assert "She taught me to dance." not in response.content.decode()
    services.remembrance_moderate(remembrance=remembrance, status=Moderation.APPROVED, user=planner)
    assert "She taught me to dance." in guest_client.get("/tributes/").content.decode()
    services.remembrance_moderate(remembrance=remembrance, status=Moderation.HIDDEN, user=planner)
    assert "She taught me to dance." not in region_html("tributes", wedding)


def test_remembrance_for_another_weddings_tribute_is_404(guest_client, other_wedding):
    foreign = factories.TributeFactory(wedding=other_wedding)
    assert guest_client.get(f"/tributes/{foreign.pk}/remember/").status_code == 404
    assert guest_client.post(f"/tributes/{foreign.pk}/remember/", {"author_name": "x", "message": "y"}).status_code == 404
    assert not Remembrance.objects.exists()


def test_unpublished_tribute_takes_no_remembrance(wedding, household):
    draft = factories.TributeFactory(wedding=wedding, published=False)
    with pytest.raises(ValidationError):
        services.remembrance_add(tribute=draft, household=household, author_name="L", message="m")


def test_household_of_another_wedding_is_refused(other_household, tribute):
    with pytest.raises(PermissionDenied):
        services.remembrance_add(tribute=tribute, household=other_household, author_name="L", message="m")


def test_markup_in_remembrances_and_tributes_is_escaped(guest_client, wedding, household, planner):
    tribute = factories.TributeFactory(wedding=wedding, name=XSS[:120], relationship=XSS[:120], words=XSS)
    remembrance = services.remembrance_add(tribute=tribute, household=household, author_name=XSS[:120], message=XSS)
    services.remembrance_moderate(remembrance=remembrance, status=Moderation.APPROVED, user=planner)
    assert_escaped(guest_client.get("/tributes/").content.decode())
    assert_escaped(guest_client.get(f"/tributes/{tribute.pk}/remember/").content.decode())
    assert_escaped(region_html("tributes", wedding))


def test_tributes_query_count_is_fixed(guest_client, wedding, household, planner, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            tribute = factories.TributeFactory(wedding=wedding)
            r = services.remembrance_add(tribute=tribute, household=household, author_name="L", message="m")
            services.remembrance_moderate(remembrance=r, status=Moderation.APPROVED, user=planner)

    add(1)
    guest_client.get("/tributes/")
    with django_assert_max_num_queries(20) as few:
        guest_client.get("/tributes/")
    add(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        guest_client.get("/tributes/")
