"""Responses edited in the admin are answers recorded by a planner on the guest's behalf."""

from __future__ import annotations

from django.urls import reverse

from rsvp.models import Response
from tests import factories


def test_response_saved_in_the_admin_is_marked_as_recorded_by_the_planner(planner_client, planner, wedding, event):
    guest = factories.GuestFactory(household__wedding=wedding)
    meal = factories.MealOptionFactory(event=event, name="Fish")

    response = planner_client.post(
        reverse("admin:rsvp_response_add"),
        {"wedding": wedding.pk, "guest": guest.pk, "event": event.pk, "status": "attending", "meal": meal.pk},
    )

    assert response.status_code == 302, response.context["errors"]
    saved = Response.objects.get(guest=guest)
    assert saved.answered_by == "planner" and saved.answered_by_user == planner and saved.responded_at


def test_meal_of_another_event_is_a_field_error(planner_client, wedding, event):
    guest = factories.GuestFactory(household__wedding=wedding)
    other_event = factories.EventFactory(wedding=wedding, name="Brunch")
    meal = factories.MealOptionFactory(event=other_event, name="Pancakes")

    response = planner_client.post(
        reverse("admin:rsvp_response_add"),
        {"wedding": wedding.pk, "guest": guest.pk, "event": event.pk, "status": "attending", "meal": meal.pk},
    )

    assert response.status_code == 200 and "is a meal of Brunch" in response.content.decode()
    assert not Response.objects.exists()


def test_guest_autocomplete_only_offers_the_planners_guests(planner_client, wedding, other_wedding):
    factories.GuestFactory(household__wedding=wedding, first_name="Mine")
    factories.GuestFactory(household__wedding=other_wedding, first_name="Theirs")

    found = planner_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "rsvp", "model_name": "response", "field_name": "guest", "term": ""},
    ).json()

    assert [r["text"] for r in found["results"]] == ["Mine Ruiz"]
