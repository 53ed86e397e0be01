"""Every route of the URLconf as a concrete path, for tests that must cover endpoints added later."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
SAMPLES = {"int": "1", "str": "abc", "slug": "abc", "path": "abc", "uuid": "00000000-0000-0000-0000-000000000000"}


def _walk(patterns, prefix: str, by_name: dict[str, str]):
    def sample(match: re.Match) -> str:
        return by_name.get(match.group(2)) or SAMPLES.get(match.group(1) or "str", "abc")

    for entry in patterns:
        if isinstance(entry, URLResolver):
            if isinstance(entry.pattern, RoutePattern) or str(entry.pattern) in ("", "^"):
                yield from _walk(entry.url_patterns, prefix + CONVERTER.sub(sample, str(entry.pattern).lstrip("^")), by_name)
            elif str(entry.pattern).startswith("^") and re.fullmatch(r"\^[\w/-]*", str(entry.pattern)):
                yield from _walk(entry.url_patterns, prefix + str(entry.pattern)[1:], by_name)
        elif isinstance(entry, URLPattern) and isinstance(entry.pattern, RoutePattern):
            yield "/" + prefix + CONVERTER.sub(sample, str(entry.pattern)), entry


def all_routes(by_name: dict[str, str] | None = None) -> list[tuple[str, URLPattern]]:
    """Every route of the URLconf as a concrete path; `by_name` fills parameters by name."""
    routes = list(_walk(get_resolver().url_patterns, "", by_name or {}))
    assert len(routes) > 30, "the URLconf walk found too few routes to mean anything"
    return routes
