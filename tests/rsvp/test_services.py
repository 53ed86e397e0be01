from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from guests.models import Guest
from realtime.models import Change
from rsvp import services
from rsvp.models import Invitation, Response
from rsvp.services import Answer, PlusOne
from seating.models import Seat
from tests import factories
from tests.conftest import require_service


@pytest.fixture
def party(wedding, event, household):
    """A household of two invited to the reception (two meals) and a private brunch."""
    brunch = factories.EventFactory(wedding=wedding, name="Brunch", is_private=True)
    fish = factories.MealOptionFactory(event=event, name="Fish")
    beef = factories.MealOptionFactory(event=event, name="Beef")
    eggs = factories.MealOptionFactory(event=brunch, name="Eggs")
    ana = factories.GuestFactory(household=household, first_name="Ana")
    luis = factories.GuestFactory(household=household, first_name="Luis")
    for guest in (ana, luis):
        factories.InvitationFactory(guest=guest, event=event)
    factories.InvitationFactory(guest=ana, event=brunch)
    return {"event": event, "brunch": brunch, "fish": fish, "beef": beef, "eggs": eggs, "ana": ana, "luis": luis}


def state():
    return sorted(Response.objects.values_list("guest_id", "event_id", "status", "meal_id"))


def test_submit_records_every_answer(party, household):
    p = party
    result = services.rsvp_submit(
        household=household,
        answers=[
            Answer(p["ana"].pk, p["event"].pk, "attending", p["fish"].pk),
            Answer(p["luis"].pk, p["event"].pk, "declined"),
            Answer(p["ana"].pk, p["brunch"].pk, "attending", p["eggs"].pk),
        ],
        dietary={p["ana"].pk: "No nuts"},
        note="Can't wait!",
    )
    assert result.changed == 3
    assert state() == sorted([
        (p["ana"].pk, p["event"].pk, "attending", p["fish"].pk),
        (p["luis"].pk, p["event"].pk, "declined", None),
        (p["ana"].pk, p["brunch"].pk, "attending", p["eggs"].pk),
    ])
    assert Response.objects.filter(answered_by="guest").count() == 3
    p["ana"].refresh_from_db()
    household.refresh_from_db()
    assert p["ana"].dietary_notes == "No nuts"
    assert household.message_to_couple == "Can't wait!"


def test_changing_an_answer_updates_it(party, household):
    p = party
    services.rsvp_submit(household=household, answers=[Answer(p["ana"].pk, p["event"].pk, "attending", p["fish"].pk)])
    services.rsvp_submit(household=household, answers=[Answer(p["ana"].pk, p["event"].pk, "declined", p["fish"].pk)])
    # Declining drops the meal (a meal only makes sense for someone who comes).
    assert state() == [(p["ana"].pk, p["event"].pk, "declined", None)]


def test_double_submission_is_harmless(party, household):
    p = party
    answers = [Answer(p["ana"].pk, p["event"].pk, "attending", p["beef"].pk)]
    services.rsvp_submit(household=household, answers=answers, note="Hi")
    changes = Change.objects.count()
    again = services.rsvp_submit(household=household, answers=answers, note="Hi")
    assert again.changed == 0
    assert Response.objects.count() == 1
    assert Change.objects.count() == changes  # nothing rewritten, nothing announced


@pytest.mark.parametrize(
    "tamper, message",
    [
        ("other_guest", "your own invitation"),
        ("other_meal", "not on the menu"),
        ("uninvited", "not invited"),
        ("bad_status", "attending"),
    ],
)
def test_tampered_answers_change_nothing(party, household, wedding, tamper, message):
    p = party
    stranger = factories.GuestFactory(wedding=wedding)
    factories.InvitationFactory(guest=stranger, event=p["event"])
    good = Answer(p["ana"].pk, p["event"].pk, "attending", p["fish"].pk)
    bad = {
        "other_guest": Answer(stranger.pk, p["event"].pk, "declined"),
        "other_meal": Answer(p["ana"].pk, p["event"].pk, "attending", p["eggs"].pk),
        "uninvited": Answer(p["luis"].pk, p["brunch"].pk, "attending"),
        "bad_status": Answer(p["luis"].pk, p["event"].pk, "maybe"),
    }[tamper]
    before = Change.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.rsvp_submit(household=household, answers=[good, bad], note="changed?")
    assert Response.objects.count() == 0
    household.refresh_from_db()
    assert household.message_to_couple == ""
    assert Change.objects.count() == before


