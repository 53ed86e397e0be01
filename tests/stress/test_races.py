"""Issue 8 "Races", through real HTTP on two daphne processes sharing PostgreSQL.

* 20 planners' requests race for the last seat at a table: exactly one wins,
  the others get a clear message (409, never 500), the table is never over
  capacity.
* The same RSVP (with a named plus-one) submitted several times at once: no
  error page, one response per guest and event, one plus-one.
"""

from __future__ import annotations

import threading

import pytest

from guests.models import Guest
from rsvp.models import Response
from seating.models import Seat
from tests import factories
from tests.integration.fixtures import require_postgres
from tests.integration.helpers import (
    CSRF_INPUT,
    household_session_key,
    http_client,
    planner_session_key,
)

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

RACERS = 20


@pytest.fixture(scope="module")
def pair(make_daphne):
    return make_daphne(), make_daphne()


def _race(calls: list) -> list:
    """Run the calls at the same moment (a barrier), each in its own thread; their results."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, call) -> None:
        barrier.wait(timeout=10)
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported by the assertions
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_twenty_planners_race_for_the_last_seat(transactional_db, pair):
    require_postgres()
    planner = factories.UserFactory()
    wedding = factories.WeddingFactory(planners=[planner])
    event = factories.EventFactory(wedding=wedding)
    table = factories.TableFactory(event=event, capacity=2)
    factories.SeatFactory(table=table)  # one seat left
    guests = [factories.GuestFactory(household__wedding=wedding) for _ in range(RACERS)]
    for guest in guests:
        factories.InvitationFactory(guest=guest, event=event)
    session = planner_session_key(planner)
    path = f"/admin/dashboard/{wedding.pk}/seating/{event.pk}/seat/"

    with http_client(pair[0], session) as first:
        first.get("/admin/")
        csrf = first.cookies["csrftoken"]  # one token serves every request of the session
    clients = []
    for n in range(RACERS):
        client = http_client(pair[n % 2], session)
        client.cookies.set("csrftoken", csrf)
        clients.append(client)

    def attempt(client, guest):
        return client.post(
            path,
            data={"guest": guest.pk, "table": table.pk},
            headers={"X-CSRFToken": csrf, "X-Confetti-Action": "1"},
        )

    try:
        results = _race([lambda c=c, g=g: attempt(c, g) for c, g in zip(clients, guests, strict=True)])
    finally:
        for client in clients:
            client.close()

    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(200) == 1, statuses
    assert all(s == 409 for s in statuses if s != 200), statuses
    for refused in (r for r in results if r.status_code == 409):
        body = refused.json()
        assert body["ok"] is False and body["message"], body
    assert Seat.objects.filter(table=table).count() == 2


def _rsvp_household():
    wedding = factories.WeddingFactory()
    event = factories.EventFactory(wedding=wedding)
    meal = factories.MealOptionFactory(event=event)
    household = factories.HouseholdFactory(wedding=wedding, plus_ones_allowed=1)
    guests = factories.GuestFactory.create_batch(2, household=household)
    for guest in guests:
        factories.InvitationFactory(guest=guest, event=event)
    return household, guests, event, meal


def test_same_rsvp_submitted_at_once_leaves_one_answer_each(transactional_db, pair):
    require_postgres()
    household, guests, event, meal = _rsvp_household()
    session = household_session_key(household)

    form = {f"g{g.pk}_e{event.pk}_status": "attending" for g in guests}
    form |= {f"g{g.pk}_e{event.pk}_meal": str(meal.pk) for g in guests}
    form |= {"p1_first": "Pat", "p1_last": "Plus", f"p1_e{event.pk}_status": "attending",
             f"p1_e{event.pk}_meal": str(meal.pk), "note": "See you there!"}

    clients = []
    for n in range(6):
        client = http_client(pair[n % 2], session)
        page = client.get("/rsvp/")
        assert page.status_code == 200, page.text[:300]
        clients.append((client, CSRF_INPUT.search(page.text).group(1)))
    try:
        results = _race([lambda c=c, t=t: c.post("/rsvp/", data={**form, "csrfmiddlewaretoken": t}) for c, t in clients])
    finally:
        for client, _token in clients:
            client.close()

    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    # Every submission lands on the confirmation (none is an error page).
    assert [r.status_code for r in results] == [302] * len(results), [(r.status_code, r.text[:200]) for r in results]
    plus_ones = Guest.objects.filter(household=household, is_plus_one=True)
    assert plus_ones.count() == 1
    members = list(Guest.objects.filter(household=household))
    assert len(members) == 3
    for guest in members:
        answers = Response.objects.filter(guest=guest, event=event)
        assert answers.count() == 1, guest
        assert answers.get().status == Response.Status.ATTENDING


def test_rsvp_submit_called_at_once_from_threads(transactional_db):
    """The service itself (`rsvp.services.rsvp_submit`), 8 threads, each with its own connection."""
    require_postgres()
    from django.db import connection

    from rsvp.services import Answer, PlusOne, rsvp_submit

    household, guests, event, meal = _rsvp_household()
    answers = [Answer(g.pk, event.pk, Response.Status.ATTENDING, meal.pk) for g in guests]
    plus_one = PlusOne("Pat", "Plus", answers={event.pk: (Response.Status.ATTENDING, meal.pk)})

    def submit():
        try:
            return rsvp_submit(household=household, answers=answers, plus_ones=[plus_one], note="See you!")
        finally:
            connection.close()  # this thread's connection

    results = _race([submit] * 8)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    assert Guest.objects.filter(household=household, is_plus_one=True).count() == 1
    for guest in Guest.objects.filter(household=household):
        assert Response.objects.filter(guest=guest, event=event).count() == 1


def _meanwhile(monkeypatch, module, hook: str, first, second) -> None:
    """Run `first` in a thread, paused at its first call of `module.hook` (which it makes after
    taking its locks and before its writes), and `second` meanwhile with a 2 s lock timeout: a
    wait on the first's locks fails `second`. Then the first goes on; its error, if any, is raised."""
    from django.db import connection

    inside, release = threading.Event(), threading.Event()
    original = getattr(module, hook)

    def paused(*args, **kwargs):
        if threading.current_thread().name == "first" and not inside.is_set():
            inside.set()
            release.wait(timeout=10)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, hook, paused)
    outcome: list = []

    def run_first():
        try:
            outcome.append(first())
        except Exception as error:  # noqa: BLE001 - raised below
            outcome.append(error)
        finally:
            connection.close()  # this thread's connection

    thread = threading.Thread(target=run_first, name="first")
    thread.start()
    try:
        assert inside.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        second()
    finally:
        release.set()
        thread.join(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    if isinstance(outcome[0], Exception):
        raise outcome[0]


def _two_households_rsvp():
    """Two households of one wedding invited to one event; the first's answers (all attending)."""
    from rsvp import services

    first, first_guests, event, meal = _rsvp_household()
    second = factories.HouseholdFactory(wedding=first.wedding)
    second_guest = factories.GuestFactory(household=second)
    factories.InvitationFactory(guest=second_guest, event=event)
    answers = [services.Answer(g.pk, event.pk, Response.Status.ATTENDING, meal.pk) for g in first_guests]
    return first, first_guests, event, second, second_guest, answers


def test_an_rsvp_in_progress_does_not_hold_back_another_household_of_the_wedding(transactional_db, monkeypatch):
    """One household's RSVP is paused between its lock and its writes; another household of the
    same wedding submits meanwhile and is not kept waiting: the first locks its household's row,
    not the wedding's (at 1,000 households the wedding's row made every RSVP of it queue)."""
    require_postgres()
    from rsvp import services

    first, first_guests, event, second, second_guest, answers = _two_households_rsvp()

    _meanwhile(
        monkeypatch, services, "_clean_status",  # called after the household's lock, before any write
        lambda: services.rsvp_submit(household=first, answers=answers),
        lambda: services.rsvp_submit(
            household=second, answers=[services.Answer(second_guest.pk, event.pk, Response.Status.DECLINED)]
        ),
    )
    assert Response.objects.get(guest=second_guest).status == Response.Status.DECLINED
    assert Response.objects.filter(guest__in=first_guests, status=Response.Status.ATTENDING).count() == 2


def test_a_seat_being_unassigned_does_not_hold_back_answers_to_its_event(transactional_db, monkeypatch):
    """A planner's unseating is paused after its lock; a guest answers for the same event meanwhile:
    the seat's row is locked, not the event's (an answer's insert waits on a locked event row)."""
    require_postgres()
    from rsvp import services as rsvp_services
    from seating import services

    household, guests, event, meal = _rsvp_household()
    table = factories.TableFactory(event=event, wedding=household.wedding)
    factories.SeatFactory(event=event, table=table, guest=guests[0])
    planner = factories.UserFactory()
    household.wedding.planners.add(planner)

    _meanwhile(
        monkeypatch, services, "_check_expected",  # called after the seat's lock, before the delete
        lambda: services.seat_unassign(guest=guests[0], event=event, user=planner),
        lambda: rsvp_services.rsvp_submit(
            household=household, answers=[rsvp_services.Answer(guests[1].pk, event.pk, Response.Status.DECLINED)]
        ),
    )
    assert not Seat.objects.filter(guest=guests[0], event=event).exists()
    assert Response.objects.get(guest=guests[1]).status == Response.Status.DECLINED


def test_an_rsvp_written_but_not_yet_committed_does_not_hold_back_another_household(transactional_db, monkeypatch):
    """One household's RSVP is paused after its answers are written, before its commit; another
    household of the same wedding submits meanwhile and is not kept waiting. The wedding's row
    (its version) is locked at the commit only: it was locked from the first answer's change on,
    and every RSVP of the wedding queued behind the ones in flight (bench/README.md "The version's
    lock"). Versions stay in commit order: the second, committed first, has the lower one."""
    require_postgres()
    from realtime.models import Change
    from rsvp import services

    first, first_guests, event, second, second_guest, answers = _two_households_rsvp()
    before = type(first.wedding).objects.get(pk=first.wedding.pk).version

    _meanwhile(
        monkeypatch, services, "_replies_apply",  # called after the answers' writes, before the commit
        lambda: services.rsvp_submit(household=first, answers=answers),
        lambda: services.rsvp_submit(
            household=second, answers=[services.Answer(second_guest.pk, event.pk, Response.Status.DECLINED)]
        ),
    )
    versions = dict(
        Change.objects.filter(wedding=first.wedding, model="rsvp.response").values_list("object_id", "version")
    )
    responses = dict(Response.objects.values_list("guest_id", "pk"))
    assert versions[str(responses[second_guest.pk])] == before + 1
    assert {versions[str(responses[g.pk])] for g in first_guests} == {before + 2}
    assert type(first.wedding).objects.get(pk=first.wedding.pk).version == before + 2


def test_a_planners_answer_committed_during_an_rsvp_is_updated_not_an_error(transactional_db, monkeypatch):
    """The household's new answers are inserted under one savepoint. A planner records an answer
    for one of its guests (without the household's lock) after the RSVP read the answers and
    before it inserts them: the insert meets the planner's row, the savepoint is rolled back, and
    the answers are written again one by one. The RSVP succeeds and the guest's answer wins."""
    require_postgres()
    from rsvp import services

    household, guests, event, meal = _rsvp_household()
    planner = factories.UserFactory()
    household.wedding.planners.add(planner)
    answers = [services.Answer(g.pk, event.pk, Response.Status.ATTENDING, meal.pk) for g in guests]

    _meanwhile(
        monkeypatch, services, "_apply_response",  # called after the answers' read, before any insert
        lambda: services.rsvp_submit(household=household, answers=answers),
        lambda: services.response_record(guest=guests[0], event=event, status=Response.Status.DECLINED, user=planner),
    )
    rows = Response.objects.filter(event=event).order_by("guest_id")
    assert [(r.guest_id, r.status, r.answered_by) for r in rows] == [
        (g.pk, Response.Status.ATTENDING, Response.AnsweredBy.GUEST) for g in guests
    ]
