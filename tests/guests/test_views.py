from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from guests.session import SESSION_KEY
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ruiz(household):
    household.email = "ruiz@example.org"
    household.phone = "611223344"
    household.save()
    factories.GuestFactory(household=household, first_name="José", last_name="Ruiz", email="jose@example.org")
    factories.GuestFactory(household=household, first_name="Elizabeth", last_name="Ruiz")
    return household


def without_tokens(html: str) -> str:
    """CSRF tokens are masked differently on every response."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'name="csrf-token" content="[^"]+"', "", html)


def entered(client, household) -> bool:
    data = client.session.get(SESSION_KEY)
    return bool(data) and data["id"] == household.pk


def test_invitation_link_enters_the_household(client, ruiz):
    response = client.get(f"/i/{ruiz.invitation_code.lower()}/")
    assert response.status_code == 302 and response["Location"] == reverse("guests:home")
    assert entered(client, ruiz)
    page = client.get(reverse("guests:home"))
    assert page.status_code == 200 and "Hello, José and Elizabeth" in page.content.decode()


def test_typing_the_code_enters(client, ruiz):
    code = ruiz.invitation_code
    response = client.post("/", {"code": f"{code[:5]}-{code[5:]}".lower()})
    assert response.status_code == 302
    assert entered(client, ruiz)


def test_a_wrong_code_is_refused_clearly(client, ruiz):
    response = client.post("/", {"code": "ACDEF-GHJKM"})
    assert response.status_code == 200
    assert "doesn&#x27;t match an invitation" in response.content.decode()
    assert not entered(client, ruiz)
    assert client.get("/i/NOPENOPE/").status_code == 404


def test_entry_page_has_labelled_fields(client, db):
    html = client.get("/").content.decode()
    assert '<label for="id_code">Invitation code</label>' in html
    assert 'for="id_first_name"' in html and 'for="id_last_name"' in html


@pytest.mark.parametrize(
    "first, last, answer",
    [
        ("jose", "RUIZ", "ruiz@example.org"),
        ("Pepe", "Ruíz", "jose@example.org"),
        ("liz", "ruiz", "+34 611 22 33 44"),
    ],
)
def test_name_lookup_in_two_steps(client, ruiz, first, last, answer):
    step1 = client.post("/find/", {"first_name": first, "last_name": last})
    assert step1.status_code == 200
    assert 'name="answer"' in step1.content.decode()
    step2 = client.post("/find/", {"first_name": first, "last_name": last, "answer": answer})
    assert step2.status_code == 302
    assert entered(client, ruiz)


def test_lookup_never_reveals_whether_a_name_is_on_the_list(client, ruiz):
    known = without_tokens(client.post("/find/", {"first_name": "José", "last_name": "Ruiz"}).content.decode())
    unknown = without_tokens(client.post("/find/", {"first_name": "Zacarías", "last_name": "Nadie"}).content.decode())
    # Both are asked the second question, with the same wording.
    assert 'name="answer"' in known and 'name="answer"' in unknown
    assert known.replace("José", "X").replace("Ruiz", "Y") == unknown.replace("Zacarías", "X").replace("Nadie", "Y")
    wrong_answer = client.post("/find/", {"first_name": "José", "last_name": "Ruiz", "answer": "me@example.org"})
    wrong_name = client.post("/find/", {"first_name": "Zacarías", "last_name": "Nadie", "answer": "me@example.org"})
    strip = lambda r, a, b: without_tokens(r.content.decode()).replace(a, "X").replace(b, "Y")  # noqa: E731
    assert strip(wrong_answer, "José", "Ruiz") == strip(wrong_name, "Zacarías", "Nadie")
    assert "couldn&#x27;t find an invitation" in wrong_answer.content.decode()
    assert not entered(client, ruiz)


def test_same_name_guests_need_their_own_second_answer(client, ruiz, wedding):
    other = factories.HouseholdFactory(wedding=wedding, name="The Ruiz Ortega family", email="ortega@example.org")
    factories.GuestFactory(household=other, first_name="Jose", last_name="Ruiz")
    client.post("/find/", {"first_name": "jose", "last_name": "ruiz", "answer": "ortega@example.org"})
    assert entered(client, other)


def test_wrong_codes_are_throttled_with_a_clear_message(client, ruiz):
    statuses = [client.post("/", {"code": f"WRONG{n:05d}"}).status_code for n in range(12)]
    assert statuses[-1] == 429
    assert statuses[0] == 200
    blocked = client.post("/", {"code": "WRONG99999"})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert blocked["Retry-After"] == "60"
    assert not entered(client, ruiz)
    assert client.get("/i/WRONG99998/").status_code == 429
    # The right code still enters (tests/security/test_throttles.py): a shared Wi-Fi must not lock guests out.


def test_lookups_are_throttled(client, ruiz):
    statuses = [
        client.post("/find/", {"first_name": "José", "last_name": "Ruiz", "answer": f"guess{n}@example.org"}).status_code
        for n in range(12)
    ]
    assert 429 in statuses
    assert "Too many attempts" in client.post("/find/", {"first_name": "a", "last_name": "b"}).content.decode()


def test_throttling_is_per_client(client, ruiz):
    for n in range(12):
        client.post("/", {"code": f"WRONG{n:05d}"}, REMOTE_ADDR="10.0.0.1")
    assert client.post("/", {"code": "WRONG"}, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.post("/", {"code": ruiz.invitation_code}, REMOTE_ADDR="10.0.0.2").status_code == 302


@pytest.mark.parametrize("url", ["/home/", "/rsvp/", "/rsvp/done/", "/directory/", "/whos-who/", "/requests/"])
def test_every_guest_page_requires_the_household_session(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.fixture
def guest_client(client, ruiz):
    client.get(f"/i/{ruiz.invitation_code}/")
    return client


@pytest.mark.sqlite  # every guest page renders on SQLite too
@pytest.mark.parametrize("url", ["/home/", "/rsvp/", "/rsvp/done/", "/directory/", "/whos-who/", "/requests/"])
def test_every_guest_page_renders(guest_client, url):
    response = guest_client.get(url)
    assert response.status_code == 200
    assert 'id="guest-nav"' in response.content.decode()


def test_planner_pages_are_unreachable_for_a_household(guest_client):
    response = guest_client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_sign_out(guest_client, ruiz):
    response = guest_client.post("/signout/")
    assert response.status_code == 302
    assert not entered(guest_client, ruiz)
    assert guest_client.get("/home/").status_code == 302


def test_a_regenerated_code_signs_the_household_out(guest_client, ruiz):
    ruiz.invitation_code = ""
    ruiz.save()
    assert guest_client.get("/home/").status_code == 302


def test_send_a_request_and_see_it(guest_client, ruiz):
    jose = ruiz.guests.get(first_name="José")
    response = guest_client.post("/requests/", {"kind": "accessibility", "guest": jose.pk, "message": "Step-free access, please"})
    assert response.status_code == 302
    request = ruiz.requests.get()
    assert (request.kind, request.guest, request.status) == ("accessibility", jose, "open")
    page = guest_client.get("/requests/").content.decode()
    assert "Step-free access, please" in page and "Open" in page


def test_a_request_for_another_households_guest_is_refused(guest_client, ruiz, wedding):
    stranger = factories.GuestFactory(wedding=wedding)
    response = guest_client.post("/requests/", {"kind": "other", "guest": stranger.pk, "message": "hi"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ruiz.requests.exists()


def test_request_kind_can_be_preselected(guest_client):
    html = guest_client.get("/requests/?kind=plus_one").content.decode()
    assert '<option value="plus_one" selected>' in html


def test_directory_opt_in(guest_client, ruiz, wedding):
    liz = ruiz.guests.get(first_name="Elizabeth")
    event = factories.EventFactory(wedding=wedding)
    factories.ResponseFactory(guest=liz, event=event, status="attending")
    assert "Elizabeth Ruiz" not in guest_client.get("/directory/").content.decode().split('id="listing-heading"')[0]
    response = guest_client.post("/directory/", {"listed": [liz.pk]})
    assert response.status_code == 302
    listing = guest_client.get("/directory/").content.decode().split('id="listing-heading"')[0]
    assert "Elizabeth Ruiz" in listing


def test_whos_who(guest_client, wedding):
    factories.WeddingPartyMemberFactory(wedding=wedding, name="Carmen", role="Maid of honour", bio="Best friend since school")
    html = guest_client.get("/whos-who/").content.decode()
    assert "Carmen" in html and "Maid of honour" in html and "Best friend since school" in html


def test_the_guest_home_links_the_wedding_site_and_the_mailing_address(client, wedding, household):
    """The couple's pages and the paper-invitation address are one click from every guest page."""
    factories.GuestFactory(household=household, wedding=wedding)
    client.get(f"/i/{household.invitation_code}/")
    page = client.get("/home/").content.decode()
    assert f'href="/w/{wedding.slug}/"' in page
    assert 'href="/m/address/"' in page
