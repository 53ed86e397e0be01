"""Fixtures for the wedding app's tests: a household with two guests, entered as a guest."""

from __future__ import annotations

import pytest

from tests import factories
from tests.wedding.content_helpers import enter_as


@pytest.fixture
def guests(household):
    return [
        factories.GuestFactory(household=household, first_name="Lola"),
        factories.GuestFactory(household=household, first_name="Pepe"),
    ]


@pytest.fixture
def guest_client(client, household, guests):
    enter_as(client, household)
    return client


@pytest.fixture
def other_household(other_wedding):
    household = factories.HouseholdFactory(wedding=other_wedding, name="Strangers")
    factories.GuestFactory(household=household, first_name="Stranger")
    return household


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; a test never inherits another's hits."""
    from django.core.cache import cache

    cache.clear()
