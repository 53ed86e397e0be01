"""The wedding site's addresses under /w/<slug>/: shared links and calendar subscriptions, so they never move."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from wedding.site import views


@pytest.mark.parametrize(
    ("name", "args", "address", "view", "kwargs"),
    [
        ("site:landing", ["ana-ben"], "/w/ana-ben/", views.landing, {"slug": "ana-ben"}),
        ("site:all_ics", ["ana-ben"], "/w/ana-ben/calendar.ics", views.all_ics, {"slug": "ana-ben"}),
        ("site:event_ics", ["ana-ben", 7], "/w/ana-ben/calendar/7.ics", views.event_ics,
         {"slug": "ana-ben", "event_id": 7}),
        ("site:page", ["ana-ben", "travel"], "/w/ana-ben/travel/", views.page, {"slug": "ana-ben", "page": "travel"}),
    ],
)
def test_site_addresses(name, args, address, view, kwargs):
    assert reverse(name, args=args) == address
    match = resolve(address)
    assert (match.func, match.kwargs) == (view, kwargs)