def test_after_the_deadline_nothing_changes(party, household, wedding):
    wedding.rsvp_deadline = timezone.now() - datetime.timedelta(minutes=1)
    wedding.save()
    household.refresh_from_db()
    with pytest.raises(ValidationError, match="deadline"):
        services.rsvp_submit(
            household=household, answers=[Answer(party["ana"].pk, party["event"].pk, "declined")]
        )
    assert Response.objects.count() == 0


def test_plus_ones_count_once_named_and_are_limited(party, household):
    p = party
    household.plus_ones_allowed = 1
    household.save()
    plus = PlusOne("Marta", "Gil", "Vegan", {p["event"].pk: ("attending", p["beef"].pk)})
    result = services.rsvp_submit(household=household, answers=[], plus_ones=[plus, PlusOne("")])
    marta = Guest.objects.get(first_name="Marta")
    assert result.plus_ones_added == [marta]
    assert marta.is_plus_one and marta.household == household and marta.dietary_notes == "Vegan"
    assert Invitation.objects.filter(guest=marta, event=p["event"]).exists()
    assert state() == [(marta.pk, p["event"].pk, "attending", p["beef"].pk)]
    # Naming her again (double submit, or accents typed differently) does not add another guest.
    services.rsvp_submit(household=household, answers=[], plus_ones=[PlusOne("MARTA", "Gil")])
    assert Guest.objects.filter(is_plus_one=True).count() == 1
    with pytest.raises(ValidationError, match="1 plus-one"):
        services.rsvp_submit(household=household, answers=[], plus_ones=[PlusOne("Pablo")])
    assert Guest.objects.filter(is_plus_one=True).count() == 1


def test_plus_one_only_for_the_households_events(party, household, wedding):
    household.plus_ones_allowed = 1
    household.save()
    gala = factories.EventFactory(wedding=wedding, name="Gala")
    with pytest.raises(ValidationError, match="events you are invited to"):
        services.rsvp_submit(
            household=household, answers=[], plus_ones=[PlusOne("Pablo", answers={gala.pk: ("attending", None)})]
        )
    assert not Guest.objects.filter(first_name="Pablo").exists()


