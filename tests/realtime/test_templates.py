"""The live glue a page includes: nothing on plain pages, everything a live page needs otherwise."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from realtime.principal import viewer_for
from realtime.views import live_page_context

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("live_settings")]


def test_a_page_without_a_viewer_gets_no_live_glue():
    assert render_to_string("realtime/_live_page.html", {}).strip() == ""


def test_a_live_page_gets_socket_version_indicator_htmx_and_morphing(wedding, planner):
    request = RequestFactory().get("/")
    request.user = planner
    context = live_page_context(viewer_for(user=planner, household=None, wedding_id=wedding.pk))

    html = render_to_string("realtime/_live_page.html", context, request=request)

    assert f'data-live-socket="/ws/live/?wedding={wedding.pk}"' in html
    assert f'data-live-version="{context["live_version"]}"' in html
    assert 'role="status"' in html and 'id="live-status"' in html
    assert "django_htmx/htmx-2" in html and "realtime/live.js" in html
    assert "vendor/idiomorph/dist/idiomorph-ext" in html  # swaps morph (keep focus and typed text)
    assert html.index("django_htmx/htmx-2") < html.index("idiomorph-ext") < html.index("realtime/live.js")

