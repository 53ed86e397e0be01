"""Issue 8 "Races": two planners editing the same guest in the admin.

Both open the change form; the first saves a new first name; the second,
still looking at the old page, saves a new email. The result must never be a
silent mix, nor a silent loss of the first planner's change: the later save is
refused with a clear message and the first planner's version stays
(`wedding/admin_locking.py`, adopted by every wedding-scoped admin).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.forms import MultiWidget
from django.test import Client, RequestFactory

from guests.models import Guest
from tests import factories
from wedding.core.admin_locking import LOCK_FIELD, OptimisticLockingMixin

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite


def _field_data(form, data: dict) -> None:
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field.widget, MultiWidget) and not isinstance(value, list):
            for index, part in enumerate(field.widget.decompress(value)):
                if part is not None:
                    data[f"{key}_{index}"] = str(part)
            continue
        if value is None or value is False:
            continue
        if value is True:
            data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        else:
            data[key] = str(value)


def admin_form_data(context) -> dict:
    """The POST data a browser would send for an admin change page, unchanged."""
    data: dict = {}
    _field_data(context["adminform"].form, data)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        _field_data(formset.management_form, data)
        for form in formset.forms:
            _field_data(form, data)
    return data


@pytest.fixture
def guest(wedding):
    household = factories.HouseholdFactory(wedding=wedding)
    return factories.GuestFactory(household=household, first_name="Ana", email="ana@example.org")


@pytest.fixture
def second_planner(wedding):
    user = factories.UserFactory(username="bea.planner")
    wedding.planners.add(user)
    return user


def test_two_planners_editing_one_guest_never_mix(planner, second_planner, guest):
    url = f"/admin/guests/guest/{guest.pk}/change/"
    first, second = Client(), Client()
    first.force_login(planner)
    second.force_login(second_planner)
    first_data = admin_form_data(first.get(url).context)
    second_data = admin_form_data(second.get(url).context)  # opened before the first save

    first_data["first_name"] = "Anita"
    assert first.post(url, first_data).status_code == 302
    second_data["email"] = "ana.new@example.org"
    response = second.post(url, second_data)

    guest.refresh_from_db()
    assert response.status_code == 200
    assert "Another planner saved this guest while you were editing it" in response.content.decode()
    assert (guest.first_name, guest.email) == ("Anita", "ana@example.org")

    # After reloading, the second planner's edit goes through.
    fresh = admin_form_data(second.get(url).context)
    fresh["email"] = "ana.new@example.org"
    assert second.post(url, fresh).status_code == 302
    guest.refresh_from_db()
    assert (guest.first_name, guest.email) == ("Anita", "ana.new@example.org")


def _request(factory, method: str, url: str, user, data=None):
    request = getattr(factory, method)(url, data or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request._dont_enforce_csrf_checks = True
    request.household = None
    return request


def test_optimistic_locking_refuses_a_stale_save(planner, second_planner, guest):
    locked_admin = admin.site._registry[Guest]
    assert isinstance(locked_admin, OptimisticLockingMixin)
    factory = RequestFactory()
    url = f"/admin/guests/guest/{guest.pk}/change/"

    first_page = locked_admin.change_view(_request(factory, "get", url, planner), str(guest.pk))
    second_page = locked_admin.change_view(_request(factory, "get", url, second_planner), str(guest.pk))
    first_data = admin_form_data(first_page.context_data)
    second_data = admin_form_data(second_page.context_data)
    assert first_data[LOCK_FIELD] == second_data[LOCK_FIELD]
    first_page.render()
    assert f'name="{LOCK_FIELD}"' in first_page.content.decode()  # the fingerprint reaches the browser

    first_data["first_name"] = "Anita"
    saved = locked_admin.change_view(_request(factory, "post", url, planner, first_data), str(guest.pk))
    assert saved.status_code == 302

    second_data["email"] = "ana.new@example.org"
    refused = locked_admin.change_view(_request(factory, "post", url, second_planner, second_data), str(guest.pk))
    assert refused.status_code == 200
    errors = " ".join(refused.context_data["adminform"].form.non_field_errors())
    assert "Another planner saved this guest while you were editing it" in errors

    guest.refresh_from_db()
    assert (guest.first_name, guest.email) == ("Anita", "ana@example.org")

    # Reloading gives a fresh fingerprint: the second planner can now save.
    reloaded = locked_admin.change_view(_request(factory, "get", url, second_planner), str(guest.pk))
    retry = admin_form_data(reloaded.context_data)
    retry["email"] = "ana.new@example.org"
    again = locked_admin.change_view(_request(factory, "post", url, second_planner, retry), str(guest.pk))
    assert again.status_code == 302
    guest.refresh_from_db()
    assert (guest.first_name, guest.email) == ("Anita", "ana.new@example.org")
