"""Atomic counters in the cache: throttles that parallel requests cannot slip past.

`django_ratelimit` reads then writes, so a burst of parallel requests all pass
the check together. Here every hit is one atomic `add`/`incr` on the cache
(Redis in production), and the decision is taken on the value that hit got.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _key(scope: str, subject: str, window: int) -> str:
    # The window starts at the subject's first attempt and ends when the key expires (`incr`
    # keeps the expiry): no clock boundary at which a burst would find a fresh count.
    return f"throttle:{scope}:{window}:{subject}"


def throttle_incr(*, scope: str, subject: str, window: int, amount: int = 1) -> int:
    """Add `amount` (one attempt, or a cost) for `subject` in `scope` atomically; returns the window's total."""
    key = _key(scope, subject, window)
    if cache.add(key, amount, timeout=window + 1):
        return amount
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired between add and incr: this is the window's first hit
        cache.add(key, amount, timeout=window + 1)
        return amount


def throttle_hit(*, scope: str, subject: str, limit: int, window: int) -> bool:
    """Count one attempt of `subject` in `scope`; True when it is within `limit` per `window` seconds.

    Check and count are one atomic operation: of N parallel callers exactly
    `limit` get True in a window. RATELIMIT_ENABLE=false (local load tests
    only) lets everything through, like django-ratelimit's throttles.
    """
    if not settings.RATELIMIT_ENABLE:
        return True
    return throttle_incr(scope=scope, subject=subject, window=window) <= limit


def throttle_count(*, scope: str, subject: str, window: int) -> int:
    """How many attempts `subject` made in `scope` in the current window (read only)."""
    return int(cache.get(_key(scope, subject, window)) or 0)


def throttle_exceeded(*, scope: str, subject: str, limit: int, window: int) -> bool:
    """Whether `subject` is already past `limit` in this window, without counting."""
    if not settings.RATELIMIT_ENABLE:
        return False
    return throttle_count(scope=scope, subject=subject, window=window) >= limit
