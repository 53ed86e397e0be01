"""Issue #13, guestbook impersonation: a signature is free text, so the household that wrote it is shown beside it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.wedding.content_helpers import region_html
from wedding.core.models import Moderation
from wedding.tributes.models import Remembrance

pytestmark = pytest.mark.django_db

SIGNATURE = "Lucía (the bride)"


@pytest.fixture
def impostor(wedding):
    return factories.HouseholdFactory(wedding=wedding, name="The Mallory household")


def test_guestbook_wall_shows_the_real_household(wedding, impostor):
    factories.GuestbookEntryFactory(
        wedding=wedding, household=impostor, author_name=SIGNATURE, message="Ignore the registry",
        status=Moderation.APPROVED,
    )
    wall = region_html("guestbook_wall", wedding)
    assert "Lucía (the bride)" in wall and "The Mallory household" in wall


def test_tribute_remembrances_show_the_real_household(wedding, impostor):
    tribute = factories.TributeFactory(wedding=wedding)
    Remembrance.objects.create(
        wedding=wedding, tribute=tribute, household=impostor, author_name=SIGNATURE, message="Words",
        status=Moderation.APPROVED,
    )
    html = region_html("tributes", wedding)
    assert "Lucía (the bride)" in html and "The Mallory household" in html


def test_planners_moderating_see_the_real_household(planner_client, wedding, impostor):
    factories.GuestbookEntryFactory(wedding=wedding, household=impostor, author_name=SIGNATURE, status=Moderation.PENDING)
    page = planner_client.get(reverse("admin:guestbook_guestbookentry_waiting"), {"wedding": wedding.pk}).content.decode()
    assert "Lucía (the bride)" in page and "The Mallory household" in page
