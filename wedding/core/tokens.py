"""Single-use, expiring secrets sent by email (sign-in links, address confirmations).

Only a hash of the token is stored (in the cache, with the token's lifetime as
its timeout), so a leaked cache dump signs nobody in. `token_consume` returns
the payload to exactly one caller: the cache's `delete` reports whether this
caller removed the key.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.cache import cache


def _key(purpose: str, token: str) -> str:
    return f"token:{purpose}:{hashlib.sha256(token.encode()).hexdigest()}"


def token_issue(*, purpose: str, payload: Any, ttl: int) -> str:
    """A new URL-safe token for `purpose` carrying `payload`, valid `ttl` seconds, once."""
    token = secrets.token_urlsafe(32)
    cache.set(_key(purpose, token), payload, timeout=ttl)
    return token


def token_consume(*, purpose: str, token: str) -> Any | None:
    """The payload of a valid token (which is then spent), or None when unknown, expired or used."""
    if not token or len(token) > 100:
        return None
    key = _key(purpose, token)
    payload = cache.get(key)
    if payload is None or not cache.delete(key):
        return None  # unknown, expired, or another request spent it first
    return payload


def token_peek(*, purpose: str, token: str) -> Any | None:
    """The payload of a valid token without spending it (to ask before using it)."""
    if not token or len(token) > 100:
        return None
    return cache.get(_key(purpose, token))
