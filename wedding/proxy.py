"""The client address behind trusted reverse proxies (BEHIND_PROXY=true, TRUSTED_PROXY_COUNT)."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    """The address the outermost trusted proxy saw: TRUSTED_PROXY_COUNT entries from the right of X-Forwarded-For.

    Each proxy appends the address it received the request from, so the
    right-most N entries were written by our N proxies; anything left of them
    was written by the client and can be forged. With fewer entries than
    proxies (or none trusted) the header is not believed and the peer is the
    address. This holds only if daphne is reachable through the proxies
    alone: bind it to a private address (README, "Behind a proxy").
    """
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 1))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if count < 1 or len(hops) < count:
        return request.META.get("REMOTE_ADDR", "")
    return hops[-count]


def client_address(request) -> str:
    """The address throttles key on: the proxy's report behind one (BEHIND_PROXY), else the peer."""
    if getattr(settings, "RATELIMIT_IP_META_KEY", None) == "wedding.proxy.client_ip":
        return client_ip(request)
    return request.META.get("REMOTE_ADDR", "")
