"""The RSVP pages' addresses: sent in emails and printed on cards, so they never move."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from rsvp import views


@pytest.mark.parametrize(
    ("name", "args", "address", "view"),
    [
        ("rsvp:rsvp", [], "/rsvp/", views.rsvp),
        ("rsvp:done", [], "/rsvp/done/", views.done),
        ("rsvp:change", [], "/rsvp/change/", views.change_request),
        ("rsvp:copy_confirm", ["t0ken"], "/rsvp/copy/t0ken/", views.copy_confirm),
    ],
)
def test_rsvp_addresses(name, args, address, view):
    assert reverse(name, args=args) == address
    assert resolve(address).func is view
