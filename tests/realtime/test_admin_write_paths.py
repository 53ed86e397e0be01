"""Every admin write path is captured: each model's change and delete pages, and its add page
where a second row can be added, bump the wedding's version and log the change (DESIGN §4.1).

Complements test_write_paths.py (every model tracked; every signal-less write records
itself) and the per-feature tests (each admin action, import and dashboard bulk
action is exactly one change).
"""

from __future__ import annotations

import pytest
from django.contrib import admin

from realtime.models import Change
from tests import factories
from tests.stress.test_admin_concurrent_edit import admin_form_data
from wedding.core.models import Wedding, WeddingScoped


def _build(label: str, wedding, event):
    household = factories.HouseholdFactory(wedding=wedding)
    guest = factories.GuestFactory(household=household)
    builders = {
        "wedding.event": lambda: factories.EventFactory(wedding=wedding, name="Brunch"),
        "wedding.weddingpartymember": lambda: factories.WeddingPartyMemberFactory(wedding=wedding),
        "tributes.tribute": lambda: factories.TributeFactory(wedding=wedding),
        "tributes.remembrance": lambda: factories.TributeFactory(wedding=wedding).remembrances.create(
            wedding=wedding, author_name="Ana", message="We miss her."),
        "songs.songrequest": lambda: factories.SongRequestFactory(wedding=wedding),
        "photos.photo": lambda: factories.PhotoFactory(wedding=wedding),
        "guestbook.guestbookentry": lambda: factories.GuestbookEntryFactory(wedding=wedding),
        "guests.household": lambda: household,
        "guests.guest": lambda: guest,
        "guests.tag": lambda: factories.TagFactory(wedding=wedding, name="family"),
        "guests.guestrequest": lambda: factories.GuestRequestFactory(household=household),
        "rsvp.mealoption": lambda: factories.MealOptionFactory(event=event, name="Fish"),
        "rsvp.invitation": lambda: factories.InvitationFactory(guest=guest, event=event),
        "rsvp.response": lambda: factories.ResponseFactory(guest=guest, event=event),
        "rsvp.question": lambda: factories.QuestionFactory(wedding=wedding, event=event, text="Shuttle?"),
        "seating.table": lambda: factories.TableFactory(event=event, name="Table 1"),
        "seating.seat": lambda: factories.SeatFactory(
            table=factories.TableFactory(event=event, name="Table 2"), guest=guest),
        "messaging.message": lambda: factories.MessageFactory(wedding=wedding),
        "messaging.optout": lambda: factories.OptOutFactory(household=household),
        "seating.keeptogether": lambda: _keep_together(wedding, guest),
        "seating.keepapart": lambda: _keep_apart(wedding, guest, factories.GuestFactory(household=household)),
        "site.page": lambda: _site_page(wedding),
        "site.eventdetails": lambda: _site_model("EventDetails", wedding=wedding, event=event, public=True),
        "site.siteprofile": lambda: _site_model("SiteProfile", wedding=wedding, welcome="Welcome!"),
    }
    return builders[label]()


def _site_model(name: str, **fields):
    from wedding.site import models

    return getattr(models, name).objects.create(**fields)


def _site_page(wedding):
    page = _site_model("Page", wedding=wedding, kind="faq", title="FAQ", slug="faq", visibility="guests")
    page.faq_items.create(wedding=wedding, question="Parking?", answer="Yes.")
    page.links.create(wedding=wedding, kind="parking", name="Car park")
    return page


def _keep_together(wedding, guest):
    from seating.models import KeepTogether

    group = KeepTogether.objects.create(wedding=wedding, name="College")
    group.guests.add(guest)
    return group


def _keep_apart(wedding, one, other):
    from seating.models import KeepApart

    return KeepApart.objects.create(wedding=wedding, first=one, second=other)


SCOPED = sorted(
    model._meta.label_lower
    for model in admin.site._registry
    if issubclass(model, WeddingScoped) and model._meta.label_lower != "realtime.change"
)


def _version(wedding) -> int:
    return Wedding.objects.values_list("version", flat=True).get(pk=wedding.pk)


def test_the_walk_covers_every_wedding_scoped_admin():
    assert SCOPED and "guests.guest" in SCOPED and "seating.seat" in SCOPED


@pytest.mark.parametrize("label", SCOPED)
def test_admin_change_and_delete_are_captured(planner_client, wedding, event, label):
    obj = _build(label, wedding, event)
    app, model = label.split(".")
    change_url = f"/admin/{app}/{model}/{obj.pk}/change/"
    page = planner_client.get(change_url)
    assert page.status_code == 200
    data = admin_form_data(page.context)

    before = _version(wedding)
    response = planner_client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert _version(wedding) == before + 1
    assert Change.objects.filter(wedding=wedding, version=before + 1, model=label, object_id=str(obj.pk)).exists()

    before = _version(wedding)
    response = planner_client.post(f"/admin/{app}/{model}/{obj.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not type(obj).objects.filter(pk=obj.pk).exists()
    assert _version(wedding) == before + 1
    assert Change.objects.filter(wedding=wedding, version=before + 1, action="delete").exists()


ADDABLE = {  # a second row can be added by renaming the first one's unique field
    "wedding.event": "name", "wedding.weddingpartymember": "name", "tributes.tribute": "name",
    "guestbook.guestbookentry": "author_name", "guests.household": "name", "guests.guest": "first_name",
    "guests.tag": "name", "rsvp.mealoption": "name", "seating.table": "name", "rsvp.question": "text",
}


@pytest.mark.parametrize("label", sorted(ADDABLE))
def test_admin_add_is_captured(planner_client, wedding, event, label):
    template = _build(label, wedding, event)
    app, model = label.split(".")
    data = admin_form_data(planner_client.get(f"/admin/{app}/{model}/{template.pk}/change/").context)
    data.pop("confetti_row_state", None)
    for prefix in [k[: -len("-TOTAL_FORMS")] for k in data if k.endswith("-TOTAL_FORMS")]:
        # The new row comes without the first one's inline children.
        data = {k: v for k, v in data.items() if not k.startswith(f"{prefix}-")}
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data[ADDABLE[label]] = f"{data[ADDABLE[label]]} two"
    data["wedding"] = str(wedding.pk)
    before = _version(wedding)
    response = planner_client.post(f"/admin/{app}/{model}/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert _version(wedding) == before + 1
    assert Change.objects.filter(wedding=wedding, version=before + 1, action="create", model=label).exists()
