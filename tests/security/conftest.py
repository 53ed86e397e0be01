from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.integration.fixtures import *  # noqa: F403


@pytest.fixture
def fresh_throttles():
    """Throttle counters, budgets and one-time tokens live in the cache: each test starts clean."""
    cache.clear()
    yield
    cache.clear()
