"""The client address behind one trusted reverse proxy (BEHIND_PROXY=true)."""

from __future__ import annotations


def client_ip(request) -> str:
    """The address our proxy saw: the right-most X-Forwarded-For entry.

    Entries to its left were written by the client itself and can be forged;
    the proxy appends the address it actually received the request from.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-1] if hops else request.META.get("REMOTE_ADDR", "")


def client_address(request) -> str:
    """The address throttles key on: the proxy's report behind one (BEHIND_PROXY), else the peer."""
    from django.conf import settings

    if getattr(settings, "RATELIMIT_IP_META_KEY", None) == "wedding.proxy.client_ip":
        return client_ip(request)
    return request.META.get("REMOTE_ADDR", "")
