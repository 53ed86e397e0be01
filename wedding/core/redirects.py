"""Following a `next` (or Referer) only to this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, *candidates: str | None, fallback: str) -> str:
    """The first candidate that stays on this site, else `fallback`.

    Django's own check: refuses `//evil.example`, `https://evil.example`,
    `/\\evil.example`, other schemes, and plain http when the request is https.
    """
    for url in candidates:
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
    return fallback
