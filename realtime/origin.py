"""The WebSocket Origin check: scheme, host and port, not only host (issue 13, DESIGN §4.10).

Channels' `AllowedHostsOriginValidator` compares the Origin's *host* with
ALLOWED_HOSTS, so a page served on another port or scheme of the same host
(`http://wedding.example:8080`, a forgotten plain-HTTP vhost) could open a
socket that carries the victim's cookies. `SiteOriginValidator` accepts a
handshake only when its Origin is exactly one of the site's own origins:

* the origin the socket itself was opened on — the socket's scheme (`wss` →
  `https`, or `X-Forwarded-Proto` behind the TLS proxy, `SECURE_PROXY_SSL_HEADER`)
  with its Host header, port included — when that Host is in ALLOWED_HOSTS
  (with DEBUG on and ALLOWED_HOSTS empty, the local names Django allows);
* any origin in `CSRF_TRUSTED_ORIGINS` (the same list the HTTP forms trust,
  `https://*.example.com` wildcards included).

Ports are compared after filling in the scheme's default (80, 443). A
handshake with no Origin, `Origin: null` or anything unparseable is refused.
A handshake without a Host header (never from a browser; ASGI test
harnesses) falls back to the allowed hosts on the scheme's default port.
Refused handshakes get HTTP 403, as before.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]  # (scheme, host, port)


def parse_origin(value: str) -> Origin | None:
    """(scheme, lower-case host, port) of an origin or URL, or None when it is not an http(s) origin."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:  # a port out of range, brackets that do not close…
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port if port is not None else DEFAULT_PORTS[scheme]


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1")
    return None


def _allowed_hosts() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:  # what Django's HttpRequest.get_host() allows then
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts


def _socket_scheme(scope: dict) -> str:
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:  # ("HTTP_X_FORWARDED_PROTO", "https"): the proxy says what the browser used
        name = proxy[0].removeprefix("HTTP_").lower().replace("_", "-").encode("latin-1")
        forwarded = _header(scope, name)
        if forwarded is not None:
            return "https" if forwarded.split(",")[0].strip().lower() == proxy[1] else "http"
    return "https" if scope.get("scheme") in ("wss", "https") else "http"


def own_origins(scope: dict) -> set[Origin]:
    """The origins the socket was opened on, when its host is one of the site's (else empty)."""
    scheme = _socket_scheme(scope)
    host = _header(scope, b"host")
    allowed = _allowed_hosts()
    if host is None:  # no Host header: not a browser; the allowed hosts on the default port
        return {
            (scheme, name.lower(), DEFAULT_PORTS[scheme])
            for name in allowed if name and not name.startswith(".") and name != "*"
        }
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, allowed):
        return set()
    parsed = parse_origin(f"{scheme}://{host}")
    return {parsed} if parsed is not None else set()


def _trusted(origin: Origin) -> bool:
    for entry in settings.CSRF_TRUSTED_ORIGINS:
        if "://*." in entry:  # https://*.example.com[:port]: any subdomain
            scheme, _, rest = entry.partition("://*.")
            pattern = parse_origin(f"{scheme}://{rest}")
            if pattern and origin[0] == pattern[0] and origin[2] == pattern[2] and (
                origin[1].endswith("." + pattern[1])
            ):
                return True
        elif parse_origin(entry) == origin:
            return True
    return False


def origin_allowed(scope: dict) -> bool:
    """Whether this WebSocket handshake comes from a page of the site (see the module docstring)."""
    value = _header(scope, b"origin")
    origin = parse_origin(value) if value else None
    if origin is None:
        return False
    return origin in own_origins(scope) or _trusted(origin)


class SiteOriginValidator:
    """ASGI middleware for the websocket router: a foreign Origin is refused (403) before anything runs."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
