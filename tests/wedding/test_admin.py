"""Planner admin scoping: a planner sees and edits only the weddings they plan."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from guests.models import Guest, GuestRequest, Household, Tag
from realtime.models import Change
from rsvp.models import Invitation, MealOption, Response
from seating.models import Seat, Table
from tests import factories
from wedding.core.models import Event, Wedding, WeddingPartyMember
from wedding.tributes.models import Tribute

# Every model this admin manages, with a factory that builds one in a given wedding.
SCOPED = {
    Event: lambda w: factories.EventFactory(wedding=w),
    WeddingPartyMember: lambda w: factories.WeddingPartyMemberFactory(wedding=w),
    Tribute: lambda w: factories.TributeFactory(wedding=w),
    Household: lambda w: factories.HouseholdFactory(wedding=w),
    Guest: lambda w: factories.GuestFactory(household__wedding=w),
    Tag: lambda w: factories.TagFactory(wedding=w),
    GuestRequest: lambda w: factories.GuestRequestFactory(household__wedding=w),
    MealOption: lambda w: factories.MealOptionFactory(event__wedding=w),
    Invitation: lambda w: factories.InvitationFactory(guest__household__wedding=w),
    Response: lambda w: factories.ResponseFactory(guest__household__wedding=w),
    Table: lambda w: factories.TableFactory(event__wedding=w),
    Seat: lambda w: factories.SeatFactory(
        table__event__wedding=w, guest=factories.GuestFactory(household__wedding=w)
    ),
    Change: lambda w: Change.objects.filter(wedding=w).first() or factories.EventFactory(wedding=w)
    and Change.objects.filter(wedding=w).first(),
}


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_is_registered():
    for model in [Wedding, *SCOPED]:
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", list(SCOPED), ids=lambda m: m.__name__)
def test_other_weddings_objects_are_absent_from_lists_and_404_by_url(planner_client, wedding, other_wedding, model):
    mine = SCOPED[model](wedding)
    theirs = SCOPED[model](other_wedding)

    listing = planner_client.get(url(model, "changelist"))
    assert listing.status_code == 200
    shown = {obj.pk for obj in listing.context["cl"].result_list}
    assert mine.pk in shown and theirs.pk not in shown

    assert planner_client.get(url(model, "change", mine.pk)).status_code == 200
    # Guessing the other wedding's URLs: the same 404 as a row that does not exist.
    assert planner_client.get(url(model, "change", theirs.pk)).status_code == 404
    assert planner_client.get(url(model, "history", theirs.pk)).status_code == 404
    assert planner_client.get(url(model, "change", 987654)).status_code == 404
    expected = 403 if model is Change else 404  # nobody deletes history, found or not
    assert planner_client.post(url(model, "delete", theirs.pk), {"post": "yes"}).status_code == expected
    assert planner_client.post(url(model, "change", theirs.pk), {}).status_code == 404
    assert model.objects.filter(pk=theirs.pk).exists()


def test_wedding_list_and_change_page_are_scoped(planner_client, wedding, other_wedding):
    listing = planner_client.get(url(Wedding, "changelist"))
    assert list(listing.context["cl"].result_list) == [wedding]
    assert planner_client.get(url(Wedding, "change", other_wedding.pk)).status_code == 404
    # Planners can't remove weddings or change who plans them; superusers can.
    page = planner_client.get(url(Wedding, "change", wedding.pk))
    assert "planners" not in page.context["adminform"].form.fields
    assert planner_client.post(url(Wedding, "delete", wedding.pk), {"post": "yes"}).status_code == 403
    assert Wedding.objects.filter(pk=wedding.pk).exists()


def test_a_planner_who_adds_a_wedding_plans_it(planner_client, planner, wedding):
    response = planner_client.post(
        url(Wedding, "add"),
        {"name": "Second couple", "slug": "second", "date": "2027-06-01", "time_zone": "UTC", "language": "en",
         "photo_moderation": "on"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Wedding.objects.get(slug="second").planners.filter(pk=planner.pk).exists()


def test_staff_user_who_plans_nothing_sees_no_admin(client, wedding):
    stranger = factories.UserFactory(username="stranger")
    client.force_login(stranger)
    assert client.get(url(Guest, "changelist")).status_code == 403


def test_superuser_sees_every_wedding(client, wedding, other_wedding):
    root = factories.UserFactory(username="root", is_superuser=True)
    client.force_login(root)
    listing = client.get(url(Wedding, "changelist"))
    assert set(listing.context["cl"].result_list) == {wedding, other_wedding}


def test_foreign_key_choices_only_offer_the_planners_weddings(planner_client, wedding, other_wedding):
    mine = factories.EventFactory(wedding=wedding, name="Mine")
    theirs = factories.EventFactory(wedding=other_wedding, name="Theirs")
    page = planner_client.get(url(Table, "add"))
    form = page.context["adminform"].form
    assert list(form.fields["event"].queryset) == [mine]
    assert list(form.fields["wedding"].queryset) == [wedding]
    assert theirs.name not in page.content.decode()


def test_cross_wedding_form_data_is_refused(planner, client, wedding):
    # A planner of two weddings cannot put one wedding's guest in the other's household.
    second = factories.WeddingFactory(planners=[planner])
    household = factories.HouseholdFactory(wedding=second)
    client.force_login(planner)
    response = client.post(
        url(Guest, "add"),
        {"wedding": wedding.pk, "household": household.pk, "first_name": "Eve", "age_group": "adult",
         "side": "both"},
    )
    assert response.status_code == 200
    assert "belongs to another wedding" in response.content.decode()
    assert not Guest.objects.filter(first_name="Eve").exists()


def test_posting_another_weddings_event_is_refused(planner_client, wedding, other_wedding):
    theirs = factories.EventFactory(wedding=other_wedding)
    response = planner_client.post(
        url(Table, "add"), {"wedding": wedding.pk, "event": theirs.pk, "name": "T1", "capacity": 8,
                            "shape": "round", "x": 10, "y": 10,
                            "seats-TOTAL_FORMS": 0, "seats-INITIAL_FORMS": 0},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Table.objects.filter(name="T1").exists()


def test_event_with_meal_inline_on_the_add_page_takes_the_events_wedding(planner_client, wedding):
    response = planner_client.post(
        url(Event, "add"),
        {
            "wedding": wedding.pk, "name": "Dinner", "starts_at_0": "2027-06-01", "starts_at_1": "19:00",
            "order": 1,
            "meal_options-TOTAL_FORMS": 2, "meal_options-INITIAL_FORMS": 0,
            "meal_options-0-name": "Fish", "meal_options-0-order": 0,
            "meal_options-1-name": "Risotto", "meal_options-1-is_vegetarian": "on", "meal_options-1-order": 1,
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    event = Event.objects.get(name="Dinner")
    assert sorted(MealOption.objects.filter(event=event, wedding=wedding).values_list("name", flat=True)) == [
        "Fish", "Risotto",
    ]


def test_activity_log_is_read_only(planner_client, wedding):
    factories.EventFactory(wedding=wedding)
    change = Change.objects.filter(wedding=wedding).first()
    assert planner_client.get(url(Change, "changelist")).status_code == 200
    page = planner_client.get(url(Change, "change", change.pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert planner_client.get(url(Change, "add")).status_code == 403
    assert planner_client.post(url(Change, "delete", change.pk), {"post": "yes"}).status_code == 403
