"""Issue #13, Content-Security-Policy: every response carries the strict policy (the browser
test tests/e2e/test_csp.py proves the pages run under it without a violation)."""

from __future__ import annotations


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def test_guest_and_planner_pages_send_a_strict_policy(client, planner_client):
    for response in (client.get("/"), client.get("/find/"), planner_client.get("/admin/")):
        csp = directives(response)
        assert csp["script-src"] == ["'self'"]  # no inline script, no eval
        assert csp["style-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["connect-src"][0] == "'self'"
        assert all(src.startswith(("ws://", "wss://")) for src in csp["connect-src"][1:])