def test_removing_a_plus_one(party, household):
    household.plus_ones_allowed = 1
    household.save()
    services.rsvp_submit(household=household, answers=[], plus_ones=[PlusOne("Marta")])
    marta = Guest.objects.get(first_name="Marta")
    with pytest.raises(ValidationError):
        services.rsvp_submit(household=household, answers=[], remove_plus_ones=[party["ana"].pk])
    services.rsvp_submit(household=household, answers=[], remove_plus_ones=[marta.pk])
    assert not Guest.objects.filter(pk=marta.pk).exists()
    assert Guest.objects.filter(pk=party["ana"].pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_rsvp_submitted_twice_at_once_gives_one_response():
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    wedding = factories.WeddingFactory()
    event = factories.EventFactory(wedding=wedding)
    meal = factories.MealOptionFactory(event=event)
    household = factories.HouseholdFactory(wedding=wedding, plus_ones_allowed=1)
    guests = [factories.GuestFactory(household=household) for _ in range(3)]
    for g in guests:
        factories.InvitationFactory(guest=g, event=event)
    answers = [Answer(g.pk, event.pk, "attending", meal.pk) for g in guests]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def submit():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.rsvp_submit(household=household, answers=answers, plus_ones=[PlusOne("Nico", answers={event.pk: ("attending", meal.pk)})])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Response.objects.filter(event=event).count() == 4
    assert Guest.objects.filter(household=household, is_plus_one=True).count() == 1


def test_confirmation_email(party, household):
    services.rsvp_submit(household=household, answers=[Answer(party["ana"].pk, party["event"].pk, "attending", party["fish"].pk)])
    assert services.rsvp_confirmation_send(household=household, to="ana@example.org")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Fish" in body and "Reception" in body and mail.outbox[0].to == ["ana@example.org"]


# --- invitations --------------------------------------------------------------------


def test_invitations_create_is_idempotent_and_one_change(wedding, event, household):
    guests = [factories.GuestFactory(household=household) for _ in range(3)]
    factories.InvitationFactory(guest=guests[0], event=event)
    before = Change.objects.count()
    assert services.invitations_create(guests=guests, event=event) == 2
    assert Change.objects.count() == before + 1
    change = Change.objects.latest("pk")
    assert change.topic == "rsvp" and change.count == 2
    assert services.invitations_create(guests=guests, event=event) == 0
    assert Change.objects.count() == before + 1  # nothing new, nothing announced
    assert Invitation.objects.filter(event=event).count() == 3


def test_invitations_refuse_another_weddings_guest(event, other_wedding):
    stranger = factories.GuestFactory(household__wedding=other_wedding)
    with pytest.raises(ValidationError):
        services.invitations_create(guests=[stranger], event=event)
    assert not Invitation.objects.exists()


def test_invitations_delete_takes_the_answers_and_seats_along(party, household):
    p = party
    services.rsvp_submit(household=household, answers=[Answer(p["ana"].pk, p["event"].pk, "declined")])
    factories.SeatFactory(guest=p["luis"], table=factories.TableFactory(event=p["event"]))
    before = Change.objects.count()
    assert services.invitations_delete(guests=[p["ana"], p["luis"]], event=p["event"]) == 2
    assert Change.objects.count() == before + 1
    assert not Invitation.objects.filter(event=p["event"]).exists()
    assert not Response.objects.filter(event=p["event"]).exists()
    assert not Seat.objects.exists()
    assert services.invitations_delete(guests=[p["ana"]], event=p["event"]) == 0


# --- on the guest's behalf -------------------------------------------------------------


def test_response_record_on_behalf(party, planner):
    p = party
    response = services.response_record(
        guest=p["luis"], event=p["event"], status="attending", meal=p["beef"], note="by phone", user=planner
    )
    assert (response.status, response.meal, response.answered_by, response.answered_by_user) == (
        "attending", p["beef"], "planner", planner,
    )
    with pytest.raises(ValidationError, match="not on the menu"):
        services.response_record(guest=p["luis"], event=p["event"], status="attending", meal=p["eggs"], user=planner)
    with pytest.raises(ValidationError, match="not invited"):
        services.response_record(guest=p["luis"], event=p["brunch"], status="declined", user=planner)
    response.refresh_from_db()
    assert response.meal == p["beef"]


def test_answers_on_behalf_are_attributed_to_the_planner(party, planner):
    services.response_record(guest=party["ana"], event=party["event"], status="declined", user=planner)
    assert Change.objects.filter(topic="rsvp").latest("pk").actor_user == planner
    services.responses_record_many(guests=[party["luis"]], event=party["event"], status="declined", user=planner)
    assert Change.objects.latest("pk").actor_user == planner


def test_response_record_refuses_other_planners(party):
    outsider = factories.UserFactory(username="outsider")
    with pytest.raises(PermissionDenied):
        services.response_record(guest=party["ana"], event=party["event"], status="declined", user=outsider)
    assert not Response.objects.exists()


def test_responses_record_many_is_one_change(party, planner, household, wedding):
    p = party
    uninvited = factories.GuestFactory(household=household)
    services.rsvp_submit(household=household, answers=[Answer(p["ana"].pk, p["event"].pk, "declined")])
    before = Change.objects.count()
    count = services.responses_record_many(
        guests=[p["ana"], p["luis"], uninvited], event=p["event"], status="attending", meal=p["fish"], user=planner
    )
    assert count == 2
    assert Change.objects.count() == before + 1
    assert state() == sorted([
        (p["ana"].pk, p["event"].pk, "attending", p["fish"].pk),
        (p["luis"].pk, p["event"].pk, "attending", p["fish"].pk),
    ])
    assert set(Response.objects.values_list("answered_by", flat=True)) == {"planner"}
    with pytest.raises(ValidationError):
        services.responses_record_many(guests=[p["ana"]], event=p["event"], status="declined", meal=p["fish"], user=planner)


def test_a_lowered_allowance_does_not_lock_the_household_out(party, household):
    household.plus_ones_allowed = 1
    household.save()
    services.rsvp_submit(household=household, answers=[], plus_ones=[PlusOne("Marta")])
    household.plus_ones_allowed = 0
    household.save()
    services.rsvp_submit(household=household, answers=[Answer(party["ana"].pk, party["event"].pk, "declined")])
    assert Response.objects.filter(guest=party["ana"]).exists()
