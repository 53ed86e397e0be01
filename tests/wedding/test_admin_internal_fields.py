"""Internal fields never appear in admin forms (issue 18).

The walk opens every registered ModelAdmin's add form and change form as a
superuser (who sees every field a planner could) and fails when a field the
planner must not edit — or even see as a form field — is shown, editable or
read-only: version counters, hashes and keys, counters kept by services,
the outbox's worker bookkeeping.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from realtime.models import Change
from tests import factories
from tests.realtime.test_admin_write_paths import _build

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite

# Exact names, and name shapes, of fields that are the product's bookkeeping.
DENIED_NAMES = {
    "version",  # the wedding's change counter (realtime)
    "key",  # a household's export identity, a song's duplicate key
    "vote_count",  # recounted under a row lock by the song services
    "claim", "claimed_at", "attempts", "next_attempt_at",  # the outbox worker's state
    "invitation_code_hash", "code_hash", "token", "secret",
}
DENIED_SHAPES = re.compile(r"(_hash|_digest|_secret|_token|_counter)$")


def denied(name: str) -> bool:
    return name in DENIED_NAMES or bool(DENIED_SHAPES.search(name))


def shown_fields(context) -> set[str]:
    """Every field an admin form page shows: editable, read-only, and those of its inlines."""
    adminform = context["adminform"]
    names = {field for fieldset in adminform for line in fieldset for field in _line_names(line)}
    for inline in context["inline_admin_formsets"]:
        names.update(field["name"] for field in inline.fields())  # editable and read-only columns
    return names


def _line_names(line) -> list[str]:
    out = []
    for field in line:
        if field.is_readonly:
            out.append(field.field["name"] if isinstance(field.field["name"], str) else str(field.field["field"]))
        else:
            out.append(field.field.name)
    return out


def _instance(model, wedding, event, superuser):
    label = model._meta.label_lower
    if label == "wedding.wedding":
        return wedding
    if label == "auth.user":
        return superuser
    if label == "auth.group":
        return Group.objects.create(name="Planners")
    if label == "realtime.change":
        factories.EventFactory(wedding=wedding, name="Brunch")
        return Change.objects.filter(wedding=wedding).first()
    if label == "django_tasks_database.dbtaskresult":
        return None  # rows are the task worker's own; made by enqueueing, not by a factory
    return _build(label, wedding, event)


REGISTERED = sorted((m._meta.label_lower, m) for m in admin.site._registry)


def test_the_deny_list_catches_what_it_should():
    assert denied("version") and denied("key") and denied("vote_count") and denied("code_hash")
    assert not denied("name") and not denied("invitation_code") and not denied("order")


@pytest.mark.parametrize("label,model", REGISTERED, ids=[label for label, _ in REGISTERED])
def test_no_internal_field_in_add_or_change_form(client, wedding, event, label, model):
    superuser = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    model_admin = admin.site._registry[model]
    app, name = label.split(".")
    pages = []
    request = type("R", (), {"user": superuser})()
    if model_admin.has_add_permission(request):
        pages.append(f"/admin/{app}/{name}/add/")
    obj = _instance(model, wedding, event, superuser)
    if obj is not None:
        pages.append(f"/admin/{app}/{name}/{obj.pk}/change/")
    elif model.objects.exists():  # pragma: no cover - only when a worker left rows behind
        pages.append(f"/admin/{app}/{name}/{model.objects.first().pk}/change/")
    assert pages or label == "django_tasks_database.dbtaskresult", f"{label}: no form to walk"
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        found = sorted(name for name in shown_fields(response.context) if denied(name))
        assert not found, f"{url} shows internal field(s) {found}"
