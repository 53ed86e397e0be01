"""Issue #13, X-Forwarded-For: only as many hops as there are trusted proxies are believed."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from wedding.proxy import client_ip


def forwarded(chain: str, remote: str = "10.0.0.2"):
    return RequestFactory().get("/", HTTP_X_FORWARDED_FOR=chain, REMOTE_ADDR=remote)


@pytest.mark.parametrize(
    "count, chain, expected",
    [
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        # A CDN in front of the load balancer: the client is two hops from the right; the
        # forged left-most entry is still ignored.
        (2, "6.6.6.6, 203.0.113.9, 198.51.100.1", "203.0.113.9"),
        # Fewer hops than trusted proxies: the request did not come through them all, so
        # nothing in the header is believed — the peer is the address.
        (2, "6.6.6.6", "10.0.0.2"),
    ],
)
def test_the_client_is_the_configured_number_of_hops_from_the_right(settings, count, chain, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(forwarded(chain)) == expected


def test_no_trusted_proxy_means_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(forwarded("6.6.6.6, 203.0.113.9")) == "10.0.0.2"
