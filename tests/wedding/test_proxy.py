from __future__ import annotations

from django.test import RequestFactory

from wedding.proxy import client_ip


def test_client_ip_is_the_address_the_proxy_appended():
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "203.0.113.9"  # the forged left-most entry is ignored


def test_client_ip_without_a_proxy_header_is_the_peer():
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="198.51.100.7")) == "198.51.100.7"
