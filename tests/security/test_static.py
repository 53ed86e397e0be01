"""Static files in production: WhiteNoise serves what `collectstatic` gathered.

Daphne serves no files, so with DEBUG off `/static/` is answered by
`WhiteNoiseMiddleware` from STATIC_ROOT. Pages link content-hashed names,
which may be cached for a year; the plain names still answer, briefly cached.
The module collects once per pytest process, into a temporary directory, with the
production storage; its tests only read what was collected.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

YEAR = 365 * 24 * 60 * 60


PRODUCTION_STATIC = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.fixture(scope="module")
def _collected_once():
    """`collectstatic` with the production storage, once per test run (the nginx deployment's
    tests read the same folder): the module's tests only read it."""
    from tests.integration.deployment import collected_static_root

    return collected_static_root()


@pytest.fixture
def collected(settings, _collected_once):
    """Production static settings (as wedding/settings.py has them with DEBUG off), collected."""
    settings.DEBUG = False
    settings.STATIC_ROOT = _collected_once
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PRODUCTION_STATIC}
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_USE_FINDERS = False
    return settings.STATIC_ROOT


def _max_age(response) -> int:
    match = re.search(r"max-age=(\d+)", response["Cache-Control"])
    assert match, response["Cache-Control"]
    return int(match.group(1))


def _get(client: Client, path: str, **headers):
    response = client.get(path, headers=headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    return response, body


def test_a_page_links_hashed_files_that_are_served_and_cached_for_a_year(db, collected):
    client = Client()  # a new handler: the middleware reads the settings above
    page = client.get("/admin/login/")
    assert page.status_code == 200
    stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page.text)
    assert stylesheet, "the page should link the content-hashed stylesheet"

    response, body = _get(client, stylesheet.group(1))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert "immutable" in response["Cache-Control"]
    assert _max_age(response) >= YEAR
    assert body == (collected / stylesheet.group(1).removeprefix("/static/")).read_bytes()
    # SecurityMiddleware runs first, so static answers carry its headers too.
    assert response["X-Content-Type-Options"] == "nosniff"

    gzipped, _ = _get(client, stylesheet.group(1), accept_encoding="gzip")
    assert gzipped["Content-Encoding"] == "gzip"


def test_plain_names_are_served_briefly_cached_and_unknown_files_are_404(db, collected):
    client = Client()
    response, body = _get(client, "/static/realtime/live.js")
    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]
    assert _max_age(response) < 3600
    assert body == (collected / "realtime" / "live.js").read_bytes()

    assert client.get("/static/realtime/no-such-file.js").status_code == 404
