"""The base templates every page extends: one CSRF source for scripts and htmx."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def csrf_metas(html: str) -> list[str]:
    head = html[: html.index("</head>")]
    return re.findall(r'<meta name="csrf-token" content="([^"]*)">', head)


def test_guest_pages_carry_one_csrf_token_in_the_head(client):
    html = client.get(reverse("guests:entry")).content.decode()

    tokens = csrf_metas(html)
    assert len(tokens) == 1 and tokens[0]
    assert "X-CSRFToken" not in html  # no second source (hx-headers) beside the meta tag


def test_planner_pages_carry_one_csrf_token_in_the_head(planner_client, wedding):
    html = planner_client.get(reverse("admin:dashboard", args=[wedding.pk])).content.decode()

    tokens = csrf_metas(html)
    assert len(tokens) == 1 and tokens[0]
    assert 'name="confetti-csrf"' not in html and "data-csrf-token" not in html


def test_guest_pages_link_an_svg_favicon_that_exists(client):
    from django.contrib.staticfiles import finders

    head = client.get(reverse("guests:entry")).content.decode().split("</head>")[0]
    match = re.search(r'<link rel="icon" href="/static/([^"]+)" type="image/svg\+xml">', head)
    assert match, head
    path = finders.find(match.group(1))
    assert path and open(path).read().lstrip().startswith("<svg")
