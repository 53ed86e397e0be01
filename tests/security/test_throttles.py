"""Issue #13, throttles: guessing is slowed and reported; real guests and planners still get in."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse

from guests.models import GuestRequest
from guests.session import SESSION_KEY
from realtime.models import Change
from tests import factories
from wedding.core.throttle import throttle_hit

pytestmark = pytest.mark.usefixtures("fresh_throttles")  # counters and tokens live in the cache


def entered(client, household) -> bool:
    data = client.session.get(SESSION_KEY)
    return bool(data) and data["id"] == household.pk


def test_a_valid_code_gets_through_after_wrong_guesses_from_the_same_address(client, household):
    # The venue's shared Wi-Fi: somebody mistypes (or guesses) a dozen times...
    statuses = [client.post("/", {"code": f"WRONG{n:05d}"}).status_code for n in range(12)]
    assert statuses[-1] == 429
    # ...and the next guest on the same address types the right code.
    assert client.post("/", {"code": household.invitation_code}).status_code == 302
    assert entered(client, household)
    client.post("/signout/")
    assert client.get(f"/i/{household.invitation_code}/").status_code == 302


def test_a_valid_answer_gets_through_after_wrong_answers_from_the_same_address(client, household):
    guest = factories.GuestFactory(household=household, first_name="Ana", last_name="Ruiz", email="ana@example.org")
    for n in range(12):
        client.post("/find/", {"first_name": "Ana", "last_name": "Ruiz", "answer": f"guess{n}@example.org"})
    response = client.post("/find/", {"first_name": "Ana", "last_name": "Ruiz", "answer": guest.email})
    assert response.status_code == 302 and entered(client, household)


def test_check_and_count_are_atomic():
    results: list[bool] = []
    barrier = threading.Barrier(20)

    def hit() -> None:
        barrier.wait()
        results.append(throttle_hit(scope="test", subject="parallel", limit=7, window=60))

    threads = [threading.Thread(target=hit) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert sorted(results) == [False] * 13 + [True] * 7


def test_guessing_a_weddings_names_alerts_its_planners_and_spends_its_budget(client, wedding, household):
    guest = factories.GuestFactory(household=household, first_name="Ana", last_name="Ruiz", email="ana@example.org")
    for n in range(40):  # from many addresses: the per-address limit does not see it
        client.post("/find/", {"first_name": "Ana", "last_name": "Ruiz", "answer": f"guess{n}@example.org"},
                    REMOTE_ADDR=f"10.1.{n // 250}.{n % 250}")
    alerts = Change.objects.filter(wedding=wedding, summary__icontains="guess")
    assert alerts.count() == 1  # one alert, not one per guess
    assert "name look-up" in alerts.get().summary
    # The budget is spent: the look-up is closed for this wedding for the hour (codes and links still work).
    client.post("/find/", {"first_name": "Ana", "last_name": "Ruiz", "answer": guest.email}, REMOTE_ADDR="10.9.9.9")
    assert not entered(client, household)
    assert client.get(f"/i/{household.invitation_code}/", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_planner_login_is_throttled(client, planner):
    url = reverse("admin:login")
    for _ in range(10):
        client.post(url, {"username": planner.username, "password": "wrong"})
    refused = client.post(url, {"username": planner.username, "password": "wrong"})
    assert refused.status_code == 429 and "Too many" in refused.content.decode()


def test_guest_requests_are_throttled(client, household):
    client.get(f"/i/{household.invitation_code}/")
    statuses = [client.post("/requests/", {"kind": "other", "message": f"spam {n}"}).status_code for n in range(15)]
    assert 429 in statuses
    assert GuestRequest.objects.filter(household=household).count() <= 10


def test_change_requests_are_throttled(client, household, wedding):
    import datetime

    from django.utils import timezone

    wedding.rsvp_deadline = timezone.now() - datetime.timedelta(hours=1)
    wedding.save()
    client.get(f"/i/{household.invitation_code}/")
    statuses = [client.post("/rsvp/change/", {"message": f"spam {n}"}).status_code for n in range(15)]
    assert 429 in statuses
    assert GuestRequest.objects.filter(household=household).count() <= 10
